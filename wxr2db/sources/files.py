"""Opening exports: plain, gzip, bzip2, xz or zip files, or standard input, with a byte count for progress.

The compression is read from the file's first bytes, not its name: a browser that undoes a
server's gzip keeps the `.gz` in the name, and `export.XML.GZ` is as gzip as `export.xml.gz`.

A compressed export is read through a guard: decompression errors become one DamagedFileError
naming the file, and output is bounded in total size and in ratio to the compressed bytes read,
so a crafted "bomb" (a kilobyte that expands to terabytes) stops early with a clear message.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import lzma
import os
import stat
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, cast

from ..errors import DamagedFileError, NotAnExportError, WxrError

# object, not None: tqdm.update returns a bool, and only the call matters.
ProgressCallback = Callable[[int], object]
STDIN = "-"


@dataclass(frozen=True)
class Limits:
    """How far a compressed export may expand. XML compresses 5-20 times, a very repetitive
    export perhaps 100 times; gzip can reach 1000 and bzip2 far more on crafted input."""

    max_size: int = 64 * 10**9  # decompressed bytes per export (all .xml files of a .zip together)
    max_ratio: int = 250  # decompressed bytes per compressed byte ...
    ratio_floor: int = 256 * 10**6  # ... checked once this much has been decompressed


LIMITS = Limits()

# The first bytes of each compressed format (the "magic numbers" of their specifications).
MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # a zip with no files in it
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
)
HEAD_SIZE = max(len(magic) for magic, _ in MAGIC)
# Formats Python cannot read without another package, and the command that unpacks each.
UNPACK = {"zstd": "zstd -d", "7z": "7z x", "rar": "unrar x"}
SUFFIXES = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zip": "zip"}
DECOMPRESSED = ("gzip", "bzip2", "xz")
DECOMPRESSION_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile, RuntimeError,
                        NotImplementedError)


def decompressing(kind: str, raw: BinaryIO, stack: ExitStack) -> BinaryIO:
    """A gzip, bzip2 or xz stream of `raw`, closed with the stack."""
    if kind == "gzip":
        return cast(BinaryIO, stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb")))
    if kind == "bzip2":
        return cast(BinaryIO, stack.enter_context(bz2.BZ2File(raw, mode="rb")))
    return cast(BinaryIO, stack.enter_context(lzma.LZMAFile(raw, mode="rb")))


def sniff(head: bytes) -> str:
    """The compression a file's first bytes announce, or "plain"."""
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), "plain")


def named_kind(name: str) -> str | None:
    """The compression the file name announces, in any case (`export.Xml.GZ`)."""
    return next((kind for suffix, kind in SUFFIXES.items() if name.lower().endswith(suffix)), None)


def looks_like_xml(head: bytes) -> bool:
    """XML starts with `<`, after a byte order mark or white space (UTF-8, UTF-16 or UTF-32)."""
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    return bool(head) and (text.startswith(b"<") or not text)


class CountingReader:
    """Reports the bytes read from the file itself (compressed bytes for .gz), for a progress bar."""

    def __init__(self, raw: BinaryIO, progress: ProgressCallback | None) -> None:
        self.raw = raw
        self.progress = progress
        self.total = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.total += len(data)
        if self.progress and data:
            self.progress(len(data))
        return data

    def readable(self) -> bool:
        return True

    def head(self) -> bytes:
        """The first bytes, read through a pipe's short reads; give them back with Rewound."""
        head = b""
        while len(head) < HEAD_SIZE and (data := self.read(HEAD_SIZE - len(head))):
            head += data
        return head


class Rewound:
    """A stream with bytes already read from it put back in front."""

    def __init__(self, head: bytes, raw: BinaryIO) -> None:
        self.head, self.raw = head, raw

    def read(self, size: int = -1) -> bytes:
        head, self.head = self.head, b""
        if size < 0:
            return head + self.raw.read()
        if len(head) > size:
            head, self.head = head[:size], head[size:]
        return head + (self.raw.read(size - len(head)) if size > len(head) else b"")

    def readable(self) -> bool:
        return True


class GuardedReader:
    """Decompressed bytes, with decompression errors and bombs turned into DamagedFileError."""

    def __init__(self, raw: IO[bytes], name: str, compressed: Callable[[], int], limits: Limits,
                 expanded: list[int]) -> None:
        self.raw, self.name, self.compressed, self.limits = raw, name, compressed, limits
        self.expanded = expanded  # one counter shared by every part of a .zip

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.raw.read(size)
        except DECOMPRESSION_ERRORS as error:
            raise DamagedFileError(f"{self.name}: cannot read the compressed file: it is damaged or cut "
                                   f"short ({error or type(error).__name__})") from None
        self.expanded[0] += len(data)
        self._check(self.expanded[0])
        return data

    def readable(self) -> bool:
        return True

    def _check(self, expanded: int) -> None:
        limits = self.limits
        if expanded > limits.max_size:
            raise DamagedFileError(f"{self.name}: expands to more than {limits.max_size:,} bytes; "
                                   "wxr2db stops there (a zip bomb?)")
        if expanded > limits.ratio_floor and expanded > limits.max_ratio * max(self.compressed(), 1):
            raise DamagedFileError(f"{self.name}: expands more than {limits.max_ratio} times its "
                                   "compressed size, which no real export does (a zip bomb?)")


def source_size(name: str) -> int | None:
    """Bytes the progress bar counts to (None for standard input)."""
    if name == STDIN:
        return None
    try:
        return Path(name).stat().st_size
    except OSError:
        return None  # a missing file is reported, with its name, by open_export


def _open_raw(name: str, stack: ExitStack) -> BinaryIO:
    if name == STDIN:
        return sys.stdin.buffer
    try:
        return cast(BinaryIO, stack.enter_context(open(name, "rb")))
    except OSError as error:
        raise WxrError(f"{name}: cannot open: {error.strerror}") from None


@contextmanager
def open_export(name: str, progress: ProgressCallback | None = None,
                limits: Limits | None = None) -> Iterator[BinaryIO]:
    """Open an export for reading as bytes, decompressing gzip, bzip2 and xz as its first bytes say
    (a zip may hold several files: see iter_export_parts)."""
    with ExitStack() as stack:
        counted = CountingReader(_open_raw(name, stack), progress)
        head = counted.head()
        kind = compression(name, head)
        source = cast(BinaryIO, Rewound(head, cast(BinaryIO, counted)))
        if kind in DECOMPRESSED:
            opened = decompressing(kind, source, stack)
            source = cast(BinaryIO, GuardedReader(opened, name, lambda: counted.total, limits or LIMITS, [0]))
        yield source


def compression(name: str, head: bytes) -> str:
    """gzip, bzip2, xz or plain, by the first bytes; a clear error for what cannot be read here."""
    kind = sniff(head)
    if kind in UNPACK:
        raise WxrError(f"{name}: is a {kind} archive, which wxr2db cannot read",
                       hint=f"Unpack it first (`{UNPACK[kind]} FILE`) and give wxr2db the .xml file inside.")
    if kind == "zip":
        raise WxrError(f"{name}: is a zip file, which cannot be read from standard input or a pipe; "
                       "give its file name")
    expected = named_kind(name)
    if kind == "plain" and expected is not None and not looks_like_xml(head):
        raise DamagedFileError(f"{name}: is named like a {expected} file but is neither {expected} nor XML: "
                               "it is damaged or cut short")
    return kind


def is_zip(name: str) -> bool:
    """A zip by its first bytes, or by its name when it has none that say otherwise (an empty or
    cut `.zip` is reported as a damaged zip, not as a broken XML file)."""
    try:
        # Only a regular file: a pipe (`<(zcat x.gz)`) read here would lose its first bytes, and a
        # zip needs seeking anyway; open_export says so if a pipe holds one.
        if name == STDIN or not stat.S_ISREG(os.stat(name).st_mode):
            return False
        with open(name, "rb") as file:
            head = file.read(HEAD_SIZE)
    except OSError:
        return False  # open_export names the file and the reason
    kind = sniff(head)
    return kind == "zip" or (kind == "plain" and named_kind(name) == "zip" and not looks_like_xml(head))


def iter_export_parts(name: str, progress: ProgressCallback | None = None,
                      limits: Limits | None = None) -> Iterator[tuple[str, BinaryIO]]:
    """(name, stream) for each WXR file of an export: the file itself, or, for a .zip (as
    WordPress.com delivers exports), each .xml file inside in name order, named `x.zip:part.xml`."""
    if not is_zip(name):
        with open_export(name, progress, limits) as source:
            yield name, source
        return
    limits = limits or LIMITS
    with ExitStack() as stack:
        archive = _open_zip(name, _open_raw(name, stack), stack)
        expanded, compressed = [0], 0
        for member in _zip_members(name, archive, limits):
            part = f"{name}:{member.filename}"
            # The ratio is taken over whole members: a zip member cannot say how much of it was read.
            compressed += member.compress_size
            with _open_member(part, archive, member) as opened:
                guarded = GuardedReader(opened, part, functools.partial(int, compressed), limits, expanded)
                yield part, cast(BinaryIO, guarded)
            if progress:
                progress(member.compress_size)


def _open_member(part: str, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> IO[bytes]:
    try:
        return archive.open(member)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as error:
        # RuntimeError: an encrypted member; NotImplementedError: a compression method Python lacks.
        raise DamagedFileError(f"{part}: cannot be read from the zip ({error})") from None


def _open_zip(name: str, raw: BinaryIO, stack: ExitStack) -> zipfile.ZipFile:
    try:
        return stack.enter_context(zipfile.ZipFile(raw))
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise DamagedFileError(f"{name}: not a zip file, or a damaged or cut one ({error})") from None


def _zip_members(name: str, archive: zipfile.ZipFile, limits: Limits) -> list[zipfile.ZipInfo]:
    """The .xml files in the archive in name order, refused at once if their declared sizes are a bomb."""
    members = sorted((m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(".xml")
                      and not m.filename.startswith("__MACOSX/")), key=lambda m: m.filename)
    if not members:
        raise NotAnExportError(f"{name}: the zip holds no .xml file (a WordPress export is one)")
    declared = sum(m.file_size for m in members)
    if declared > limits.max_size:
        raise DamagedFileError(f"{name}: its files would expand to {declared:,} bytes, more than "
                               f"{limits.max_size:,}; wxr2db stops there (a zip bomb?)")
    return members
