"""Small helpers the test files share."""

from __future__ import annotations

import io
from pathlib import Path

from sqlite_utils import Database

from wxr2db.db import ImportStats, save
from wxr2db.reader import iter_records


def import_path(path: Path, db: Database | None = None) -> tuple[Database, ImportStats]:
    db = db if db is not None else Database(memory=True)
    with path.open("rb") as f:
        stats = save(db, iter_records(f, name=path.name))
    return db, stats


def import_bytes(data: bytes, db: Database | None = None) -> tuple[Database, ImportStats]:
    db = db if db is not None else Database(memory=True)
    return db, save(db, iter_records(io.BytesIO(data), name="test.xml"))


def rows(db: Database, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    return [tuple(r) for r in db.execute(sql, params).fetchall()]


def wxr(items: str, header: str = "", version: str = "1.2", link: str = "http://example.com") -> bytes:
    """A minimal WXR document around some <item> elements."""
    ns = f"http://wordpress.org/export/{version}/"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="{ns}excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{ns}">
<channel><title>Test site</title><link>{link}</link><wp:wxr_version>{version}</wp:wxr_version>
{header}
{items}
</channel></rss>""".encode()


def item(post_id: int | None, title: str = "A post", body: str = "", extra: str = "",
         post_type: str = "post") -> str:
    pid = f"<wp:post_id>{post_id}</wp:post_id>" if post_id is not None else ""
    return f"""<item><title>{title}</title><dc:creator>admin</dc:creator>
<content:encoded><![CDATA[{body}]]></content:encoded>{pid}
<wp:post_date>2020-01-02 03:04:05</wp:post_date><wp:post_date_gmt>2020-01-02 08:04:05</wp:post_date_gmt>
<wp:post_name>post-{post_id}</wp:post_name><wp:status>publish</wp:status><wp:post_type>{post_type}</wp:post_type>
{extra}</item>"""


def comment(comment_id: int, parent: int = 0, text: str = "Hi", approved: str = "1") -> str:
    return f"""<wp:comment><wp:comment_id>{comment_id}</wp:comment_id><wp:comment_author>A</wp:comment_author>
<wp:comment_date>2020-01-03 00:00:00</wp:comment_date><wp:comment_date_gmt>2020-01-03 05:00:00</wp:comment_date_gmt>
<wp:comment_content><![CDATA[{text}]]></wp:comment_content><wp:comment_approved>{approved}</wp:comment_approved>
<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"""
