"""Every query the Markdown side runs against a wxr2db database, each answering with named rows."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..normalize import to_int
from ..resolve.limits import stored_id
from .schema import INTERNAL_TYPES

IN_BATCH = 500
# WXR has no post_mime_type element, so a gallery's images are told by their file extension.
IMAGE_URL = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?|heic)(?:[?#].*)?$", re.IGNORECASE)


def select_in(conn: sqlite3.Connection, sql: str, values: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run `sql`, whose `{marks}` is an IN list, over values in batches SQLite accepts."""
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(values), IN_BATCH):
        batch = list(values[start : start + IN_BATCH])
        rows += conn.execute(sql.format(marks=", ".join("?" for _ in batch)), batch).fetchall()
    return rows


# --- what planning needs --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostRow:
    """What planning needs of a post: whether it is written, and the names its path is made of."""

    id: int
    post_type: str
    status: str
    title: str
    slug: str
    parent_id: int | None
    password: str
    date: str | None


ROW_SQL = ("SELECT id, coalesce(post_type, 'post'), coalesce(status, ''), coalesce(title, ''), "
           "coalesce(slug, ''), parent_id, coalesce(password, ''), date FROM posts ")


def iter_post_rows(conn: sqlite3.Connection, types: Iterable[str]) -> Iterator[PostRow]:
    """Every post in id order, one at a time. WordPress's own machinery (attachments, menu items:
    about half of a typical export) is left in the database unless asked for: it is never reported."""
    unwanted = [t for t in INTERNAL_TYPES if t not in types]
    sql = ROW_SQL + f"WHERE coalesce(post_type, 'post') NOT IN ({', '.join('?' for _ in unwanted)}) ORDER BY id"
    for row in conn.execute(sql, unwanted):
        yield PostRow(*row)


def load_pages(conn: sqlite3.Connection) -> dict[int, PostRow]:
    """Pages by id: a page's path is built from its parent pages' slugs."""
    return {row[0]: PostRow(*row) for row in conn.execute(ROW_SQL + "WHERE post_type = 'page'")}


def post_links(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, str]:
    """Post id -> its WordPress permalink ("" when it has none)."""
    return dict(select_in(conn, "SELECT id, coalesce(link, '') FROM posts WHERE id IN ({marks})", ids))


# --- what rendering needs -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostText:
    """A post's own fields, as the renderer reads them."""

    id: int
    title: str
    post_type: str
    status: str
    link: str
    author: str  # the login; `author_names` has the names shown
    date: str | None
    date_gmt: str | None
    modified: str | None
    modified_gmt: str | None
    content: str
    excerpt: str


class TermRow(NamedTuple):
    taxonomy: str
    slug: str
    name: str  # stored HTML-escaped (`&amp;`), as the export has it


class CommentRow(NamedTuple):
    id: int
    parent_id: int | None
    author: str
    author_url: str
    date: str | None
    date_gmt: str | None
    content: str
    approved: str
    type: str


POST_SQL = ("SELECT id, coalesce(title, ''), coalesce(post_type, 'post'), coalesce(status, ''), "
            "coalesce(link, ''), coalesce(author, ''), date, date_gmt, modified, modified_gmt, "
            "coalesce(content, ''), coalesce(excerpt, '') FROM posts WHERE id IN ({marks})")


def post_texts(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, PostText]:
    return {row[0]: PostText(*row) for row in select_in(conn, POST_SQL, ids)}


def post_terms(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[TermRow]]:
    """Each post's terms, by taxonomy, then name as WordPress sorts them."""
    sql = ("SELECT pt.post_id, t.taxonomy, t.slug, t.name FROM post_terms pt "
           "JOIN terms t ON t.id = pt.term_id WHERE pt.post_id IN ({marks}) "
           "ORDER BY pt.post_id, t.taxonomy, t.name COLLATE NOCASE, t.id")
    terms: dict[int, list[TermRow]] = {}
    for post_id, taxonomy, slug, name in select_in(conn, sql, ids):
        terms.setdefault(post_id, []).append(TermRow(taxonomy, slug or "", name or ""))
    return terms


def thumbnail_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, int]:
    """Post id -> the stored id of its featured image (`_thumbnail_id`)."""
    # `+key` keeps SQLite on the post_id index: the key index would scan every thumbnail per chunk.
    sql = "SELECT post_id, value FROM postmeta WHERE +key = '_thumbnail_id' AND post_id IN ({marks})"
    numbers = ((post_id, to_int(str(value))) for post_id, value in select_in(conn, sql, ids))
    return {post_id: stored_id(n, "post") for post_id, n in numbers if n is not None and n > 0}


def attachment_urls(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, str]:
    sql = "SELECT id, attachment_url FROM posts WHERE attachment_url != '' AND id IN ({marks})"
    return dict(select_in(conn, sql, sorted(set(ids))))


def attached_images(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[str]]:
    """The images attached to each post, in the order a [gallery] without ids shows them: menu order, then id."""
    sql = ("SELECT parent_id, attachment_url FROM posts WHERE +post_type = 'attachment' "
           "AND parent_id IN ({marks}) ORDER BY parent_id, menu_order, id")
    attached: dict[int, list[str]] = {}
    for parent_id, url in select_in(conn, sql, ids):
        if url and IMAGE_URL.search(url):
            attached.setdefault(parent_id, []).append(url)
    return attached


def attached_image_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[int]]:
    """attached_images(), by attachment id."""
    sql = ("SELECT parent_id, id, attachment_url FROM posts WHERE +post_type = 'attachment' "
           "AND parent_id IN ({marks}) ORDER BY parent_id, menu_order, id")
    attached: dict[int, list[int]] = {}
    for parent_id, attachment_id, url in select_in(conn, sql, ids):
        if url and IMAGE_URL.search(url):
            attached.setdefault(parent_id, []).append(attachment_id)
    return attached


# The size a gallery shows, best first: WordPress's [gallery] default is `thumbnail`.
GALLERY_SIZES = ("thumbnail", "medium", "medium_large")


def gallery_images(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, tuple[str, str, str, str]]:
    """(original URL, thumbnail URL, caption, alt text) of each attachment: the thumbnail is the sized
    copy `_wp_attachment_metadata` lists (the original when it lists none), the caption the
    attachment's excerpt, the alt text its `_wp_attachment_image_alt`."""
    wanted = sorted(set(ids))
    found: dict[int, tuple[str, str, str]] = {}
    sql = ("SELECT p.id, p.attachment_url, coalesce(p.excerpt, ''), coalesce(m.value, '') FROM posts p "
           "LEFT JOIN postmeta m ON m.post_id = p.id AND m.key = '_wp_attachment_image_alt' "
           "WHERE p.attachment_url != '' AND p.id IN ({marks})")
    for attachment_id, url, caption, alt in select_in(conn, sql, wanted):
        found.setdefault(attachment_id, (url, caption, alt))
    sizes = "SELECT attachment_id, variant, url FROM media WHERE variant IN ('thumbnail', 'medium', " \
            "'medium_large') AND attachment_id IN ({marks})"
    best: dict[int, tuple[int, str]] = {}
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'media'").fetchone():
        for attachment_id, variant, url in select_in(conn, sizes, wanted):
            rank = GALLERY_SIZES.index(variant)
            if attachment_id in found and rank < best.get(attachment_id, (99, ""))[0]:
                best[attachment_id] = (rank, url)
    return {key: (url, best[key][1] if key in best else url, caption, alt)
            for key, (url, caption, alt) in found.items()}


def post_meta_values(conn: sqlite3.Connection, ids: Sequence[int], keys: Sequence[str]) -> dict[int, dict[str, str]]:
    """The first value of each of `keys` each post has."""
    marks = ", ".join("?" for _ in keys)
    found: dict[int, dict[str, str]] = {}
    for start in range(0, len(ids), IN_BATCH):
        batch = list(ids[start : start + IN_BATCH])
        sql = (f"SELECT post_id, key, value FROM postmeta WHERE +key IN ({marks}) "
               f"AND post_id IN ({', '.join('?' for _ in batch)}) ORDER BY rowid")
        for post_id, key, value in conn.execute(sql, [*keys, *batch]):
            found.setdefault(post_id, {}).setdefault(key, value or "")
    return found


def post_meta_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[tuple[str, str, str | None]]]:
    """Every (key, value, value_json) of each post, in export order."""
    sql = "SELECT post_id, key, value, value_json FROM postmeta WHERE post_id IN ({marks}) ORDER BY post_id, rowid"
    found: dict[int, list[tuple[str, str, str | None]]] = {}
    for post_id, key, value, value_json in select_in(conn, sql, ids):
        found.setdefault(post_id, []).append((key or "", value or "", value_json))
    return found


def site_names(conn: sqlite3.Connection) -> tuple[str, str]:
    """The site's title and tagline."""
    row = conn.execute("SELECT coalesce(title, ''), coalesce(description, '') FROM site "
                       "ORDER BY rowid LIMIT 1").fetchone()
    return (row[0], row[1]) if row else ("", "")


def author_names(conn: sqlite3.Connection, logins: Iterable[str]) -> dict[str, str]:
    sql = "SELECT login, coalesce(nullif(display_name, ''), login) FROM authors WHERE login IN ({marks})"
    return dict(select_in(conn, sql, sorted(set(logins))))


def post_comments(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[CommentRow]]:
    """Each post's comments, oldest first."""
    sql = ("SELECT post_id, id, parent_id, coalesce(author, ''), coalesce(author_url, ''), date, date_gmt, "
           "coalesce(content, ''), coalesce(approved, ''), coalesce(type, '') FROM comments "
           "WHERE post_id IN ({marks}) ORDER BY post_id, coalesce(date_gmt, date, ''), id")
    by_post: dict[int, list[CommentRow]] = {}
    for row in select_in(conn, sql, ids):
        by_post.setdefault(row[0], []).append(CommentRow(*row[1:]))
    return by_post


def deep_comment_counts(conn: sqlite3.Connection, ids: Sequence[int], everything: bool,
                        depth: int) -> dict[int, int]:
    """Post id -> how many of its shown comments the import found nested deeper than `depth`."""
    shown = "" if everything else "AND approved = '1' "
    sql = (f"SELECT post_id, count(*) FROM comments WHERE depth > {int(depth)} {shown}"
           "AND post_id IN ({marks}) GROUP BY post_id ORDER BY post_id")
    return dict(select_in(conn, sql, ids))


def protected_posts(conn: sqlite3.Connection, ids: Sequence[int]) -> set[int]:
    """The posts with a post password."""
    sql = "SELECT id FROM posts WHERE coalesce(password, '') != '' AND id IN ({marks})"
    return {row[0] for row in select_in(conn, sql, ids)}


def post_footnotes(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, tuple[tuple[str, str], ...]]:
    """The block editor keeps footnote texts in the `footnotes` meta, as JSON: [{"id", "content"}]."""
    sql = "SELECT post_id, value FROM postmeta WHERE +key = 'footnotes' AND post_id IN ({marks})"
    found = {}
    for post_id, value in select_in(conn, sql, ids):
        notes = footnote_list(value)
        if notes is not None:
            found[post_id] = notes
    return found


def footnote_list(value: str | None) -> tuple[tuple[str, str], ...] | None:
    """(id, HTML) of each footnote in the meta's JSON; None when it is not a JSON list."""
    try:
        notes = json.loads(value or "[]")
    except (ValueError, RecursionError):
        return None
    if not isinstance(notes, list):
        return None
    return tuple((str(n.get("id", "")), str(n.get("content", ""))) for n in notes
                 if isinstance(n, dict) and n.get("id"))


# --- what link rewriting and media fetching need --------------------------------------------------


class PostHtml(NamedTuple):
    """The HTML of one written post that links may be in: body, excerpt, comments to be written."""

    post_id: int
    link: str
    pieces: tuple[str, ...]


class AttachmentRow(NamedTuple):
    id: int
    parent_id: int | None
    link: str
    guid: str
    url: str  # of the file


class PostUrlRow(NamedTuple):
    id: int
    post_type: str
    link: str
    guid: str


class TermUrlRow(NamedTuple):
    id: int
    taxonomy: str
    slug: str
    name: str  # stored HTML-escaped
    parent_slug: str


class SiteRow(NamedTuple):
    link: str
    base_site_url: str
    base_blog_url: str


def iter_post_html(conn: sqlite3.Connection, ids: Sequence[int], comments: str) -> Iterator[PostHtml]:
    """Body, excerpt and the comments the chosen mode writes (none, approved, all), per post, in `ids` order."""
    found: dict[int, list[str]] = {}
    links: dict[int, str] = {}
    sql = "SELECT id, coalesce(link, ''), coalesce(content, ''), coalesce(excerpt, '') FROM posts WHERE id IN ({marks})"
    for post_id, link, content, excerpt in select_in(conn, sql, ids):
        links[post_id] = link
        found.setdefault(post_id, []).extend([content, excerpt])
    if comments != "none":
        where = "" if comments == "all" else " AND approved = '1'"
        sql = "SELECT post_id, coalesce(content, '') FROM comments WHERE post_id IN ({marks})" + where + " ORDER BY id"
        for post_id, text in select_in(conn, sql, ids):
            found.setdefault(post_id, []).append(text)
    for post_id in ids:
        yield PostHtml(post_id, links.get(post_id, ""), tuple(found.get(post_id, ())))


def attachment_rows(conn: sqlite3.Connection) -> list[AttachmentRow]:
    """Every attachment with a file, in id order."""
    rows = conn.execute("SELECT id, parent_id, coalesce(link, ''), coalesce(guid, ''), attachment_url "
                        "FROM posts WHERE post_type = 'attachment' AND coalesce(attachment_url, '') != '' "
                        "ORDER BY id")
    return [AttachmentRow(*row) for row in rows]


def featured_urls(conn: sqlite3.Connection, ids: Sequence[int]) -> list[str]:
    """The file URLs of the posts' featured images."""
    sql = ("SELECT a.attachment_url FROM postmeta m JOIN posts a ON a.id = CAST(m.value AS INTEGER) "
           "WHERE +m.key = '_thumbnail_id' AND m.post_id IN ({marks}) AND coalesce(a.attachment_url, '') != ''")
    return [row[0] for row in select_in(conn, sql, ids)]


def site_row(conn: sqlite3.Connection) -> SiteRow | None:
    row = conn.execute("SELECT coalesce(link, ''), coalesce(base_site_url, ''), coalesce(base_blog_url, '') "
                       "FROM site ORDER BY rowid LIMIT 1").fetchone()
    return SiteRow(*row) if row else None


def term_url_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> list[TermUrlRow]:
    """The terms the posts have, each once."""
    sql = ("SELECT DISTINCT t.id, t.taxonomy, t.slug, coalesce(t.name, ''), coalesce(t.parent_slug, '') "
           "FROM post_terms pt JOIN terms t ON t.id = pt.term_id WHERE pt.post_id IN ({marks})")
    return [TermUrlRow(*row) for row in select_in(conn, sql, ids)]


def post_url_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> list[PostUrlRow]:
    sql = ("SELECT id, coalesce(post_type, 'post'), coalesce(link, ''), coalesce(guid, '') FROM posts "
           "WHERE id IN ({marks})")
    return [PostUrlRow(*row) for row in select_in(conn, sql, ids)]
