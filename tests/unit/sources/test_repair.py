"""The byte-repair stream (wxr2db/sources/repair.py) on its own: what it repairs, that where the file is
cut into reads never changes the result, and that its work stays proportional to the input."""

from __future__ import annotations

import codecs
import importlib
import io
import pkgutil
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from tests.helpers import FIXTURES, Trickle, cli
from tests.wxrbuild import controls, export, item, latin1, zeros
from wxr2db import iter_records
from wxr2db.errors import BrokenExportError
from wxr2db.records import Post, Problem
from wxr2db.sources import repair
from wxr2db.sources.repair import CleanStream, _CdataSplitter, detect_encoding

HEAD = b'<?xml version="1.0" encoding="UTF-8" ?>\n<r>'


def cleaned(data: bytes, step: int = 1 << 16, read_size: int = -1) -> tuple[bytes, CleanStream]:
    stream = CleanStream(Trickle(data, step), chunk=step)  # type: ignore[arg-type]
    out = bytearray()
    while piece := stream.read(read_size):
        out += piece
    return bytes(out), stream


def rss_end_moved(data: bytes) -> bytes:
    """What the stream passes on for a whole export: its </rss> held back to the very end (see _Mender)."""
    return data.replace(b"</rss>", b"") + b"</rss>\n"


def repairs(stream: CleanStream) -> list[tuple[str, int, list[int]]]:
    return list(stream.repairs.take_before(0))


def test_forbidden_characters_are_removed_and_counted_per_line() -> None:
    out, stream = cleaned(HEAD + b"a\x00\x01b\nc\x0bd&#1;e\n&#x1F;\xef\xbf\xbef</r>")
    assert out == HEAD + b"ab\ncde\nf</r>"
    assert repairs(stream) == [("invalid-character", 6, [2, 2, 3, 3, 4, 4])]


def test_invalid_utf8_is_read_as_windows_1252_and_counted() -> None:
    out, stream = cleaned(HEAD + b"caf\xe9 \x93quoted\x94\n\xff\xfe</r>")
    assert out == HEAD + "café “quoted”\nÿþ</r>".encode()
    # A run of bad bytes is one repair: \x93 and \x94 are two runs, \xff\xfe one.
    assert repairs(stream) == [("invalid-bytes", 4, [2, 2, 2, 3])]
    assert stream.encoding == "utf-8"


def test_repairs_are_reported_under_the_item_they_are_in() -> None:
    data = export(item(1, content="one\x01"), item(2, content="two"), item(3, content="caf\udce9 and \x02")).encode(
        "utf-8", "surrogateescape")
    one, three = (data[:data.index(word)].count(b"\n") + 1 for word in (b"one", b"caf"))
    records = list(iter_records(io.BytesIO(data)))
    problems = [(r.kind, r.item, r.detail) for r in records if isinstance(r, Problem)]
    assert problems == [
        ("invalid-character", 1, f"removed 1 character(s) XML 1.0 forbids in item 1 'A post' (line {one})"),
        ("invalid-bytes", 3, "read 1 run(s) of bytes that are not UTF-8 as Windows-1252 "
                             f"in item 3 'A post' (line {three})"),
        ("invalid-character", 3, f"removed 1 character(s) XML 1.0 forbids in item 3 'A post' (line {three})"),
    ]
    assert [r.content for r in records if isinstance(r, Post)] == ["one", "two", "café and "]


def test_clean_input_passes_byte_for_byte_with_no_repairs() -> None:
    # Tabs, newlines, carriage returns and references to allowed characters are XML 1.0's own.
    data = HEAD + "a\tb\r\nc &#9; &#x41; &amp; é 😀 \ue000".encode() + b"</r>"
    out, stream = cleaned(data, step=7)
    assert out == data
    assert repairs(stream) == [] and stream.repairs.total() == 0 and stream.encoding == "utf-8"


def test_at_end_only_once_everything_is_read() -> None:
    stream = CleanStream(Trickle(HEAD + b"abc</r>", 4), chunk=4)  # type: ignore[arg-type]
    first = stream.read(3)
    assert not stream.at_end
    rest = stream.read()
    assert stream.at_end and first + rest == HEAD + b"abc</r>" and stream.read() == b""


def test_take_before_gives_the_earlier_lines_and_keeps_the_rest() -> None:
    _, stream = cleaned(HEAD + b"\x01\n\x02\x03\n\n\x04\n</r>")  # on lines 2, 3, 3 and 5
    assert list(stream.repairs.take_before(3)) == [("invalid-character", 1, [2])]
    assert list(stream.repairs.take_before(3)) == []
    assert repairs(stream) == [("invalid-character", 3, [3, 3, 5])]
    assert stream.repairs.total() == 0


def test_a_reference_split_across_reads_is_still_removed() -> None:
    data = HEAD + b"x" * 100 + b"&#x1F;&#31;y</r>"
    for step in range(1, 40):
        out, stream = cleaned(data, step)
        assert out == HEAD + b"x" * 100 + b"y</r>", step
        assert stream.repairs.total() == 2


def test_thousands_of_repairs_on_many_lines_keep_count_and_first_lines() -> None:
    body = b"".join(b"\x01%d\n" % n for n in range(20_000))
    _, stream = cleaned(HEAD + body + b"</r>")
    # Memory stays bounded: the per-line runs are merged past a few thousand.
    assert sum(len(r) for r in stream.repairs.runs.values()) <= 4096
    [(kind, count, lines)] = repairs(stream)
    assert (kind, count, lines) == ("invalid-character", 20_000, list(range(2, 12)))


PIECES = [b"a", b" ", b"\n", b">", b"&", b"#", b"x", b"1", b"F", b";", b"\x00", b"\x0b", b"\xe9",
          b"\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9f\x98\x80", b"\xef\xbf\xbe", b"&#1;", b"&#x1f;", b"&amp;",
          b"\xff"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_every_read_size_gives_the_same_output(pieces: list[bytes]) -> None:
    data = HEAD + b"".join(pieces) + b"</r>"
    whole, stream = cleaned(data, 1 << 16)
    expected = repairs(stream)
    for step in range(1, len(data) + 1, 3):
        out, stream = cleaned(data, step, read_size=7)
        assert (out, repairs(stream)) == (whole, expected), step


def test_a_long_run_without_a_safe_cut_is_cut_at_a_character_boundary() -> None:
    # No newline, space or `>` for 300 KB: the stream must not hold it all, nor split a character.
    data = HEAD + "é€😀".encode() * 30_000 + b"\x00" * 10 + b"&#1;" + b"</r>"
    for step in (1000, 4093, 1 << 16):
        out, stream = cleaned(data, step)
        assert out == HEAD + "é€😀".encode() * 30_000 + b"</r>"
        assert stream.repairs.total() == 11


@pytest.mark.parametrize("build", [zeros, controls, latin1], ids=lambda b: b.__name__)
def test_work_per_input_byte_stays_constant(build: object) -> None:
    """A quadratic step (rescanning what is held, counting lines from the start for each repair)
    shows as work per byte that doubles with the input; this counts it, without timing."""
    assert callable(build)
    per_byte = []
    for n in (50_000, 100_000, 200_000):
        data = build(n)
        _, stream = cleaned(data, 4096)
        per_byte.append(stream.work / len(data))
    assert max(per_byte) <= 6, per_byte
    assert per_byte[2] <= per_byte[0] * 1.2, per_byte


class Watched(Trickle):
    """Records how many bytes the stream holds each time it reads more."""

    stream: CleanStream
    biggest = 0

    def read(self, size: int = -1) -> bytes:
        self.biggest = max(self.biggest, len(self.stream._held), len(self.stream._pending))
        return super().read(size)


def test_held_bytes_stay_bounded_on_a_run_of_zeros() -> None:
    raw = Watched(zeros(2_000_000), 4096)
    raw.stream = CleanStream(raw, chunk=4096)  # type: ignore[arg-type]
    while raw.stream.read(4096):
        pass
    assert 4096 < raw.biggest <= (1 << 16) + 4096


# --- encodings -------------------------------------------------------------------------------

SAMPLE = export(item(1, content="Ünïcödé — 😀 text")).replace('encoding="UTF-8"', 'encoding="{enc}"')


@pytest.mark.parametrize(("codec", "declared", "bom", "found"), [
    ("utf-16-le", "UTF-16", b"", "utf-16-le"),
    ("utf-16-be", "UTF-16", b"", "utf-16-be"),
    ("utf-16-le", "UTF-16", codecs.BOM_UTF16_LE, "utf-16"),
    ("utf-16-be", "UTF-16", codecs.BOM_UTF16_BE, "utf-16"),
    ("utf-32-le", "UTF-32", b"", "utf-32-le"),
    ("utf-32-be", "UTF-32", b"", "utf-32-be"),
    ("utf-32-le", "UTF-32", codecs.BOM_UTF32_LE, "utf-32"),
    ("utf-32-be", "UTF-32", codecs.BOM_UTF32_BE, "utf-32"),
    ("utf-8", "UTF-8", codecs.BOM_UTF8, "utf-8"),
])
def test_wide_encodings_are_detected_and_read(codec: str, declared: str, bom: bytes, found: str) -> None:
    text = SAMPLE.replace("{enc}", declared)
    data = bom + text.encode(codec)
    assert detect_encoding(data[:1024]) == found
    records = list(iter_records(io.BytesIO(data)))
    expected = list(iter_records(io.BytesIO(text.replace(declared, "UTF-8").encode())))
    assert records == expected
    assert [r.content for r in records if isinstance(r, Post)] == ["Ünïcödé — 😀 text"]


def test_utf16_without_a_declaration_or_bom_is_read() -> None:
    text = SAMPLE.split("\n", 1)[1]  # from <rss ...>: no XML declaration at all
    records = list(iter_records(io.BytesIO(text.encode("utf-16-le"))))
    assert [r.content for r in records if isinstance(r, Post)] == ["Ünïcödé — 😀 text"]


def test_a_cut_utf16_file_loses_only_the_odd_byte_and_says_so() -> None:
    data = ("<r>ab" + "\n" * 3 + "c</r>").encode("utf-16-le") + b"<"
    out, stream = cleaned(data)
    assert out == b"<r>ab\n\n\nc</r>"
    assert repairs(stream) == [("invalid-character", 1, [4])]


@pytest.mark.parametrize("codec", ["cp037", "cp500"])
def test_an_ebcdic_export_is_read_in_the_code_page_it_declares(codec: str) -> None:
    text = SAMPLE.replace("{enc}", codec.upper()).replace(" — 😀", "")
    assert detect_encoding(text.encode(codec)[:1024]) == codec
    records = list(iter_records(io.BytesIO(text.encode(codec))))
    assert [r.content for r in records if isinstance(r, Post)] == ["Ünïcödé text"]


def test_an_ascii_file_that_claims_utf16_is_read_as_what_it_is() -> None:
    assert detect_encoding(b'<?xml version="1.0" encoding="UTF-16"?><rss/>') == "utf-8"


def test_fixture_goes_through_unchanged_at_every_read_size() -> None:
    data = (FIXTURES / "sharing-and-collaboration.xml").read_bytes()
    for step in (1, 7, 1000, 1 << 16):
        out, stream = cleaned(data[:20_000], step)
        assert out == data[:20_000]
        assert stream.repairs.total() == 0


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_the_cli_imports_wide_exports_without_a_bom(codec: str, tmp_path: Path) -> None:
    """These got "not XML (Blank needed here)" before appendix F detection."""
    path = tmp_path / "wide.xml"
    path.write_bytes(SAMPLE.replace("{enc}", codec.upper()[:6]).encode(codec))
    result = cli("import", str(path), "--db", str(tmp_path / "w.db"))
    assert result.exit_code == 0, result.output
    rows = list(Database(tmp_path / "w.db").execute("SELECT id, content FROM posts"))
    assert rows == [(1, "Ünïcödé — 😀 text")]


# --- long CDATA sections ----------------------------------------------------------------------------

# Brackets and multi-byte characters at every place a split could fall; about 3 MB on one line.
LONG_TEXT = "word é ] €]] 😀 x" * 160_000


@pytest.mark.parametrize(("text", "splits"), [(LONG_TEXT, 3), ("]" * 1_100_000 + "é" + "]" * 1_100_000, 1)],
                         ids=["text", "brackets"])
def test_a_long_cdata_section_is_split_and_read_back_whole(text: str, splits: int) -> None:
    data = export(item(1, content=text)).encode()
    (out,) = {cleaned(data, step)[0] for step in (1000, 4093, 1 << 16)}  # the same whatever the reads
    assert out.count(b"]]><![CDATA[") == splits
    assert out.replace(b"]]><![CDATA[", b"") == rss_end_moved(data)
    (post,) = [r for r in iter_records(io.BytesIO(data)) if isinstance(r, Post)]
    assert post.content == text


@pytest.mark.parametrize("before", ["<!-- <![CDATA[ -->", "<?plugin <![CDATA[ ?>",
                                    '<!DOCTYPE rss [<!ENTITY x "<![CDATA[">]>'])
def test_a_cdata_marker_in_a_comment_pi_or_doctype_starts_no_section(before: str) -> None:
    # Taken for a section, the long text after it would get a `]]>`, which XML forbids there.
    text = export(item(1, extra=f"<wp:long>{'a' * 2_500_000}</wp:long>"))
    where = "<rss" if "DOCTYPE" in before else "<item>"
    text = text.replace(where, before + where, 1)
    out, _ = cleaned(text.encode())
    # A file with a DOCTYPE goes through as it is: its declarations may quote anything.
    assert out == (text.encode() if "DOCTYPE" in before else rss_end_moved(text.encode()))
    (post,) = [r for r in iter_records(io.BytesIO(out)) if isinstance(r, Post)]
    assert post.extra == {"wp:long": ["a" * 2_500_000]}


@pytest.mark.parametrize("where", ["same line", "next item"])
def test_an_error_after_a_split_section_names_its_line(where: str) -> None:
    """The splits add no newline: the line is right (the column on the long line is not)."""
    first = item(1, content=LONG_TEXT)
    if where == "same line":
        first = first.replace("</content:encoded>", "</content:encoded><a></b>", 1)
    text = export(first, item(2, title="<a></b>", raw_title=True))
    bad = text.index("<a></b>") if where == "same line" else text.index("<title><a></b></title>")
    with pytest.raises(BrokenExportError, match=f": line {text[:bad].count(chr(10)) + 1}, column"):
        list(iter_records(io.BytesIO(text.encode()), strict=True))


class StepByStep(_CdataSplitter):
    """The splitter without its shortcut: every section is found by a turn of pass_on's own loop."""

    def settled(self, data: bytes, pos: int) -> int:
        return pos


MARKUP_PIECES = [b"<![CDATA[", b"]]>", b"]", b"]]", b"<!--", b"-->", b"<?", b"?>", b"<!DOCTYPE", b"<", b"<!",
                 b"<a>", b"</a>", b">", b"-", b"x", b"\xc3\xa9", b"\n", b"]]]>"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(MARKUP_PIECES), max_size=80), st.integers(1, 12), st.integers(4, 40))
def test_the_splitters_shortcut_changes_no_byte(pieces: list[bytes], step: int, split: int) -> None:
    """Skipping text, tags and closed CDATA sections in one regex gives what finding each section in
    turn gives, wherever the reads cut the markers and whatever the split length."""
    data = b"".join(pieces)
    outputs = []
    for splitter in (_CdataSplitter(), StepByStep()):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("wxr2db.sources.repair.CDATA_SPLIT", split)
            outputs.append(b"".join(splitter.pass_on(data[i : i + step]) for i in range(0, len(data), step)))
    assert outputs[0] == outputs[1]


def test_the_shortcut_takes_an_exports_sections_in_a_few_calls() -> None:
    """A post's 40 CDATA fields cost one regex call, not a turn of the loop each."""
    calls = []

    class Counting(_CdataSplitter):
        def settled(self, data: bytes, pos: int) -> int:
            calls.append(pos)
            return super().settled(data, pos)

    fields = "".join(f"<f{n}><![CDATA[value {n} <!-- not a comment --> ]]></f{n}>" for n in range(40))
    data = export(*(item(i, extra=fields) for i in range(1, 51))).encode()
    splitter, read = Counting(), 1 << 16
    out = b"".join(splitter.pass_on(data[i : i + read]) for i in range(0, len(data), read))
    assert out == data
    assert data.count(b"<![CDATA[") > 2000 and len(calls) < 20


# --- the settled-run patterns, without possessive quantifiers (Python 3.10 has none) ---------------

# What the patterns were with possessive quantifiers (Python 3.11 and later): the reference they keep to.
POSSESSIVE = {
    "_SETTLED": rb"(?:[^<]++|<(?=[^!?])[^<]*+|<!\[CDATA\[(?:[^\]]++|\](?!\]>))*+\]\]>)*+",
    "_SETTLED_MENDING": rb"(?:[^<&\]]++|\](?!\]>)|<(?=[A-Za-z_:\x80-\xff]|/(?!rss\b))(?!rss\b|item[\s>])"
                        rb"[^<&\]]*+|<!\[CDATA\[(?:[^\]]++|\](?!\]>))*+\]\]>(?=\s*+<[/!])"
                        rb"|&(?:amp|lt|gt|quot|apos|#[0-9]++|#[xX][0-9a-fA-F]++);)*+",
}
PIECES = [b"<", b">", b"]", b"]]>", b"<![CDATA[", b"a", b" ", b"&", b"&amp;", b"&#12;", b"&#x1f;", b"<!--", b"<?",
          b"</", b"<rss", b"</rss>", b"item", b"<item>", b"!", b"\n", b"#", b";", b"\xc3\xa9", b"<!DOCTYPE"]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the reference patterns need Python 3.11+")
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.integers(min_value=0, max_value=200))
def test_settled_runs_end_where_the_possessive_patterns_ended(pieces: list[bytes], start: int) -> None:
    data = b"".join(pieces)
    pos = min(start, len(data))
    for name, reference in POSSESSIVE.items():
        found, expected = getattr(repair, name).match(data, pos), re.compile(reference).match(data, pos)
        assert found is not None and expected is not None
        assert found.end() == expected.end(), name


def test_no_pattern_needs_a_newer_python_than_the_package_claims() -> None:
    """Possessive quantifiers and atomic groups came with Python 3.11: with them, every command
    stopped at its first import on Python 3.10, which pyproject.toml accepts."""
    newer = re.compile(r"[*+?}]\+|\(\?>")
    found = []
    for module in iter_wxr2db_modules():
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                text = value.pattern.decode("latin-1") if isinstance(value.pattern, bytes) else value.pattern
                bare = re.sub(r"\\.|\[(?:\\.|[^\]\\])*\]", "x", text)  # an escape or a class is one atom
                if newer.search(bare):
                    found.append(f"{module.__name__}.{name}")
    assert found == []


def iter_wxr2db_modules() -> list[ModuleType]:
    import wxr2db

    return [importlib.import_module(info.name)
            for info in pkgutil.walk_packages(wxr2db.__path__, "wxr2db.")]
