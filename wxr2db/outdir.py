"""Files inside OUTDIR, written so that nothing outside it can be touched.

Every folder on the way to a file is opened relative to its parent with O_NOFOLLOW, so a symlink
planted anywhere inside OUTDIR (at a folder, at the file, at a temporary name) is refused, never
followed; temporary files get a random name and are created exclusively; FIFOs and devices are
never opened. A lock on OUTDIR keeps two runs from writing into it at once. Large files (media) are
streamed in pieces, from any thread, under the same rules (`SiteFolder.stream`).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any, TypeVar

from .errors import ManifestError, WxrError

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
TEMP_SUFFIX = ".wxr2db-tmp"
T = TypeVar("T")
PATH_MAX = 4096  # Linux; macOS allows 1024, but its folders are opened the same way
TEMP_NAME_CHARS = 200  # of the final name, in its temporary name
CHUNK = 1 << 20
TEMPORARY = re.compile(r"\.(.*)\.[0-9a-f]{12}" + re.escape(TEMP_SUFFIX), re.DOTALL)


class RefusedPath(Exception):
    """A path inside OUTDIR that wxr2db will not write: the reason says why, in a few words."""


class SiteFolder:
    """OUTDIR, held open and locked; `read` and `write` take paths relative to it."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.root_length = len(os.fsencode(root.resolve()))
        self.fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self.lock = threading.Lock()
        self.streaming: set[str] = set()  # files being streamed now: one writer each
        self.leftovers: dict[str, dict[str, list[str]]] = {}  # folder -> name -> temporaries found there
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise WxrError(f"{root}: another wxr2db run is writing into this folder (it holds its lock)",
                           "Wait for it to finish, or choose another folder.") from None

    def __enter__(self) -> SiteFolder:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing the folder releases the lock
            self.fd = -1

    def read(self, rel: str) -> bytes | None:
        """The file's bytes, or None when there is none; a special file or symlink is refused."""
        return self._look(rel, read_regular, None)

    def write(self, rel: str, data: bytes) -> None:
        """Write the file whole or not at all: a crash or a full disk never leaves half a file."""
        self._make(rel, lambda folder, name: replace_regular(folder, name, data))

    def create(self, rel: str, data: bytes) -> bool:
        """Write a new file whole; False, and nothing touched, when anything stands at rel already."""
        return self._make(rel, lambda folder, name: create_atomically(folder, name, data))

    @contextmanager
    def stream(self, rel: str, mode: int = 0o666) -> Iterator[Stream]:
        """A new file written in pieces, from any thread, under a random temporary name beside rel;
        `Stream.publish` puts it at rel whole, never over anything there. Unpublished, it is removed,
        as are the temporaries a killed run left for rel."""
        with self.lock:
            if rel in self.streaming:
                raise RefusedPath("being written already")
            self.streaming.add(rel)
        try:
            folder, name = self._folder(rel, create=True)
            if folder is None:
                raise RefusedPath("its folder vanished while writing")
            try:
                self._remove_leftovers(folder, str(PurePosixPath(rel).parent), name)
                stream = Stream(folder, name, mode)
                try:
                    yield stream
                finally:
                    stream.discard()
            finally:
                os.close(folder)
        finally:
            with self.lock:
                self.streaming.discard(rel)

    def _remove_leftovers(self, folder: int, key: str, name: str) -> None:
        """Each folder is listed once, under the lock, so no temporary in use is ever taken for one
        left over: only rel's own, and rel is streamed by one writer at a time."""
        with self.lock:
            if key not in self.leftovers:
                self.leftovers[key] = temporaries(os.listdir(folder))
            stale = self.leftovers[key].pop(name[:TEMP_NAME_CHARS], [])
        for temp in stale:
            with suppress(OSError):
                os.unlink(temp, dir_fd=folder)

    def digest(self, rel: str) -> tuple[str, int] | None:
        """The sha256 and size of the file at rel, read in pieces; None when there is none."""
        return self._look(rel, digest_regular, None)

    def remove(self, rel: str) -> None:
        """Remove the file (or link) at rel, if there is one; a link is removed, never followed."""
        self._look(rel, remove_entry, None)

    def exists(self, rel: str) -> bool:
        """Anything at rel (a file, a folder, a link, even a broken one), looked up without following."""
        return self._look(rel, lambda folder, name: file_kind(folder, name) != "missing", False)

    def _look(self, rel: str, action: Callable[[int, str], T], missing: T) -> T:
        """action(folder, name) on rel's folder, or `missing` when that folder does not exist."""
        folder, name = self._folder(rel, create=False)
        if folder is None:
            return missing
        try:
            return action(folder, name)
        finally:
            os.close(folder)

    def _make(self, rel: str, action: Callable[[int, str], T]) -> T:
        """action(folder, name) on rel's folder, made first when missing."""
        folder, name = self._folder(rel, create=True)
        if folder is None:
            raise RefusedPath("its folder vanished while writing")
        try:
            return action(folder, name)
        finally:
            os.close(folder)

    def _folder(self, rel: str, create: bool) -> tuple[int | None, str]:
        parts = PurePosixPath(rel).parts
        if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
            raise RefusedPath("leads outside the folder")
        # Opening folder by folder could write deeper than PATH_MAX, but no program could open it.
        if self.root_length + 1 + len(os.fsencode(rel)) >= PATH_MAX:
            raise RefusedPath(f"its full path is longer than {PATH_MAX - 1} bytes, more than programs can open")
        folder = os.dup(self.fd)
        try:
            for part in parts[:-1]:
                child = open_child_folder(folder, part, create)
                os.close(folder)
                folder = child
                if folder < 0:
                    return None, parts[-1]
        except BaseException:
            if folder >= 0:
                os.close(folder)
            raise
        return folder, parts[-1]


def open_child_folder(folder: int, name: str, create: bool) -> int:
    """The child folder's descriptor (-1 when it is missing and create is False)."""
    try:
        return os.open(name, DIR_FLAGS, dir_fd=folder)
    except FileNotFoundError:
        if not create:
            return -1
    except OSError as error:
        raise RefusedPath(f"{name}: {refusal(error, folder, name)}") from None
    with suppress(FileExistsError):
        os.mkdir(name, 0o777, dir_fd=folder)
    try:
        return os.open(name, DIR_FLAGS, dir_fd=folder)
    except OSError as error:
        raise RefusedPath(f"{name}: {refusal(error, folder, name)}") from None


def refusal(error: OSError, folder: int, name: str) -> str:
    if error.errno in (errno.ELOOP, errno.ENOTDIR):
        kind = file_kind(folder, name)
        return f"a {kind} stands where a folder must go; not followed" if kind == "symlink" else \
            f"a {kind} stands where a folder must go"
    return error.strerror or str(error)


def file_kind(folder: int, name: str) -> str:
    try:
        mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
    except FileNotFoundError:
        return "missing"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    return "device or socket"


def open_regular(folder: int, name: str) -> int | None:
    """A descriptor reading the regular file `name`, or None when there is none."""
    kind = file_kind(folder, name)
    if kind == "missing":
        return None
    if kind != "file":
        raise RefusedPath(f"a {kind} stands there; not read")
    fd = os.open(name, READ_FLAGS, dir_fd=folder)
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the check
        os.close(fd)
        raise RefusedPath("not a regular file; not read")
    return fd


def read_regular(folder: int, name: str) -> bytes | None:
    fd = open_regular(folder, name)
    if fd is None:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def digest_regular(folder: int, name: str) -> tuple[str, int] | None:
    fd = open_regular(folder, name)
    if fd is None:
        return None
    try:
        digest, size = hashlib.sha256(), 0
        while chunk := os.read(fd, CHUNK):
            digest.update(chunk)
            size += len(chunk)
        return digest.hexdigest(), size
    finally:
        os.close(fd)


def temporary_name(name: str) -> str:
    return f".{name[:TEMP_NAME_CHARS]}.{secrets.token_hex(6)}{TEMP_SUFFIX}"


def temporaries(names: list[str]) -> dict[str, list[str]]:
    """The temporary files among a folder's names, by the (shortened) name each was for."""
    found: dict[str, list[str]] = {}
    for entry in names:
        match = TEMPORARY.fullmatch(entry)
        if match:
            found.setdefault(match.group(1), []).append(entry)
    return found


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_temporary(folder: int, name: str, data: bytes) -> str:
    """A new file with a random name beside `name`, holding data; its name."""
    temp = temporary_name(name)
    fd = os.open(temp, CREATE_FLAGS, 0o666, dir_fd=folder)
    try:
        try:
            write_all(fd, data)
        finally:
            os.close(fd)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp, dir_fd=folder)
        raise
    return temp


def remove_entry(folder: int, name: str) -> None:
    with suppress(FileNotFoundError):
        os.unlink(name, dir_fd=folder)


def replace_regular(folder: int, name: str, data: bytes) -> None:
    kind = file_kind(folder, name)
    if kind not in ("missing", "file"):
        raise RefusedPath(f"a {kind} stands there; not replaced")
    replace_atomically(folder, name, data)


def replace_atomically(folder: int, name: str, data: bytes) -> None:
    temp = write_temporary(folder, name, data)
    try:
        os.replace(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp, dir_fd=folder)
        raise


def create_atomically(folder: int, name: str, data: bytes) -> bool:
    """link() refuses an existing name, so the file appears whole and never replaces anything."""
    temp = write_temporary(folder, name, data)
    try:
        os.link(temp, name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
    except FileExistsError:
        return False
    finally:
        with suppress(OSError):
            os.unlink(temp, dir_fd=folder)
    return True


class Stream:
    """A file being written in pieces under its temporary name (see SiteFolder.stream)."""

    def __init__(self, folder: int, name: str, mode: int) -> None:
        self.folder, self.name = folder, name
        self.temp = temporary_name(name)
        self.fd = os.open(self.temp, CREATE_FLAGS, mode, dir_fd=folder)

    def write(self, data: bytes) -> None:
        write_all(self.fd, data)

    def truncate(self) -> None:
        """Start the file over, empty."""
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.ftruncate(self.fd, 0)

    def publish(self) -> bool:
        """Put the file, synced, at its name; False, and nothing touched, when anything stands there."""
        os.fsync(self.fd)
        os.close(self.fd)
        self.fd = -1
        try:
            os.link(self.temp, self.name, src_dir_fd=self.folder, dst_dir_fd=self.folder, follow_symlinks=False)
        except FileExistsError:
            return False
        return True

    def discard(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        with suppress(OSError):
            os.unlink(self.temp, dir_fd=self.folder)


# ---------------------------------------------------------------- manifests


def read_manifest(folder: SiteFolder, name: str, what: str, hint: str = "") -> dict[str, Any]:
    """The `files` of a JSON manifest wxr2db keeps in OUTDIR ({} when there is none yet).

    One rule for every manifest: a file that cannot be read, or is not one wxr2db wrote (deep nesting
    included), raises ManifestError; the caller decides whether that stops the run or is a warning."""
    path = folder.root / name
    try:
        raw = folder.read(name)
        if raw is None:
            return {}
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError, RefusedPath) as exc:
        raise ManifestError(f"{path}: cannot read the {what} ({exc})", hint) from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise ManifestError(f"{path}: not a wxr2db {what}", hint)
    return files


def write_manifest(folder: SiteFolder, name: str, files: dict[str, Any], about: str) -> None:
    """Write a manifest read_manifest reads back, its files in path order; OSError or RefusedPath
    when it cannot be written."""
    data = {"about": about, "version": 1, "files": dict(sorted(files.items()))}
    folder.write(name, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
