"""The SQLite sink: schema, `save(db, records)`, and the idempotent `ensure_db_shape(db)`.

Rows go in with plain `executemany` upserts in large batches (sqlite-utils' row-by-row type
detection would cost more than parsing the export); sqlite-utils builds the schema, the indexes,
full-text search and views, all after the bulk insert, when they are cheapest to build.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from sqlite_utils import Database

from .content.plaintext import search_text as plain_text
from .errors import SiteMismatchError, WxrError
from .normalize import (
    bad_rfc822_date,
    decode_slug,
    link_id,
    looks_serialized,
    plural,
    rfc822_date,
    slugify,
    synthetic_id,
    thread_positions,
    wp_date,
)
from .records import Author, Comment, Meta, Post, PostTerm, Problem, Record, Site, Term
from .sqlite.executor import InlineWriter, ProcessWriter
from .sqlite.media import ensure_media

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
    WHERE status = 'publish' AND coalesce(password, '') = '' AND post_type NOT IN ({PUBLIC_TYPES_SQL})
    ORDER BY date_gmt DESC"""
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
BATCH = 2000


@dataclass
class ImportStats:
    posts: Counter[str] = field(default_factory=Counter)
    comments: int = 0
    terms: int = 0
    authors: int = 0
    extra_elements: int = 0
    warnings: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        types = ", ".join(plural(n, t) for t, n in self.posts.most_common()) or "no items"
        warned = sum(self.warnings.values())
        kinds = f" ({', '.join(f'{n} {k}' for k, n in self.warnings.most_common())})" if warned else ""
        extra = f", {plural(self.extra_elements, 'plugin element')} kept in extra" if self.extra_elements else ""
        return (f"{types}; {plural(self.comments, 'comment')}, {plural(self.terms, 'term')}, "
                f"{plural(self.authors, 'author')}{extra}; {plural(warned, 'warning')}{kinds}")


# --- schema ---------------------------------------------------------------------------------------


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


def ensure_db_shape(db: Database) -> Counter[str]:
    """Everything that is cheaper to build after the rows are in; safe to run any number of times.
    Returns the warnings it recorded, by kind."""
    ensure_tables(db)
    fill_plain_text(db)
    warned = Counter({"term-parent-unknown": resolve_term_parents(db)})
    warned.update(check_consistency(db))
    for table, columns in INDEXES:
        db[table].create_index(columns, if_not_exists=True)  # type: ignore[union-attr]
    fill_thread_order(db)
    # After the indexes: it looks up each post's meta by post_id.
    ensure_media(db)
    ensure_published_posts(db)
    for table, columns in FTS_CONFIG.items():
        db[table].enable_fts(columns, create_triggers=table != "published_posts",  # type: ignore[union-attr]
                             replace=True)
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
    return +warned


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


def fill_plain_text(db: Database) -> None:
    """Rows the writer did not fill: those of a database made by an older wxr2db."""
    db.conn.create_function("wxr2db_plain_text", 1, lambda html: plain_text(html or ""), deterministic=True)
    for table in ("posts", "comments"):
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


LOGIN_OK = re.compile(r"[A-Za-z0-9_.@ -]+")
CONSISTENCY_KINDS = ("author-not-listed", "author-case-mismatch", "login-odd-characters", "php-serialized-broken")


def check_consistency(db: Database) -> Counter[str]:
    """Kept as they are, but each one counted: things WordPress itself would trip over."""
    marks = ", ".join("?" for _ in CONSISTENCY_KINDS)
    db.execute(f"DELETE FROM warnings WHERE kind IN ({marks})", CONSISTENCY_KINDS)
    problems = author_problems(db) + serialized_problems(db)
    db.conn.executemany(insert_sql("warnings", "id"), [warning_row(p) for p in problems])
    db.conn.commit()
    return Counter(p.kind for p in problems)


def author_problems(db: Database) -> list[Problem]:
    problems = []
    listed = db.execute("SELECT count(*) FROM authors WHERE id IS NOT NULL OR display_name IS NOT NULL"
                        ).fetchone()[0]
    # A login only dc:creator names has a bare row; with an author list (WXR 1.1+) that is a gap.
    unlisted = db.execute("SELECT login, (SELECT count(*) FROM posts WHERE author = login) FROM authors "
                          "WHERE id IS NULL AND display_name IS NULL AND email IS NULL").fetchall()
    problems += [Problem("author-not-listed", f"author '{login}' of {plural(n, 'post')} is not in the "
                         "export's author list") for login, n in unlisted if listed and n]
    clashes = db.execute("SELECT group_concat(login, ', ') FROM authors GROUP BY lower(login) "
                         "HAVING count(*) > 1").fetchall()
    problems += [Problem("author-case-mismatch", f"logins {names} differ only in case; WordPress treats "
                         "them as one user") for (names,) in clashes]
    logins = db.execute("SELECT login FROM authors").fetchall()
    problems += [Problem("login-odd-characters", f"login {login!r} has characters WordPress does not "
                         "allow in a login") for (login,) in logins if not LOGIN_OK.fullmatch(login or "")]
    return problems


def serialized_problems(db: Database) -> list[Problem]:
    """Values that start like PHP serialize() output but do not decode (often a wrong `s:N:` length
    after a search-and-replace on the database); the raw value stays in value."""
    problems = []
    for table, owner in (("postmeta", "post_id"), ("commentmeta", "comment_id"), ("termmeta", "term_id")):
        rows = db.execute(f"SELECT {owner}, key, value FROM [{table}] WHERE value_json IS NULL AND "
                          "substr(value, 1, 2) IN ('a:', 's:', 'O:', 'i:', 'b:', 'd:', 'N;')").fetchall()
        problems += [Problem("php-serialized-broken", f"{table} '{key}' of {owner.removesuffix('_id')} "
                             f"{item} looks PHP-serialized but does not decode; kept as text", item)
                     for item, key, value in rows if looks_serialized(value)]
    return problems


def resolve_term_parents(db: Database) -> int:
    """WXR names a term's parent by slug; the parent may come later in the file or in another part."""
    db.execute("""
        UPDATE terms SET parent_id = (
            SELECT p.id FROM terms p WHERE p.taxonomy = terms.taxonomy AND p.slug = terms.parent_slug)
        WHERE parent_slug != ''""")
    db.execute("DELETE FROM warnings WHERE kind = 'term-parent-unknown'")
    rows = db.execute(
        "SELECT id, taxonomy, slug, parent_slug FROM terms WHERE parent_slug != '' AND parent_id IS NULL"
    ).fetchall()
    problems = [Problem("term-parent-unknown", f"{tax} '{slug}' names parent '{parent}', which is not in "
                        "the export; stored at top level", term_id) for term_id, tax, slug, parent in rows]
    db.conn.executemany(insert_sql("warnings", "id"), [warning_row(p) for p in problems])
    db.conn.commit()
    return len(problems)


# --- rows -----------------------------------------------------------------------------------------


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


def post_row(p: Post, export_id: int | None = None) -> tuple[Any, ...]:
    """The row of a post; it ends with the raw content, which the writer turns into plain_text."""
    date = wp_date(p.date)
    year = int(date[:4]) if date and date[:4].isdigit() else None
    return (p.id, p.post_type or "post", p.status, p.title, decode_slug(p.slug), p.link, p.guid,
            p.author or None, date, wp_date(p.date_gmt), wp_date(p.modified),
            wp_date(p.modified_gmt), p.content, p.excerpt, p.parent_id, p.menu_order, p.comment_status,
            p.ping_status, p.password, int(p.sticky), p.attachment_url, rfc822_date(p.pub_date),
            p.description, to_json(p.extra), year, export_id, p.content)


def comment_row(c: Comment, post_id: int, comment_id: int | None = None,
                parent_id: int | None = None) -> tuple[Any, ...]:
    """The row of a comment stored as comment_id (when wxr2db gave it another id than the export's);
    it ends with the raw content, which the writer turns into plain_text."""
    stored = c.id if comment_id is None else comment_id
    parent = c.parent_id if comment_id is None else parent_id
    return (stored, post_id, parent, c.depth, c.author, c.author_email, c.author_url, c.author_ip,
            wp_date(c.date), wp_date(c.date_gmt), c.content, c.approved, c.type, c.user_id,
            c.id if stored != c.id and c.id > 0 else None, c.content)


def sort_key(comment_id: int, c: Comment) -> str:
    """A comment's place among its siblings, spelled as comment_threads' sort_path spells it."""
    return f"{wp_date(c.date_gmt) or wp_date(c.date) or ''}|{comment_id:020d}"


def warning_row(p: Problem) -> tuple[Any, ...]:
    key = hashlib.sha1(f"{p.kind}\x1f{p.item}\x1f{p.detail}".encode()).hexdigest()[:16]
    return (key, p.kind, p.item, p.detail)


# --- saving ---------------------------------------------------------------------------------------


class IdSet:
    """The ids seen in this run, in a bitmap: WordPress ids are dense, and a Python set of a million
    ints would cost more memory than the whole rest of the import."""

    LIMIT = 1 << 28

    def __init__(self) -> None:
        self.bits = bytearray()
        self.others: set[int] = set()

    def has(self, n: int) -> bool:
        if not 0 <= n < self.LIMIT:
            return n in self.others
        byte, bit = divmod(n, 8)
        return byte < len(self.bits) and bool(self.bits[byte] >> bit & 1)

    def add(self, n: int) -> bool:
        """Add n; return False when it was already there."""
        if not 0 <= n < self.LIMIT:
            if n in self.others:
                return False
            self.others.add(n)
            return True
        byte, bit = divmod(n, 8)
        if byte >= len(self.bits):
            self.bits.extend(bytes(max(byte + 1 - len(self.bits), len(self.bits))))
        if self.bits[byte] >> bit & 1:
            return False
        self.bits[byte] |= 1 << bit
        return True


def chunks(ids: list[int], size: int = 500) -> Iterator[tuple[int, ...]]:
    """SQLite limits the number of parameters in one statement."""
    for start in range(0, len(ids), size):
        yield tuple(ids[start : start + size])


@dataclass
class Pending:
    """A post read but not yet written: its id is settled against the database at the next flush."""

    post: Post
    term_ids: list[int]
    renamed: bool
    export_id: int | None = None


class SyntheticIds:
    """Small negative ids (-1, -2, ...) in export order for things without a usable id, one sequence
    per table. Each is recorded under a stable hash of what identifies the thing, so importing the same
    export again, into this database or a new one, gives the same ids."""

    def __init__(self, writer: InlineWriter | ProcessWriter) -> None:
        self.known: dict[tuple[str, int], int] = {}
        self.lowest: dict[str, int] = {}
        self.taken: set[int] = set()
        for kind, key, found in writer.query("SELECT kind, key, id FROM synthetic_ids"):
            self.remember(kind, key, found)
        self.fresh: list[tuple[str, int, int]] = []

    def remember(self, kind: str, key: int, found: int) -> None:
        self.known[(kind, key)] = found
        if found < 0:
            self.lowest[kind] = min(self.lowest.get(kind, 0), found)
        elif kind == "posts":
            self.taken.add(found)

    def small(self, kind: str, key: int, preferred: int | None = None) -> int:
        found = self.known.get((kind, key))
        if found is None:
            found = preferred if preferred is not None else self.lowest.get(kind, 0) - 1
            self.remember(kind, key, found)
            self.fresh.append((kind, key, found))
        return found

    def new_rows(self) -> list[tuple[str, int, int]]:
        rows, self.fresh = self.fresh, []
        return rows


class Saver:
    """Writes records into a database in batches; `finish()` flushes and returns the counts."""

    def __init__(self, db: Database, *, merge_sites: bool = False, background: bool = False) -> None:
        """With background=True (and a database file), SQLite runs in a second process."""
        ensure_tables(db)
        db.conn.commit()
        self.db = db
        path = database_file(db.conn)
        self.writer: InlineWriter | ProcessWriter = (
            ProcessWriter(path) if background and path else InlineWriter(db.conn))
        self.merge_sites = merge_sites
        self.stats = ImportStats()
        self.indexed = False
        # Until the database holds posts (from before, or from an earlier export of this run), no
        # id can clash with a stored one, and the writer process is not made to wait for answers.
        self.may_clash = db["posts"].count > 0
        self.term_ids = self._load_terms()
        self.term_keys = {term_id: key for key, term_id in self.term_ids.items()}
        self.stored_terms = set(self.term_keys)
        self.term_meta: dict[int, list[tuple[Any, ...]]] = {}  # meta of terms since the last flush
        self.post_ids = IdSet()
        self.comment_ids = IdSet()
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in TABLES}
        self.pending: list[Pending] = []
        self.wrote_posts = False
        self.logins: list[tuple[str]] = []
        self.ids = SyntheticIds(self.writer)
        self.run_ids = IdSet()  # every post id of this run, across the parts of a split export

    def _load_terms(self) -> dict[tuple[str, str], int]:
        rows = self.db.execute("SELECT taxonomy, slug, id FROM terms").fetchall()
        return {(tax, slug): term_id for tax, slug, term_id in rows}

    def save(self, record: Record) -> None:
        if isinstance(record, Post):
            self.save_post(record)
        elif isinstance(record, Term):
            self.save_term(record)
        elif isinstance(record, Author):
            self.rows["authors"].append(author_row(record))
            self.stats.authors += 1
        elif isinstance(record, Site):
            self.save_site(record)
        elif isinstance(record, Problem):
            self.warn(record)

    def warn(self, problem: Problem) -> None:
        self.rows["warnings"].append(warning_row(problem))
        self.stats.warnings[problem.kind] += 1

    def save_site(self, site: Site) -> None:
        self.flush()
        known = [row[0] for row in self.writer.query("SELECT link FROM site")]
        if known and not self.merge_sites and not any(same_site(site.link, k) for k in known):
            raise SiteMismatchError(
                f"the database already holds {known[0]}, and this export is of {site.link or 'another site'}"
            )
        self.rows["site"].append(site_row(site))
        if bad_rfc822_date(site.exported_at):
            self.warn(Problem("bad-date", f"channel pubDate {site.exported_at[:60]!r} is not a date; "
                              "exported_at left empty"))
        # Each export starts with its channel. A repeat within one export is a duplicate; the same id
        # in two exports is settled against the database (see resolve_stored).
        self.post_ids = IdSet()
        self.comment_ids = IdSet()
        self.may_clash = self.may_clash or self.wrote_posts

    def save_term(self, term: Term) -> None:
        taxonomy, slug = term.taxonomy, decode_slug(term.slug) or slugify(term.name) or "untitled"
        term_id = self.declared_id(term, taxonomy, slug)
        old = self.term_ids.get((taxonomy, slug))
        if old is not None and old != term_id:
            self.flush()
            self.move_term(old, term_id)
            if old in self.stored_terms:
                self.stored_terms.add(term_id)
        self.term_ids[(taxonomy, slug)] = term_id
        self.term_keys[term_id] = (taxonomy, slug)
        self.rows["terms"].append((term_id, taxonomy, slug, term.name, term.description,
                                   decode_slug(term.parent_slug), None))
        # A term declared again (a re-import, an overlapping export) brings its meta again: the last
        # declaration's set replaces the earlier one.
        self.term_meta[term_id] = meta_rows(term_id, term.meta)
        self.stats.terms += 1

    def declared_id(self, term: Term, taxonomy: str, slug: str) -> int:
        if term.id is None:
            return self.ids.small("terms", synthetic_id("term", taxonomy, slug))
        owner = self.term_keys.get(term.id)
        if owner is None or owner == (taxonomy, slug):
            return term.id
        # Before WordPress 4.2 (and on WordPress.com still) one term id could be shared by a category
        # and a tag of the same name; the second keeps its own row under a made-up id.
        new_id = self.ids.small("terms", synthetic_id("shared-term", taxonomy, slug, str(term.id)))
        if owner != (taxonomy, slug) and self.term_keys.get(new_id) is None:
            self.warn(Problem("shared-term-id", f"{taxonomy} '{slug}' shares term id {term.id} with "
                              f"{owner[0]} '{owner[1]}'; stored as id {new_id}", term.id))
        return new_id

    def move_term(self, old: int, new: int) -> None:
        """A term first met on an item (so given a made-up id), or re-created with a new id since the
        last import, is now declared with its real id: point everything at the real one."""
        for table, column in (("post_terms", "term_id"), ("termmeta", "term_id"), ("terms", "parent_id")):
            sql = f"UPDATE OR IGNORE [{table}] SET [{column}] = ? WHERE [{column}] = ?"
            self.writer.execute(sql, (new, old))
        self.writer.execute("DELETE FROM post_terms WHERE term_id = ?", (old,))
        self.writer.execute("DELETE FROM terms WHERE id = ?", (old,))

    def term_id(self, term: PostTerm) -> int:
        slug = decode_slug(term.slug) or slugify(term.name) or "untitled"
        found = self.term_ids.get((term.taxonomy, slug))
        if found is None:
            # Terms used by items but never declared at channel level are still created.
            self.save_term(Term(term.taxonomy, slug, term.name))
            self.stats.terms -= 1
            found = self.term_ids[(term.taxonomy, slug)]
        return found

    def save_post(self, post: Post) -> None:
        export_id = None
        if post.id_missing:  # the reader made it up: the item had no wp:post_id
            post = replace(post, id=self.ids.small("posts", post.id, self.free_link_id(post)))
            self.warn(Problem("item-without-id", f"item at line {post.line} '{post.title}' has no "
                              f"wp:post_id; stored as id {post.id}", post.id))
        renamed = not self.post_ids.add(post.id)
        if renamed:
            new_id = self.ids.small("posts", synthetic_id(
                "duplicate-post", str(post.id), post.guid, post.title, str(post.line)))
            self.post_ids.add(new_id)
            self.warn(Problem("duplicate-id", f"item at line {post.line} repeats post id {post.id}; "
                              f"stored as id {new_id}", post.id))
            export_id, post = post.id, replace(post, id=new_id)
        self.run_ids.add(post.id)
        self.check_dates(post)
        if post.author:
            self.logins.append((post.author,))
        self.pending.append(Pending(post, [self.term_id(t) for t in post.terms], renamed, export_id))
        self.stats.extra_elements += sum(len(v) for v in post.extra.values())
        if len(self.pending) >= BATCH:
            self.flush()

    def free_link_id(self, post: Post) -> int | None:
        """The id in the item's `?p=19` guid or link, when no other post has it (yet: a later item
        that declares the same id is then stored as a duplicate)."""
        found = link_id(post.guid) or link_id(post.link)
        if found is None or found in self.ids.taken or self.post_ids.has(found) or self.run_ids.has(found):
            return None
        # Only a database that had posts before this run can hold one this run has not seen.
        if self.may_clash and self.writer.query("SELECT 1 FROM posts WHERE id = ?", (found,)):
            return None
        return found

    def check_dates(self, post: Post) -> None:
        if bad_rfc822_date(post.pub_date):
            self.warn(Problem("bad-date", f"item at line {post.line}: pubDate {post.pub_date[:60]!r} is "
                              "not a date; pub_date left empty", post.id))

    def flush(self) -> None:
        if self.pending:
            self.save_pending(self.pending)
            self.pending = []
        self.forget_termmeta([term_id for term_id in self.term_meta if term_id in self.stored_terms])
        self.stored_terms.update(self.term_meta)
        for rows in self.term_meta.values():
            self.rows["termmeta"] += rows
        self.term_meta.clear()
        self.rows["synthetic_ids"] += self.ids.new_rows()
        for table, rows in self.rows.items():
            if rows:
                self.writer.insert(table, self.sql(table), rows)
                rows.clear()
        # dc:creator names a login; WXR 1.0 has no author list, so unknown logins get a row of their own.
        self.writer.insert("authors", "INSERT OR IGNORE INTO authors (login) VALUES (?)", self.logins)
        self.logins.clear()

    def save_pending(self, pending: list[Pending]) -> None:
        """Decide, against what the database holds, whether each post updates a stored one or is a
        duplicate; then replace the updated posts' meta, terms and comments as a set."""
        taken: set[int] = set()
        if self.may_clash:
            stored = self.stored_posts([p.post.id for p in pending if not p.renamed])
            for entry in pending:
                if not entry.renamed and entry.post.id in stored:
                    self.resolve_stored(entry, stored[entry.post.id])
            self.forget_children(self.existing("posts", [p.post.id for p in pending]))
            taken = set(self.existing("comments", [c.id for p in pending for c in p.post.comments]))
        self.wrote_posts = True
        for entry in pending:
            post = entry.post
            self.rows["posts"].append(post_row(post, entry.export_id))
            self.rows["post_terms"] += [(post.id, term_id) for term_id in entry.term_ids]
            self.rows["postmeta"] += meta_rows(post.id, post.meta)
            self.save_comments(post, taken)

    def stored_posts(self, ids: list[int]) -> dict[int, tuple[tuple[Any, ...], set[int]]]:
        """The stored row and term ids of those posts that the database already holds."""
        columns = ", ".join(f"[{c}]" for c in TABLES["posts"][0])
        found: dict[int, tuple[tuple[Any, ...], set[int]]] = {}
        for chunk in chunks(ids):
            marks = ", ".join("?" for _ in chunk)
            for row in self.writer.query(f"SELECT {columns} FROM posts WHERE id IN ({marks})", chunk):
                found[row[0]] = (tuple(row), set())
            sql = f"SELECT post_id, term_id FROM post_terms WHERE post_id IN ({marks})"
            for post_id, term_id in self.writer.query(sql, chunk):
                found[post_id][1].add(term_id)
        return found

    def resolve_stored(self, entry: Pending, stored: tuple[tuple[Any, ...], set[int]]) -> None:
        """The same id in an earlier export (or an earlier import) with the same guid is the same post:
        the later one updates it. Another guid is another post. So is a menu item under another menu:
        an item belongs to one menu, but WordPress.com exports list a menu item once per menu, under
        one id. Other posts are kept under a made-up id, as a repeat inside one export is, and
        reported."""
        post, (row, term_ids) = entry.post, stored
        new_row = post_row(post)
        same_guid = new_row[6] == row[6]
        other_menu = new_row[1] == row[1] == "nav_menu_item" and set(entry.term_ids) != term_ids
        if same_guid and not other_menu:
            return
        new_id = self.ids.small("posts", synthetic_id(
            "duplicate-post", str(post.id), post.guid, post.title, str(post.line)))
        why = "another post" if not same_guid else "a menu item of another menu"
        self.warn(Problem("duplicate-id", f"item at line {post.line} repeats post id {post.id}, which the "
                          f"database holds for {why}; stored as id {new_id}", post.id))
        entry.post, entry.export_id = replace(post, id=new_id), post.id
        entry.renamed = True

    def existing(self, table: str, ids: list[int]) -> list[int]:
        """Which of ids the table already holds, by primary key."""
        found: list[int] = []
        for chunk in chunks(sorted(set(ids))):
            marks = ", ".join("?" for _ in chunk)
            found += [row[0] for row in self.writer.query(f"SELECT id FROM [{table}] WHERE id IN ({marks})",
                                                          chunk)]
        return found

    def save_comments(self, post: Post, taken: set[int]) -> None:
        """Every comment gets a row. An id repeated in one post, in another post of this export, or
        held by another post's comment in the database is stored under a made-up id and reported."""
        renamed: dict[int, int] = {}
        used: set[int] = set()
        rows = []
        for n, c in enumerate(post.comments):
            comment_id = c.id
            if not self.comment_ids.add(c.id) or c.id in taken or c.id in used:
                comment_id = self.ids.small("comments", synthetic_id(
                    "duplicate-comment", str(post.id), str(c.id), c.date, str(n)))
                where = "in this post" if c.id in used else "on another post"
                self.warn(Problem("duplicate-id", f"comment id {c.id} appears again {where}; stored as id "
                                  f"{comment_id}", post.id))
                # Replies name the first comment of that id; only a first one's new id is theirs.
                renamed.setdefault(c.id, comment_id if c.id not in used else c.id)
            elif c.id < 0:  # the reader made it up: the comment had no wp:comment_id
                comment_id = self.ids.small("comments", c.id)
                renamed.setdefault(c.id, comment_id)
            used.add(c.id)
            used.add(comment_id)
            rows.append((c, comment_id))
        threads = [(comment_id, renamed.get(c.parent_id, c.parent_id) if c.parent_id is not None else None,
                    sort_key(comment_id, c)) for c, comment_id in rows]
        positions = thread_positions(threads)
        for (c, comment_id), (_, parent, _) in zip(rows, threads, strict=True):
            row = comment_row(c, post.id, comment_id, parent)
            # thread_order sits before export_id and the content the writer turns into plain_text.
            self.rows["comments"].append((*row[:-2], positions[comment_id], *row[-2:]))
            self.rows["commentmeta"] += meta_rows(comment_id, c.meta)

    def sql(self, table: str) -> str:
        pk = TABLES[table][1]
        if pk is None:
            return insert_sql(table, None)
        if table == "post_terms":
            return insert_sql(table, "ignore")
        return insert_sql(table, pk if isinstance(pk, str) else ",".join(pk))

    def forget_children(self, post_ids: list[int]) -> None:
        """A re-read post's meta, terms and comments are replaced as a set, not doubled."""
        if not post_ids:
            return
        self.ensure_child_indexes()
        for ids in chunks(post_ids):
            marks = ", ".join("?" for _ in ids)
            comments = f"SELECT id FROM comments WHERE post_id IN ({marks})"
            self.writer.execute(f"DELETE FROM commentmeta WHERE comment_id IN ({comments})", ids)
            for table in ("comments", "postmeta", "post_terms"):
                self.writer.execute(f"DELETE FROM [{table}] WHERE post_id IN ({marks})", ids)

    def forget_termmeta(self, term_ids: list[int]) -> None:
        if not term_ids:
            return
        self.ensure_child_indexes()
        for ids in chunks(term_ids):
            marks = ", ".join("?" for _ in ids)
            self.writer.execute(f"DELETE FROM termmeta WHERE term_id IN ({marks})", ids)

    def ensure_child_indexes(self) -> None:
        """Replacing children looks them up by owner: without these indexes (which ensure_db_shape
        builds at the end of a first import) every batch would scan whole tables."""
        if self.indexed:
            return
        for table, columns in INDEXES:
            if table in ("comments", "postmeta", "commentmeta", "termmeta") and len(columns) == 1:
                name = f"idx_{table}_{columns[0]}"
                self.writer.execute(f"CREATE INDEX IF NOT EXISTS [{name}] ON [{table}] ([{columns[0]}])")
        self.indexed = True

    def finish(self) -> ImportStats:
        """Write what is left, then shape the database (indexes, search, views)."""
        self.flush()
        self.writer.close()
        self.stats.warnings.update(ensure_db_shape(self.db))
        count_stored(self.db, self.stats)
        return self.stats

    def abort(self) -> None:
        """Stop the background writer, if any, after a failure; the database is thrown away."""
        self.writer.abort()


def count_stored(db: Database, stats: ImportStats) -> None:
    """The summary says what the database holds after the import, as `info` does, not how many
    records were read: a repeated export or a re-import adds nothing."""
    rows = db.execute("SELECT post_type, count(*) FROM posts GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    stats.posts = Counter(dict(rows))
    stats.comments = db["comments"].count
    stats.terms = db["terms"].count
    stats.authors = db["authors"].count


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
        raise WxrError(f"{name}: not a SQLite database ({error})", SOURCE_HINT) from None
    missing = [t for t in TABLES if t not in tables and t not in DERIVED_TABLES]
    if missing:
        raise WxrError(f"{name}: not a database made by `wxr2db import` (no {', '.join(missing)} table)",
                       SOURCE_HINT)


def same_site(a: str, b: str) -> bool:
    def key(url: str) -> str:
        return re.sub(r"^https?://(www\.)?", "", url.strip().lower()).rstrip("/")

    return key(a) == key(b)


def save(db: Database, records: Iterable[Record], *, merge_sites: bool = False) -> ImportStats:
    """Write every record into db (upserting by id) and shape it; returns what was saved."""
    saver = Saver(db, merge_sites=merge_sites)
    try:
        for record in records:
            saver.save(record)
    except BaseException:
        saver.abort()
        raise
    return saver.finish()


# --- census ---------------------------------------------------------------------------------------


def census(db: Database) -> str:
    """What a database holds, as the lines `wxr2db info` prints."""
    lines = [("site", f"{title} <{link}> (WXR {version or '?'}, exported {exported or '?'})")
             for title, link, version, exported in db.execute(
                 "SELECT title, link, wxr_version, exported_at FROM site").fetchall()]
    lines.append(("posts", _grouped(db, "SELECT post_type, status, count(*) FROM posts "
                                        "GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2")))
    lines.append(("comments", _counts(db, "SELECT approved, count(*) FROM comments GROUP BY 1 ORDER BY 2 DESC",
                                      {"1": "approved", "0": "pending"})))
    lines.append(("authors", str(_one(db, "SELECT count(*) FROM authors"))))
    lines.append(("terms", _counts(db, "SELECT taxonomy, count(*) FROM terms GROUP BY 1 ORDER BY 2 DESC")))
    for table in ("postmeta", "commentmeta", "termmeta"):
        values = plural(_one(db, f"SELECT count(*) FROM {table}"), "value")
        keys = plural(_one(db, f"SELECT count(DISTINCT key) FROM {table}"), "key")
        lines.append((table, f"{values}, {keys}{_top_keys(db, table)}"))
    first, last = db.execute("SELECT min(date), max(date) FROM posts WHERE date IS NOT NULL").fetchone()
    lines.append(("dates", f"{first or '-'} to {last or '-'}"))
    lines.append(("warnings", _counts(db, "SELECT kind, count(*) FROM warnings GROUP BY 1 ORDER BY 2 DESC")))
    return "\n".join(f"{label + ':':<13}{value}" for label, value in lines)


def _one(db: Database, sql: str) -> Any:
    return db.execute(sql).fetchone()[0]


def _counts(db: Database, sql: str, names: dict[str, str] | None = None) -> str:
    rows = db.execute(sql).fetchall()
    total = sum(n for _, n in rows)
    if not rows:
        return "0"
    parts = ", ".join(f"{(names or {}).get(str(k), k)} {n}" for k, n in rows)
    return f"{total} ({parts})"


def _grouped(db: Database, sql: str) -> str:
    by_type: dict[str, list[str]] = {}
    for post_type, status, n in db.execute(sql).fetchall():
        by_type.setdefault(post_type, []).append(f"{status or 'no status'} {n}")
    return "; ".join(f"{t}: {', '.join(s)}" for t, s in by_type.items()) or "0"


def _top_keys(db: Database, table: str) -> str:
    rows = db.execute(f"SELECT key, count(*) FROM {table} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5").fetchall()
    return f" (most used: {', '.join(f'{k} {n}' for k, n in rows)})" if rows else ""
