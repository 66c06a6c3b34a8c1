"""What a database holds, counted: the data behind `wxr2db info`, which the CLI turns into text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

META_TABLES = ("postmeta", "commentmeta", "termmeta")


@dataclass(frozen=True)
class SiteCensus:
    title: str | None
    link: str | None
    wxr_version: str | None
    exported_at: str | None


@dataclass(frozen=True)
class MetaCensus:
    values: int
    keys: int
    top_keys: list[tuple[str, int]]  # the five most used, most used first


@dataclass(frozen=True)
class Census:
    sites: list[SiteCensus]
    posts: list[tuple[str, str | None, int]]  # (post type, status, count) by type, then most first
    comments: list[tuple[str | None, int]]  # by the approved column ("1", "0", "spam", ...), most first
    authors: int
    terms: list[tuple[str, int]]  # by taxonomy, most first
    meta: dict[str, MetaCensus]  # by table: postmeta, commentmeta, termmeta
    first_date: str | None
    last_date: str | None
    warnings: list[tuple[str, int]]  # by kind, most first


def census(db: Database) -> Census:
    """Count what db holds, by the groups `wxr2db info` shows."""
    first, last = db.execute("SELECT min(date), max(date) FROM posts WHERE date IS NOT NULL").fetchone()
    return Census(
        sites=[SiteCensus(*row) for row in db.execute(
            "SELECT title, link, wxr_version, exported_at FROM site").fetchall()],
        posts=rows(db, "SELECT post_type, status, count(*) FROM posts GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2"),
        comments=rows(db, "SELECT approved, count(*) FROM comments GROUP BY 1 ORDER BY 2 DESC"),
        authors=db.execute("SELECT count(*) FROM authors").fetchone()[0],
        terms=rows(db, "SELECT taxonomy, count(*) FROM terms GROUP BY 1 ORDER BY 2 DESC"),
        meta={table: meta_census(db, table) for table in META_TABLES},
        first_date=first,
        last_date=last,
        warnings=rows(db, "SELECT kind, count(*) FROM warnings GROUP BY 1 ORDER BY 2 DESC"),
    )


def rows(db: Database, sql: str) -> list[Any]:
    return [tuple(row) for row in db.execute(sql).fetchall()]


def meta_census(db: Database, table: str) -> MetaCensus:
    values, keys = db.execute(f"SELECT count(*), count(DISTINCT key) FROM {table}").fetchone()
    top = rows(db, f"SELECT key, count(*) FROM {table} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5")
    return MetaCensus(values, keys, top)
