"""The synthetic WXR generator is deterministic, well-formed and tells the truth about its contents."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from benchmarks.synth import Counts, write_export

TARGET = 300_000
WP = "{http://wordpress.org/export/1.2/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Counts]:
    path = tmp_path_factory.mktemp("synth") / "seed1.xml"
    return path, write_export(path, target_bytes=TARGET, seed=1)


@pytest.fixture(scope="module")
def root(generated: tuple[Path, Counts]) -> etree._Element:
    return etree.parse(str(generated[0])).getroot()


def test_same_seed_gives_identical_bytes(generated: tuple[Path, Counts], tmp_path: Path) -> None:
    again = tmp_path / "again.xml"
    write_export(again, target_bytes=TARGET, seed=1)
    assert again.read_bytes() == generated[0].read_bytes()


def test_binary_file_target_gives_the_same_bytes(generated: tuple[Path, Counts]) -> None:
    buffer = io.BytesIO()
    counts = write_export(buffer, target_bytes=TARGET, seed=1)
    assert buffer.getvalue() == generated[0].read_bytes()
    assert counts == generated[1]


def test_different_seed_differs(generated: tuple[Path, Counts], tmp_path: Path) -> None:
    other = tmp_path / "seed2.xml"
    write_export(other, target_bytes=TARGET, seed=2)
    assert other.read_bytes() != generated[0].read_bytes()


def test_size_is_close_to_target(generated: tuple[Path, Counts]) -> None:
    size = generated[0].stat().st_size
    assert generated[1].bytes_written == size
    assert abs(size - TARGET) <= TARGET * 0.10


def max_depth(comments: list[etree._Element]) -> int:
    parents = {c.findtext(f"{WP}comment_id"): c.findtext(f"{WP}comment_parent") for c in comments}
    deepest = 0
    for comment_id in parents:
        depth, current = 0, comment_id
        while current in parents:
            depth += 1
            current = parents[current]
        deepest = max(deepest, depth)
    return deepest


def parsed_counts(root: etree._Element) -> dict[str, object]:
    items = root.findall("channel/item")
    by_type: dict[str, int] = {}
    for item in items:
        post_type = item.findtext(f"{WP}post_type")
        by_type[post_type] = by_type.get(post_type, 0) + 1
    return {
        "items_by_post_type": by_type,
        "comments": len(root.findall(f".//{WP}comment")),
        "max_comment_depth": max(max_depth(item.findall(f"{WP}comment")) for item in items),
        "postmeta": len(root.findall(f"channel/item/{WP}postmeta")),
        "commentmeta": len(root.findall(f".//{WP}commentmeta")),
        "authors": len(root.findall(f"channel/{WP}author")),
        "categories": len(root.findall(f"channel/{WP}category")),
        "tags": len(root.findall(f"channel/{WP}tag")),
        "terms": len(root.findall(f"channel/{WP}term")),
        "sticky": sum(item.findtext(f"{WP}is_sticky") == "1" for item in items),
    }


def test_counts_match_the_parsed_file(generated: tuple[Path, Counts], root: etree._Element) -> None:
    counts = generated[1]
    found = parsed_counts(root)
    expected = {key: getattr(counts, key) for key in found}
    assert found == expected
    assert counts.items == len(root.findall("channel/item"))


def test_file_has_the_variety_it_promises(generated: tuple[Path, Counts], root: etree._Element) -> None:
    counts = generated[1]
    assert set(counts.items_by_post_type) == {"post", "page", "attachment"}
    assert counts.max_comment_depth >= 3
    assert 3 <= counts.authors <= 10
    assert any(term.findtext(f"{WP}category_parent") for term in root.iter(f"{WP}category"))
    bodies = "\n".join(item.findtext(CONTENT) or "" for item in root.iter("item"))
    for marker in (
        "<!-- wp:paragraph -->",
        "[caption",
        "[gallery",
        "[embed]",
        "[code",
        "<pre>",
        "<ul>",
        "]]>",
    ):
        assert marker in bodies, marker
    assert any("\u4e00" <= ch <= "\u9fff" for ch in bodies), "CJK text"
    assert any("\u0590" <= ch <= "\u06ff" for ch in bodies), "RTL text"
    assert any(ord(ch) > 0xFFFF for ch in bodies), "astral-plane text (emoji)"


def test_gmt_dates_use_one_fixed_offset(generated: tuple[Path, Counts], root: etree._Element) -> None:
    offset = timedelta(minutes=generated[1].gmt_offset_minutes)
    fmt = "%Y-%m-%d %H:%M:%S"
    for item in root.iter("item"):
        gmt = item.findtext(f"{WP}post_date_gmt")
        if gmt == "0000-00-00 00:00:00":
            assert item.findtext(f"{WP}status") in ("draft", "pending")
            continue
        local = datetime.strptime(item.findtext(f"{WP}post_date"), fmt)
        assert datetime.strptime(gmt, fmt) == local - offset


def php_value(data: bytes, pos: int) -> int:
    """Check one PHP-serialized value starting at pos; return the position after it."""
    kind = data[pos : pos + 2]
    if kind == b"N;":
        return pos + 2
    if kind in (b"i:", b"d:", b"b:"):
        end = data.index(b";", pos)
        float(data[pos + 2 : end])
        return end + 1
    colon = data.index(b":", pos + 2)
    length = int(data[pos + 2 : colon])
    if kind == b"s:":
        assert data[colon + 1 : colon + 2] == b'"'
        start = colon + 2
        assert data[start + length : start + length + 2] == b'";', "string length is wrong"
        return start + length + 2
    assert kind == b"a:" and data[colon + 1 : colon + 2] == b"{"
    pos = colon + 2
    for _ in range(length):
        assert data[pos : pos + 2] in (b"i:", b"s:"), "array key must be int or string"
        pos = php_value(data, pos)
        pos = php_value(data, pos)
    assert data[pos : pos + 1] == b"}"
    return pos + 1


def assert_php_serialized(text: str) -> None:
    data = text.encode()
    assert php_value(data, 0) == len(data)


def test_php_checker_catches_a_wrong_byte_count() -> None:
    assert_php_serialized('a:1:{s:4:"file";s:5:"é.jpg";}'.replace("s:5:", "s:6:"))
    with pytest.raises(AssertionError):
        assert_php_serialized('a:1:{s:4:"file";s:5:"é.jpg";}')


def test_attachment_metadata_is_valid_php_serialization(root: etree._Element) -> None:
    values = [
        meta.findtext(f"{WP}meta_value")
        for meta in root.iter(f"{WP}postmeta")
        if meta.findtext(f"{WP}meta_key") == "_wp_attachment_metadata"
    ]
    assert values
    assert any(not value.isascii() for value in values), "some metadata should need byte counting"
    for value in values:
        assert_php_serialized(value)
