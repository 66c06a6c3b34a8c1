"""The round-trip score (benchmarks/roundtrip.py) on the corpus: no post that renders right today may
regress, and the comparator itself sees the defects it is meant to see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.roundtrip import score_post, structure
from tests.helpers import corpus_params
from wxr2db.records import Post

BASELINE = Path(__file__).with_name("roundtrip_baseline.json")


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params(), ids=lambda p: p.stem)
def test_no_post_regresses(path: Path) -> None:
    from benchmarks.roundtrip import score_export

    allowed = set(json.loads(BASELINE.read_text(encoding="utf-8")).get(path.name, []))
    result = score_export(path)
    regressed = [d for d in result["differing"] if d["id"] not in allowed]  # type: ignore[attr-defined]
    assert regressed == [], regressed


def test_merged_tables_are_a_difference() -> None:
    assert structure("<table><tr><td>a</td></tr></table><table><tr><td>b</td></tr></table>")["tables"]["all"] == 2
    assert structure("<table><tr><td>a</td></tr><tr><td>b</td></tr></table>")["tables"]["all"] == 1


def test_a_post_whose_markdown_shows_a_backslash_is_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks import roundtrip
    from wxr2db.content.rendered import Rendered

    monkeypatch.setattr(roundtrip, "render_body", lambda content: Rendered("Hello\\\xa0there\n", ()))
    score, _ = score_post(Post(1, content="<p>Hello&nbsp;there</p>"))
    assert score.syntax == ["backslash the source did not have"]


def test_a_clean_post_matches() -> None:
    score, shortcodes = score_post(Post(1, content="<h2>Title</h2><ul><li>a</li><li>b</li></ul>"
                                                   '<p><a href="http://x">link</a> <img src="/a/b.jpg"></p>'))
    assert score.matches and not shortcodes
