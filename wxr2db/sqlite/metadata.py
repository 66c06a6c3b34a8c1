"""Datasette metadata for a wxr2db database: titles, descriptions, labels, facets, search.

Built from the live schema, so a column added to the schema without a description here is caught by the
tests, and a column that does not exist (yet) is never mentioned to Datasette.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from ..errors import NoSuchDatabaseError
from ..links.safe import web_url
from .overview import overview_html
from .queries import canned_queries
from .views import post_link

TABLE_DESCRIPTIONS = {
    "site": "The site the export came from (one row per site).",
    "authors": "People who wrote posts, from the export's author list.",
    "terms": "Categories, tags and other taxonomy terms.",
    "posts": "Every item of the export: posts, pages, drafts, attachments, menu items and other post types. "
             "To read the blog, open the published view; a post's title opens its own page here.",
    "post_terms": "Which terms each post carries.",
    "comments": "Comments, pingbacks and trackbacks. A --public copy keeps approved comments only, without "
                "email or IP address.",
    "postmeta": "Custom fields of posts (PHP-serialized values decoded into value_json).",
    "commentmeta": "Custom fields of comments.",
    "termmeta": "Custom fields of terms.",
    "warnings": "What wxr2db noticed and repaired or left out while importing.",
    "published_posts": "Published posts and pages readers saw (no password), with their own search; rebuilt "
                       "on every import. The published view shows them for reading.",
    "published": "The blog as readers saw it: published posts and pages, newest first. Click a title to read "
                 "the post; search finds words in titles and text.",
    "menu_items": "The site's navigation menus, item by item.",
    "attachments": "Uploaded files (images, documents, audio, video) and the post each was attached to.",
    "synthetic_ids": "Ids wxr2db gave things the export gave no usable id, so a re-import gives the same ones.",
    "featured_images": "Each post's featured image (its _thumbnail_id attachment).",
    "seo_descriptions": "Each post's SEO description from Yoast SEO, Rank Math or All in One SEO.",
    "category_posts_by_year": "Published posts per category per year, counting posts of child categories too.",
    "comment_threads": "Comments in the order WordPress shows them: replies under their parent.",
    "post_term_names": "Each post's terms with their taxonomy and name.",
    "media": "Every file the site uses: attachments, their sizes, and files that posts name (one row per URL).",
    "post_media": "Which files each post uses, and how (img, srcset, link, featured, gallery, audio, video, file, "
                  "cover).",
    "post_files": "The files each post uses, with the post's title: WHERE post_id = N answers for post N.",
}
# Views take the descriptions of the table their columns come from, unless they say otherwise.
VIEW_SOURCES = {"published_posts": ("posts",), "published": ("published_posts",), "comment_threads": ("comments",),
                "post_term_names": ("terms", "post_terms"), "post_files": ("post_media", "media")}
# Notes only where a column's name does not say what it holds: Datasette lists every note above the rows.
PUBLIC_COPY = " (not in a --public copy)"
COLUMN_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "site": {"base_site_url": "WordPress address", "generator": "WordPress version that wrote the export",
             "extra": "Plugin elements of the channel, as JSON"},
    "authors": {"login": "What posts.author points to", "email": "Email address" + PUBLIC_COPY,
                "name": "Display name, or the login when the export lists none"},
    "terms": {"taxonomy": "category, post_tag, nav_menu, post_format or a custom taxonomy"},
    "posts": {
        "post_type": "post, page, attachment, nav_menu_item or a custom type",
        "content": "As WordPress stores it: HTML with block comments (a post's own page shows it formatted)",
        "plain_text": "The text search looks at", "extra": "Plugin elements of the item, as JSON",
    },
    "comments": {
        "approved": "1 approved, 0 pending, spam, trash", "author_email": "Email" + PUBLIC_COPY,
        "author_ip": "IP address" + PUBLIC_COPY, "thread_order": "Place in the thread as WordPress shows it",
    },
    "postmeta": {"value_json": "PHP-serialized value decoded to JSON"},
    "commentmeta": {"value_json": "PHP-serialized value decoded to JSON"},
    "termmeta": {"value_json": "PHP-serialized value decoded to JSON"},
    "warnings": {"item": "Id of the item it concerns"},
    "media": {"variant": "Size name or WIDTHxHEIGHT of a resized copy"},
    "post_media": {"usage": "How the post uses the file"},
    "comment_threads": {"sort_path": "Internal: thread order key"},
    "synthetic_ids": {"key": "Hash of what identifies the thing in the export"},
}
MARKDOWN_COLUMNS = ["post", "attached_to"]
LABEL_COLUMNS = {"authors": "name", "posts": "title", "terms": "name", "comments": "author"}
# Few facets with few values: each facet list stands between the reader and the first row.
FACETS = {"posts": ["post_type", "status"], "published_posts": ["post_type"],
          "published": ["post_type"], "menu_items": ["menu"],
          "terms": ["taxonomy"], "comments": ["approved", "type"], "warnings": ["kind"],
          "postmeta": ["key"]}
SORT_DESC = {"posts": "date", "comments": "date", "published_posts": "date", "attachments": "date"}


# Datasette 0.65 orders a table's search results by the table's sort, never by relevance: this canned
# query ranks by bm25, a title hit weighing ten times a hit in the text (`sqlite-utils search` ranks too).
SEARCH_QUERY = {
    "title": "Search published posts",
    "description": "Published posts and pages whose title or text has these words, best match first "
                   "(SQLite FTS5 syntax: several words must all match, \"a phrase\" in quotes, word* for "
                   "prefixes).",
    "sql": f"SELECT {post_link('p')} AS post, p.post_type, p.date,\n"
           "       snippet(published_posts_fts, 1, '[', ']', ' ... ', 16) AS snippet\n"
           "FROM published_posts_fts JOIN published_posts p ON p.id = published_posts_fts.rowid\n"
           "WHERE published_posts_fts MATCH :q\n"
           "ORDER BY bm25(published_posts_fts, 10.0, 1.0)\nLIMIT 100",
    "hide_sql": True,
}


def column_description(table: str, column: str) -> str | None:
    for source in (table, *VIEW_SOURCES.get(table, ())):
        found = COLUMN_DESCRIPTIONS.get(source, {}).get(column)
        if found:
            return found
    return None


def internal(db: Database, name: str) -> bool:
    """Full-text search tables and their shadow tables, and anything `_`-prefixed."""
    fts = [f"{t}_fts" for t in db.table_names()]
    return name.startswith("_") or any(name == f or name.startswith(f + "_") for f in fts)


def fts_source(db: Database, name: str) -> str | None:
    """The table whose FTS index serves this table or view."""
    for source in (name, *VIEW_SOURCES.get(name, ())):
        if source in db.table_names() and db[source].detect_fts():  # type: ignore[union-attr]
            return source
    return None


def column_names(db: Database, name: str) -> list[str]:
    """Every column, generated ones included (sqlite-utils leaves those out)."""
    return [row[1] for row in db.execute(f"PRAGMA table_xinfo([{name}])")]


def table_metadata(db: Database, name: str) -> dict[str, Any]:
    if internal(db, name):
        return {"hidden": True}
    columns = column_names(db, name)
    notes = {c: column_description(name, c) for c in columns}
    meta: dict[str, Any] = {"columns": {c: note for c, note in notes.items() if note}}
    if name in TABLE_DESCRIPTIONS:
        meta["description"] = TABLE_DESCRIPTIONS[name]
    if LABEL_COLUMNS.get(name) in columns:
        meta["label_column"] = LABEL_COLUMNS[name]
    elif name == "authors":
        meta["label_column"] = "display_name"  # a database from before authors.name
    facets = [f for f in FACETS.get(name, []) if f in columns]
    if facets:
        meta["facets"] = facets
    if SORT_DESC.get(name) in columns:
        meta["sort_desc"] = SORT_DESC[name]
    source = fts_source(db, name)
    if source is not None and "id" in columns:
        meta["fts_table"] = db[source].detect_fts()  # type: ignore[union-attr]
        meta["fts_pk"] = "id"
    return meta


def datasette_metadata(db: Database, name: str | None = None) -> dict[str, Any]:
    """Metadata for `datasette DB -m META`; the database is named after the file, as Datasette names it."""
    name = name or Path(db.conn.execute("PRAGMA database_list").fetchone()[2] or "memory").stem
    site = db.execute("SELECT title, description, link FROM site ORDER BY rowid LIMIT 1").fetchone() \
        if db["site"].exists() else None
    title, description, link = site if site else (None, None, None)
    title = title or name
    tables = {t: table_metadata(db, t) for t in [*db.table_names(), *db.view_names()]}
    database: dict[str, Any] = {"title": title, "tables": tables, "queries": canned_queries(set(tables))}
    if "published_posts_fts" in db.table_names():
        database["queries"] = {"search_published_posts": SEARCH_QUERY, **database["queries"]}
    # datasette-render-markdown turns these columns' Markdown links into links, in views and queries alike.
    database["plugins"] = {"datasette-render-markdown": {"columns": MARKDOWN_COLUMNS}}
    overview = overview_html(db, name) if "site" in tables else None
    top: dict[str, Any] = {"title": title, "source": "WordPress export, imported by wxr2db",
                           "databases": {name: database}}
    if description:
        top["description"] = database["description"] = description
    if overview:
        database["description_html"] = overview
    source_url = web_url(link) if link else None  # Datasette shows it as a link: never `javascript:`
    if source_url:
        top["source_url"] = database["source_url"] = source_url
    return top


def metadata_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.stem}.metadata.json")


def save_metadata(db_path: Path) -> Path:
    """Write NAME.metadata.json beside NAME.db, atomically; return its path."""
    if not db_path.is_file():
        raise NoSuchDatabaseError(f"{db_path}: no such database", "Run `wxr2db import` first.")
    db = Database(db_path)
    try:
        text = json.dumps(datasette_metadata(db, db_path.stem), indent=2, ensure_ascii=False) + "\n"
    finally:
        db.close()
    target = metadata_path(db_path)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target
