"""Where the Saver's SQL runs: in this process, or in a second one so SQLite works while lxml parses.

The import is CPU-bound in two halves of about equal size: parsing and building rows, then the
search text, PHP-serialized meta, what each body names (for the media tables) and the inserts. A
second process (a thread would share the GIL) takes the second half. Both writers run the same
statements in the same order, so the database is the same either way.
"""

from __future__ import annotations

import json
import multiprocessing
import signal
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from multiprocessing.connection import Connection
from typing import Any

from ..content.plaintext import search_text
from ..errors import WriterError
from ..php import looks_serialized, php_unserialize
from .media import AttachmentStager, stage_found
from .rows import SEARCH_SOURCE, stored_comment, stored_post
from .schema import EVERYTHING, TABLES, Shape

Row = tuple[Any, ...]
Message = tuple[str, str, str, Any]  # kind, table, sql, rows or parameters (a batch: a list of messages)
# Meta rows arrive as (owner, key, value); the writer adds value_json.
META_TABLES = {"postmeta", "commentmeta", "termmeta"}
TEXT_TABLES = {"posts", "comments"}
POST_ID, POST_TYPE, POST_CONTENT, ATTACHMENT_URL = (
    list(TABLES["posts"][0]).index(c) for c in ("id", "post_type", "content", "attachment_url"))


def decoded_meta(value: str) -> str | None:
    """The JSON of a PHP-serialized meta value, or None when it is not one (or is broken: the raw
    value is kept either way)."""
    if not looks_serialized(value):
        return None
    try:
        return json.dumps(php_unserialize(value), ensure_ascii=False)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None


# Meta rows arrive as (owner id, key, value); value_json is added here.
META_VALUE = list(TABLES["postmeta"][0]).index("value")


def with_json(rows: Sequence[Row]) -> Iterator[Row]:
    return ((*row, decoded_meta(row[META_VALUE])) for row in rows)


def finished(table: str, rows: Sequence[Row], search: bool) -> Iterator[Row]:
    """Post and comment rows as stored (see rows.py): computed here so the second process does it
    while the first parses, with the plain text of their HTML (None in a database nobody searches).
    One row at a time, as executemany takes them: a batch's plain texts are never all held at once."""
    store = stored_post if table == "posts" else stored_comment
    if not search:
        return (store(row, None) for row in rows)
    return (store(row, search_text(row[SEARCH_SOURCE] or "")) for row in rows)


def prepared(table: str, rows: Sequence[Row], search: bool = True) -> Iterable[Row]:
    if table in META_TABLES:
        return with_json(rows)
    if table in TEXT_TABLES:
        return finished(table, rows, search)
    return rows


class InlineWriter:
    """Runs each statement at once on the given connection."""

    def __init__(self, conn: sqlite3.Connection, shape: Shape = EVERYTHING) -> None:
        self.conn = conn
        self.shape = shape
        self.staged = False
        self.attachments = AttachmentStager()

    def insert(self, table: str, sql: str, rows: Sequence[Row]) -> None:
        if table == "posts":
            self.attachments.posts(self.conn, ((r[POST_ID], r[POST_TYPE], r[ATTACHMENT_URL]) for r in rows))
        stored = prepared(table, rows, self.shape.search)
        self.conn.executemany(sql, self.attachments.watch(stored) if table == "postmeta" else stored)
        if table == "postmeta":
            self.attachments.stage(self.conn)
        elif table == "posts" and self.shape.references:
            stage_found(self.conn, ((r[POST_ID], r[POST_TYPE], r[POST_CONTENT]) for r in rows), not self.staged)
            self.staged = True

    def execute(self, sql: str, params: Row = ()) -> None:
        self.conn.execute(sql, params)

    def query(self, sql: str, params: Row = ()) -> list[Row]:
        return list(self.conn.execute(sql, params).fetchall())

    def push(self) -> None:
        """Statements ran as they came."""

    def close(self) -> None:
        self.conn.commit()

    def abort(self) -> None:
        """Nothing runs in the background; the caller discards the database."""


class ProcessWriter:
    """Sends statements to a child process that owns its own connection to the database file.

    Inserts and other statements are gathered and sent as one message by `push` (the Saver pushes
    once per batch), so the child works on one batch while this process reads the next: sent one
    statement at a time, the parent waited on the pipe for the child to finish each table of the
    previous batch, and the two processes took turns. `query` and `close` push first, wait for the
    answer, and report any error the child met since the last answer.
    """

    def __init__(self, path: str, shape: Shape = EVERYTHING) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=write_loop, args=(path, child, shape), daemon=True)
        self.process.start()
        child.close()
        self.outbox: list[Message] = []

    def insert(self, table: str, sql: str, rows: Sequence[Row]) -> None:
        """Rows are sent by the next push: the caller must not change them until then."""
        self.outbox.append(("insert", table, sql, rows))

    def execute(self, sql: str, params: Row = ()) -> None:
        self.outbox.append(("execute", "", sql, params))

    def push(self) -> None:
        if self.outbox:
            batch, self.outbox = self.outbox, []
            self._send(("batch", "", "", batch))

    def query(self, sql: str, params: Row = ()) -> list[Row]:
        self.push()
        self._send(("query", "", sql, params))
        rows: list[Row] = self._answer()
        return rows

    def close(self) -> None:
        self.push()
        self._send(("close", "", "", ()))
        self._answer()
        self.process.join()

    def abort(self) -> None:
        self.process.kill()
        self.process.join()

    def _send(self, message: Message) -> None:
        try:
            self.pipe.send(message)
        except OSError:  # BrokenPipeError, ConnectionResetError: the child is gone
            raise self._gone() from None

    def _gone(self) -> WriterError:
        self.process.join(timeout=5)
        code = self.process.exitcode
        how = f" (killed by signal {-code})" if code is not None and code < 0 else ""
        return WriterError(f"the database writer process stopped unexpectedly{how}; nothing was written",
                           "If the system ran out of memory, close other programs and run the import again.")

    def _answer(self) -> Any:
        try:
            kind, value = self.pipe.recv()
        except (EOFError, OSError):
            raise self._gone() from None
        if kind == "error":
            raise WriterError(f"writing the database failed: {value}")
        return value


def write_loop(path: str, pipe: Connection, shape: Shape = EVERYTHING) -> None:
    """The child: apply statements until told to close; keep the first error for the next answer."""
    # Ctrl-C reaches the whole process group; the parent decides what happens, so ignore it here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    writer = InlineWriter(conn, shape)
    error: str | None = None
    while True:
        try:
            kind, table, sql, payload = pipe.recv()
        except EOFError:
            return  # the parent is gone: it discards the staging file
        if kind in ("query", "close"):
            result = run(writer, kind, table, sql, payload) if error is None else None
            if isinstance(result, Exception):
                error = str(result)
            pipe.send(("error", error) if error else ("ok", result))
            if kind == "close":
                conn.close()
                return
        elif error is None:
            for message in payload if kind == "batch" else [(kind, table, sql, payload)]:
                failed = run(writer, *message)
                if isinstance(failed, Exception):
                    error = str(failed)
                    break
            del payload  # the batch's rows are not held while waiting for the next


def run(writer: InlineWriter, kind: str, table: str, sql: str, payload: Any) -> Any:
    try:
        if kind == "insert":
            return writer.insert(table, sql, payload)
        if kind == "execute":
            return writer.execute(sql, payload)
        if kind == "query":
            return writer.query(sql, payload)
        return writer.close()
    except sqlite3.Error as failed:
        return failed
