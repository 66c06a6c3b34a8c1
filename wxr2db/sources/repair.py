"""A byte stream that repairs what WordPress exports get wrong, on the fly, and counts each repair.

WordPress's exporter writes post content as it is in the database, so control characters pasted
from Word (U+000B, U+001F ...), U+FFFE, and bytes that are not valid UTF-8 (Latin-1 text from an
old database) end up in files that claim to be UTF-8 XML. lxml refuses all of them. This stream
hands lxml UTF-8 with those removed or repaired, keeps line numbers unchanged, and records the
line of every repair. Every byte is looked at a bounded number of times and the stream holds at
most about HOLD_LIMIT + chunk bytes, whatever the input (a gigabyte of NULs on one line included).
"""

from __future__ import annotations

import bisect
import codecs
import collections
import functools
import html.entities
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

CHUNK = 1 << 16
# A run this long without newline, space or `>` is cut anyway, at a character boundary.
HOLD_LIMIT = 1 << 16
# Repairs kept per kind before older ones are merged (only a hostile file has this many in one item).
MAX_RUNS = 4096
_EXACT_RUNS = 16

# Bytes the codec could not decode arrive as U+DC00..U+DCFF (see _escape_bytes); from U+DC80 they
# are bytes that may be Windows-1252 text, below that ASCII bytes in a UTF-16/32 file, which are removed.
_BAD_BYTES = re.compile("[\udc80-\udcff]+")
# What XML 1.0 forbids: C0 controls but tab, newline and return; other lone surrogates; U+FFFE/U+FFFF;
# and the same written as character references, which lxml also refuses outside CDATA.
_BAD_REFERENCE = r"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));"
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udc7f\udd00-\udfff\ufffe\uffff]+|" + _BAD_REFERENCE)
# `&#x0000000000001F;` is legal XML; a longer run after `&` is not a character reference.
_LONGEST_REFERENCE = 40
_DECLARATION = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_DECLARED_ENCODING = re.compile(r"""(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])""")
_DECLARATION_SPAN = 1024

# libxml2 keeps a CDATA section whole until its `]]>` before it makes the text (three copies of a
# 50 MB one-line post at once). A section open longer than this is closed and opened again
# (`]]><![CDATA[`); lxml reads adjacent sections back as one text, byte for byte.
CDATA_SPLIT = 1 << 20
_MARKUP = re.compile(rb"<(?:!\[CDATA\[|!--|\?|!DOCTYPE)")
_MARKUP_ENDS = {b"<![CDATA[": b"]]>", b"<!--": b"-->", b"<?": b"?>"}
_REOPEN = b"]]><![CDATA["
# From a place outside any section: text, tags and whole CDATA sections, up to the next comment, PI,
# DOCTYPE or unclosed CDATA section (or a `<` the piece ends on); it takes an export's 40 CDATA sections
# per post in one call instead of a loop turn each. Python 3.10 has no possessive quantifiers, so the
# patterns never need one: each is unrolled (a run of plain bytes, then any number of one special thing
# followed by a run of plain bytes), no two specials start alike, and the loop ends the pattern, so the
# first way through is the match; a section left open costs one pass back over it.
_CDATA_SECTION = rb"<!\[CDATA\[[^\]]*(?:\](?!\]>)[^\]]*)*\]\]>"
_SETTLED = re.compile(rb"[^<]*(?:(?:<(?=[^!?])|" + _CDATA_SECTION + rb")[^<]*)*")
# The same for a stream that mends (see _Mender): it also stops at what XML refuses and WordPress's own
# importer reads all the same: an `&` that starts no XML reference, a `<` that starts no tag, a `]]>`
# outside CDATA or one inside a section that is not its end (followed by text, not by `</` or `<!`),
# and the <rss> tags a second document pasted after the first brings.
_SETTLED_MENDING = re.compile(
    rb"[^<&\]]*(?:(?:\](?!\]>)"
    rb"|<(?=[A-Za-z_:\x80-\xff]|/(?!rss\b))(?!rss\b|item[\s>])"
    rb"|" + _CDATA_SECTION + rb"(?=\s*<[/!])"
    rb"|&(?:amp|lt|gt|quot|apos|#[0-9]+|#[xX][0-9a-fA-F]+);)[^<&\]]*)*"
)
_LOOKBEHIND = 8  # bytes of a piece a marker may have begun in (`<!DOCTYPE` is 9 long)
# Where a section may be split: after a byte that is not `]` (a `]]>` may be just beginning) and
# before a byte that starts a UTF-8 character.
_SPLIT_POINT = re.compile(rb"[^\]][\x00-\x7f\xc0-\xff]")

_C0_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NONCHARACTER_BYTES = re.compile(rb"\xef\xbf[\xbe\xbf]")
_BAD_REFERENCE_BYTES = re.compile(_BAD_REFERENCE.encode("ascii"))

# XML 1.0 appendix F: the first four bytes of a document without a byte order mark say how wide its
# characters are, since it must start with `<` (or white space) in some encoding of ASCII.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF16_BE, "utf-16"), (codecs.BOM_UTF16_LE, "utf-16"),
)
_WIDE_ENCODINGS: dict[tuple[bool, ...], str] = {
    (True, True, True, False): "utf-32-be", (False, True, True, True): "utf-32-le",
    (True, False, True, False): "utf-16-be", (False, True, False, True): "utf-16-le",
}


_EBCDIC_DECLARATION = b"\x4c\x6f\xa7\x94"


def _escape_bytes(error: UnicodeError) -> tuple[str, int]:
    """Like surrogateescape, but also for ASCII bytes a UTF-16 or UTF-32 decoder cannot place."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    return "".join(chr(0xDC00 + b) for b in bad), error.end


codecs.register_error("wxr2db-escape", _escape_bytes)


def _safe_cut(data: bytes | bytearray) -> int:
    """Where to end this piece: after a newline, `>` or space, which are never inside a UTF-8
    sequence, a run of bad bytes or a character reference; 0 (wait for more) when there is none.
    Never right after a `]]>`: whether it ends its CDATA section depends on what follows it."""
    tag_end = data.rfind(b">")
    while tag_end >= 2 and data[tag_end - 2 : tag_end] == b"]]":
        tag_end = data.rfind(b">", 0, tag_end - 2)
    return max(data.rfind(b"\n"), tag_end, data.rfind(b" ")) + 1


def _forced_cut(data: bytes | bytearray) -> int:
    """A cut near the end of a long run without a safe cut: before an unfinished `&...` that may be
    a character reference and before an unfinished UTF-8 sequence."""
    end = len(data)
    amp = data.rfind(b"&", max(0, end - _LONGEST_REFERENCE))
    if amp >= 0 and b";" not in data[amp:]:
        end = amp
    for i in range(end - 1, max(0, end - 4) - 1, -1):
        byte = data[i]
        if byte < 0x80:
            break
        if byte >= 0xC0:
            width = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            if i + width > end:
                end = i
            break
    return end


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
    """What the stream changed and the reader has not reported yet: for each kind of repair, the
    lines in order, as [line, repairs on it] (a megabyte of NULs on one line is one entry)."""

    runs: dict[str, list[list[int]]] = field(default_factory=dict)

    def add(self, kind: str, line: int, count: int = 1) -> None:
        runs = self.runs.setdefault(kind, [])
        if runs and runs[-1][0] == line:
            runs[-1][1] += count
            return
        runs.append([line, count])
        if len(runs) > MAX_RUNS:
            # Memory stays bounded: merge neighbours past the first few, which give the lines shown.
            tail = runs[_EXACT_RUNS:]
            merged = [[a[0], a[1] + b[1]] for a, b in zip(tail[::2], tail[1::2], strict=False)]
            runs[_EXACT_RUNS:] = merged + ([tail[-1]] if len(tail) % 2 else [])

    def total(self) -> int:
        return sum(count for runs in self.runs.values() for _, count in runs)

    def take_before(self, line: int) -> Iterator[tuple[str, int, list[int]]]:
        """Remove and yield (kind, count, first ten lines) of the repairs before `line` (all for 0)."""
        for kind, runs in self.runs.items():
            end = bisect.bisect_left(runs, line, key=lambda run: run[0]) if line else len(runs)
            if end:
                taken = runs[:end]
                del runs[:end]
                yield kind, sum(count for _, count in taken), _first_lines(taken, 10)


def _first_lines(runs: list[list[int]], limit: int) -> list[int]:
    lines: list[int] = []
    for line, count in runs:
        lines += [line] * min(count, limit - len(lines))
        if len(lines) >= limit:
            break
    return lines


def detect_encoding(head: bytes) -> str:
    """The encoding a file is in: its byte order mark, the width of its first characters (XML 1.0
    appendix F), then its XML declaration, else UTF-8."""
    for mark, name in _BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return name
    wide = _WIDE_ENCODINGS.get(tuple(b == 0 for b in head[:4]))
    if wide:
        return wide
    if head.startswith(_EBCDIC_DECLARATION):
        # `<?xm` in EBCDIC (an IBM mainframe's export): its declaration names the code page.
        return _declared(head.decode("cp037").encode("ascii", "replace"), "cp037")
    found = _declared(head, "utf-8")
    # An ASCII-compatible file that declares UTF-16 or UTF-32 has neither: trust the bytes.
    return "utf-8" if found.startswith(("utf-16", "utf-32")) else found


def _declared(head: bytes, default: str) -> str:
    """The encoding the XML declaration names, if Python knows it."""
    match = _DECLARATION.match(head)
    if not match:
        return default
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return default


class _CdataSplitter:
    """Follows CDATA sections, comments and processing instructions through the stream's output,
    and splits a CDATA section that stays open past CDATA_SPLIT bytes. It never adds a newline, so
    lines in error messages stay right. A file with a DOCTYPE (WordPress writes none) goes through
    as it is: its declarations may quote a `<![CDATA[`."""

    def __init__(self, mender: _Mender | None = None) -> None:
        self.mender = mender
        self.end = b""  # what closes the comment, PI or CDATA section the stream is in
        self.opened = 0  # where the CDATA section began, or was last split, in bytes passed on
        self.passed = 0  # bytes of the pieces passed on so far, without the ones added
        self.recent = b""  # the end of the last piece, where the next marker may have begun
        self.off = False

    def pass_on(self, piece: bytes, line: int = 0) -> bytes:
        if self.off:
            return piece
        data, start = self.recent + piece, len(self.recent)
        base = self.passed - start  # data[i] is byte base + i of the stream
        mender = self.mender
        if mender is not None:
            mender.start(data, start, line)
        pos = 0
        while True:
            if not self.end:
                pos = self.settled(data, pos)
                if mender is not None and pos < len(data):
                    mended = mender.mend_at(pos)
                    if mended > pos:
                        pos = mended
                        continue
                found = _MARKUP.search(data, pos)
                if found is None:
                    break
                if found.group() == b"<!DOCTYPE":
                    self.off = True
                    return piece
                self.end, pos, self.opened = _MARKUP_ENDS[found.group()], found.end(), base + found.end()
                continue
            closed = data.find(self.end, pos)
            if closed < 0:
                break
            if mender is not None and self.end == b"]]>" and mender.inner_end(closed):
                pos = closed + 3  # a `]]>` that is text of the section, which stays open
                continue
            pos, self.end = closed + len(self.end), b""
        self.passed += len(piece)
        if self.end == b"]]>" and base + len(data) > self.opened + CDATA_SPLIT:
            # The first split point from CDATA_SPLIT bytes on: where the file was cut into reads
            # never moves it.
            found = _SPLIT_POINT.search(data, max(self.opened + CDATA_SPLIT - base, start, 1) - 1)
            if found is not None:
                cut = found.start() + 1
                if mender is not None:
                    mender.edits.append((cut, cut, _REOPEN))
                else:
                    piece = piece[: cut - start] + _REOPEN + piece[cut - start :]
                pos, self.opened = cut, base + cut
        self.recent = data[max(pos, len(data) - _LOOKBEHIND) :]
        return mender.finish() if mender is not None else piece

    def settled(self, data: bytes, pos: int) -> int:
        """Where what follows pos stops being settled (see _SETTLED): nothing before it opens a
        section, and no marker begins in it."""
        found = (_SETTLED if self.mender is None else _SETTLED_MENDING).match(data, pos)
        return found.end() if found is not None else pos


_NAMED_REFERENCE = re.compile(rb"&([A-Za-z][A-Za-z0-9]{0,31});")
_CDATA_TEXT_END = re.compile(rb"\]\]>\s*(?=<[/!])")
_XML_DECLARATION = re.compile(rb"<\?xml[\s?]")
_RSS_TAG = re.compile(rb"</?rss\b[^<>]*>")
_HTML_ENTITIES = {name[:-1].encode("ascii"): char for name, char in html.entities.html5.items()
                  if name.endswith(";")}


class _Mender:
    """Mends, in the stream's output, what WordPress's importer reads although XML refuses it (its
    WXR_Parser_Regex reads each <item> with regular expressions when the XML parser fails): a bare `&`
    (`?a=1&b=2` in an image URL) becomes `&amp;`; an HTML entity (`&mdash;`, `&eacute;`) outside CDATA
    becomes its character; a `<` that starts no tag (`a < b` in a title) becomes `&lt;`; a `]]>` that a
    plugin left inside a CDATA section is split as WordPress's exporter splits it; and a second document
    pasted after the first (`</rss>` then `<?xml ...?><rss ...>`) is read as more of the first. Each
    mend is a repair with its line. Edits are collected in the splitter's coordinates and made at
    the end of a piece, so the splitter's positions stay true."""

    def __init__(self, repairs: Repairs) -> None:
        self.repairs = repairs
        self.data = b""
        self.start_at = 0
        self.line = 1
        self.counted = 0  # where self.line was counted up to
        self.edits: list[tuple[int, int, bytes]] = []
        self.rss_open = 0  # <rss> start tags passed on
        self.held_rss_end = False  # a </rss> was taken out, and one is owed at the end of the stream
        # Where each <item> start tag outside sections is in the output, with its line, for a reader
        # that starts reading again at the next item after an error (see sources.wxr); only on request.
        self.track_items = False
        self.item_starts: collections.deque[tuple[int, int]] = collections.deque()
        self.marks: list[tuple[int, int]] = []
        self.emitted = 0  # bytes of output before this piece
    def start(self, data: bytes, start: int, line: int) -> None:
        self.data, self.start_at, self.line, self.counted, self.edits = data, start, line, start, []
        self.marks = []

    def line_at(self, pos: int) -> int:
        self.line += self.data.count(b"\n", self.counted, pos)
        self.counted = pos
        return self.line

    def edit(self, pos: int, end: int, new: bytes, kind: str) -> int:
        if pos >= self.start_at:  # what lies in the look-behind was mended with the last piece
            self.edits.append((pos, end, new))
            if kind == "rss-end":
                self.held_rss_end = True
            else:
                self.repairs.add(kind, self.line_at(pos))
        return end

    def mend_at(self, pos: int) -> int:
        """Mend what the settled scan stopped at; where to go on from (pos when it is markup)."""
        data = self.data
        byte = data[pos : pos + 1]
        if byte == b"&":
            return self.reference(pos)
        if byte == b"]":
            return self.edit(pos, pos + 3, b"]]&gt;", "cdata-end-in-text")
        if self.rss_open and _XML_DECLARATION.match(data, pos):
            end = data.find(b"?>", pos)
            return self.edit(pos, end + 2, b"", "second-document") if end > 0 else pos
        if data.startswith((b"<rss", b"</rss"), pos):
            return self.rss_tag(pos)
        if data.startswith(b"<item", pos) and (data[pos + 5 : pos + 6].isspace() or data[pos + 5 : pos + 6] == b">"):
            if self.track_items and pos >= self.start_at:
                self.marks.append((pos, self.line_at(pos)))
            return pos + 5
        after = data[pos + 1 : pos + 2]
        if byte == b"<" and not (after.isalpha() or after in (b"!", b"?", b"/", b"_", b":", b"") or after >= b"\x80"):
            return self.edit(pos, pos + 1, b"&lt;", "bare-less-than")
        # Markup the splitter follows (a comment, PI, section) or the end of the piece; else a tag
        # this does not mend (`<rss` without its `>`), which the parser judges.
        return pos if after in (b"!", b"?", b"") else pos + 1

    def reference(self, pos: int) -> int:
        found = _NAMED_REFERENCE.match(self.data, pos)
        char = _HTML_ENTITIES.get(found.group(1)) if found else None
        if found and char is not None:
            new = "".join(f"&#{ord(c)};" for c in char).encode("ascii")
            return self.edit(pos, found.end(), new, "html-entity")
        return self.edit(pos, pos + 1, b"&amp;", "bare-ampersand")

    def rss_tag(self, pos: int) -> int:
        found = _RSS_TAG.match(self.data, pos)
        if found is None:
            return pos
        if found.group().startswith(b"</"):
            # Every </rss> is held back and one is written at the very end: what follows the first
            # document (a second export, a PHP warning) is read inside it.
            return self.edit(pos, found.end(), b"", "rss-end")
        self.rss_open += 1
        if self.rss_open == 1:
            return found.end()
        return self.edit(pos, found.end(), b"", "second-document")

    def inner_end(self, closed: int) -> bool:
        """True (and mended) when the `]]>` at `closed` is text inside a CDATA section: text, not a
        closing tag or another section, follows it. At the end of the piece it is taken as the end."""
        rest = self.data[closed + 3 : closed + 3 + 256].lstrip()
        if not rest or _CDATA_TEXT_END.match(self.data, closed):
            return False
        self.edit(closed, closed + 3, b"]]]]><![CDATA[>", "cdata-end-in-text")
        return True

    def finish(self) -> bytes:
        """The piece with every edit made; the output offsets of the item start tags it holds."""
        data, last = self.data, self.start_at
        if not self.edits and not self.marks:
            out = data[last:]
            self.emitted += len(out)
            return out
        built = bytearray()
        # A mark sorts before an edit at the same place: its offset is where the tag starts.
        changes = sorted([(pos, 0, pos, b"", line) for pos, line in self.marks]
                         + [(pos, 1, end, new, 0) for pos, end, new in self.edits])
        for pos, is_edit, end, new, line in changes:
            built += data[last:pos]
            last = pos
            if not is_edit:
                self.item_starts.append((self.emitted + len(built), line))
                continue
            built += new
            last = end
        built += data[last:]
        self.emitted += len(built)
        return bytes(built)


class _Lines:
    """Line numbers of positions in one piece of text, asked in increasing order: each character
    is counted once, however many repairs the piece holds."""

    def __init__(self, text: str, first_line: int, stream: CleanStream) -> None:
        self.text, self.line, self.pos, self.stream = text, first_line, 0, stream

    def at(self, pos: int) -> int:
        self.line += self.text.count("\n", self.pos, pos)
        self.stream.work += pos - self.pos
        self.pos = pos
        return self.line


@functools.lru_cache(maxsize=4096)
def _as_cp1252(escaped: str) -> str:
    """A run of escaped bytes (U+DC80..U+DCFF) read as Windows-1252; cached, as an old database's
    text repeats the same few (accented letters, curly quotes) thousands of times."""
    return escaped.encode("utf-8", "surrogateescape").decode("cp1252", errors="replace")


class CleanStream:
    """Wrap a binary file; `read()` returns UTF-8 bytes that XML 1.0 accepts.

    `work` counts the bytes and characters the stream examined, for tests that check it stays
    proportional to the input.
    """

    def __init__(self, raw: BinaryIO, chunk: int = CHUNK, *, mend: bool = True) -> None:
        self.raw = raw
        self.chunk = chunk
        self.repairs = Repairs()
        self.encoding = ""
        self.work = 0
        self._line = 1
        self._decoder: codecs.IncrementalDecoder | None = None
        self._pending = bytearray()
        self._done = False
        self._carry = ""
        self._held = bytearray()
        self._declaration_seen = False
        self._mender = _Mender(self.repairs) if mend else None
        self._cdata = _CdataSplitter(self._mender)
        self.seen_text = False  # anything but white space yet: an empty file is reported as such

    def track_items(self) -> collections.deque[tuple[int, int]] | None:
        """Have the stream list where each <item> start tag is in its output (offset, line), for a
        reader that starts again at the next item after an error; None when it does not mend."""
        if self._mender is None:
            return None
        self._mender.track_items = True
        return self._mender.item_starts

    @property
    def mends(self) -> bool:
        """The stream mends what WordPress's importer reads (see _Mender); False with --strict."""
        return self._mender is not None

    @property
    def has_doctype(self) -> bool:
        """The file declares a DOCTYPE (WordPress writes none): its entities are never expanded."""
        return self._cdata.off

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
        data = self.raw.read(self.chunk)
        if self._decoder is None:
            data = self._start(data)
        self._done = not data
        self.work += len(data)
        if self.encoding == "utf-8":
            self._fill_utf8(data)
        else:
            self._fill_decoded(data)
        if self._done and self._mender is not None and self._mender.held_rss_end:
            self._pending += b"</rss>\n"
            self._mender.held_rss_end = False

    def _fill_utf8(self, data: bytes) -> None:
        """Most exports are clean UTF-8: check the bytes and pass them on untouched when they are."""
        held = len(self._held)
        self._held += data
        if self._done:
            cut = len(self._held)
        else:
            # What is held has no safe cut (it was cut after the last one): look in the new bytes only.
            safe = _safe_cut(data)
            cut = held + safe if safe else 0
            if not cut and len(self._held) >= HOLD_LIMIT:
                cut = _forced_cut(self._held)
                self.work += len(self._held) - cut
        if not cut:
            return
        body = bytes(self._held[:cut])
        del self._held[:cut]
        self.work += len(body)
        self.seen_text = self.seen_text or not body.isspace()
        if self._declaration_seen and _clean_utf8(body):
            line = self._line
            self._line += body.count(b"\n")
            self._pass_on(body, line)
            return
        # Bad bytes in UTF-8 are never ASCII, so Python's own (C) surrogateescape suffices here.
        self._add_text(body.decode("utf-8", errors="surrogateescape"))

    def _fill_decoded(self, data: bytes) -> None:
        assert self._decoder is not None
        text = self._carry + self._decoder.decode(data, self._done)
        # A character reference cut by the chunk boundary (`&#` here, `1;` in the next chunk) would
        # slip past _FORBIDDEN: hold a trailing unfinished `&...` back for the next chunk.
        self._carry = ""
        cut = text.rfind("&", max(0, len(text) - _LONGEST_REFERENCE))
        if not self._done and cut >= 0 and ";" not in text[cut:]:
            text, self._carry = text[:cut], text[cut:]
        elif not self._done and text.endswith(("]", "]]>")):
            # Whether a `]]>` ends its CDATA section depends on what follows it (see _Mender).
            cut = len(text.rstrip("]>"))
            text, self._carry = text[:cut], text[cut:]
        if text:
            self.seen_text = self.seen_text or not text.isspace()
            self._add_text(text)

    def _add_text(self, text: str) -> None:
        if not self._declaration_seen:
            # lxml gets UTF-8 whatever the file declared (or misdeclared: an unknown encoding name
            # was read as UTF-8 too), so the declaration must say so.
            self._declaration_seen = True
            text = text.lstrip("\ufeff")
            head = _DECLARED_ENCODING.sub(r"\1UTF-8\3", text[:_DECLARATION_SPAN], count=1)
            text = head + text[_DECLARATION_SPAN:]
        line = self._line
        self._pass_on(self._clean(text).encode("utf-8"), line)

    def _pass_on(self, piece: bytes, line: int) -> None:
        self._pending += self._cdata.pass_on(piece, line)

    def _start(self, data: bytes) -> bytes:
        while data and len(data) < _DECLARATION_SPAN:
            more = self.raw.read(self.chunk)
            if not more:
                break
            data += more
        self.encoding = detect_encoding(data[:_DECLARATION_SPAN])
        self._decoder = codecs.getincrementaldecoder(self.encoding)(errors="wxr2db-escape")
        return data

    def _clean(self, text: str) -> str:
        self.work += len(text)
        if _BAD_BYTES.search(text):
            lines = _Lines(text, self._line, self)
            text = _BAD_BYTES.sub(lambda m: self._repair_bytes(lines.at(m.start()), m), text)
        if _FORBIDDEN.search(text):
            lines = _Lines(text, self._line, self)
            text = _FORBIDDEN.sub(lambda m: self._remove(lines.at(m.start()), m), text)
        self._line += text.count("\n")
        return text

    def _repair_bytes(self, line: int, match: re.Match[str]) -> str:
        # Undecodable bytes in a "UTF-8" export are almost always Windows-1252 text from an old
        # database (café written as caf\xe9), so read them that way rather than dropping them.
        self.repairs.add("invalid-bytes", line)
        return _as_cp1252(match.group())

    def _remove(self, line: int, match: re.Match[str]) -> str:
        # One match is one reference or a run of forbidden characters (never a newline): one each.
        found = match.group()
        self.repairs.add("invalid-character", line, 1 if found.startswith("&") else len(found))
        return ""
