"""Crafted WordPress exports that drive one code path hard, sized by n (see issue 8).

Each case builds a small, well-formed WXR 1.2 export (with benchmarks/wxrbuild.py, the builder the
tests use too) whose cost in one step (the byte-repair stream, comment threading, the Markdown
renderer, slug clash renaming ...) grows with n. The scaling harness (benchmarks/scaling.py) runs
them at n, 2n and 4n; tests/benchmarks/test_crafted.py checks that each one imports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from benchmarks import wxrbuild
from benchmarks.wxrbuild import cdata

PLUGIN_NS = ' xmlns:plugin="http://example.com/plugin/"'


def comment(comment_id: int, parent: int) -> str:
    return wxrbuild.comment(comment_id, parent, content="Reply")


def item(post_id: int, content: str = "Some content", *, title: str = "A post", slug: str = "",
         comments: Iterable[str] = ()) -> str:
    return wxrbuild.item(post_id, title, content, slug=slug, comments=comments)


def export(items: Iterable[str], channel_extra: str = "") -> str:
    head = wxrbuild.header(title="Crafted") + channel_extra
    return wxrbuild.export(*items, head=head, namespaces=PLUGIN_NS)


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


def brackets(n: int) -> bytes:
    """One CDATA section of brackets and ampersands: each `]` and `&` is a turn of the repair scan's loop."""
    return one_post("] ]] ]]> &x &amp; <!x " * (n // 20))


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
    Case("repair: brackets in CDATA", brackets, 1_000_000, "import"),
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
