"""What WordPress's importer reads although XML refuses it is read by default, every repair named by
item and line; --strict refuses each such file with one line. The count of posts stored is the count
of <item>...</item> pairs WordPress's fallback parser (WXR_Parser_Regex) finds."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.helpers import cli, error_line
from tests.wxrbuild import comment, export, item
from wxr2db import iter_records
from wxr2db.errors import BrokenExportError
from wxr2db.records import Post, Problem

# Each damage: (where it can go in an item's text, the raw text, the repair kind, what is read).
DAMAGE = {
    "bare-ampersand": ("https://example.com/a.jpg?w=1&h=2", "https://example.com/a.jpg?w=1&h=2"),
    "html-entity": ("Tea &mdash; caf&eacute; &nbsp;", "Tea \u2014 caf\u00e9 \u00a0"),
    "bare-less-than": ("1 < 2 and 3 <= 4", "1 < 2 and 3 <= 4"),
}
PLACES = ["title", "comment", "postmeta"]


def raw_item(post_id: int, place: str, raw: str) -> str:
    """An item with `raw` written as is (not in CDATA) in its title, a comment's author or a meta value."""
    text = item(post_id, f"Post {post_id}", comments=[comment(post_id * 10)], meta=[("key", "value")])
    if place == "title":
        return text.replace(f"<title><![CDATA[Post {post_id}]]></title>", f"<title>{raw}</title>", 1)
    if place == "comment":
        return text.replace("<wp:comment_author><![CDATA[Reader]]>", f"<wp:comment_author>{raw}", 1)
    return text.replace("<wp:meta_value><![CDATA[value]]>", f"<wp:meta_value>{raw}", 1)


def read_in(place: str, post: Post) -> str:
    if place == "title":
        return post.title
    if place == "comment":
        return post.comments[0].author
    return post.meta[0].value


def wordpress_items(data: str) -> int:
    """What WXR_Parser_Regex counts: each <item> ... </item> pair, however broken inside."""
    return len(re.findall(r"<item>.*?</item>", data, re.S))


def records(data: str, strict: bool = False) -> tuple[list[Post], list[Problem]]:
    found = list(iter_records(io.BytesIO(data.encode()), name="damaged.xml", strict=strict))
    return [r for r in found if isinstance(r, Post)], [r for r in found if isinstance(r, Problem)]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("kind", sorted(DAMAGE))
@pytest.mark.parametrize("at", ["first", "middle", "last"])
def test_each_damage_is_read_and_named(kind: str, place: str, at: str) -> None:
    raw, read = DAMAGE[kind]
    damaged = {"first": 1, "middle": 2, "last": 3}[at]
    data = export(*(raw_item(n, place, raw) if n == damaged else item(n, f"Post {n}") for n in (1, 2, 3)))
    posts, problems = records(data)
    assert len(posts) == wordpress_items(data) == 3
    assert read_in(place, next(p for p in posts if p.id == damaged)) == read
    (repair,) = [p for p in problems if p.kind == kind]
    assert repair.item == damaged
    assert f"item {damaged} 'Post {damaged}'" in repair.detail or place == "title"
    assert f"line {data[: data.index(raw)].count(chr(10)) + 1}" in repair.detail
    with pytest.raises(BrokenExportError, match=r"^damaged\.xml: line \d+, column \d+: "):
        records(data, strict=True)


def test_all_damage_at_once_in_one_item() -> None:
    raw = " ".join(r for r, _ in DAMAGE.values())
    data = export(item(1, "Before"), raw_item(2, "postmeta", raw), item(3, "After"))
    posts, problems = records(data)
    assert [p.id for p in posts] == [1, 2, 3]
    assert posts[1].meta[0].value == " ".join(r for _, r in DAMAGE.values())
    assert {p.kind for p in problems} == set(DAMAGE)
    assert all(p.item == 2 for p in problems)


def test_a_cdata_end_inside_content_is_text() -> None:
    """The importer's crazy-cdata test: `]]>` left inside a CDATA section, not split by an exporter."""
    body = "Before ]]> after, and a ]]]]> run"
    data = export(item(1, "Crazy")).replace("Some content", body)
    posts, problems = records(data)
    assert posts[0].content == body
    assert [(p.kind, p.item) for p in problems] == [("cdata-end-in-text", 1)]
    with pytest.raises(BrokenExportError):
        records(data, strict=True)


def test_a_cdata_end_outside_a_section_is_text() -> None:
    data = export(raw_item(1, "title", "a ]]> b"))
    posts, problems = records(data)
    assert posts[0].title == "a ]]> b"
    assert [p.kind for p in problems] == ["cdata-end-in-text"]


def test_a_second_document_after_the_first_is_read_whole() -> None:
    first = export(item(1, "One"), item(2, "Two"))
    second = export(item(3, "Three"), item(4, "Four"))
    data = first + second
    posts, problems = records(data)
    assert [p.id for p in posts] == [1, 2, 3, 4] == [1, 2, 3, 4][: wordpress_items(data)]
    kinds = [p.kind for p in problems]
    assert "second-document" in kinds and "second-channel" in kinds
    with pytest.raises(BrokenExportError):
        records(data, strict=True)


def test_an_undefined_entity_without_doctype_names_no_doctype() -> None:
    data = export(raw_item(1, "title", "a &nosuchentity; b"))
    posts, _ = records(data)
    assert posts[0].title == "a &nosuchentity; b"  # what WordPress shows: the text as written
    with pytest.raises(BrokenExportError) as caught:
        records(data, strict=True)
    assert "DOCTYPE" not in str(caught.value)


def test_mending_is_the_same_whatever_the_reads() -> None:
    raw = " ".join(r for r, _ in DAMAGE.values())
    data = export(*(raw_item(n, "comment", raw + "x" * (n * 997)) for n in range(1, 40))).encode()
    from tests.helpers import Trickle
    from wxr2db.sources.repair import CleanStream

    outputs = set()
    for step in (7, 1000, 4093, 1 << 16):
        stream = CleanStream(Trickle(data, step), chunk=step)  # type: ignore[arg-type]
        out = bytearray()
        while piece := stream.read(-1):
            out += piece
        outputs.add(bytes(out))
    assert len(outputs) == 1


def test_cli_reports_repairs_and_strict_refuses(tmp_path: Path) -> None:
    path = tmp_path / "damaged.xml"
    path.write_text(export(raw_item(1, "postmeta", "a & b &mdash; c")))
    result = cli("info", str(path))
    assert result.exit_code == 0, result.output
    assert "bare-ampersand 1" in result.output and "html-entity 1" in result.output
    message = error_line(cli("import", str(path), "--db", str(tmp_path / "x.db"), "--strict"), "damaged.xml")
    assert ("line 31, column 74: a bare '&' that starts no entity, which wxr2db repairs without --strict "
            "(in item 1 'Post 1')") in message
    assert "without --strict" in message
    assert not (tmp_path / "x.db").exists()


# --- what cannot be mended costs at most its item -------------------------------------------------

BROKEN = {
    "title": ("<title><![CDATA[Post {n}]]></title>", "<title><b>Post {n}</i></title>"),
    "comment": ("<wp:comment_author><![CDATA[Reader]]>", "<wp:comment_author><x>Reader</y>"),
    "postmeta": ("<wp:meta_value><![CDATA[value]]>", "<wp:meta_value><![CDATA[value]]></wp:oops>"),
}


def broken_item(n: int, place: str) -> str:
    good, bad = BROKEN[place]
    text = item(n, f"Post {n}", comments=[comment(n * 10)], meta=[("key", "value")])
    return text.replace(good.format(n=n), bad.format(n=n), 1)


@pytest.mark.parametrize("place", sorted(BROKEN))
@pytest.mark.parametrize("at", [1, 3, 5])
def test_an_item_that_xml_cannot_read_costs_at_most_itself(place: str, at: int) -> None:
    data = export(*(broken_item(n, place) if n == at else item(n, f"Post {n}") for n in range(1, 6)))
    posts, problems = records(data)
    assert sorted(p.id for p in posts) == [1, 2, 3, 4, 5]
    assert len(posts) == wordpress_items(data)
    (named,) = [p for p in problems if p.kind in ("item-recovered", "item-unreadable")]
    assert named.item == at and f"item {at} 'Post {at}'" in named.detail
    line = data[: data.index(BROKEN[place][1].format(n=at)[:12])].count("\n") + 1
    assert f"line {line}, column" in named.detail
    with pytest.raises(BrokenExportError, match=f"line {line}, column"):
        records(data, strict=True)


def test_damage_every_few_items_on_one_line() -> None:
    """A one-line export (minified by a plugin), broken every third item, with mendable damage too."""
    items = [broken_item(n, "comment") if n % 3 == 0 else raw_item(n, "postmeta", "a & b") for n in range(1, 31)]
    data = export(*items).replace("\n", " ")
    posts, problems = records(data)
    assert sorted(p.id for p in posts) == list(range(1, 31))
    kinds = [p.kind for p in problems]
    assert kinds.count("item-recovered") + kinds.count("item-unreadable") == 10
    # Repairs on one line are one warning, with their count.
    assert "read 20 bare '&'" in next(p.detail for p in problems if p.kind == "bare-ampersand")


def test_a_broken_item_start_tag_is_skipped_and_named() -> None:
    data = export(item(1, "One"), item(2, "Two").replace("<item>", '<item a="1>', 1), item(3, "Three"))
    posts, problems = records(data)
    ids = [p.id for p in posts]
    assert ids[0] == 1 and 3 in ids
    assert problems and all(p.kind in ("xml-skipped", "item-unreadable", "item-recovered") for p in problems)


def test_damage_in_the_header_costs_the_header_elements_only() -> None:
    head = "<title>Site</title><link>http://example.com</link><wp:wxr_version>1.2</wp:wxr_version>" \
           "<wp:author><wp:author_login>a</b></wp:author>"
    data = export(item(1, "One"), item(2, "Two"), head=head)
    posts, problems = records(data)
    assert [p.id for p in posts] == [1, 2]
    assert [p.kind for p in problems] == ["xml-skipped"]
    assert "up to the next item (line" in problems[0].detail


def test_a_broken_item_larger_than_memory_holds_is_read_again_from_disk() -> None:
    """Past WINDOW_LIMIT the item's bytes wait in a temporary file, not beside lxml's copy in memory."""
    from wxr2db.sources.resync import WINDOW_LIMIT

    big = item(2, "Big", content="word " * WINDOW_LIMIT).replace("</content:encoded>",
                                                                "</content:encoded><a></b>", 1)
    data = export(item(1, "One"), big, item(3, "Three"))
    posts, problems = records(data)
    assert [p.id for p in posts] == [1, 2, 3]
    assert len(posts[1].content) == 5 * WINDOW_LIMIT and posts[1].status == "publish"
    assert [(p.kind, p.item) for p in problems] == [("item-recovered", 2)]
