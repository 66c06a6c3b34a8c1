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
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlite_utils import Database

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
    wp_date,
)
from .plaintext import plain_text
from .records import Author, Comment, Meta, Post, PostTerm, Problem, Record, Site, Term
from .writer import InlineWriter, ProcessWriter

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
         "approved": str, "type": str, "user_id": int, "export_id": int, "plain_text": str},
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
    # Ids wxr2db made up (item without an id, a repeated id), by what identifies the thing in the export,
    # so importing the same export again gives the same small ids.
    "synthetic_ids": (
        {"kind": str, "key": int, "id": int},
        ("kind", "key"), [],
    ),
}
INDEXES = [
    ("posts", ["post_type", "status"]), ("posts", ["author"]), ("posts", ["parent_id"]),
    ("terms", ["parent_id"]), ("post_terms", ["term_id"]),
    ("comments", ["post_id"]), ("comments", ["parent_id"]),
    ("postmeta", ["post_id"]), ("postmeta", ["key"]), ("commentmeta", ["comment_id"]),
    ("termmeta", ["term_id"]), ("warnings", ["kind"]),
]
FTS_CONFIG = {"posts": ["title", "plain_text"], "comments": ["plain_text"], "published_posts": ["title", "plain_text"]}
# Post types WordPress uses for its own machinery rather than for things readers see.
INTERNAL_TYPES = ("attachment", "nav_menu_item", "revision", "wp_navigation", "wp_block", "wp_template",
                  "wp_template_part", "wp_global_styles", "custom_css", "customize_changeset",
                  "oembed_cache", "user_request", "wp_font_family", "wp_font_face")
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
    # Threads in the order WordPress shows them: oldest first at every level, replies under their parent.
    "comment_threads": """
        WITH RECURSIVE thread(id, sort_path) AS (
            SELECT id, printf('%s|%020d', coalesce(date_gmt, date, ''), id)
            FROM comments WHERE parent_id IS NULL
            UNION ALL
            SELECT c.id, thread.sort_path || '/' || printf('%s|%020d', coalesce(c.date_gmt, c.date, ''), c.id)
            FROM comments c JOIN thread ON c.parent_id = thread.id
        )
        SELECT c.post_id, p.title AS post_title, c.id, c.parent_id, c.depth, c.author, c.date,
               c.approved, c.type, c.content, thread.sort_path
        FROM thread JOIN comments c ON c.id = thread.id JOIN posts p ON p.id = c.post_id
        ORDER BY c.post_id, thread.sort_path""",
    "post_term_names": """
        SELECT post_terms.post_id, terms.taxonomy, terms.slug, terms.name, terms.id AS term_id
        FROM post_terms JOIN terms ON terms.id = post_terms.term_id""",
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
        types = ", ".join(f"{n} {t}" for t, n in self.posts.most_common()) or "no items"
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
    ensure_published_posts(db)
    for table, columns in FTS_CONFIG.items():
        db[table].enable_fts(columns, create_triggers=table != "published_posts",  # type: ignore[union-attr]
                             replace=True)
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
    return +warned


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
        self.replacing = db["posts"].count > 0
        self.term_ids = self._load_terms()
        self.term_keys = {term_id: key for key, term_id in self.term_ids.items()}
        self.post_ids = IdSet()
        self.comment_ids = IdSet()
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in TABLES}
        self.post_batch: list[int] = []
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
        # Each export starts with its channel. The same id in two exports (overlapping parts of a
        # split export) is the same post, merged; only a repeat within one export is a duplicate.
        self.post_ids = IdSet()
        self.comment_ids = IdSet()

    def save_term(self, term: Term) -> None:
        taxonomy, slug = term.taxonomy, decode_slug(term.slug) or slugify(term.name) or "untitled"
        term_id = self.declared_id(term, taxonomy, slug)
        old = self.term_ids.get((taxonomy, slug))
        if old is not None and old != term_id:
            self.flush()
            self.move_term(old, term_id)
        self.term_ids[(taxonomy, slug)] = term_id
        self.term_keys[term_id] = (taxonomy, slug)
        self.rows["terms"].append((term_id, taxonomy, slug, term.name, term.description,
                                   decode_slug(term.parent_slug), None))
        self.rows["termmeta"] += meta_rows(term_id, term.meta)
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
        if post.id < 0:  # the reader made it up: the item had no wp:post_id
            post = replace(post, id=self.ids.small("posts", post.id, self.free_link_id(post)))
            self.warn(Problem("item-without-id", f"item at line {post.line} '{post.title}' has no "
                              f"wp:post_id; stored as id {post.id}", post.id))
        if not self.post_ids.add(post.id):
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
        self.rows["posts"].append(post_row(post, export_id))
        self.rows["post_terms"] += [(post.id, self.term_id(t)) for t in post.terms]
        self.rows["postmeta"] += meta_rows(post.id, post.meta)
        self.save_comments(post)
        self.stats.posts[post.post_type or "post"] += 1
        self.stats.extra_elements += sum(len(v) for v in post.extra.values())
        self.post_batch.append(post.id)
        if len(self.post_batch) >= BATCH:
            self.flush()

    def free_link_id(self, post: Post) -> int | None:
        """The id in the item's `?p=19` guid or link, when no other post has it (yet: a later item
        that declares the same id is then stored as a duplicate)."""
        found = link_id(post.guid) or link_id(post.link)
        if found is None or found in self.ids.taken or self.post_ids.has(found) or self.run_ids.has(found):
            return None
        # Only a database that had posts before this run can hold one this run has not seen.
        if self.replacing and self.writer.query("SELECT 1 FROM posts WHERE id = ?", (found,)):
            return None
        return found

    def check_dates(self, post: Post) -> None:
        if bad_rfc822_date(post.pub_date):
            self.warn(Problem("bad-date", f"item at line {post.line}: pubDate {post.pub_date[:60]!r} is "
                              "not a date; pub_date left empty", post.id))

    def save_comments(self, post: Post) -> None:
        renamed: dict[int, int] = {}
        for c in post.comments:
            if not self.comment_ids.add(c.id):
                renamed[c.id] = self.ids.small("comments", synthetic_id(
                    "duplicate-comment", str(post.id), str(c.id), c.date))
                self.warn(Problem("duplicate-id", f"comment id {c.id} appears again; stored as id "
                                  f"{renamed[c.id]}", post.id))
            elif c.id < 0:  # the reader made it up: the comment had no wp:comment_id
                renamed[c.id] = self.ids.small("comments", c.id)
        for c in post.comments:
            comment_id = renamed.get(c.id, c.id)
            parent = renamed.get(c.parent_id, c.parent_id) if c.parent_id is not None else None
            self.rows["comments"].append(comment_row(c, post.id, comment_id, parent))
            self.rows["commentmeta"] += meta_rows(comment_id, c.meta)
        self.stats.comments += len(post.comments)

    def flush(self) -> None:
        if self.replacing and self.post_batch:
            self.forget_children(self.post_batch)
        self.rows["synthetic_ids"] += self.ids.new_rows()
        for table, rows in self.rows.items():
            if rows:
                self.writer.insert(table, self.sql(table), rows)
                rows.clear()
        # dc:creator names a login; WXR 1.0 has no author list, so unknown logins get a row of their own.
        self.writer.insert("authors", "INSERT OR IGNORE INTO authors (login) VALUES (?)", self.logins)
        self.logins.clear()
        self.post_batch.clear()

    def sql(self, table: str) -> str:
        pk = TABLES[table][1]
        if pk is None:
            return insert_sql(table, None)
        if table == "post_terms":
            return insert_sql(table, "ignore")
        return insert_sql(table, pk if isinstance(pk, str) else ",".join(pk))

    def forget_children(self, post_ids: list[int]) -> None:
        """A re-imported post's meta, terms and comments are replaced, not doubled."""
        for start in range(0, len(post_ids), 500):  # SQLite limits the number of parameters
            ids = tuple(post_ids[start : start + 500])
            marks = ", ".join("?" for _ in ids)
            comments = f"SELECT id FROM comments WHERE post_id IN ({marks})"
            self.writer.execute(f"DELETE FROM commentmeta WHERE comment_id IN ({comments})", ids)
            for table in ("comments", "postmeta", "post_terms"):
                self.writer.execute(f"DELETE FROM [{table}] WHERE post_id IN ({marks})", ids)

    def finish(self) -> ImportStats:
        """Write what is left, then shape the database (indexes, search, views)."""
        self.flush()
        self.writer.close()
        self.stats.warnings.update(ensure_db_shape(self.db))
        return self.stats

    def abort(self) -> None:
        """Stop the background writer, if any, after a failure; the database is thrown away."""
        self.writer.abort()


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
    missing = [t for t in TABLES if t not in tables]
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
