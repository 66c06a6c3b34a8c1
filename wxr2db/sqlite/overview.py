"""The first screen of the archive in Datasette: an HTML overview of the blog for the database page.

Datasette shows a database's `description_html` as it is, so everything from the export is escaped here.
Each list is short (a LIMIT on every query), so the overview costs the same on any size of blog.
"""

from __future__ import annotations

from html import escape
from typing import Any

from sqlite_utils import Database

from .queries import POSTS_BY_YEAR

LIST_LENGTH = 10
TERM_LIST_LENGTH = 15
# Datasette's tilde encoding of a name in a URL path (datasette.utils.tilde_encode).
TILDE_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")

NEWEST = "SELECT id, title, substr(date, 1, 10) FROM published_posts WHERE post_type = 'post' " \
         "ORDER BY date DESC LIMIT ?"
MOST_COMMENTED = """
SELECT p.id, p.title, count(*) AS n FROM comments c JOIN published_posts p ON p.id = c.post_id
WHERE c.approved = '1' AND coalesce(c.type, '') NOT IN ('pingback', 'trackback')
GROUP BY p.id ORDER BY n DESC, p.date DESC LIMIT ?"""
TERMS = """
SELECT t.name, count(*) AS n FROM terms t JOIN post_terms pt ON pt.term_id = t.id
JOIN published_posts p ON p.id = pt.post_id WHERE t.taxonomy = ? GROUP BY t.id ORDER BY n DESC, t.name LIMIT ?"""
PUBLIC_NOTE = ("A copy made with <code>wxr2db import --public</code> leaves out drafts, private, scheduled and "
               "password-protected posts, unapproved comments, and every email and IP address.")


def tilde_encode(name: str) -> str:
    return "".join(c if c in TILDE_SAFE else "+" if c == " " else
                   "".join(f"~{b:02X}" for b in c.encode("utf-8")) for c in name)


def post_item(base: str, post_id: int, title: str | None, extra: str) -> str:
    label = escape((title or "").strip() or "(no title)")
    return (f'<li><a href="{base}/posts/{post_id}">{label}</a> '
            f'<small style="white-space:nowrap">{escape(extra)}</small></li>')


def section(title: str, body: str, more: str = "") -> str:
    link = f' <small><a href="{more}">all</a></small>' if more else ""
    return f'<section><h3 style="margin-bottom:0.3em">{escape(title)}{link}</h3>{body}</section>'


def years_table(db: Database) -> str:
    rows = db.execute(POSTS_BY_YEAR).fetchall()
    cells = "".join(f"<tr><td>{y}</td><td>{posts}</td><td>{pages}</td><td>{comments}</td></tr>"
                    for y, posts, pages, comments in rows)
    return ('<table class="rows-and-columns"><thead><tr><th>year</th><th>posts</th><th>pages</th>'
            f"<th>comments</th></tr></thead><tbody>{cells}</tbody></table>")


def post_list(db: Database, base: str, sql: str, unit: str) -> str:
    rows = db.execute(sql, [LIST_LENGTH]).fetchall()
    items = "".join(post_item(base, i, title, f"{extra} {unit}{'' if extra == 1 else 's'}" if unit else extra)
                    for i, title, extra in rows)
    return f'<ul style="padding-left:1.2em">{items}</ul>' if items else "<p>None.</p>"


def term_list(db: Database, taxonomy: str) -> str:
    rows = db.execute(TERMS, [taxonomy, TERM_LIST_LENGTH]).fetchall()
    return ", ".join(f"{escape(name or '')}&nbsp;({n})" for name, n in rows) or "None."


def intro(db: Database, base: str) -> str:
    site = db.execute("SELECT title, description, link FROM site ORDER BY rowid LIMIT 1").fetchone()
    title, tagline, link = site or (None, None, None)
    counts = db.execute("SELECT (SELECT count(*) FROM published_posts WHERE post_type = 'post'), "
                        "(SELECT count(*) FROM published_posts WHERE post_type != 'post'), "
                        "(SELECT count(*) FROM comments WHERE approved = '1' "
                        "AND coalesce(type, '') NOT IN ('pingback', 'trackback'))").fetchone()
    where = f" from {escape(link)}" if link else ""
    head = f"<p><strong>{escape(title or 'The blog')}</strong>{' — ' + escape(tagline) if tagline else ''}</p>"
    return (f"{head}<p>The WordPress archive{where}: {counts[0]} published posts, {counts[1]} pages and "
            f"{counts[2]} approved comments. Start with <a href=\"{base}/published\">the published posts</a> "
            f"(newest first, searchable; a title opens the post), or "
            f"<a href=\"{base}/search_published_posts\">search them</a> ranked by relevance.</p>")


def overview_html(db: Database, name: str) -> str | None:
    """The overview for database `name`; None for a database without published_posts (made by an older
    wxr2db)."""
    if "published_posts" not in db.table_names():
        return None
    base = "/" + tilde_encode(name)
    parts: list[Any] = [
        section("By year", years_table(db), f"{base}/posts_by_year"),
        section("Newest posts", post_list(db, base, NEWEST, ""), f"{base}/newest_posts"),
        section("Most commented", post_list(db, base, MOST_COMMENTED, "comment"), f"{base}/most_commented"),
        "<div>" + section("Categories", f"<p>{term_list(db, 'category')}</p>", f"{base}/categories")
        + section("Tags", f"<p>{term_list(db, 'post_tag')}</p>", f"{base}/tags") + "</div>",
    ]
    grid = ('<div style="display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:0 2em">'
            + "".join(parts) + "</div>")
    tables = (f'<p><small>Also here: <a href="{base}/posts">posts</a> (every item, drafts and menu items '
              f'included), <a href="{base}/comments">comments</a>, <a href="{base}/menu_items">menu items</a>, '
              f'<a href="{base}/attachments">attachments</a>, <a href="{base}/warnings">what the import '
              f"noticed</a>, and questions below. {PUBLIC_NOTE}</small></p>")
    return intro(db, base) + grid + tables
