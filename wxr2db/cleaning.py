"""A byte stream that repairs what WordPress exports get wrong, on the fly, and counts each repair.

WordPress's exporter writes post content as it is in the database, so control characters pasted
from Word (U+000B, U+001F ...), U+FFFE, and bytes that are not valid UTF-8 (Latin-1 text from an
old database) end up in files that claim to be UTF-8 XML. lxml refuses all of them. This stream
hands lxml UTF-8 with those removed or repaired, keeps line numbers unchanged, and records the
line of every repair.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import BinaryIO

CHUNK = 1 << 16

# Bytes the declared codec could not decode arrive as U+DC80..U+DCFF (Python's surrogateescape).
_BAD_BYTES = re.compile("[\udc80-\udcff]+")
# What XML 1.0 forbids: C0 controls but tab, newline and return; other lone surrogates; U+FFFE/U+FFFF;
# and the same written as character references, which lxml also refuses outside CDATA.
_BAD_REFERENCE = r"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));"
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udc7f\udd00-\udfff\ufffe\uffff]|" + _BAD_REFERENCE)
# `&#x0000000000001F;` is legal XML; a longer run after `&` is not a character reference.
_LONGEST_REFERENCE = 40
_DECLARATION = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_DECLARED_ENCODING = re.compile(r"""(<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])""")


_C0_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NONCHARACTER_BYTES = re.compile(rb"\xef\xbf[\xbe\xbf]")
_BAD_REFERENCE_BYTES = re.compile(_BAD_REFERENCE.encode("ascii"))


def _safe_cut(data: bytes) -> int:
    """Where to end this piece: after a newline, `>` or space, which are never inside a UTF-8
    sequence or a character reference; 0 (wait for more) when there is none."""
    return max(data.rfind(b"\n"), data.rfind(b">"), data.rfind(b" ")) + 1


def _clean_utf8(body: bytes) -> bool:
    """True when body is valid UTF-8 holding nothing XML 1.0 forbids (checked at C speed)."""
    if len(body.translate(None, _C0_BYTES)) != len(body):
        return False
    if _NONCHARACTER_BYTES.search(body) or _BAD_REFERENCE_BYTES.search(body):
        return False
    if body.isascii():
        return True
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass
class Repairs:
    """What the stream changed: for each kind of repair, the line of each one, in order."""

    lines: dict[str, list[int]] = field(default_factory=dict)

    def add(self, kind: str, line: int) -> None:
        self.lines.setdefault(kind, []).append(line)

    def total(self) -> int:
        return sum(len(v) for v in self.lines.values())


def detect_encoding(head: bytes) -> str:
    """The encoding a file declares: its byte order mark, then its XML declaration, else UTF-8."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    match = _DECLARATION.match(head)
    name = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


class CleanStream:
    """Wrap a binary file; `read()` returns UTF-8 bytes that XML 1.0 accepts."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.repairs = Repairs()
        self.encoding = ""
        self._line = 1
        self._decoder: codecs.IncrementalDecoder | None = None
        self._pending = bytearray()
        self._done = False
        self._carry = ""
        self._held = b""
        self.seen_text = False  # anything but white space yet: an empty file is reported as such

    @property
    def at_end(self) -> bool:
        """Everything has been read from the file."""
        return self._done and not self._held

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._pending) < size):
            self._fill()
        if size < 0:
            size = len(self._pending)
        out = bytes(self._pending[:size])
        del self._pending[:size]
        return out

    def _fill(self) -> None:
        data = self.raw.read(CHUNK)
        first = self._decoder is None
        if first:
            data = self._start(data)
        self._done = not data
        if self.encoding == "utf-8":
            self._fill_utf8(data, first)
        else:
            self._fill_decoded(data, first)

    def _fill_utf8(self, data: bytes, first: bool) -> None:
        """Most exports are clean UTF-8: check the bytes and pass them on untouched when they are."""
        data = self._held + data
        cut = len(data) if self._done else _safe_cut(data)
        body, self._held = data[:cut], data[cut:]
        if not body:
            return
        self.seen_text = self.seen_text or not body.isspace()
        if not first and _clean_utf8(body):
            self._line += body.count(b"\n")
            self._pending += body
            return
        self._add_text(body.decode("utf-8", errors="surrogateescape"), first)

    def _fill_decoded(self, data: bytes, first: bool) -> None:
        assert self._decoder is not None
        text = self._carry + self._decoder.decode(data, self._done)
        # A character reference cut by the chunk boundary (`&#` here, `1;` in the next chunk) would
        # slip past _FORBIDDEN: hold a trailing unfinished `&...` back for the next chunk.
        self._carry = ""
        cut = text.rfind("&", max(0, len(text) - _LONGEST_REFERENCE))
        if not self._done and cut >= 0 and ";" not in text[cut:]:
            text, self._carry = text[:cut], text[cut:]
        if text:
            self.seen_text = self.seen_text or not text.isspace()
            self._add_text(text, first)

    def _add_text(self, text: str, first: bool) -> None:
        if first:
            # lxml gets UTF-8 whatever the file declared (or misdeclared: an unknown encoding name
            # was read as UTF-8 too), so the declaration must say so.
            text = _DECLARED_ENCODING.sub(r"\1UTF-8\3", text.lstrip("\ufeff"), count=1)
        self._pending += self._clean(text).encode("utf-8")

    def _start(self, data: bytes) -> bytes:
        while data and len(data) < 1024:
            more = self.raw.read(CHUNK)
            if not more:
                break
            data += more
        self.encoding = detect_encoding(data[:1024])
        self._decoder = codecs.getincrementaldecoder(self.encoding)(errors="surrogateescape")
        return data

    def _clean(self, text: str) -> str:
        if _BAD_BYTES.search(text):
            text = _BAD_BYTES.sub(lambda m: self._repair_bytes(text, m), text)
        if _FORBIDDEN.search(text):
            text = _FORBIDDEN.sub(lambda m: self._remove(text, m), text)
        self._line += text.count("\n")
        return text

    def _line_of(self, text: str, match: re.Match[str]) -> int:
        return self._line + text.count("\n", 0, match.start())

    def _repair_bytes(self, text: str, match: re.Match[str]) -> str:
        # Undecodable bytes in a "UTF-8" export are almost always Windows-1252 text from an old
        # database (café written as caf\xe9), so read them that way rather than dropping them.
        self.repairs.add("invalid-bytes", self._line_of(text, match))
        raw = match.group().encode("utf-8", "surrogateescape")
        return raw.decode("cp1252", errors="replace")

    def _remove(self, text: str, match: re.Match[str]) -> str:
        self.repairs.add("invalid-character", self._line_of(text, match))
        return ""
