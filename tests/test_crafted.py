"""The crafted exports of benchmarks/crafted.py are well-formed WXR that wxr2db imports."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree
from sqlite_utils import Database
from typer.testing import CliRunner

from benchmarks.crafted import CASES, Case
from wxr2db import iter_records
from wxr2db.cli import app
from wxr2db.records import Post, Problem

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
    result = CliRunner().invoke(app, ["import", "-q", str(path), "--db", str(tmp_path / "c.db")])
    assert result.exit_code == 0, result.output
    assert Database(tmp_path / "c.db")["posts"].count == len(posts)


def test_sizes_grow_with_n() -> None:
    for case in CASES:
        small, big = len(case.build(100)), len(case.build(400))
        assert big - small > 0, case.name
