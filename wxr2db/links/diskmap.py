"""A dict kept in a SQLite file, for the link index of a big site.

The index holds a few keys for every post and attachment: on a 1 GB export, over a hundred megabytes
in dicts, held by the parent and, page by page as they touch it, copied into every render worker.
In a file it takes the page cache the lookups need, shared by every process that reads it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, overload

# One connection per file in each process, so that the maps of one index share one page cache; a
# connection is never used across fork(), so each process opens its own.
OPEN: dict[tuple[int, str], sqlite3.Connection] = {}


def connection(path: Path, writable: bool) -> sqlite3.Connection:
    key = (os.getpid(), str(path))
    conn = OPEN.get(key)
    if conn is None:
        if writable:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
        else:
            conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        OPEN[key] = conn
    return conn


def close(path: Path) -> None:
    """Close this process's connection to the file, before it is removed."""
    conn = OPEN.pop((os.getpid(), str(path)), None)
    if conn is not None:
        conn.close()


K = TypeVar("K", str, int)
V = TypeVar("V")
T = TypeVar("T")


class DiskMap(Generic[K, V]):
    """The dict methods the link index uses, on one table of a SQLite file. Keys are strings or
    integers (kept apart, as in a dict); values are stored as `encode` writes them and read back with
    `decode`. Items come back in insertion order.

    Written by one process, then read by any: a process that did not open the connection (a forked
    render worker, or one the map was pickled to) opens the file again, read-only."""

    def __init__(self, path: Path, table: str, encode: Callable[[V], str], decode: Callable[[str], V]) -> None:
        self.path, self.table = path, table
        self.encode, self.decode = encode, decode
        self.owner = os.getpid()  # the process that writes it; any other reads
        conn = self.connection()
        # No type on `key`: 1 and "1" are two keys, as in a dict.
        conn.execute(f"CREATE TABLE IF NOT EXISTS [{table}] (key PRIMARY KEY, value TEXT) WITHOUT ROWID")
        conn.execute(f"CREATE TABLE IF NOT EXISTS [{table}_order] (key)")

    def __getstate__(self) -> tuple[Path, str, Callable[[V], str], Callable[[str], V], int]:
        return self.path, self.table, self.encode, self.decode, self.owner

    def __setstate__(self, state: tuple[Path, str, Callable[[V], str], Callable[[str], V], int]) -> None:
        self.path, self.table, self.encode, self.decode, self.owner = state

    def connection(self) -> sqlite3.Connection:
        return connection(self.path, writable=os.getpid() == self.owner)

    def found(self, key: K) -> tuple[str] | None:
        row: tuple[str] | None = self.connection().execute(
            f"SELECT value FROM [{self.table}] WHERE key = ?", (key,)).fetchone()
        return row

    @overload
    def get(self, key: K) -> V | None: ...

    @overload
    def get(self, key: K, default: T) -> V | T: ...

    def get(self, key: K, default: object = None) -> object:
        row = self.found(key)
        return default if row is None else self.decode(row[0])

    def __getitem__(self, key: K) -> V:
        row = self.found(key)
        if row is None:
            raise KeyError(key)
        return self.decode(row[0])

    def __contains__(self, key: object) -> bool:
        return isinstance(key, (str, int)) and self.found(key) is not None  # type: ignore[arg-type]

    def __setitem__(self, key: K, value: V) -> None:
        conn = self.connection()
        data = self.encode(value)
        if conn.execute(f"UPDATE [{self.table}] SET value = ? WHERE key = ?", (data, key)).rowcount == 0:
            conn.execute(f"INSERT INTO [{self.table}] VALUES (?, ?)", (key, data))
            conn.execute(f"INSERT INTO [{self.table}_order] VALUES (?)", (key,))

    def setdefault(self, key: K, value: V) -> V:
        row = self.found(key)
        if row is not None:
            return self.decode(row[0])
        self[key] = value
        return value

    def items(self) -> Iterator[tuple[K, V]]:
        """Read a batch at a time: a big site's redirects are never all in memory at once."""
        cursor = self.connection().execute(
            f"SELECT o.key, m.value FROM [{self.table}_order] o JOIN [{self.table}] m ON m.key = o.key "
            "ORDER BY o.rowid")
        while rows := cursor.fetchmany(1000):
            for key, value in rows:
                yield key, self.decode(value)

    def __len__(self) -> int:
        return int(self.connection().execute(f"SELECT count(*) FROM [{self.table}]").fetchone()[0])

    def __bool__(self) -> bool:
        return self.connection().execute(f"SELECT 1 FROM [{self.table}] LIMIT 1").fetchone() is not None


KT = TypeVar("KT", contravariant=True)
VT = TypeVar("VT")


class Table(Protocol[KT, VT]):
    """What the link index asks of its tables: a dict, or a DiskMap."""

    def get(self, key: KT, /) -> VT | None: ...

    def __getitem__(self, key: KT, /) -> VT: ...

    def __contains__(self, key: object, /) -> bool: ...

    def __setitem__(self, key: KT, value: VT, /) -> None: ...

    def setdefault(self, key: KT, default: VT, /) -> VT: ...

    def items(self) -> Iterable[tuple[Any, VT]]: ...
