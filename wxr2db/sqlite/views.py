"""Views for reading the archive in Datasette: posts as a reader sees them, menus and attachments apart.

Titles that should link to a post's own page are Markdown links (`[Title](posts/12)`), which
datasette-render-markdown turns into links (and sanitises); the link is relative, so it works from any
table, view or query page of the database whatever the database is called.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database


def markdown_text(column: str) -> str:
    """SQL for a column's text with what Markdown would read as markup escaped, so a title stays a title."""
    # One line: a blank line inside a title would end the link's text.
    sql = f"coalesce(nullif(trim(replace(replace({column}, char(10), ' '), char(13), ' ')), ''), '(no title)')"
    for char, escaped in (("\\", "\\\\"), ("&", "&amp;"), ("<", "&lt;"), ("[", "\\["), ("]", "\\]"),
                          ("*", "\\*"), ("_", "\\_"), ("`", "\\`")):
        sql = f"replace({sql}, '{char}', '{escaped}')"
    return sql


def post_link(alias: str) -> str:
    """A Markdown link from a post's title to its row page."""
    return f"'[' || {markdown_text(alias + '.title')} || '](posts/' || {alias}.id || ')'"


def author_name(alias: str) -> str:
    """The author's display name; a login missing from the export's author list shows as itself."""
    return (f"coalesce((SELECT nullif(trim(a.display_name), '') FROM authors a WHERE a.login = {alias}.author), "
            f"{alias}.author)")


def term_names(alias: str, taxonomy: str) -> str:
    return (f"(SELECT group_concat(t.name, ', ') FROM post_terms pt JOIN terms t ON t.id = pt.term_id "
            f"WHERE pt.post_id = {alias}.id AND t.taxonomy = '{taxonomy}')")


def comment_count(alias: str) -> str:
    """Approved comments, not pingbacks or trackbacks: what a reader counts under a post."""
    return (f"(SELECT count(*) FROM comments c WHERE c.post_id = {alias}.id AND c.approved = '1' "
            f"AND coalesce(c.type, '') NOT IN ('pingback', 'trackback'))")


EXCERPT_CHARS = 120
# The excerpt the author wrote, or the start of the text, on one line.
EXCERPT = (f"CASE WHEN length(body) > {EXCERPT_CHARS} THEN rtrim(substr(body, 1, {EXCERPT_CHARS - 1})) || '…' "
           "ELSE body END")
BODY = ("trim(replace(replace(replace(replace(substr(coalesce(nullif(trim(p.excerpt), ''), p.plain_text, ''), "
        "1, 400), char(10), ' '), char(13), ' '), '   ', ' '), '  ', ' '))")


def menu_meta(key: str) -> str:
    return f"(SELECT m.value FROM postmeta m WHERE m.post_id = p.id AND m.key = '_menu_item_{key}' LIMIT 1)"


BROWSE_VIEWS = {
    # Over published_posts: published, no password, no WordPress machinery (menus, attachments, ...).
    # Newest first by the full date, though it shows only the day (Datasette would sort ties by chance).
    "published": f"""
        SELECT post, date, author, categories, tags, comments, {EXCERPT} AS excerpt, post_type, year, id
        FROM (SELECT p.id, {post_link('p')} AS post, substr(p.date, 1, 10) AS date, {author_name('p')} AS author,
                     {term_names('p', 'category')} AS categories, {term_names('p', 'post_tag')} AS tags,
                     {comment_count('p')} AS comments, {BODY} AS body, p.post_type, p.year
              FROM published_posts p ORDER BY p.date DESC, p.id DESC)""",
    # A menu item's label is its own title, or else the title of what it points to.
    "menu_items": f"""
        SELECT p.id, {term_names('p', 'nav_menu')} AS menu, p.menu_order AS position,
               coalesce(nullif(trim(p.title), ''), target.title) AS label, {menu_meta('type')} AS kind,
               coalesce(nullif({menu_meta('url')}, ''), target.link) AS url,
               CAST(nullif({menu_meta('menu_item_parent')}, '0') AS INTEGER) AS parent_item, p.status
        FROM posts p
        LEFT JOIN posts target ON target.id = CAST({menu_meta('object_id')} AS INTEGER)
            AND {menu_meta('type')} = 'post_type'
        WHERE p.post_type = 'nav_menu_item'""",
    "attachments": f"""
        SELECT p.id, p.title, p.date, coalesce(nullif(p.attachment_url, ''), p.guid) AS file,
               (SELECT m.mime_type FROM media m WHERE m.attachment_id = p.id AND m.variant IS NULL LIMIT 1)
                   AS mime_type,
               CASE WHEN parent.id IS NULL THEN NULL ELSE {post_link('parent')} END AS attached_to,
               (SELECT count(DISTINCT pm.post_id) FROM media m JOIN post_media pm ON pm.url = m.url
                WHERE m.attachment_id = p.id) AS used_by_posts
        FROM posts p LEFT JOIN posts parent ON parent.id = p.parent_id
        WHERE p.post_type = 'attachment'""",
}


def ensure_author_name(db: Database) -> None:
    """authors.name: the display name, or the login of an author the export's author list left out (WordPress
    itself shows the login when a user has no display name). A virtual column, so it costs no space and
    Datasette labels posts with it instead of "None"."""
    # SQLite before 3.31 (2020) has no generated columns: Datasette then labels with display_name.
    if sqlite3.sqlite_version_info < (3, 31) or "name" in {r[1] for r in db.execute("PRAGMA table_xinfo(authors)")}:
        return
    db.execute("ALTER TABLE authors ADD COLUMN name TEXT "
               "GENERATED ALWAYS AS (coalesce(nullif(trim(display_name), ''), login)) VIRTUAL")


def ensure_browse_views(db: Database) -> None:
    ensure_author_name(db)
    for name, sql in BROWSE_VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
