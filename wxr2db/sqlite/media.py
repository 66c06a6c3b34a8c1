"""The `media` and `post_media` tables, rebuilt from posts and postmeta after every import.

Rebuilding from scratch (delete, then insert) keeps re-imports equal row for row, whatever changed.
The costly parts, reading every body and listing each attachment's files, are done by the SQL writer
as each batch arrives (stage_found, AttachmentStager); only what it did not see, posts stored by an
earlier import, is read here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import WxrError
from ..media.attachments import MediaFile, attachment_url, content_file, listed_files
from ..media.references import Attachment, Context, Found, absolute_url, body_references, host_key, post_references

if TYPE_CHECKING:
    from sqlite_utils import Database

MEDIA_COLUMNS = ("url", "path", "attachment_id", "mime_type", "variant", "width", "height", "original_url")
BATCH = 2000
# What each post's body names (body_references), found by the SQL writer as it inserts each batch,
# so the import's last step only resolves it. Dropped by ensure_media: never part of a finished database.
FOUND_TABLE = "wxr2db_found_media"
# Each attachment's URL and files (attachment_files), listed by the SQL writer as it inserts the batch
# that holds the attachment and its meta. Dropped by ensure_media, like FOUND_TABLE.
FILES_TABLE = "wxr2db_found_files"
ATTACHED_FILE, ATTACHMENT_METADATA = "_wp_attached_file", "_wp_attachment_metadata"
KNOWN_FILES = 20_000  # lookups StoredFiles remembers
SELECT_MEDIA = f"SELECT {', '.join(MEDIA_COLUMNS)} FROM media WHERE url = ?"
INSERT_MEDIA = f"INSERT INTO media ({', '.join(MEDIA_COLUMNS)}) VALUES ({', '.join('?' for _ in MEDIA_COLUMNS)})"
INSERT_FIRST_MEDIA = INSERT_MEDIA.replace("INSERT", "INSERT OR IGNORE", 1)  # two attachments, one URL: the first


def site_context(db: Database) -> tuple[str, frozenset[str]]:
    """The base for relative URLs (the first site's address) and every host the sites answer on."""
    rows = db.execute("SELECT link, base_site_url, base_blog_url FROM site ORDER BY rowid").fetchall()
    links = [str(v) for row in rows for v in row if v]
    base = next((u for u in (absolute_url(link, "") for link in links) if u), "")
    return base, frozenset(h for h in (host_key(u) for u in links) if h)


ATTACHMENTS = "temp.wxr2db_attachments"  # this connection's own: never in the database file


def load_attachments(db: Database, base: str) -> None:
    """Each attachment item into ATTACHMENTS, and the files it stands for (the original and its
    sizes) into `media`, the first of two with the same URL kept. Batch by batch: a large site has
    hundreds of thousands of files, so none of this is held in memory."""
    db.execute(f"DROP TABLE IF EXISTS {ATTACHMENTS}")
    db.execute(f"CREATE TABLE {ATTACHMENTS} (id INTEGER PRIMARY KEY, parent_id INTEGER, url TEXT)")
    staged = db[FILES_TABLE].exists()
    join = f"LEFT JOIN [{FILES_TABLE}] f ON f.id = p.id" if staged else ""
    found = "f.files" if staged else "NULL"
    cursor = db.conn.execute(f"""
        SELECT p.id, p.parent_id, {"f.url" if staged else "NULL"}, {found}, coalesce(p.attachment_url, ''),
               CASE WHEN {found} IS NULL THEN coalesce((SELECT value FROM postmeta WHERE post_id = p.id
                   AND key = '{ATTACHED_FILE}' ORDER BY rowid LIMIT 1), '') END,
               CASE WHEN {found} IS NULL THEN (SELECT value_json FROM postmeta WHERE post_id = p.id
                   AND key = '{ATTACHMENT_METADATA}' ORDER BY rowid LIMIT 1) END
        FROM posts p {join} WHERE p.post_type = 'attachment' ORDER BY p.id""")
    while rows := cursor.fetchmany(BATCH):
        attachments, files = [], []
        for attachment_id, parent_id, staged_url, staged_files, url, attached_file, metadata in rows:
            if staged_files is not None:
                url, listed = staged_url, [tuple(row) for row in json.loads(staged_files)]
            else:
                url, listed = listed_files(attachment_id, attachment_url(url, attached_file, base), metadata)
            attachments.append((attachment_id, parent_id, url))
            files += listed
        db.conn.executemany(f"INSERT INTO {ATTACHMENTS} VALUES (?, ?, ?)", attachments)
        db.conn.executemany(INSERT_FIRST_MEDIA, files)
    db.execute("CREATE INDEX temp.wxr2db_attachments_parent ON wxr2db_attachments (parent_id)")


class AttachmentStager:
    """Lists the files of each attachment in a batch as the SQL writer inserts it: the batch's posts
    first (`posts`), then their meta, watched as it goes into the database (`watch`), then `stage`.

    What the import's last step would read back from the database, the batch has in hand: an
    attachment's meta all comes in the batch of its post, and the first `_wp_attached_file` and
    `_wp_attachment_metadata` in it are the first the database holds for the post, since a post read
    again has its old meta deleted in the same batch. An attachment whose URL would come from
    `_wp_attached_file` and the site's address (WXR 1.0) is left to the last step."""

    def __init__(self) -> None:
        self.urls: dict[int, str] = {}  # the batch's attachments: their attachment_url
        self.meta: dict[tuple[int, str], str | None] = {}
        self.started = False

    def posts(self, conn: sqlite3.Connection, rows: Iterable[tuple[int, str, str]]) -> None:
        """(id, post type, attachment_url) of a batch's posts, before they are inserted. Whatever was
        listed for them before (they are read again) is forgotten."""
        if not self.started:
            conn.execute(f"DROP TABLE IF EXISTS [{FILES_TABLE}]")  # left by an interrupted run
            conn.execute(f"CREATE TABLE [{FILES_TABLE}] (id INTEGER PRIMARY KEY, url TEXT, files TEXT)")
            self.started = True
        self.stage(conn)  # the last batch's, when it had no meta to watch
        ids = []
        for post_id, post_type, url in rows:
            ids.append((post_id,))
            if post_type == "attachment":
                self.urls[post_id] = (url or "").strip()
        conn.executemany(f"DELETE FROM [{FILES_TABLE}] WHERE id = ?", ids)

    def watch(self, rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """Postmeta rows (post_id, key, value, value_json) passed on as they are, keeping the first
        attached file and metadata JSON of each attachment of the batch."""
        for row in rows:
            post_id, key = row[0], row[1]
            if key in (ATTACHED_FILE, ATTACHMENT_METADATA) and post_id in self.urls:
                self.meta.setdefault((post_id, key), row[2] if key == ATTACHED_FILE else row[3])
            yield row

    def stage(self, conn: sqlite3.Connection) -> None:
        staged = []
        for attachment_id, url in self.urls.items():
            if not url and (self.meta.get((attachment_id, ATTACHED_FILE)) or "").strip():
                continue  # needs the site's address: ensure_media lists it
            url, files = listed_files(attachment_id, url, self.meta.get((attachment_id, ATTACHMENT_METADATA)))
            staged.append((attachment_id, url, json.dumps(files)))
        conn.executemany(f"INSERT INTO [{FILES_TABLE}] VALUES (?, ?, ?)", staged)
        self.urls, self.meta = {}, {}


class StoredAttachments(Mapping[int, Attachment]):
    """ATTACHMENTS by id, as Context wants them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __getitem__(self, attachment_id: int) -> Attachment:
        row = self.conn.execute(f"SELECT id, parent_id, url FROM {ATTACHMENTS} WHERE id = ?",
                                (attachment_id,)).fetchone()
        if row is None:
            raise KeyError(attachment_id)
        return Attachment(*row)

    def __iter__(self) -> Iterator[int]:
        return (row[0] for row in self.conn.execute(f"SELECT id FROM {ATTACHMENTS} ORDER BY id"))

    def __len__(self) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM {ATTACHMENTS}").fetchone()[0])


class StoredChildren(Mapping[int, list[int]]):
    """The attachments under each post, by id, as Context wants them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __getitem__(self, post_id: int) -> list[int]:
        ids = [row[0] for row in self.conn.execute(
            f"SELECT id FROM {ATTACHMENTS} WHERE parent_id = ? ORDER BY id", (post_id,)).fetchall()]
        if not ids:
            raise KeyError(post_id)
        return ids

    def __iter__(self) -> Iterator[int]:
        sql = f"SELECT DISTINCT parent_id FROM {ATTACHMENTS} WHERE parent_id IS NOT NULL ORDER BY 1"
        return (row[0] for row in self.conn.execute(sql))

    def __len__(self) -> int:
        sql = f"SELECT count(DISTINCT parent_id) FROM {ATTACHMENTS}"
        return int(self.conn.execute(sql).fetchone()[0])


class StoredFiles(Mapping[str, MediaFile]):
    """The `media` table by URL while ensure_media fills it: looked up there, with the last few
    thousand answers remembered (bodies name the same files again and again)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.known: dict[str, MediaFile | None] = {}

    def lookup(self, url: str) -> MediaFile | None:
        if url not in self.known:
            if len(self.known) >= KNOWN_FILES:
                self.known.clear()
            row = self.conn.execute(SELECT_MEDIA, (url,)).fetchone()
            self.known[url] = MediaFile(*row) if row else None
        return self.known[url]

    def add(self, file: MediaFile) -> None:
        self.conn.execute(INSERT_MEDIA, file.row())
        self.known[file.url] = file

    def __getitem__(self, url: str) -> MediaFile:
        found = self.lookup(url)
        if found is None:
            raise KeyError(url)
        return found

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self.lookup(url) is not None

    def __iter__(self) -> Iterator[str]:
        return (row[0] for row in self.conn.execute("SELECT url FROM media ORDER BY rowid"))

    def __len__(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM media").fetchone()[0])


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


def ensure_media(db: Database, bodies: bool = True) -> tuple[int, int]:
    """Fill `media` and `post_media` from the posts; returns (files, references). With bodies=False
    the bodies are not read: `media` holds only the attachments' files and `post_media` stays empty."""
    base, hosts = site_context(db)
    db.execute("DELETE FROM post_media")
    db.execute("DELETE FROM media")
    load_attachments(db, base)
    files = StoredFiles(db.conn)
    context = Context(base, hosts, StoredAttachments(db.conn), StoredChildren(db.conn))
    references = 0
    batch: list[tuple[int, str, str]] = []
    for post_id, found, thumbnail in iter_post_bodies(db) if bodies else ():
        for url, usage in post_references(post_id, found, thumbnail, context):
            if url not in files:
                files.add(content_file(url, files))
            batch.append((post_id, url, usage))
        if len(batch) >= BATCH:
            references += save_references(db, batch)
    references += save_references(db, batch)
    db.execute(f"DROP TABLE IF EXISTS [{FOUND_TABLE}]")
    db.execute(f"DROP TABLE IF EXISTS [{FILES_TABLE}]")
    db.execute(f"DROP TABLE {ATTACHMENTS}")
    db.conn.commit()
    return len(files), references


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
