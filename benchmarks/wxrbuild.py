"""Build small WordPress exports (WXR 1.2) as text or bytes: the one builder of the tests
(through tests/wxrbuild.py) and of the crafted benchmark exports (benchmarks/crafted.py).

    export(item(1, "Hello", comments=[comment(10), comment(11, parent=10)]))

returns the whole document as `str`; `export_bytes(...)` encodes it (UTF-8 by default). Every
piece is plain text, so tests can splice in broken bytes, control characters or a DOCTYPE.
"""

from __future__ import annotations

from collections.abc import Iterable

WP = "http://wordpress.org/export/1.2/"
SITE = "http://example.com"


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def comment(
    comment_id: int | None,
    parent: int = 0,
    content: str = "A comment",
    author: str = "Reader",
    date: str = "2020-01-02 10:00:00",
) -> str:
    cid = f"<wp:comment_id>{comment_id}</wp:comment_id>" if comment_id is not None else ""
    return (
        f"<wp:comment>{cid}<wp:comment_author>{cdata(author)}</wp:comment_author>"
        f"<wp:comment_date>{date}</wp:comment_date><wp:comment_date_gmt>{date}</wp:comment_date_gmt>"
        f"<wp:comment_content>{cdata(content)}</wp:comment_content>"
        "<wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
    )


def item(
    post_id: int | None,
    title: str = "A post",
    content: str = "Some content",
    *,
    raw_title: bool = False,
    comments: Iterable[str] = (),
    categories: Iterable[tuple[str, str]] = (),
    meta: Iterable[tuple[str, str]] = (),
    extra: str = "",
    post_type: str = "post",
    slug: str = "",
) -> str:
    """One <item>. `raw_title` puts the title in as is (for entity references), not in CDATA; the slug
    is post-<id> unless given."""
    pid = f"<wp:post_id>{post_id}</wp:post_id>\n" if post_id is not None else ""
    slug = slug or (f"post-{post_id}" if post_id is not None else "no-id")
    cats = "".join(
        f'<category domain="category" nicename="{s}">{cdata(n)}</category>\n' for s, n in categories
    )
    metas = "".join(
        f"<wp:postmeta><wp:meta_key>{cdata(k)}</wp:meta_key><wp:meta_value>{cdata(v)}</wp:meta_value></wp:postmeta>\n"
        for k, v in meta
    )
    return (
        "<item>\n"
        f"<title>{title if raw_title else cdata(title)}</title>\n"
        f"<link>{SITE}/{slug}/</link>\n"
        f'<guid isPermaLink="false">{SITE}/?p={post_id}</guid>\n'
        "<dc:creator><![CDATA[admin]]></dc:creator>\n"
        f"<content:encoded>{cdata(content)}</content:encoded>\n"
        "<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n"
        f"{pid}"
        "<wp:post_date>2020-01-01 10:00:00</wp:post_date>\n"
        "<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt>\n"
        f"<wp:post_name>{slug}</wp:post_name>\n"
        "<wp:status>publish</wp:status>\n"
        "<wp:post_parent>0</wp:post_parent>\n"
        f"<wp:post_type>{post_type}</wp:post_type>\n"
        f"{cats}{metas}{extra}"
        f"{''.join(comments)}"
        "</item>\n"
    )


def header(
    *,
    link: str = SITE,
    title: str = "Example",
    authors: Iterable[str] = ("admin",),
    terms: str = "",
) -> str:
    """The channel header: site fields, authors and any extra term elements given as XML."""
    people = "".join(
        f"<wp:author><wp:author_id>{n + 1}</wp:author_id><wp:author_login>{cdata(a)}</wp:author_login>"
        f"<wp:author_display_name>{cdata(a.title())}</wp:author_display_name></wp:author>\n"
        for n, a in enumerate(authors)
    )
    return (
        f"<title>{title}</title>\n<link>{link}</link>\n<description>Tests</description>\n"
        "<language>en-US</language>\n<wp:wxr_version>1.2</wp:wxr_version>\n"
        f"<wp:base_site_url>{link}</wp:base_site_url>\n<wp:base_blog_url>{link}</wp:base_blog_url>\n"
        f"{people}{terms}"
    )


def category(term_id: int, slug: str, name: str, parent: str = "") -> str:
    return (
        f"<wp:category><wp:term_id>{term_id}</wp:term_id><wp:category_nicename>{slug}</wp:category_nicename>"
        f"<wp:category_parent>{parent}</wp:category_parent><wp:cat_name>{cdata(name)}</wp:cat_name>"
        "</wp:category>\n"
    )


def export(
    *items: str,
    head: str | None = None,
    encoding: str = "UTF-8",
    doctype: str = "",
    namespaces: str = "",
) -> str:
    """A whole export around the given items (and the default header unless `head` is given);
    `namespaces` adds declarations to <rss>, e.g. for a plugin's elements."""
    return (
        f'<?xml version="1.0" encoding="{encoding}" ?>\n'
        f"{doctype}"
        '<rss version="2.0"\n'
        '  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
        '  xmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '  xmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '  xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        f'  xmlns:wp="{WP}"{namespaces}>\n'
        "<channel>\n"
        f"{header() if head is None else head}"
        f"{''.join(items)}"
        "</channel>\n</rss>\n"
    )


def export_bytes(*items: str, head: str | None = None, encoding: str = "UTF-8", doctype: str = "") -> bytes:
    codec = "utf-8" if encoding.upper() == "UTF-8" else encoding
    return export(*items, head=head, encoding=encoding, doctype=doctype).encode(codec)


def split_items(data: bytes, at: int) -> tuple[bytes, bytes]:
    """A whole export cut into two exports, the first with items [:at] and the second with the rest,
    each with the whole channel header, the way WordPress's "split export" plugins cut one."""
    start = data.index(b"<item>")
    end = data.rindex(b"</item>") + len(b"</item>")
    head, body, tail = data[:start], data[start:end], data[end:]
    items = [b"<item>" + piece for piece in body.split(b"<item>")[1:]]
    return head + b"".join(items[:at]) + tail, head + b"".join(items[at:]) + tail
