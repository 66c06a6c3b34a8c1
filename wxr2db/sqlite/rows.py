"""Records to row tuples, in the column order of `schema.TABLES`: pure functions, no database.

A post's and a comment's row leave their dates, slug and extra as the export has them and end with
the raw content twice over: the SQL writer finishes them in its own process while the parser reads on
(`stored_post`, `stored_comment`), turning the last one into plain_text. meta rows leave out value_json, which the
writer decodes from PHP-serialized values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from ..normalize import decode_slug, digits, rfc822_date, wp_date
from ..records import Author, Comment, Meta, Post, Problem, Site, Term


def to_json(value: Any) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value else None


def meta_rows(owner: int, meta: Iterable[Meta]) -> list[tuple[Any, ...]]:
    """(owner, key, value): the writer adds value_json, decoding PHP-serialized values."""
    return [(owner, m.key, m.value) for m in meta]


def site_row(site: Site) -> tuple[Any, ...]:
    return (site.link, site.title, site.description, site.language, site.wxr_version, site.base_site_url,
            site.base_blog_url, site.generator, rfc822_date(site.exported_at), to_json(site.extra))


def author_row(a: Author) -> tuple[Any, ...]:
    return (a.login, a.id, a.email, a.display_name, a.first_name, a.last_name)


# A raw post or comment row ends with a second copy of the content, where the stored row has its plain
# text (the column plain_text): the writer process makes one from the other (stored_post, stored_comment).
SEARCH_SOURCE = -1


def post_row(p: Post, export_id: int | None = None) -> tuple[Any, ...]:
    """The row of a post as the parser sends it: `stored_post` finishes it."""
    return (p.id, p.post_type or "post", p.status, p.title, p.slug, p.link, p.guid, p.author or None, p.date,
            p.date_gmt, p.modified, p.modified_gmt, p.content, p.excerpt, p.parent_id, p.menu_order,
            p.comment_status, p.ping_status, p.password, int(p.sticky), p.attachment_url, p.pub_date,
            p.description, p.extra, None, export_id, p.content)


def stored_post(row: tuple[Any, ...], plain_text: str | None) -> tuple[Any, ...]:
    """A post_row as stored: dates in ISO 8601, the slug decoded, extra as JSON, the year, and the
    plain text in place of the second copy of the content."""
    date = wp_date(row[8])
    year = digits(date[:4]) if date else None
    return (*row[:4], decode_slug(row[4]), *row[5:8], date, wp_date(row[9]), wp_date(row[10]),
            wp_date(row[11]), *row[12:21], rfc822_date(row[21]), row[22], to_json(row[23]), year, row[25],
            plain_text)


def comment_row(c: Comment, post_id: int, comment_id: int, parent_id: int | None,
                thread_order: int) -> tuple[Any, ...]:
    """The row of a comment stored as comment_id (the export's id, or one wxr2db gave it) under
    parent_id, at thread_order in its post; export_id keeps a real export id that was replaced.
    `stored_comment` finishes it."""
    return (comment_id, post_id, parent_id, c.depth, c.author, c.author_email, c.author_url, c.author_ip,
            c.date, c.date_gmt, c.content, c.approved, c.type, c.user_id, thread_order,
            c.id if comment_id != c.id and c.id > 0 else None, c.content)


def stored_comment(row: tuple[Any, ...], plain_text: str | None) -> tuple[Any, ...]:
    return (*row[:8], wp_date(row[8]), wp_date(row[9]), *row[10:16], plain_text)


def term_row(term_id: int, taxonomy: str, slug: str, term: Term) -> tuple[Any, ...]:
    """parent_id is left empty: ensure_db_shape resolves the parent's slug once every term is in."""
    return (term_id, taxonomy, slug, term.name, term.description, decode_slug(term.parent_slug), None)


def warning_row(p: Problem) -> tuple[Any, ...]:
    key = hashlib.sha1(f"{p.kind}\x1f{p.item}\x1f{p.detail}".encode()).hexdigest()[:16]
    return (key, p.kind, p.item, p.detail)
