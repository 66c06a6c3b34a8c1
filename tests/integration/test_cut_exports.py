"""A file cut short (an interrupted download) reads the same with every lxml the project allows: an item
whose end tag is not in the file is never stored as if complete. Without --recover nothing of it is
yielded and the error names it once; with --recover it is stored, named in an `item-cut` warning."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.wxrbuild import comment, export_bytes, item
from wxr2db import iter_records
from wxr2db.errors import BrokenExportError
from wxr2db.records import Post, Problem

ROOT = Path(__file__).resolve().parents[2]
FULL = export_bytes(
    item(1, "First", comments=[comment(10), comment(11, parent=10)]),
    item(2, "Second", comments=[comment(20 + n) for n in range(9)]),
    item(3, "Third"),
)
# Cut points inside the second item: in its title, a comment, between comments, right before </item>.
SECOND = FULL.index(b"<item>", FULL.index(b"</item>"))
SECOND_END = FULL.index(b"</item>", SECOND)
CUTS = sorted({SECOND + 20, FULL.index(b"<wp:comment>", SECOND) + 5, FULL.index(b"</wp:comment>", SECOND) + 13,
               FULL.index(b"<wp:comment_content>", SECOND + 600), SECOND_END - 1, SECOND_END + 3})


def read(data: bytes, recover: bool) -> tuple[list[Post], list[Problem], str]:
    posts: list[Post] = []
    problems: list[Problem] = []
    try:
        for record in iter_records(io.BytesIO(data), name="cut.xml", recover=recover):
            if isinstance(record, Post):
                posts.append(record)
            elif isinstance(record, Problem):
                problems.append(record)
    except BrokenExportError as error:
        return posts, problems, str(error)
    return posts, problems, ""


def summary(data: bytes, recover: bool) -> dict[str, object]:
    posts, problems, error = read(data, recover)
    return {
        "posts": [(p.id, p.title, len(p.comments)) for p in posts],
        "problems": sorted(p.kind for p in problems),
        "cut": [p.detail for p in problems if p.kind == "item-cut"],
        "error": error,
    }


@pytest.mark.parametrize("cut", CUTS)
def test_a_cut_item_is_never_yielded_without_recover(cut: int) -> None:
    posts, _, error = read(FULL[:cut], recover=False)
    assert [p.id for p in posts] == [1]
    assert error.startswith("cut.xml: line ")
    assert "the file ends in the middle of the export" in error
    # The item is named once: by its id and title, or by its line when the cut came before its id.
    assert error.count("item") == 1 or "(in the item at line 34 after item 1 'First')" in error
    assert "(in item 2 'Second')" in error or cut < FULL.index(b"<wp:post_id>", SECOND)


@pytest.mark.parametrize("cut", CUTS)
def test_recover_stores_the_cut_item_and_names_it(cut: int) -> None:
    posts, problems, error = read(FULL[:cut], recover=True)
    assert error == ""
    assert len(posts) == 2 and posts[0].id == 1
    assert posts[1].title == "Second"[: len(posts[1].title)]
    assert len(posts[0].comments) == 2
    complete = FULL[:cut].count(b"</wp:comment>", SECOND)
    assert len(posts[1].comments) in (complete, complete + 1)  # a comment cut inside is kept as read
    cut_warnings = [p for p in problems if p.kind == "item-cut"]
    assert len(cut_warnings) == 1 and cut_warnings[0].item == posts[1].id
    named = "item 2 'Second'" if not posts[1].id_missing else "the item at line 34"
    assert cut_warnings[0].detail.startswith(named)


def test_a_file_cut_between_items_keeps_every_item() -> None:
    cut = SECOND_END + len(b"</item>")
    posts, problems, error = read(FULL[:cut], recover=True)
    assert [p.id for p in posts] == [1, 2] and len(posts[1].comments) == 9
    assert "item-cut" not in {p.kind for p in problems}
    assert error == ""


OLDEST_LXML_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from tests.integration.test_cut_exports import CUTS, FULL, summary
print(json.dumps([summary(FULL[:cut], recover) for cut in CUTS for recover in (False, True)]))
"""


def lowest_lxml() -> str:
    match = re.search(r'"lxml>=([\d.]+)', (ROOT / "pyproject.toml").read_text())
    assert match, "pyproject.toml names no lower bound for lxml"
    return match.group(1)


@pytest.mark.slow
def test_the_oldest_allowed_lxml_reads_cut_files_the_same(tmp_path: Path) -> None:
    """pyproject allows lxml from its lower bound: that version must behave as the one installed."""
    version = lowest_lxml()
    target = tmp_path / "lxml"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), f"lxml=={version}"],
        capture_output=True, text=True, timeout=300,
    )
    if install.returncode != 0:
        pytest.skip(f"lxml=={version} could not be installed here (no package index?): {install.stderr[-300:]}")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(ROOT)])}
    probe = subprocess.run([sys.executable, "-c", "import lxml; print(lxml.__version__)"], env=env,
                           capture_output=True, text=True, check=True)
    assert probe.stdout.strip().startswith(version)
    old = subprocess.run([sys.executable, "-c", OLDEST_LXML_SCRIPT, str(ROOT)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert old.returncode == 0, old.stderr
    new = [summary(FULL[:cut], recover) for cut in CUTS for recover in (False, True)]
    assert json.loads(old.stdout) == json.loads(json.dumps(new))
