"""The `media` and `post_media` tables, rebuilt from posts and postmeta after every import.

Rebuilding from scratch (delete, then insert) keeps re-imports equal row for row, whatever changed.
The costly part, reading every body, is done by the SQL writer as each batch arrives (stage_found);
only what it did not see, posts stored by an earlier import, is read here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from sqlite_utils import Database

from ..content.media import (
    Attachment,
    Context,
    Found,
    MediaFile,
    absolute_url,
    attachment_files,
    attachment_url,
    body_references,
    host_key,
    media_file,
    post_references,
    size_variant,
)
from ..errors import WxrError

MEDIA_COLUMNS = ("url", "path", "attachment_id", "mime_type", "variant", "width", "height", "original_url")
BATCH = 2000
# What each post's body names (body_references), found by the SQL writer as it inserts each batch,
# so the import's last step only resolves it. Dropped by ensure_media: never part of a finished database.
FOUND_TABLE = "wxr2db_found_media"


def site_context(db: Database) -> tuple[str, frozenset[str]]:
    """The base for relative URLs (the first site's address) and every host the sites answer on."""
    rows = db.execute("SELECT link, base_site_url, base_blog_url FROM site ORDER BY rowid").fetchall()
    links = [str(v) for row in rows for v in row if v]
    base = next((u for u in (absolute_url(link, "") for link in links) if u), "")
    return base, frozenset(h for h in (host_key(u) for u in links) if h)


def load_attachments(db: Database, base: str) -> tuple[dict[int, Attachment], dict[str, MediaFile]]:
    """Each attachment item and the files it stands for: the original and its sizes."""
    rows = db.execute("""
        SELECT p.id, p.parent_id, coalesce(p.attachment_url, ''),
               coalesce((SELECT value FROM postmeta WHERE post_id = p.id AND key = '_wp_attached_file'
                         ORDER BY rowid LIMIT 1), ''),
               (SELECT value_json FROM postmeta WHERE post_id = p.id AND key = '_wp_attachment_metadata'
                ORDER BY rowid LIMIT 1)
        FROM posts p WHERE p.post_type = 'attachment' ORDER BY p.id""").fetchall()
    attachments: dict[int, Attachment] = {}
    files: dict[str, MediaFile] = {}
    for attachment_id, parent_id, url, attached_file, metadata in rows:
        url = absolute_url(attachment_url(url, attached_file, base), "") or ""
        attachments[attachment_id] = Attachment(attachment_id, parent_id, url)
        if url:
            for found in attachment_files(attachment_id, url, decoded(metadata)):
                files.setdefault(found.url, found)
    return attachments, files


def decoded(value: str | None) -> Any:
    try:
        return json.loads(value) if value else None
    except ValueError:
        return None


def stage_found(conn: sqlite3.Connection, posts: Iterable[tuple[int, str, str | None]], fresh: bool) -> None:
    """Keep what the bodies of these (id, post type, content) name; fresh=True first forgets what an
    interrupted run may have left."""
    if fresh:
        conn.execute(f"DROP TABLE IF EXISTS [{FOUND_TABLE}]")
    conn.execute(f"CREATE TABLE IF NOT EXISTS [{FOUND_TABLE}] (post_id INTEGER PRIMARY KEY, found TEXT)")
    conn.executemany(f"INSERT OR REPLACE INTO [{FOUND_TABLE}] VALUES (?, ?)", (
        (post_id, json.dumps(body_references(content or ""))) for post_id, post_type, content in posts
        if post_type != "attachment"))


def iter_post_bodies(db: Database) -> Iterator[tuple[int, list[Found], str | None]]:
    """(id, what its body names, _thumbnail_id) of every post that is not an attachment, in batches.
    A post the writer did not stage (one from an earlier import) is read from its content here."""
    staged = db[FOUND_TABLE].exists()
    join = f"LEFT JOIN [{FOUND_TABLE}] f ON f.post_id = p.id" if staged else ""
    found = "f.found" if staged else "NULL"
    cursor = db.conn.execute(f"""
        SELECT p.id, {found}, CASE WHEN {found} IS NULL THEN coalesce(p.content, '') END,
               (SELECT value FROM postmeta WHERE post_id = p.id AND key = '_thumbnail_id' ORDER BY rowid LIMIT 1)
        FROM posts p {join} WHERE p.post_type != 'attachment' ORDER BY p.id""")
    while rows := cursor.fetchmany(BATCH):
        for post_id, staged_found, content, thumbnail in rows:
            yield post_id, json.loads(staged_found) if staged_found else body_references(content), thumbnail


def ensure_media(db: Database) -> tuple[int, int]:
    """Fill `media` and `post_media` from the posts; returns (files, references)."""
    base, hosts = site_context(db)
    attachments, files = load_attachments(db, base)
    children: dict[int, list[int]] = {}
    for attachment in attachments.values():
        if attachment.parent_id is not None:
            children.setdefault(attachment.parent_id, []).append(attachment.id)
    context = Context(base, hosts, attachments, children)
    db.execute("DELETE FROM post_media")
    db.execute("DELETE FROM media")
    references = 0
    batch: list[tuple[int, str, str]] = []
    for post_id, found, thumbnail in iter_post_bodies(db):
        for url, usage in post_references(post_id, found, thumbnail, context):
            if url not in files:
                files[url] = content_file(url, files)
            batch.append((post_id, url, usage))
        if len(batch) >= BATCH:
            references += save_references(db, batch)
    references += save_references(db, batch)
    marks = ", ".join("?" for _ in MEDIA_COLUMNS)
    db.conn.executemany(f"INSERT INTO media ({', '.join(MEDIA_COLUMNS)}) VALUES ({marks})",
                        [f.row() for f in files.values()])
    db.execute(f"DROP TABLE IF EXISTS [{FOUND_TABLE}]")
    db.conn.commit()
    return len(files), references


def content_file(url: str, files: dict[str, MediaFile]) -> MediaFile:
    """A file only a body names; `a-300x200.jpg` of a known attachment's `a.jpg` is one of its sizes."""
    original = files_original(url, files)
    if original is None:
        return media_file(url)
    source, variant = original
    width, _, height = variant.partition("x")
    if not (width.isdigit() and height.isdigit()):
        return media_file(url, files[source].attachment_id, variant, None, None, source)
    return media_file(url, files[source].attachment_id, variant, int(width), int(height), source)


def files_original(url: str, files: dict[str, MediaFile]) -> tuple[str, str] | None:
    # WordPress.com and Jetpack resize on the fly: `a.jpg?w=604` is a size of `a.jpg`.
    plain, _, query = url.partition("?")
    if query and plain in files and files[plain].original_url is None:
        return plain, query[:100]
    found = size_variant(url, files)
    if found is None or files[found[0]].original_url is not None:
        return None
    return found


def save_references(db: Database, batch: list[tuple[int, str, str]]) -> int:
    before = db.conn.total_changes
    db.conn.executemany("INSERT OR IGNORE INTO post_media (post_id, url, usage) VALUES (?, ?, ?)", batch)
    batch.clear()
    return db.conn.total_changes - before


LISTING_COLUMNS = ("url", "path", "mime_type", "attachment_id", "usages", "posts", "post_ids")


def media_listing(db: Database, name: str = "the database") -> list[dict[str, Any]]:
    """Every file with the posts that use it, by URL: what `wxr2db media` prints."""
    if not db["post_media"].exists() or not db["media"].exists():
        raise WxrError(f"{name}: made before wxr2db recorded media (no media table)",
                       "Import the export again, or give the export itself.")
    uses: dict[str, tuple[set[str], dict[int, None]]] = {}
    for url, post_id, usage in db.execute(
            "SELECT url, post_id, usage FROM post_media ORDER BY url, post_id, usage").fetchall():
        usages, posts = uses.setdefault(url, (set(), {}))
        usages.add(usage)
        posts[post_id] = None
    listing = []
    for url, path, mime, attachment_id in db.execute(
            "SELECT url, path, mime_type, attachment_id FROM media ORDER BY url").fetchall():
        usages, posts = uses.get(url, (set(), {}))
        listing.append({"url": url, "path": path, "mime_type": mime, "attachment_id": attachment_id,
                        "usages": sorted(usages), "posts": len(posts), "post_ids": list(posts)})
    return listing


def media_files(db: Database) -> dict[str, MediaFile]:
    """Every row of `media` by URL: what a site writer needs to fetch files and rewrite references."""
    if not db["media"].exists():
        return {}
    rows = db.execute(f"SELECT {', '.join(MEDIA_COLUMNS)} FROM media ORDER BY url").fetchall()
    return {row[0]: MediaFile(*row) for row in rows}


def post_files(db: Database, post_id: int) -> list[tuple[str, str]]:
    """(url, usage) of every file post_id uses, by URL then usage."""
    if not db["post_media"].exists():
        return []
    rows = db.execute("SELECT url, usage FROM post_media WHERE post_id = ? ORDER BY url, usage", [post_id])
    return [(url, usage) for url, usage in rows.fetchall()]
