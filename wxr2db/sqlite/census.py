"""What a database holds, counted: the data behind `wxr2db info`, which the CLI turns into text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from ..content.builders import builder_of

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
    shortcodes: list[tuple[str, int]] = field(default_factory=list)  # by name: posts using it, most first
    builders: list[tuple[str, int]] = field(default_factory=list)  # page builders: posts built with each
    # Custom fields `--meta` can copy: postmeta keys not starting with `_`, by posts having each.
    custom_fields: list[tuple[str, int]] = field(default_factory=list)


# `[name` followed by a space, `]` or `/`: how a shortcode opens (a closing `[/name]` is not counted).
SHORTCODE_OPEN = re.compile(r"\[([A-Za-z][\w-]{0,60})(?=[\s\]/])")
# The postmeta a page builder leaves on the posts it built.
BUILDER_META = {"_elementor_edit_mode": "Elementor", "_et_pb_use_builder": "Divi", "_wpb_vc_js_status": "WPBakery",
                "fusion_builder_status": "Avada"}


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
        **shortcode_census(db),
        custom_fields=rows(db, "SELECT key, count(DISTINCT post_id) FROM postmeta WHERE substr(key, 1, 1) != '_' "
                               "GROUP BY 1 ORDER BY 2 DESC, 1"),
    )


def shortcode_census(db: Database) -> dict[str, list[tuple[str, int]]]:
    """The shortcodes the posts use (by how many posts use each) and the page builders that made them
    (by their shortcodes' prefix, or the postmeta they leave)."""
    names: Counter[str] = Counter()
    built: dict[str, set[int]] = {}
    for post_id, content in db.execute("SELECT id, content FROM posts WHERE content LIKE '%[%'"):
        used = set(SHORTCODE_OPEN.findall(content or ""))
        names.update(used)
        for builder in {builder_of(name) for name in used} - {None}:
            built.setdefault(str(builder), set()).add(post_id)
    marks = ", ".join("?" for _ in BUILDER_META)
    for post_id, key in db.execute(f"SELECT DISTINCT post_id, key FROM postmeta WHERE key IN ({marks})",
                                   list(BUILDER_META)):
        built.setdefault(BUILDER_META[key], set()).add(post_id)
    return {"shortcodes": sorted(names.items(), key=lambda item: (-item[1], item[0])),
            "builders": sorted(((name, len(ids)) for name, ids in built.items()), key=lambda item: -item[1])}


def rows(db: Database, sql: str) -> list[Any]:
    return [tuple(row) for row in db.execute(sql).fetchall()]


def meta_census(db: Database, table: str) -> MetaCensus:
    values, keys = db.execute(f"SELECT count(*), count(DISTINCT key) FROM {table}").fetchone()
    top = rows(db, f"SELECT key, count(*) FROM {table} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5")
    return MetaCensus(values, keys, top)
