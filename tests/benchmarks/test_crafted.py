"""The crafted exports of benchmarks/crafted.py are well-formed WXR that wxr2db imports."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest
from lxml import etree
from sqlite_utils import Database

from benchmarks.crafted import CASES, Case, one_line_post, plugin_elements
from tests.helpers import cli
from wxr2db import iter_records
from wxr2db.records import Post, Problem, Site
from wxr2db.sources.wxr import _Reader

REPAIRS = {"repair: zeros": "invalid-character", "repair: control chars": "invalid-character",
           "repair: Latin-1 as UTF-8": "invalid-bytes"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_crafted_export_imports(case: Case, tmp_path: Path) -> None:
    data = case.build(40)
    records = list(iter_records(io.BytesIO(data)))
    posts = [r for r in records if isinstance(r, Post)]
    assert len(posts) == (40 if case.name.endswith("same slug") else 1)
    kinds = {r.kind for r in records if isinstance(r, Problem)}
    if case.name in REPAIRS:
        assert REPAIRS[case.name] in kinds
    else:
        etree.fromstring(data)  # well-formed as it is, with nothing to repair
        assert not kinds & set(REPAIRS.values())
    path = tmp_path / "crafted.xml"
    path.write_bytes(data)
    result = cli("import", "-q", str(path), "--db", str(tmp_path / "c.db"))
    assert result.exit_code == 0, result.output
    assert Database(tmp_path / "c.db")["posts"].count == len(posts)


def test_sizes_grow_with_n() -> None:
    for case in CASES:
        small, big = len(case.build(100)), len(case.build(400))
        assert big - small > 0, case.name


def test_channel_plugin_elements_leave_the_tree_as_they_are_read() -> None:
    """A plugin's long list directly under <channel> gets no lxml event: the reader takes each element
    into the site record once lxml has read past it, instead of keeping them all in the tree until the
    next item (issue 8: 105 MB of reader memory for a 20 MB export). Nothing is lost on the way."""
    retained: list[int] = []

    class Watched(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            retained.append(len(reader.channel) if reader.channel is not None else 0)
            return super().read(size)

    reader = _Reader(Watched(plugin_elements(20_000)), "<export>", recover=False)
    records = list(reader.run())
    assert max(retained) < 100
    site = next(r for r in records if isinstance(r, Site))
    assert site.extra["plugin:setting"] == ["value " * 10] * 20_000


def test_a_huge_post_is_held_once_on_the_python_side() -> None:
    """tracemalloc sees Python's copies only (not lxml's): the content string and little else."""
    data = one_line_post(400_000)  # 2 MB of content on one line
    tracemalloc.start()
    try:
        posts = [r for r in iter_records(io.BytesIO(data)) if isinstance(r, Post)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(posts[0].content) == 2_000_000
    assert peak < 1.5 * 2_000_000 + 1_000_000
