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

TABLE_DESCRIPTIONS = {
    "site": "The site the export came from (one row per site).",
    "authors": "People who wrote posts, from the export's author list.",
    "terms": "Categories, tags and other taxonomy terms.",
    "posts": "Every item of the export: posts, pages, attachments, menu items and other post types.",
    "post_terms": "Which terms each post carries.",
    "comments": "Comments, pingbacks and trackbacks.",
    "postmeta": "Custom fields of posts (PHP-serialized values decoded into value_json).",
    "commentmeta": "Custom fields of comments.",
    "termmeta": "Custom fields of terms.",
    "warnings": "What wxr2db noticed and repaired or left out while importing.",
    "published_posts": "Published posts and pages readers saw (no password), newest first, with their own "
                       "search; rebuilt on every import.",
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
VIEW_SOURCES = {"published_posts": ("posts",), "comment_threads": ("comments",),
                "post_term_names": ("terms", "post_terms"), "post_files": ("post_media", "media")}
COLUMN_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "site": {
        "link": "Site address", "title": "Site title", "description": "Site tagline",
        "language": "Language code", "wxr_version": "WXR format version of the export",
        "base_site_url": "WordPress address", "base_blog_url": "Site address of the blog",
        "generator": "WordPress version that wrote the export", "exported_at": "When the export was made (ISO 8601)",
        "extra": "Plugin elements of the channel, as JSON",
    },
    "authors": {
        "login": "Login name (what posts.author points to)", "id": "WordPress user id", "email": "Email address",
        "display_name": "Name shown on the site", "first_name": "First name", "last_name": "Last name",
    },
    "terms": {
        "id": "WordPress term id", "taxonomy": "category, post_tag, nav_menu, post_format or a custom taxonomy",
        "slug": "URL slug", "name": "Name", "description": "Description", "parent_slug": "Parent's slug",
        "parent_id": "Parent term",
    },
    "posts": {
        "id": "WordPress post id", "post_type": "post, page, attachment, nav_menu_item or a custom type",
        "status": "publish, draft, private, pending, future, trash, inherit", "title": "Title",
        "slug": "URL slug", "link": "Permalink", "guid": "GUID", "author": "Author",
        "date": "Published (site time, ISO 8601)", "date_gmt": "Published (UTC)",
        "modified": "Last modified (site time)", "modified_gmt": "Last modified (UTC)",
        "content": "Content as stored by WordPress (raw HTML with block comments)", "excerpt": "Excerpt",
        "parent_id": "Parent post (page parent, or the post an attachment belongs to)",
        "menu_order": "Order among siblings", "comment_status": "open or closed", "ping_status": "open or closed",
        "password": "Password protecting the post", "sticky": "1 when stuck to the front page",
        "attachment_url": "File URL of an attachment",
        "pub_date": "The export's pubDate, as ISO 8601 with offset (empty when it was no date)",
        "description": "The export's description element", "extra": "Plugin elements of the item, as JSON",
        # Columns the schema is expected to gain (issue 12); described here so they are ready.
        "year": "Year published", "plain_text": "Content as plain text (what search looks at)",
        "export_id": "The id the export gave, when wxr2db had to assign another",
    },
    "post_terms": {"post_id": "Post", "term_id": "Term"},
    "comments": {
        "id": "WordPress comment id", "post_id": "Post commented on", "parent_id": "Comment replied to",
        "depth": "Nesting depth (1 for a top-level comment)",
        "thread_order": "Place in the order WordPress shows the thread: oldest first, replies under their parent",
        "author": "Commenter's name", "author_email": "Commenter's email",
        "author_url": "Commenter's website", "author_ip": "Commenter's IP address",
        "date": "Written (site time)", "date_gmt": "Written (UTC)", "content": "Comment text (HTML)",
        "approved": "1 approved, 0 pending, spam, trash", "type": "comment, pingback or trackback",
        "user_id": "WordPress user id of a logged-in commenter", "plain_text": "Comment as plain text",
        "export_id": "The id the export gave, when wxr2db had to assign another",
    },
    "postmeta": {"post_id": "Post", "key": "Custom field name", "value": "Value as exported",
                 "value_json": "PHP-serialized value decoded to JSON"},
    "commentmeta": {"comment_id": "Comment", "key": "Field name", "value": "Value as exported",
                    "value_json": "PHP-serialized value decoded to JSON"},
    "termmeta": {"term_id": "Term", "key": "Field name", "value": "Value as exported",
                 "value_json": "PHP-serialized value decoded to JSON"},
    "warnings": {"id": "Stable key of the warning", "kind": "What kind of problem",
                 "item": "Id of the item it concerns", "detail": "What happened and what was done"},
    "comment_threads": {"post_title": "Title of the post", "sort_path": "Internal: thread order key"},
    "media": {
        "url": "File URL as the export names it", "path": "Path under wp-content/uploads (YYYY/MM/name)",
        "attachment_id": "Attachment item the file belongs to", "mime_type": "Type guessed from the extension",
        "variant": "Size name or WIDTHxHEIGHT of a resized copy", "width": "Width in pixels",
        "height": "Height in pixels", "original_url": "The original file this one is a size of",
    },
    "post_media": {"post_id": "Post", "url": "File", "usage": "How the post uses it"},
    "post_files": {"post_title": "Title of the post"},
    "synthetic_ids": {"kind": "Table the id is for", "key": "Hash of what identifies the thing in the export",
                      "id": "The id given"},
    "featured_images": {"post_id": "Post", "post_title": "Title of the post", "image_id": "Attachment",
                        "image_title": "Title of the attachment", "image_url": "File URL of the image"},
    "seo_descriptions": {"post_id": "Post", "post_title": "Title of the post",
                         "plugin": "SEO plugin that stored it", "description": "The meta description"},
    "category_posts_by_year": {"category_id": "Category", "category": "Category name", "slug": "Category slug",
                               "year": "Year published", "posts": "Published posts in it or its children"},
}
LABEL_COLUMNS = {"authors": "display_name", "posts": "title", "terms": "name", "comments": "author"}
FACETS = {"posts": ["post_type", "status", "year"], "published_posts": ["post_type", "year"],
          "terms": ["taxonomy"], "comments": ["approved", "type"], "warnings": ["kind"],
          "postmeta": ["key"]}
SORT_DESC = {"posts": "date", "comments": "date", "published_posts": "date"}


# Datasette 0.65 orders a table's search results by the table's sort, never by relevance: this canned
# query ranks by bm25, a title hit weighing ten times a hit in the text (`sqlite-utils search` ranks too).
SEARCH_QUERY = {
    "title": "Search published posts",
    "description": "Published posts and pages whose title or text has these words, best match first "
                   "(SQLite FTS5 syntax: several words must all match, \"a phrase\" in quotes, word* for "
                   "prefixes).",
    "sql": "SELECT p.id, p.title, p.post_type, p.date, p.link,\n"
           "       snippet(published_posts_fts, 1, '[', ']', ' ... ', 16) AS snippet\n"
           "FROM published_posts_fts JOIN published_posts p ON p.id = published_posts_fts.rowid\n"
           "WHERE published_posts_fts MATCH :q\n"
           "ORDER BY bm25(published_posts_fts, 10.0, 1.0)\nLIMIT 100",
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


def table_metadata(db: Database, name: str) -> dict[str, Any]:
    if internal(db, name):
        return {"hidden": True}
    columns = list(db[name].columns_dict)
    meta: dict[str, Any] = {"columns": {c: column_description(name, c) or "" for c in columns}}
    if name in TABLE_DESCRIPTIONS:
        meta["description"] = TABLE_DESCRIPTIONS[name]
    if name in LABEL_COLUMNS:
        meta["label_column"] = LABEL_COLUMNS[name]
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
    database: dict[str, Any] = {"title": title, "tables": tables}
    if "published_posts_fts" in db.table_names():
        database["queries"] = {"search_published_posts": SEARCH_QUERY}
    top: dict[str, Any] = {"title": title, "source": "WordPress export, imported by wxr2db",
                           "databases": {name: database}}
    if description:
        top["description"] = database["description"] = description
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
