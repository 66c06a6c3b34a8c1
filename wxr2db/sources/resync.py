"""Start reading again at the next <item> after an XML error, as WordPress's importer does.

When an export is not well-formed, WordPress's importer falls back to WXR_Parser_Regex, which reads each
`<item>...</item>` on its own, so one broken item costs at most that item. The reader does the same while
streaming: it keeps the bytes lxml was given since the start of the item it is in (ItemWindow), and on
an error reads the broken item alone with libxml2's recovering parser (sources.wxr), then goes on with a
new parser from the next `<item>` start tag the stream found. Nothing here holds more than the item
being read.
"""

from __future__ import annotations

import io
import tempfile
from collections import deque
from xml.sax.saxutils import quoteattr

# An item larger than this waits on disk, not in memory, beside lxml's copy (a 50 MB post is held once).
WINDOW_LIMIT = 512 * 1024


class ItemWindow:
    """The bytes handed to lxml since the start of the item being read (or, between items, since the
    next item's start tag), and where each item start tag is: `starts` is CleanStream's list of
    (offset in its output, line), which the stream fills as it reads and the reader empties as lxml
    reports each item's start."""

    def __init__(self, starts: deque[tuple[int, int]]) -> None:
        self.starts = starts
        # Closed by the reader when it ends (ItemWindow.close); on disk it is unlinked from the start.
        self.file = tempfile.SpooledTemporaryFile(max_size=WINDOW_LIMIT, prefix="wxr2db-item-")  # noqa: SIM115
        self.size = 0
        self.at = 0  # the stream offset of the file's first byte
        self.open_at: tuple[int, int] | None = None  # (offset, line) of the item lxml is in
        self.resumed_at = -1  # the offset the last resync started at: never start there twice

    @property
    def end(self) -> int:
        return self.at + self.size

    def add(self, data: bytes) -> None:
        self.file.seek(0, io.SEEK_END)
        self.file.write(data)
        self.size += len(data)

    def item_started(self, line: int) -> None:
        """lxml reports an item starting on `line`: its start tag is the first one listed there."""
        starts = self.starts
        while starts and starts[0][1] < line:
            starts.popleft()
        self.open_at = starts.popleft() if starts and starts[0][1] == line else None

    def item_ended(self) -> None:
        self.open_at = None

    def trim(self) -> None:
        """Let go of what comes before the item being read, or before the next one."""
        if self.open_at is not None:
            keep = self.open_at[0]
        else:
            keep = min(self.starts[0][0], self.end) if self.starts else self.end
        if keep <= self.at:
            return
        rest = self.since(keep)
        self.file.seek(0)
        self.file.truncate()
        self.at, self.size = keep, 0
        self.add(rest)

    def next_start(self) -> tuple[int, int] | None:
        """The next item start tag after the last place reading started again, if the stream has found one."""
        while self.starts and self.starts[0][0] <= self.resumed_at:
            self.starts.popleft()
        return self.starts[0] if self.starts else None

    def since(self, offset: int) -> bytes:
        return self.between(offset, self.end)

    def between(self, start: int, end: int) -> bytes:
        start, end = max(start, self.at), min(end, self.end)
        if end <= start:
            return b""
        self.file.seek(start - self.at)
        return self.file.read(end - start)

    def close(self) -> None:
        self.file.close()


def prologue(nsmap: dict[str | None, str]) -> bytes:
    """`<rss ...><channel>` declaring the namespaces the export's channel has, on one line."""
    declarations = "".join(
        f" xmlns{':' + prefix if prefix else ''}={quoteattr(uri)}" for prefix, uri in nsmap.items()
    )
    return f'<rss version="2.0"{declarations}><channel>'.encode()
