"""All or nothing for `--db`: build the new database beside the old one, swap it in on success.

One import at a time holds a lock beside the database; the staging copy has a name of its own; and
the swap happens only if nobody else wrote to the database since the import began, checked while
holding SQLite's own write lock on it, so another program's committed write is never lost.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlite_utils import Database

from ..errors import (
    DatabaseBusyError,
    DatabaseChangedError,
    DiskFullError,
    ForeignDatabaseError,
    NotAWxrDatabaseError,
    WxrError,
)

# How long to wait for another program's lock on the database before giving up.
LOCK_WAIT = 10.0
PARTIAL = ".wxr2db-partial"
TABLES_OF_OURS = ("site", "posts", "comments", "terms", "authors")


def target_path(path: Path) -> Path:
    """The file an import writes: a symlink's target (so the real database is updated), and only a
    regular file or nothing at all."""
    real = Path(os.path.realpath(path))
    if not real.parent.is_dir():
        raise WxrError(f"{path}: the folder {real.parent} does not exist", "Create it, or choose another --db.")
    with suppress(FileNotFoundError):
        if not stat.S_ISREG(real.stat().st_mode):
            raise WxrError(f"{path}: not a regular file (a folder, FIFO or device); nothing was written",
                           "Choose another --db.")
    return real


@contextmanager
def import_lock(path: Path) -> Iterator[None]:
    """A lock file beside the database (`.NAME.wxr2db-lock`), removed when the import ends."""
    lock = path.with_name(f".{path.name}.wxr2db-lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseBusyError(
                f"{path}: another wxr2db import into it is running (it holds the lock {lock.name})",
                "Wait for it to finish, then run this import again.") from None
        if not same_file(fd, lock):  # the lock file was removed by an import that just ended
            raise DatabaseBusyError(f"{path}: another wxr2db import into it just ended; nothing was written",
                                    "Run this import again.")
        try:
            yield
        finally:
            with suppress(FileNotFoundError):
                lock.unlink()
    finally:
        os.close(fd)


def same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), path.stat(follow_symlinks=False)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def fingerprint(path: Path) -> tuple[int, ...] | None:
    """What changes whenever anyone writes the database: inode, size, time and SQLite's own change
    counter (bytes 24-27 of the header, bumped by every committed write)."""
    try:
        with path.open("rb") as f:
            header = f.read(100)
            info = os.fstat(f.fileno())
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, int.from_bytes(header[24:28], "big")


def remove_leftovers(path: Path) -> None:
    """Staging files of imports that were killed; only ever called while holding the lock."""
    for leftover in path.parent.glob(f"{glob_escape(path.name)}*{PARTIAL}"):
        if leftover.is_file() and not leftover.is_symlink():
            with suppress(FileNotFoundError):
                leftover.unlink()


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


@contextmanager
def staged_database(path: Path, *, force: bool = False) -> Iterator[Database]:
    """Build the new database beside `path` and move it into place only when everything worked.

    Whatever happens before that (a broken export, Ctrl-C, the process killed, another import),
    `path` is as it was. The staging copy needs no journal: on failure it is thrown away.
    """
    path = target_path(path)
    with import_lock(path):
        remove_leftovers(path)
        before = fingerprint(path)
        fd, name = tempfile.mkstemp(prefix=f"{path.name}.", suffix=PARTIAL, dir=path.parent)
        os.close(fd)
        staging = Path(name)
        try:
            conn = sqlite3.connect(staging)
            try:
                if before is not None:
                    copy_database(path, conn, staging, force)
                yield from built(conn)
            finally:
                conn.close()
            swap_in(staging, path, before)
        finally:
            with suppress(FileNotFoundError):
                staging.unlink()


def built(conn: sqlite3.Connection) -> Iterator[Database]:
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    yield Database(conn)
    conn.commit()
    conn.execute("PRAGMA journal_mode = DELETE")


def copy_database(path: Path, target: sqlite3.Connection, staging: Path, force: bool) -> None:
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=LOCK_WAIT)
    except sqlite3.Error as error:
        raise WxrError(f"{path}: cannot open it ({error})") from None
    try:
        refuse_foreign(source, path, force)
        source.backup(target)
    except sqlite3.DatabaseError as error:
        raise database_error(error, path, staging) from None
    finally:
        source.close()


def refuse_foreign(source: sqlite3.Connection, path: Path, force: bool) -> None:
    """A database with tables of its own and none of wxr2db's is some other program's: refuse it."""
    tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if tables and not tables & set(TABLES_OF_OURS) and not force:
        shown = ", ".join(sorted(tables)[:5])
        raise ForeignDatabaseError(
            f"{path}: a SQLite database wxr2db did not make (it has the tables {shown}); nothing was written",
            "Choose another --db, or pass --force to add wxr2db's tables to it.")


def database_error(error: sqlite3.DatabaseError, path: Path, staging: Path) -> WxrError:
    text = str(error)
    if "disk is full" in text or "disk I/O" in text:
        return DiskFullError(f"{staging.parent}: the disk is full while copying {path.name} to update it "
                             f"({text}); {path.name} is as it was", "Free some space, then run the import again.")
    if "locked" in text or "busy" in text:
        return DatabaseBusyError(
            f"{path}: another program held a lock on it for {LOCK_WAIT:.0f} s; nothing was written",
            "Close the program using it, then run the import again.")
    return NotAWxrDatabaseError(f"{path}: not a SQLite database ({text})",
                                "Choose another --db, or move that file out of the way.")


def swap_in(staging: Path, path: Path, before: tuple[int, ...] | None) -> None:
    """Replace the database, holding its write lock, unless someone wrote to it since we began."""
    if before is None:
        if fingerprint(path) is not None:
            raise changed(path)
        os.replace(staging, path)
        return
    guard = sqlite3.connect(path, timeout=LOCK_WAIT, isolation_level=None)
    try:
        try:
            guard.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            raise DatabaseBusyError(
                f"{path}: another program held a lock on it for {LOCK_WAIT:.0f} s; it was left as it was",
                "Close the program using it, then run the import again.") from None
        if fingerprint(path) != before:
            raise changed(path)
        os.replace(staging, path)
    finally:
        guard.close()


def changed(path: Path) -> DatabaseChangedError:
    return DatabaseChangedError(
        f"{path}: changed by another program while importing; it was left as it is, with that change",
        "Run the import again.")
