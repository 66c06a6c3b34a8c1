"""Crafted WordPress exports that drive one code path hard, sized by n (see issue 8).

Each case builds a small, well-formed WXR 1.2 export whose cost in one step (the byte-repair
stream, comment threading, the Markdown renderer, slug clash renaming ...) grows with n. The
scaling harness (benchmarks/scaling.py) runs them at n, 2n and 4n; tests/test_crafted.py checks
that each one imports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

WP = "http://wordpress.org/export/1.2/"
SITE = "http://example.com"


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def comment(comment_id: int, parent: int) -> str:
    return (
        f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
        "<wp:comment_author>Reader</wp:comment_author>"
        "<wp:comment_date>2020-01-02 10:00:00</wp:comment_date>"
        "<wp:comment_date_gmt>2020-01-02 10:00:00</wp:comment_date_gmt>"
        "<wp:comment_content>Reply</wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
        f"<wp:comment_type></wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
    )


def item(post_id: int, content: str = "Some content", *, title: str = "A post", slug: str = "",
         comments: Iterable[str] = ()) -> str:
    return (
        f"<item>\n<title>{cdata(title)}</title>\n<link>{SITE}/?p={post_id}</link>\n"
        f'<guid isPermaLink="false">{SITE}/?p={post_id}</guid>\n<dc:creator>admin</dc:creator>\n'
        f"<content:encoded>{cdata(content)}</content:encoded>\n<excerpt:encoded></excerpt:encoded>\n"
        f"<wp:post_id>{post_id}</wp:post_id>\n<wp:post_date>2020-01-01 10:00:00</wp:post_date>\n"
        "<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt>\n"
        f"<wp:post_name>{slug or f'post-{post_id}'}</wp:post_name>\n<wp:status>publish</wp:status>\n"
        "<wp:post_parent>0</wp:post_parent>\n<wp:post_type>post</wp:post_type>\n"
        f"{''.join(comments)}</item>\n"
    )


def export(items: Iterable[str], channel_extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
        '  xmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:plugin="http://example.com/plugin/"\n'
        f'  xmlns:wp="{WP}">\n<channel>\n<title>Crafted</title>\n<link>{SITE}</link>\n'
        "<description>Crafted</description>\n<language>en-US</language>\n"
        f"<wp:wxr_version>1.2</wp:wxr_version>\n<wp:base_site_url>{SITE}</wp:base_site_url>\n"
        f"<wp:base_blog_url>{SITE}</wp:base_blog_url>\n{channel_extra}{''.join(items)}</channel>\n</rss>\n"
    )


def one_post(content: str) -> bytes:
    return export([item(1, content)]).encode("utf-8")


def with_raw_content(raw: bytes) -> bytes:
    """One post whose content is `raw`, bytes as they are (bad bytes and controls included)."""
    head, tail = one_post("\x01MARK\x01").split(b"\x01MARK\x01")
    return head + raw + tail


def zeros(n: int) -> bytes:
    return with_raw_content(b"\0" * n)


def controls(n: int) -> bytes:
    return with_raw_content(bytes(range(1, 9)) * (n // 8))


def latin1(n: int) -> bytes:
    # An old database's Latin-1 text in an export that says UTF-8: one bad byte per word.
    return with_raw_content(b"caf\xe9 " * (n // 5))


def reply_chain(n: int) -> bytes:
    return export([item(1, comments=[comment(c, c - 1) for c in range(1, n + 1)])]).encode()


def reply_cycles(n: int) -> bytes:
    # Comment 1 answers the last one: one cycle through every comment, plus a chain leading in.
    chain = [comment(c, c - 1 if c > 1 else n) for c in range(1, n + 1)]
    lead_in = [comment(n + c, n + c - 1 if c > 1 else 1) for c in range(1, n // 2)]
    return export([item(1, comments=chain + lead_in)]).encode()


def paragraphs(n: int) -> bytes:
    return one_post("p\n\n" * n)


def unclosed_shortcodes(n: int) -> bytes:
    return one_post("[a " * n)


def unended_blocks(n: int) -> bytes:
    return one_post("<!-- wp:paragraph " * n)


def unclosed(tag: str) -> Callable[[int], bytes]:
    def build(n: int) -> bytes:
        return one_post(f"<{tag}>x " * n)
    build.__name__ = f"unclosed_{tag}"
    return build


def spaces(n: int) -> bytes:
    return one_post("a" + " " * n + "b")


def nested(opening: str) -> Callable[[int], bytes]:
    def build(n: int) -> bytes:
        return one_post(opening * n + "deep")
    return build


def long_title(n: int) -> bytes:
    return export([item(1, title="<b>x</b> &amp; " * n)]).encode()


def same_slug(n: int) -> bytes:
    return export([item(p, slug="same") for p in range(1, n + 1)]).encode()


def plugin_elements(n: int) -> bytes:
    extra = "".join(f"<plugin:setting>{cdata('value ' * 10)}</plugin:setting>\n" for _ in range(n))
    return export([item(1)], channel_extra=extra).encode()


def one_line_post(n: int) -> bytes:
    return one_post("word " * n)


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[int], bytes]
    n: int  # the smallest size the harness runs (then 2n and 4n)
    step: str  # "import", "markdown" or "threads" (import, then read the comment_threads view)


CASES: tuple[Case, ...] = (
    Case("repair: zeros", zeros, 128_000, "import"),
    Case("repair: control chars", controls, 128_000, "import"),
    Case("repair: Latin-1 as UTF-8", latin1, 1_000_000, "import"),
    Case("threading: reply chain", reply_chain, 4_000, "import"),
    Case("threading: cycles", reply_cycles, 4_000, "import"),
    Case("markdown: short paragraphs", paragraphs, 10_000, "markdown"),
    Case("markdown: unclosed [a ", unclosed_shortcodes, 5_000, "markdown"),
    Case("markdown: <!-- wp: no end", unended_blocks, 5_000, "markdown"),
    Case("markdown: unclosed <pre>", unclosed("pre"), 5_000, "markdown"),
    Case("markdown: unclosed <code>", unclosed("code"), 5_000, "markdown"),
    Case("markdown: unclosed <script>", unclosed("script"), 5_000, "markdown"),
    Case("markdown: unclosed <iframe>", unclosed("iframe"), 5_000, "markdown"),
    Case("markdown: run of spaces", spaces, 1_000_000, "markdown"),
    Case("markdown: nested <blockquote>", nested("<blockquote>"), 2_000, "markdown"),
    Case("markdown: nested <ul><li>", nested("<ul><li>"), 500, "markdown"),
    Case("plain_text: long title", long_title, 50_000, "markdown"),
    Case("markdown: same slug", same_slug, 1_000, "markdown"),
    Case("view: comment_threads chain", reply_chain, 1_000, "threads"),
    Case("memory: channel plugin elements", plugin_elements, 50_000, "import"),
    Case("memory: one-line post", one_line_post, 1_000_000, "markdown"),
    Case("memory: one-line post, import", one_line_post, 1_000_000, "import"),
)
