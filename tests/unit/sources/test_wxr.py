"""The streaming reader on small inline exports."""

from __future__ import annotations

import io

import pytest

from tests.helpers import SEED
from tests.wxrbuild import comment, export_bytes, header, item
from wxr2db.errors import BrokenExportError, NotAnExportError
from wxr2db.records import Author, Post, Problem, Site, Term
from wxr2db.sources.wxr import _Reader, iter_records


def read(data: bytes, strict: bool = False) -> list[object]:
    return list(iter_records(io.BytesIO(data), name="t.xml", strict=strict))


def posts(data: bytes) -> list[Post]:
    return [r for r in read(data) if isinstance(r, Post)]


def test_seed_records() -> None:
    with SEED.open("rb") as f:
        records = list(iter_records(f))
    kinds = [type(r).__name__ for r in records]
    assert kinds.count("Site") == 1 and kinds.count("Author") == 1 and kinds.count("Term") == 5
    post = next(r for r in records if isinstance(r, Post))
    assert post.id == 1024 and len(post.comments) == 9 and max(c.depth for c in post.comments) == 3
    site = next(r for r in records if isinstance(r, Site))
    assert site.title == "Social Steve" and site.wxr_version == "1.2" and site.language == "en-US"


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_versions_and_https_namespace(version: str) -> None:
    for scheme in ("http", "https"):
        data = export_bytes(item(7, title="T"))
        data = data.replace(b"http://wordpress.org/export/", f"{scheme}://wordpress.org/export/".encode())
        data = data.replace(b"/1.2/", f"/{version}/".encode())
        (post,) = posts(data)
        assert post.id == 7 and post.title == "T" and post.slug == "post-7"


def test_renamed_prefix() -> None:
    data = export_bytes(item(3)).replace(b"xmlns:wp=", b"xmlns:wordpress=").replace(b"<wp:", b"<wordpress:")
    data = data.replace(b"</wp:", b"</wordpress:")
    (post,) = posts(data)
    assert post.id == 3 and post.status == "publish" and post.date == "2020-01-01 10:00:00"


def test_header_records() -> None:
    people = """<wp:author><wp:author_id>2</wp:author_id><wp:author_login>bob</wp:author_login>
<wp:author_display_name><![CDATA[Bob B]]></wp:author_display_name></wp:author>
<wp:category><wp:term_id>5</wp:term_id><wp:category_nicename>child</wp:category_nicename>
<wp:category_parent>parent</wp:category_parent><wp:cat_name><![CDATA[Child]]></wp:cat_name></wp:category>
<wp:term><wp:term_id>8</wp:term_id><wp:term_taxonomy>genre</wp:term_taxonomy><wp:term_slug>sf</wp:term_slug>
<wp:term_name>SF</wp:term_name><wp:termmeta><wp:meta_key>color</wp:meta_key><wp:meta_value>blue</wp:meta_value>
</wp:termmeta></wp:term>"""
    records = read(export_bytes(item(1), head=header(authors=(), terms=people)))
    assert Author("bob", 2, display_name="Bob B") in records
    terms = [r for r in records if isinstance(r, Term)]
    assert terms[0] == Term("category", "child", "Child", 5, parent_slug="parent")
    assert terms[1].taxonomy == "genre" and terms[1].meta[0].value == "blue"


def test_item_fields_terms_meta_and_unknown_elements() -> None:
    extra = """<category domain="category" nicename="news"><![CDATA[News]]></category>
<category domain="tag" nicename="old"><![CDATA[Old]]></category>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>9</wp:meta_value></wp:postmeta>
<wp:is_sticky>1</wp:is_sticky><wp:menu_order>2</wp:menu_order>
<plugin:score xmlns:plugin="http://plugin.example/ns">42</plugin:score>"""
    (post,) = posts(export_bytes(item(1, content="Hello\n\nWorld", extra=extra)))
    assert post.content == "Hello\n\nWorld" and post.author == "admin"
    assert [(t.taxonomy, t.slug) for t in post.terms] == [("category", "news"), ("post_tag", "old")]
    assert post.meta[0].key == "_thumbnail_id" and post.sticky and post.parent_id is None and post.menu_order == 2
    assert post.extra == {"plugin:score": ["42"]}


def test_comments_threaded_with_types() -> None:
    pingback = comment(3).replace("<wp:comment_type></wp:comment_type>", "<wp:comment_type>pingback</wp:comment_type>")
    (post,) = posts(export_bytes(item(1, comments=[comment(1), comment(2, parent=1), pingback])))
    assert [(c.id, c.parent_id, c.depth, c.type) for c in post.comments] == [
        (1, None, 1, "comment"), (2, 1, 2, "comment"), (3, None, 1, "pingback")]


def test_item_without_id_gets_a_stable_placeholder() -> None:
    # The Saver turns the placeholder into a real or small id and reports it (tests/unit/sqlite/test_save.py).
    records = read(export_bytes(item(None, title="No id")))
    (post,) = [r for r in records if isinstance(r, Post)]
    assert [r for r in records if isinstance(r, Problem)] == []
    assert post.id < 0
    assert post.id == posts(export_bytes(item(None, title="No id")))[0].id  # stable


def test_rss_feed_is_not_an_export() -> None:
    data = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
            b"<item><title>a</title></item></channel></rss>")
    with pytest.raises(NotAnExportError, match="not a WordPress export"):
        read(data)


def test_memory_is_freed_as_items_are_read() -> None:
    """After each item the parsed tree holds no earlier items: the channel never grows."""
    data = export_bytes(*(item(i, content="x" * 1000) for i in range(1, 2001)))
    reader = _Reader(io.BytesIO(data), "t.xml", recover=False)
    children = []
    for record in reader.run():
        if isinstance(record, Post):
            assert reader.channel is not None
            children.append(len(reader.channel))
    assert len(children) == 2000
    # lxml parses ahead one buffer (tens of items), never the whole file (2000 items here).
    assert max(children) < 100


UNICODE_NS = b'<rss version="2.0" xmlns:unicode="http://\xc3\xabx\xc3\xa4mpl\xc3\xab.com/\xc3\xbcn\xc3\xafc\xc3\xb6d\xc3\xab/"'


def with_unicode_namespace(data: bytes) -> bytes:
    return data.replace(b'<rss version="2.0"', UNICODE_NS)


@pytest.mark.parametrize("recover", [False, True])
def test_non_ascii_namespace_uri_reads_every_item(recover: bool) -> None:
    """libxml2 calls an IRI namespace "not a valid URI" and lxml fails once the file is read; the
    items after the first buffer and the plugin element in that namespace must all be there."""
    extra = '<unicode:note>ok</unicode:note>'
    data = with_unicode_namespace(export_bytes(*(item(i, content="x" * 1000, extra=extra) for i in range(1, 301))))
    records = list(iter_records(io.BytesIO(data), name="t.xml", recover=recover))
    found = [r for r in records if isinstance(r, Post)]
    assert [p.id for p in found] == list(range(1, 301))
    assert found[-1].extra == {"unicode:note": ["ok"]}
    assert [r for r in records if isinstance(r, Problem)] == []
    assert [r.title for r in records if isinstance(r, Site)] == ["Example"]


def test_non_ascii_namespace_uri_does_not_hide_real_damage() -> None:
    data = with_unicode_namespace(export_bytes(item(1), item(2))).replace(b"</channel>", b"")
    with pytest.raises(BrokenExportError, match=r"t\.xml: line"):
        read(data, strict=True)
    # Without --strict the damage after the last item costs nothing, and is named.
    records = read(data)
    assert [r.id for r in records if isinstance(r, Post)] == [1, 2]
    assert [r.kind for r in records if isinstance(r, Problem)] == ["xml-skipped"]


WIDE = 1234567890123456789012345  # 25 digits: beyond SQLite's 64-bit integers


def test_ids_beyond_64_bits_become_synthetic_ids_that_references_follow() -> None:
    from wxr2db.resolve.limits import stored_id

    parent = item(WIDE, "Big", comments=[comment(WIDE), comment(5, parent=WIDE)])
    child = item(2, "Child").replace("<wp:post_parent>0</wp:post_parent>", f"<wp:post_parent>{WIDE}</wp:post_parent>")
    child = child.replace("</item>", f"<wp:menu_order>{WIDE}</wp:menu_order></item>")
    terms = f"<wp:term><wp:term_id>{WIDE}</wp:term_id><wp:term_taxonomy>genre</wp:term_taxonomy>" \
            "<wp:term_slug>sf</wp:term_slug></wp:term>"
    records = read(export_bytes(parent, child, head=header(terms=terms)))
    big, small = [r for r in records if isinstance(r, Post)]
    post_id, comment_id = stored_id(WIDE, "post"), stored_id(WIDE, "comment")
    assert post_id < 0 and comment_id < 0 and post_id != comment_id
    assert (big.id, small.parent_id, small.menu_order) == (post_id, post_id, 2**63 - 1)
    assert [(c.id, c.parent_id, c.depth) for c in big.comments] == [(comment_id, None, 1), (5, comment_id, 2)]
    (term,) = [r for r in records if isinstance(r, Term)]
    assert term.id == stored_id(WIDE, "term")
    problems = [(p.kind, p.item, p.detail) for p in records if isinstance(p, Problem)]
    beyond = f"{WIDE} is beyond SQLite's 64-bit integers"
    assert problems == [
        ("id-too-large", None, f"genre 'sf': id {beyond}; stored as id {term.id}"),
        ("id-too-large", post_id, f"item at line 17 'Big': wp:post_id {beyond}; stored as id {post_id}"),
        ("id-too-large", post_id, f"item {post_id}: wp:comment_id {beyond}; stored as id {comment_id}"),
        ("id-too-large", 2, f"item 2: wp:menu_order {beyond}; stored as {2**63 - 1}"),
    ]


@pytest.mark.parametrize("text", ["٤٠١", "²", "1_000", "12a", " "])
def test_ids_are_ascii_digits_only(text: str) -> None:
    (post,) = posts(export_bytes(item(None, "Odd").replace("<wp:post_date>", f"<wp:post_id>{text}</wp:post_id>"
                                                              "<wp:post_date>")))
    assert post.id < 0  # read as no id (PHP's intval gives 0), so a synthetic one


def test_non_ascii_namespace_uri_after_a_broken_file() -> None:
    """lxml's exception carries the thread's earlier errors too: only this file's own count."""
    with pytest.raises(BrokenExportError):
        read(export_bytes(item(1)).replace(b"</channel>", b""), strict=True)
    (post,) = posts(with_unicode_namespace(export_bytes(item(1))))
    assert post.id == 1
