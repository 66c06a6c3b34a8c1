"""Every real export in ../shared/corpus lands in the database with every count its MANIFEST.md gives."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.helpers import CORPUS, THEME_UNIT_TEST, import_path, table_rows
from wxr2db.errors import WxrError
from wxr2db.records import Term
from wxr2db.sources.wxr import iter_records


@dataclass
class Expected:
    file: str
    well_formed: bool
    items: int
    by_type: dict[str, int]
    comments: int
    max_depth: int
    terms: int
    authors: int
    postmeta: int
    termmeta: int
    commentmeta: int
    sticky: int
    password: int


def pair(cell: str) -> tuple[int, int]:
    a, b = (int(x) for x in cell.split("/"))
    return a, b


def parse_manifest(text: str) -> list[Expected]:
    """The rows of the '## Counts' table (its columns are named in the header row)."""
    section = text.split("## Counts", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    header = next(line for line in section.splitlines() if line.startswith("| file"))
    names = [h.strip() for h in header.strip("|").split("|")]
    out = []
    for row in rows:
        cells = dict(zip(names, (c.strip() for c in row.strip("|").split("|")), strict=True))
        termmeta, commentmeta = pair(cells["termmeta / commentmeta"])
        sticky, password = pair(cells["sticky / password"])
        by_type = {k: int(v) for k, v in re.findall(r"([\w-]+):(\d+)", cells["items by wp:post_type"])}
        out.append(Expected(
            file=cells["file"].strip("`"),
            well_formed=cells["well-formed"].startswith("yes"),
            items=int(cells["items"]),
            by_type=by_type,
            comments=int(cells["wp:comment"]),
            max_depth=int(cells["max comment depth"]),
            terms=sum(int(cells[k]) for k in ("wp:category", "wp:tag", "wp:term")),
            authors=sum(int(n) for n in re.findall(r"\d+", cells["wp:author (+wp:wp_author)"])),
            postmeta=int(cells["wp:postmeta"]),
            termmeta=termmeta,
            commentmeta=commentmeta,
            sticky=sticky,
            password=password,
        ))
    return out


def manifest() -> list[Expected]:
    path = CORPUS / "MANIFEST.md"
    return parse_manifest(path.read_text(encoding="utf-8")) if path.is_file() else []


def count(db: Database, sql: str) -> int:
    return int(db.execute(sql).fetchone()[0])


@pytest.mark.corpus
@pytest.mark.parametrize("expected", manifest(), ids=lambda e: e.file)
def test_corpus_export_lands_whole(expected: Expected) -> None:
    path = CORPUS / expected.file
    if not expected.well_formed:
        check_malformed(path, expected)
        return
    db, stats = import_path(path)
    types = Counter(dict(db.execute("SELECT post_type, count(*) FROM posts GROUP BY 1").fetchall()))
    assert count(db, "SELECT count(*) FROM posts") == expected.items
    assert types == Counter(expected.by_type)
    assert count(db, "SELECT count(*) FROM comments") == expected.comments
    assert count(db, "SELECT coalesce(max(depth), 0) FROM comments") == expected.max_depth
    assert count(db, "SELECT count(*) FROM postmeta") == expected.postmeta
    assert count(db, "SELECT count(*) FROM commentmeta") == expected.commentmeta
    assert count(db, "SELECT count(*) FROM termmeta") == expected.termmeta
    assert count(db, "SELECT count(*) FROM posts WHERE sticky = 1") == expected.sticky
    assert count(db, "SELECT count(*) FROM posts WHERE password != ''") == expected.password
    # Every declared term and author is stored. WordPress 4+ lists each category and tag twice (as
    # wp:category and again as wp:term, same id), stored once; items may add undeclared terms.
    # The summary says what the database holds (declared terms and authors, and those items add).
    assert stats.terms == count(db, "SELECT count(*) FROM terms")
    assert stats.authors == count(db, "SELECT count(*) FROM authors")
    declared = declared_terms(path)
    stored = set(db.execute("SELECT taxonomy, slug FROM terms").fetchall())
    assert declared <= stored
    assert count(db, "SELECT count(*) FROM authors") >= expected.authors


def declared_terms(path: Path) -> set[tuple[str, str]]:
    with path.open("rb") as f:
        return {(r.taxonomy, r.slug) for r in iter_records(f) if isinstance(r, Term)}


def check_malformed(path: Path, expected: Expected) -> None:
    """A broken export either imports (repaired, counted) or fails with wxr2db's own error; with
    --recover it always imports."""
    try:
        db, _ = import_path(path)
    except WxrError as error:
        assert path.name in str(error)
    else:
        assert count(db, "SELECT count(*) FROM posts") == expected.items
    db, _ = import_path(path, recover=True)
    assert count(db, "SELECT count(*) FROM posts") > 0


@pytest.mark.corpus
def test_manifest_is_parsed() -> None:
    rows = manifest()
    assert rows, "MANIFEST.md has no counts table"
    assert {r.file for r in rows} <= {p.name for p in CORPUS.glob("*.xml")}


@pytest.mark.corpus
def test_reimport_of_corpus_changes_nothing() -> None:
    db, _ = import_path(THEME_UNIT_TEST)
    tables = ["posts", "comments", "terms", "post_terms", "postmeta", "authors", "site", "warnings"]
    before = table_rows(db, tables)
    import_path(THEME_UNIT_TEST, db)
    assert table_rows(db, tables) == before
    hits = db.execute("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'sticky'").fetchone()[0]
    assert hits == len({r[0] for r in db.execute(
        "SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'sticky'").fetchall()})
