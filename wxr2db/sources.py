"""Opening exports: plain, gzip or bzip2 files, or standard input, with a byte count for progress."""

from __future__ import annotations

import bz2
import gzip
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO, cast

from .errors import WxrError

# object, not None: tqdm.update returns a bool, and only the call matters.
ProgressCallback = Callable[[int], object]
STDIN = "-"


class CountingReader:
    """Reports the bytes read from the file itself (compressed bytes for .gz), for a progress bar."""

    def __init__(self, raw: BinaryIO, progress: ProgressCallback | None) -> None:
        self.raw = raw
        self.progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if self.progress and data:
            self.progress(len(data))
        return data

    def readable(self) -> bool:
        return True


def source_size(name: str) -> int | None:
    """Bytes the progress bar counts to (None for standard input)."""
    if name == STDIN:
        return None
    try:
        return Path(name).stat().st_size
    except OSError:
        return None  # a missing file is reported, with its name, by open_export


@contextmanager
def open_export(name: str, progress: ProgressCallback | None = None) -> Iterator[BinaryIO]:
    """Open an export for reading as bytes, decompressing .gz and .bz2 by their file name."""
    with ExitStack() as stack:
        if name == STDIN:
            raw: BinaryIO = sys.stdin.buffer
        else:
            try:
                raw = stack.enter_context(open(name, "rb"))
            except OSError as error:
                raise WxrError(f"{name}: cannot open: {error.strerror}") from None
        counted: BinaryIO = CountingReader(raw, progress)  # type: ignore[assignment]
        if name.endswith(".gz"):
            counted = cast(BinaryIO, stack.enter_context(gzip.GzipFile(fileobj=counted, mode="rb")))
        elif name.endswith(".bz2"):
            counted = cast(BinaryIO, stack.enter_context(bz2.BZ2File(counted, mode="rb")))
        yield counted
