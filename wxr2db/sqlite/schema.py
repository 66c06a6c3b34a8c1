"""The SQLite schema: tables, indexes, full-text search and views, and the idempotent `ensure_db_shape(db)`.

sqlite-utils builds the schema, the indexes, full-text search and views, all after the bulk insert,
when they are cheapest to build. `check_database` tells a database `wxr2db import` made from any other file.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..content.plaintext import search_text
from ..errors import NotAWxrDatabaseError
from ..records import Problem
from ..resolve.threads import thread_positions
from .checks import CONSISTENCY_KINDS, consistency_problems, resolve_term_parents
from .media import ensure_media
from .rows import warning_row
from .views import ensure_browse_views

if TYPE_CHECKING:
    from sqlite_utils import Database

# table -> (columns with types, primary key, foreign keys as (column, other table, other column))
Columns = dict[str, type]
TABLES: dict[str, tuple[Columns, str | tuple[str, ...] | None, list[tuple[str, str, str]]]] = {
    "site": (
        {"link": str, "title": str, "description": str, "language": str, "wxr_version": str,
         "base_site_url": str, "base_blog_url": str, "generator": str, "exported_at": str, "extra": str},
        "link", [],
    ),
    "authors": (
        {"login": str, "id": int, "email": str, "display_name": str, "first_name": str, "last_name": str},
        "login", [],
    ),
    "terms": (
        {"id": int, "taxonomy": str, "slug": str, "name": str, "description": str,
         "parent_slug": str, "parent_id": int},
        "id", [("parent_id", "terms", "id")],
    ),
    "posts": (
        {"id": int, "post_type": str, "status": str, "title": str, "slug": str, "link": str, "guid": str,
         "author": str, "date": str, "date_gmt": str, "modified": str, "modified_gmt": str,
         "content": str, "excerpt": str, "parent_id": int, "menu_order": int, "comment_status": str,
         "ping_status": str, "password": str, "sticky": int, "attachment_url": str, "pub_date": str,
         "description": str, "extra": str, "year": int, "export_id": int, "plain_text": str},
        "id", [("author", "authors", "login"), ("parent_id", "posts", "id")],
    ),
    "post_terms": (
        {"post_id": int, "term_id": int},
        ("post_id", "term_id"), [("post_id", "posts", "id"), ("term_id", "terms", "id")],
    ),
    "comments": (
        {"id": int, "post_id": int, "parent_id": int, "depth": int, "author": str, "author_email": str,
         "author_url": str, "author_ip": str, "date": str, "date_gmt": str, "content": str,
         "approved": str, "type": str, "user_id": int, "thread_order": int, "export_id": int,
         "plain_text": str},
        "id", [("post_id", "posts", "id"), ("parent_id", "comments", "id")],
    ),
    "postmeta": (
        {"post_id": int, "key": str, "value": str, "value_json": str},
        None, [("post_id", "posts", "id")],
    ),
    "commentmeta": (
        {"comment_id": int, "key": str, "value": str, "value_json": str},
        None, [("comment_id", "comments", "id")],
    ),
    "termmeta": (
        {"term_id": int, "key": str, "value": str, "value_json": str},
        None, [("term_id", "terms", "id")],
    ),
    "warnings": (
        {"id": str, "kind": str, "item": int, "detail": str},
        "id", [],
    ),
    # Built from the rows above by ensure_media, after every import (see wxr2db.sqlite.media).
    "media": (
        {"url": str, "path": str, "attachment_id": int, "mime_type": str, "variant": str, "width": int,
         "height": int, "original_url": str},
        "url", [("attachment_id", "posts", "id"), ("original_url", "media", "url")],
    ),
    "post_media": (
        {"post_id": int, "url": str, "usage": str},
        ("post_id", "url", "usage"), [("post_id", "posts", "id"), ("url", "media", "url")],
    ),
    # Ids wxr2db made up (item without an id, a repeated id), by what identifies the thing in the export,
    # so importing the same export again gives the same small ids.
    "synthetic_ids": (
        {"kind": str, "key": int, "id": int},
        ("kind", "key"), [],
    ),
}
# Tables a database made before they existed lacks; they are derived, so it is still one of ours.
DERIVED_TABLES = ("media", "post_media")
INDEXES = [
    ("posts", ["post_type", "status"]), ("posts", ["author"]), ("posts", ["parent_id"]),
    ("terms", ["parent_id"]), ("post_terms", ["term_id"]),
    ("comments", ["post_id"]), ("comments", ["parent_id"]),
    ("postmeta", ["post_id"]), ("postmeta", ["key"]), ("commentmeta", ["comment_id"]),
    ("termmeta", ["term_id"]), ("warnings", ["kind"]),
    ("media", ["attachment_id"]), ("media", ["path"]), ("post_media", ["url"]),
]
FTS_CONFIG = {"posts": ["title", "plain_text"], "comments": ["plain_text"], "published_posts": ["title", "plain_text"]}
# Post types WordPress uses for its own machinery rather than for things readers see.
INTERNAL_TYPES = ("attachment", "nav_menu_item", "revision", "wp_navigation", "wp_block", "wp_template",
                  "wp_template_part", "wp_global_styles", "custom_css", "customize_changeset",
                  "oembed_cache", "user_request", "wp_font_family", "wp_font_face")
SORT_PATH_DEPTH = 32
PUBLIC_TYPES_SQL = ", ".join(f"'{t}'" for t in INTERNAL_TYPES)
# A table, not a view: `sqlite-utils search` only searches tables, and it gets its own ranked index.
PUBLISHED_COLUMNS: Columns = {
    "id": int, "post_type": str, "title": str, "slug": str, "author": str, "date": str, "date_gmt": str,
    "year": int, "modified": str, "link": str, "excerpt": str, "plain_text": str}
PUBLISHED_POSTS = f"""
    INSERT INTO published_posts
    SELECT id, post_type, title, slug, author, date, date_gmt, year, modified, link, excerpt, plain_text
    FROM posts
    WHERE status = 'publish' AND coalesce(password, '') = '' AND post_type NOT IN ({PUBLIC_TYPES_SQL})"""
# No ORDER BY: id is the rowid, so rows are stored by id whatever the order they come in, and sorting
# would hold every post's plain_text in SQLite's sorter (a 50 MB post cost 115 MB more).
SEO_KEYS = {"_yoast_wpseo_metadesc": "Yoast SEO", "rank_math_description": "Rank Math",
            "_aioseo_description": "All in One SEO", "_aioseop_description": "All in One SEO (before 4.0)"}
VIEWS = {
    # Threads in the order WordPress shows them: oldest first at every level, replies under their parent,
    # by the thread_order the import stored. sort_path spells that order out, only down to
    # SORT_PATH_DEPTH levels: its strings grow with the depth, a deep chain would make it quadratic.
    "comment_threads": f"""
        WITH RECURSIVE thread(id, depth, sort_path) AS (
            SELECT id, 1, printf('%s|%020d', coalesce(date_gmt, date, ''), id)
            FROM comments WHERE parent_id IS NULL
            UNION ALL
            SELECT c.id, thread.depth + 1,
                   thread.sort_path || '/' || printf('%s|%020d', coalesce(c.date_gmt, c.date, ''), c.id)
            FROM comments c JOIN thread ON c.parent_id = thread.id WHERE thread.depth < {SORT_PATH_DEPTH}
        )
        SELECT c.post_id, p.title AS post_title, c.id, c.parent_id, c.depth, c.author, c.date,
               c.approved, c.type, c.content, thread.sort_path
        FROM comments c JOIN posts p ON p.id = c.post_id LEFT JOIN thread ON thread.id = c.id
        ORDER BY c.post_id, c.thread_order""",
    "post_term_names": """
        SELECT post_terms.post_id, terms.taxonomy, terms.slug, terms.name, terms.id AS term_id
        FROM post_terms JOIN terms ON terms.id = post_terms.term_id""",
    # "Which files does post N use": SELECT * FROM post_files WHERE post_id = N
    "post_files": """
        SELECT post_media.post_id, posts.title AS post_title, post_media.usage, post_media.url, media.path,
               media.mime_type, media.attachment_id, media.variant, media.original_url
        FROM post_media JOIN posts ON posts.id = post_media.post_id JOIN media ON media.url = post_media.url""",
    # `_thumbnail_id` names the attachment WordPress shows as the post's featured image.
    "featured_images": """
        SELECT p.id AS post_id, p.title AS post_title, a.id AS image_id, a.title AS image_title,
               coalesce(nullif(a.attachment_url, ''), a.guid) AS image_url
        FROM postmeta m JOIN posts p ON p.id = m.post_id
        JOIN posts a ON a.id = CAST(m.value AS INTEGER)
        WHERE m.key = '_thumbnail_id'""",
    "seo_descriptions": f"""
        SELECT p.id AS post_id, p.title AS post_title,
               CASE m.key {" ".join(f"WHEN '{k}' THEN '{v}'" for k, v in SEO_KEYS.items())} END AS plugin,
               m.value AS description
        FROM postmeta m JOIN posts p ON p.id = m.post_id
        WHERE m.key IN ({", ".join(f"'{k}'" for k in SEO_KEYS)}) AND trim(m.value) != ''""",
    # Each category counts its own posts and its descendants'. UNION (not UNION ALL) stops on a parent
    # cycle; the work is the number of (category, ancestor) pairs, terms times depth.
    "category_posts_by_year": """
        WITH RECURSIVE ancestry(term_id, ancestor_id) AS (
            SELECT id, id FROM terms WHERE taxonomy = 'category'
            UNION
            SELECT ancestry.term_id, t.parent_id FROM ancestry JOIN terms t ON t.id = ancestry.ancestor_id
            WHERE t.parent_id IS NOT NULL
        )
        SELECT c.id AS category_id, c.name AS category, c.slug, p.year, count(DISTINCT p.id) AS posts
        FROM ancestry JOIN terms c ON c.id = ancestry.ancestor_id
        JOIN post_terms pt ON pt.term_id = ancestry.term_id
        JOIN posts p ON p.id = pt.post_id AND p.status = 'publish' AND p.post_type = 'post'
        GROUP BY c.id, p.year
        ORDER BY c.name, p.year""",
}


def ensure_tables(db: Database) -> None:
    for name, (columns, pk, foreign_keys) in TABLES.items():
        if not db[name].exists():
            db[name].create(columns, pk=pk, foreign_keys=foreign_keys)  # type: ignore[union-attr]
            continue
        # A database from an older wxr2db gains the columns added since.
        have = db[name].columns_dict
        for column, kind in columns.items():
            if column not in have:
                db[name].add_column(column, kind)  # type: ignore[union-attr]
    db["terms"].create_index(["taxonomy", "slug"], unique=True, if_not_exists=True)  # type: ignore[union-attr]


@dataclass(frozen=True)
class Shape:
    """What a database gets besides its rows. One that only wxr2db reads (a throwaway one for
    `info`, `media` or `markdown` on an export) needs no search text or full-text index; one that
    only `markdown` reads needs no list of the files each body names either (post_media)."""

    search: bool = True
    references: bool = True


EVERYTHING = Shape()
FOR_READING = Shape(search=False)
FOR_MARKDOWN = Shape(search=False, references=False)


def ensure_db_shape(db: Database, shape: Shape = EVERYTHING) -> Counter[str]:
    """Everything that is cheaper to build after the rows are in; safe to run any number of times.
    Returns the warnings it recorded, by kind."""
    search = shape.search
    ensure_tables(db)
    fill_plain_text(db, search)
    warned = replace_warnings(db, ("term-parent-unknown",), resolve_term_parents(db))
    warned.update(replace_warnings(db, CONSISTENCY_KINDS, consistency_problems(db)))
    for table, columns in INDEXES:
        db[table].create_index(columns, if_not_exists=True)  # type: ignore[union-attr]
    fill_thread_order(db)
    # After the indexes: it looks up each post's meta by post_id.
    ensure_media(db, shape.references)
    ensure_published_posts(db)
    for table, columns in FTS_CONFIG.items() if search else ():
        db[table].enable_fts(columns, create_triggers=table != "published_posts",  # type: ignore[union-attr]
                             replace=True)
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
    ensure_browse_views(db)
    return +warned


def replace_warnings(db: Database, kinds: tuple[str, ...], problems: list[Problem]) -> Counter[str]:
    """Warnings of these kinds are found over the whole database (see checks.py), so each run
    replaces them all; returns how many of each it stored."""
    marks = ", ".join("?" for _ in kinds)
    db.execute(f"DELETE FROM warnings WHERE kind IN ({marks})", kinds)
    db.conn.executemany(insert_sql("warnings", "id"), [warning_row(p) for p in problems])
    db.conn.commit()
    return Counter(p.kind for p in problems)


def fill_thread_order(db: Database) -> None:
    """Databases made before comments had a thread_order get one, so comment_threads orders them."""
    posts = [row[0] for row in db.execute("SELECT DISTINCT post_id FROM comments WHERE thread_order IS NULL")]
    for post_id in posts:
        rows = db.execute("SELECT id, parent_id, printf('%s|%020d', coalesce(date_gmt, date, ''), id) "
                          "FROM comments WHERE post_id = ?", [post_id]).fetchall()
        positions = thread_positions(rows)
        db.conn.executemany("UPDATE comments SET thread_order = ? WHERE id = ?",
                            [(n, comment_id) for comment_id, n in positions.items()])
    db.conn.commit()


def fill_plain_text(db: Database, search: bool = True) -> None:
    """Rows the writer did not fill: those of a database made by an older wxr2db."""
    db.conn.create_function("wxr2db_plain_text", 1, lambda html: search_text(html or ""), deterministic=True)
    for table in ("posts", "comments") if search else ():
        db.execute(f"UPDATE [{table}] SET plain_text = wxr2db_plain_text(content) "
                   "WHERE plain_text IS NULL AND content IS NOT NULL")
    db.execute("UPDATE posts SET year = CAST(substr(date, 1, 4) AS INTEGER) "
               "WHERE year IS NULL AND date GLOB '[0-9][0-9][0-9][0-9]-*'")
    db.conn.commit()


def ensure_published_posts(db: Database) -> None:
    """Rebuilt from posts on every import, with its own full-text index."""
    for kind in ("view", "table"):
        if db.execute(f"SELECT 1 FROM sqlite_master WHERE type = '{kind}' AND name = 'published_posts'").fetchone():
            if kind == "table" and db["published_posts"].detect_fts():  # type: ignore[union-attr]
                db["published_posts"].disable_fts()  # type: ignore[union-attr]
            db.execute(f"DROP {kind} published_posts")
    # id is the rowid, so the full-text index's rowid is the post id Datasette and sqlite-utils join on.
    db["published_posts"].create(PUBLISHED_COLUMNS, pk="id",  # type: ignore[union-attr]
                                 foreign_keys=[("author", "authors", "login")])
    db.execute(PUBLISHED_POSTS)
    db.conn.commit()


def insert_sql(table: str, conflict: str | None) -> str:
    """An upsert on the primary key, so importing the same export again replaces rows."""
    columns = list(TABLES[table][0])
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO [{table}] ({names}) VALUES ({marks})"
    if conflict is None:
        return sql
    if conflict == "ignore":
        return sql.replace("INSERT", "INSERT OR IGNORE", 1)
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c not in conflict.split(","))
    return f"{sql} ON CONFLICT({conflict}) DO UPDATE SET {updates}"


def database_file(conn: sqlite3.Connection) -> str:
    """The main database's file name, or "" when it lives in memory."""
    for _, name, path in conn.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return str(path or "")
    return ""


SOURCE_HINT = "Give the WordPress export itself, or a database made by `wxr2db import`."


def check_database(conn: sqlite3.Connection, name: str) -> None:
    """Refuse, in one line, a file that is not a database `wxr2db import` made."""
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise NotAWxrDatabaseError(f"{name}: not a SQLite database ({error})", SOURCE_HINT) from None
    missing = [t for t in TABLES if t not in tables and t not in DERIVED_TABLES]
    if missing:
        raise NotAWxrDatabaseError(
            f"{name}: not a database made by `wxr2db import` (no {', '.join(missing)} table)", SOURCE_HINT)

