"""Saving records into SQLite: batches of plain `executemany` upserts, and the counts of what was saved.

sqlite-utils' row-by-row type detection would cost more than parsing the export, so rows go in as
tuples (see rows.py) in large batches. Which id each record is stored under is decided in
wxr2db.resolve.ids; this module only asks the database what those rules need to know and writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from ..normalize import plural
from ..records import Author, Post, PostTerm, Problem, Record, Site, Term
from ..resolve.ids import Pending, Resolver, check_site, post_problems, site_problems, undeclared_term
from .executor import InlineWriter, ProcessWriter
from .rows import author_row, comment_row, meta_rows, post_row, site_row, term_row, warning_row
from .schema import EVERYTHING, INDEXES, TABLES, Shape, database_file, ensure_db_shape, ensure_tables, insert_sql

BATCH = 500


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



def chunks(ids: list[int], size: int = 500) -> Iterator[tuple[str, tuple[int, ...]]]:
    """SQLite limits the number of parameters in one statement: the ids in slices, each with its
    `?, ?, ...` to put in `IN (...)`."""
    for start in range(0, len(ids), size):
        chunk = tuple(ids[start : start + size])
        yield ", ".join("?" for _ in chunk), chunk


class Saver:
    """Writes records into a database in batches; `finish()` flushes and returns the counts."""

    def __init__(self, db: Database, *, merge_sites: bool = False, background: bool = False,
                 shape: Shape = EVERYTHING) -> None:
        """With background=True (and a database file), SQLite runs in a second process. `shape`
        says what the database gets besides its rows (see schema.Shape)."""
        ensure_tables(db)
        db.conn.commit()
        self.db = db
        path = database_file(db.conn)
        self.writer: InlineWriter | ProcessWriter = (
            ProcessWriter(path, shape) if background and path else InlineWriter(db.conn, shape))
        self.shape = shape
        self.merge_sites = merge_sites
        self.stats = ImportStats()
        self.indexed = False
        # Until the database holds posts (from before, or from an earlier export of this run), no
        # id can clash with a stored one, and the writer process is not made to wait for answers.
        self.may_clash = db["posts"].count > 0
        terms = db.execute("SELECT taxonomy, slug, id FROM terms").fetchall()
        self.resolver = Resolver(self.writer.query("SELECT kind, key, id FROM synthetic_ids"), terms, self.warn)
        self.stored_terms = set(self.resolver.term_keys)
        self.term_meta: dict[int, list[tuple[Any, ...]]] = {}  # meta of terms since the last flush
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in TABLES}
        self.pending: list[Pending] = []
        self.wrote_posts = False
        self.logins: list[tuple[str]] = []

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
        if site.amends:  # the same export's channel, complete: its row is replaced, nothing starts
            self.rows["site"].append(site_row(site))
            return
        self.flush()
        check_site(site, [row[0] for row in self.writer.query("SELECT link FROM site")], self.merge_sites)
        self.rows["site"].append(site_row(site))
        for problem in site_problems(site):
            self.warn(problem)
        self.resolver.new_export()
        self.may_clash = self.may_clash or self.wrote_posts

    def save_term(self, term: Term) -> int:
        term_id, taxonomy, slug, old = self.resolver.settle_term(term)
        if old is not None:
            self.flush()
            self.move_term(old, term_id)
            if old in self.stored_terms:
                self.stored_terms.add(term_id)
        self.rows["terms"].append(term_row(term_id, taxonomy, slug, term))
        # A term declared again (a re-import, an overlapping export) brings its meta again: the last
        # declaration's set replaces the earlier one.
        self.term_meta[term_id] = meta_rows(term_id, term.meta)
        self.stats.terms += 1
        return term_id

    def move_term(self, old: int, new: int) -> None:
        """A term first met on an item (so given a made-up id), or re-created with a new id since the
        last import, is now declared with its real id: point everything at the real one."""
        for table, column in (("post_terms", "term_id"), ("termmeta", "term_id"), ("terms", "parent_id")):
            sql = f"UPDATE OR IGNORE [{table}] SET [{column}] = ? WHERE [{column}] = ?"
            self.writer.execute(sql, (new, old))
        self.writer.execute("DELETE FROM post_terms WHERE term_id = ?", (old,))
        self.writer.execute("DELETE FROM terms WHERE id = ?", (old,))

    def term_id(self, term: PostTerm) -> int:
        found = self.resolver.term_id(term)
        if found is None:
            found = self.save_term(undeclared_term(term))
            self.stats.terms -= 1
        return found

    def save_post(self, post: Post) -> None:
        post, renamed, export_id = self.resolver.settle_post(post, self.stored_post)
        for problem in post_problems(post):
            self.warn(problem)
        if post.author:
            self.logins.append((post.author,))
        self.pending.append(Pending(post, [self.term_id(t) for t in post.terms], renamed, export_id))
        self.stats.extra_elements += sum(len(v) for v in post.extra.values())
        if len(self.pending) >= BATCH:
            self.flush()

    def stored_post(self, post_id: int) -> bool:
        # Only a database that had posts before this run can hold one this run has not seen.
        return self.may_clash and bool(self.writer.query("SELECT 1 FROM posts WHERE id = ?", (post_id,)))

    def flush(self) -> None:
        if self.pending:
            self.save_pending(self.pending)
            self.pending = []
        self.forget_termmeta([term_id for term_id in self.term_meta if term_id in self.stored_terms])
        self.stored_terms.update(self.term_meta)
        for rows in self.term_meta.values():
            self.rows["termmeta"] += rows
        self.term_meta.clear()
        self.rows["synthetic_ids"] += self.resolver.ids.new_rows()
        for table, rows in self.rows.items():
            if rows:
                self.writer.insert(table, self.sql(table), rows)
                self.rows[table] = []  # the writer holds the list until it is pushed
        # dc:creator names a login; WXR 1.0 has no author list, so unknown logins get a row of their own.
        self.writer.insert("authors", "INSERT OR IGNORE INTO authors (login) VALUES (?)", self.logins)
        self.logins = []
        self.writer.push()

    def save_pending(self, pending: list[Pending]) -> None:
        """Settle, against what the database holds, whether each post updates a stored one or is a
        duplicate; then replace the updated posts' meta, terms and comments as a set."""
        taken: set[int] = set()
        if self.may_clash:
            stored = self.stored_posts([p.post.id for p in pending if not p.renamed])
            for entry in pending:
                if not entry.renamed and entry.post.id in stored:
                    self.resolver.settle_stored(entry, *stored[entry.post.id])
            self.forget_children(self.existing("posts", [p.post.id for p in pending]))
            taken = set(self.existing("comments", [c.id for p in pending for c in p.post.comments]))
        self.wrote_posts = True
        for entry in pending:
            post = entry.post
            self.rows["posts"].append(post_row(post, entry.export_id))
            self.rows["post_terms"] += [(post.id, term_id) for term_id in entry.term_ids]
            self.rows["postmeta"] += meta_rows(post.id, post.meta)
            for c, comment_id, parent, position in self.resolver.settle_comments(post, taken):
                self.rows["comments"].append(comment_row(c, post.id, comment_id, parent, position))
                self.rows["commentmeta"] += meta_rows(comment_id, c.meta)

    def stored_posts(self, ids: list[int]) -> dict[int, tuple[str | None, str | None, set[int]]]:
        """The stored guid, post type and term ids of those posts that the database already holds."""
        found: dict[int, tuple[str | None, str | None, set[int]]] = {}
        for marks, chunk in chunks(ids):
            for post_id, guid, post_type in self.writer.query(
                    f"SELECT id, guid, post_type FROM posts WHERE id IN ({marks})", chunk):
                found[post_id] = (guid, post_type, set())
            sql = f"SELECT post_id, term_id FROM post_terms WHERE post_id IN ({marks})"
            for post_id, term_id in self.writer.query(sql, chunk):
                found[post_id][2].add(term_id)
        return found

    def existing(self, table: str, ids: list[int]) -> list[int]:
        """Which of ids the table already holds, by primary key."""
        found: list[int] = []
        for marks, chunk in chunks(sorted(set(ids))):
            found += [row[0] for row in self.writer.query(f"SELECT id FROM [{table}] WHERE id IN ({marks})",
                                                          chunk)]
        return found

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
        for marks, ids in chunks(post_ids):
            comments = f"SELECT id FROM comments WHERE post_id IN ({marks})"
            self.writer.execute(f"DELETE FROM commentmeta WHERE comment_id IN ({comments})", ids)
            for table in ("comments", "postmeta", "post_terms"):
                self.writer.execute(f"DELETE FROM [{table}] WHERE post_id IN ({marks})", ids)

    def forget_termmeta(self, term_ids: list[int]) -> None:
        if not term_ids:
            return
        self.ensure_child_indexes()
        for marks, ids in chunks(term_ids):
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
        self.stats.warnings.update(ensure_db_shape(self.db, self.shape))
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

