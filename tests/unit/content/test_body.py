"""Tests of wxr2db.content: wpautop, shortcodes, escaping, and golden files from real exports."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from markdown_it import MarkdownIt

from tests.helpers import CORPUS, GOLDEN, corpus_files
from wxr2db import iter_records
from wxr2db.content.autop import wpautop
from wxr2db.content.body import plain_markdown, render_body
from wxr2db.content.html2md import INLINE_SPECIAL, HtmlToMarkdown, html_to_markdown, render_text
from wxr2db.content.plaintext import plain_text
from wxr2db.content.rendered import Rendered
from wxr2db.records import Post

GOLDEN_CONTENT = GOLDEN / "content"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"

commonmark = MarkdownIt("commonmark", {"html": False})


def to_html(markdown: str) -> str:
    return str(commonmark.render(markdown))


def count(tag: str, rendered: str) -> int:
    return len(re.findall(rf"<{tag}[\s>/]", rendered))


class FakeMedia:
    def __init__(self, urls: dict[int, str], attached: list[str] | None = None) -> None:
        self.urls = urls
        self.attached = attached or []

    def url_for(self, attachment_id: int) -> str | None:
        return self.urls.get(attachment_id)

    def attached_images(self) -> list[str]:
        return self.attached


# ------------------------------------------------------------------------- wpautop


def test_wpautop_blank_line_makes_paragraphs() -> None:
    assert wpautop("one\n\ntwo") == "<p>one</p>\n<p>two</p>\n"


def test_wpautop_single_newline_is_br() -> None:
    assert wpautop("one\ntwo") == "<p>one<br />\ntwo</p>\n"


def test_wpautop_without_br_keeps_newline() -> None:
    assert wpautop("one\ntwo", br=False) == "<p>one\ntwo</p>\n"


def test_wpautop_keeps_pre_untouched() -> None:
    out = wpautop("text\n\n<pre>a\n\nb\nc</pre>\n\nafter")
    assert "<pre>a\n\nb\nc</pre>" in out
    assert "<p>after</p>" in out


def test_wpautop_does_not_wrap_block_elements() -> None:
    out = wpautop("<div>inside</div>\n\n<h2>Title</h2>\n\n<table><tr><td>x</td></tr></table>")
    assert "<p><div" not in out and "<p><h2" not in out and "<p><table" not in out
    assert "<h2>Title</h2>" in out


def test_wpautop_lists_get_no_breaks_between_items() -> None:
    out = wpautop("<ul>\n<li>one</li>\n<li>two</li>\n</ul>")
    assert "<br />" not in out
    assert "<p><li" not in out


def test_wpautop_blockquote_gets_inner_paragraph() -> None:
    assert wpautop("<blockquote>quoted</blockquote>") == "<blockquote><p>quoted</p></blockquote>\n"


def test_wpautop_no_br_inside_html_comment_or_tag() -> None:
    out = wpautop('text <!-- a\nb --> more\n<a\nhref="x">l</a>')
    assert "<!-- a\nb -->" in out
    assert '<a\nhref="x">' in out


def test_wpautop_no_br_inside_script_style_textarea() -> None:
    out = wpautop("<script>a\nb</script>\n\n<textarea>c\nd</textarea>")
    assert "<script>a\nb</script>" in out
    assert "<textarea>c\nd</textarea>" in out


def test_wpautop_double_br_becomes_paragraph() -> None:
    assert wpautop("one<br /><br />two") == "<p>one</p>\n<p>two</p>\n"


def test_wpautop_empty() -> None:
    assert wpautop("  \n ") == ""


def test_shortcode_on_own_line_is_not_broken() -> None:
    out = render_body('Before\n\n[caption caption="Cap"]<img src="a.png" />[/caption]\n\nAfter')
    assert "![](a.png)" in out.markdown
    assert "*Cap*" in out.markdown
    assert out.unknown_shortcodes == ()


# ------------------------------------------------------------------- seed post case


def test_numbered_lines_stay_text_with_hard_break() -> None:
    body = (
        "1) What are you doing to make sure you have a collaborative environment?\n"
        "2) Do you want to work at a great company?"
    )
    html = to_html(render_body(body).markdown)
    assert count("ol", html) == 0 and count("ul", html) == 0
    assert count("p", html) == 1
    assert count("br", html) == 1
    assert "1) What are you doing" in html and "2) Do you want" in html


def test_link_paragraph_from_seed_post() -> None:
    body = (
        "PS \u2013 Want more on sharing and collaboration for your company? Check out "
        '<a href="http://socialsteve.example/2010/how-social-media/">'
        "“How Social Media Has Prepared Us for Collaborative Business.”</a>"
    )
    markdown = render_body(body).markdown
    html = to_html(markdown)
    assert count("p", html) == 1
    assert '<a href="http://socialsteve.example/2010/how-social-media/">' in html
    assert "“How Social Media Has Prepared Us for Collaborative Business.”</a>" in html


def test_paragraphs_and_breaks_count() -> None:
    html = to_html(render_body("one\ntwo\n\nthree\n\nfour\nfive\nsix").markdown)
    assert count("p", html) == 3
    assert count("br", html) == 3


def test_markdown_uses_backslash_hard_breaks() -> None:
    markdown = render_body("one\ntwo").markdown
    assert markdown == "one\\\ntwo\n"


# ------------------------------------------------------------------------ escaping


@pytest.mark.parametrize(
    "text",
    [
        "1. not a list",
        "- not a bullet",
        "+ not a bullet",
        "* not a bullet",
        "# not a heading",
        "> not a quote",
        "snake_case and _not emphasis_ and *not either*",
        "a*b*c",
        "[not](a link)",
        "`not code`",
        "| not | a table |",
        "&amp;copy; stays literal",
        "&lt;b&gt;not bold&lt;/b&gt;",
        "back\\slash \\*",
    ],
)
def test_text_that_looks_like_markdown_stays_text(text: str) -> None:
    html = to_html(render_body(text).markdown)
    visible = re.sub(r"<[^>]+>", "", html).strip()
    decoded = visible.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    expected = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    assert decoded == expected
    assert count("p", html) == 1


def test_setext_underline_is_not_a_heading() -> None:
    html = to_html(render_body("Title\n===\n\nOther\n---").markdown)
    assert count("h1", html) == 0 and count("h2", html) == 0 and count("hr", html) == 0


def test_intraword_underscore_is_not_escaped() -> None:
    assert render_body("snake_case_name").markdown == "snake_case_name\n"


# ----------------------------------------------------------------------- shortcodes


def test_caption_with_link_and_text_caption() -> None:
    body = (
        '[caption id="a" width="300"]<a href="http://x.org/">'
        '<img src="http://x.org/i.png" alt="Alt" /></a> A caption[/caption]'
    )
    html = to_html(render_body(body).markdown)
    assert '<a href="http://x.org/"><img src="http://x.org/i.png" alt="Alt" /></a>' in html
    assert "<em>A caption</em>" in html


def test_caption_from_attribute() -> None:
    html = to_html(render_body('[caption caption="From attribute"]<img src="i.png" />[/caption]').markdown)
    assert '<img src="i.png" alt="" />' in html
    assert "<em>From attribute</em>" in html


def test_gallery_with_ids_uses_media() -> None:
    media = FakeMedia({1: "http://x.org/1.jpg", 2: "http://x.org/2.jpg"})
    out = render_body('[gallery ids="1,2,3"]', media)
    html = to_html(out.markdown)
    assert '<img src="http://x.org/1.jpg"' in html and '<img src="http://x.org/2.jpg"' in html
    assert out.unknown_shortcodes == ()


def test_gallery_ids_are_ascii_digits() -> None:
    media = FakeMedia({4: "http://x.org/4.jpg", 2: "http://x.org/2.jpg"})
    html = to_html(render_body('[gallery ids="٤,2,' + "9" * 5000 + '"]', media).markdown)
    assert html == '<p><img src="http://x.org/2.jpg" alt="" /></p>\n'


def test_gallery_without_ids_uses_attached_images() -> None:
    out = render_body("[gallery]", FakeMedia({}, ["http://x.org/a.jpg"]))
    assert '<img src="http://x.org/a.jpg"' in to_html(out.markdown)


def test_gallery_without_media_stays_verbatim_and_unknown() -> None:
    out = render_body('[gallery ids="1,2"]')
    assert out.markdown == '[gallery ids="1,2"]\n'
    assert out.unknown_shortcodes == ("gallery",)


class MovedSite:
    """A Links: attachments by id at the new site's paths."""

    def url_for(self, attachment_id: int) -> str | None:
        return f"/media/{attachment_id}.jpg"

    def attached_images(self) -> list[str]:
        return []


def test_links_resolve_galleries_and_leave_addresses_as_they_are() -> None:
    """Addresses are rewritten before rendering (links.rewrite); the renderer only resolves galleries."""
    body = '<a href="http://old.example/p">p</a> <img src="http://old.example/i.jpg"> [gallery ids="4"]'
    assert render_body(body, MovedSite()).markdown == (
        "[p](http://old.example/p) ![](http://old.example/i.jpg)\n\n![](/media/4.jpg)\n")


def test_gallery_with_unresolvable_ids_vanishes_and_is_counted() -> None:
    """Issue 22: a gallery whose images are gone (detached, not exported) showed as raw shortcode text."""
    out = render_body('<p>a</p>[gallery ids="7"]<p>b</p>', FakeMedia({}))
    assert out.markdown == "a\n\nb\n"
    assert out.unknown_shortcodes == () and out.notes == ("gallery empty, dropped",)


def test_embed_and_bare_url_become_links() -> None:
    out = render_body(
        "[embed]https://youtu.be/abc[/embed]\n\nhttps://vimeo.com/123\n\ntext https://no.link/ here"
    )
    html = to_html(out.markdown)
    assert '<a href="https://youtu.be/abc">' in html
    assert '<a href="https://vimeo.com/123">' in html
    assert "no.link/</a>" not in html


@pytest.mark.parametrize(
    ("body", "url"),
    [
        ('[audio src="http://x.org/a.mp3"]', "http://x.org/a.mp3"),
        ('[audio mp3="http://x.org/b.mp3"][/audio]', "http://x.org/b.mp3"),
        ('[video src="http://x.org/v.mp4"]', "http://x.org/v.mp4"),
        ('[video mp4="http://x.org/w.mp4" width="640"]', "http://x.org/w.mp4"),
        ("[audio http://x.org/c.mp3]", "http://x.org/c.mp3"),
    ],
)
def test_audio_and_video_become_links(body: str, url: str) -> None:
    out = render_body(body)
    assert f'<a href="{url}">' in to_html(out.markdown)
    assert out.unknown_shortcodes == ()


def test_code_shortcode_becomes_fenced_block_verbatim() -> None:
    body = (
        'Intro\n\n[code lang="python"]\ndef f(a_b):\n\n'
        "    return a_b * 2  # &lt;ok&gt; &amp;\n[/code]\n\nAfter"
    )
    out = render_body(body)
    assert "```python\ndef f(a_b):\n\n    return a_b * 2  # <ok> &\n```" in out.markdown
    html = to_html(out.markdown)
    assert '<pre><code class="language-python">' in html
    assert count("p", html) == 2
    assert "<br" not in html


def test_sourcecode_and_short_language_forms() -> None:
    html = to_html(render_body('[sourcecode language="php"]<?php echo 1; ?>[/sourcecode]').markdown)
    assert '<code class="language-php">&lt;?php echo 1; ?&gt;' in html
    html = to_html(render_body("[python]x = [1]\nprint(x)[/python]").markdown)
    assert '<code class="language-python">x = [1]\nprint(x)' in html


def test_code_with_backticks_gets_longer_fence() -> None:
    markdown = render_body("[code]a ``` b[/code]").markdown
    assert markdown.startswith("````\n")
    assert "a ``` b" in to_html(markdown)


def test_unknown_shortcodes_kept_verbatim_and_counted() -> None:
    body = 'Hi [contact-form to="me_at@x.org" subject="a_b"] and [note]inner *x*[/note] and [contact-form]'
    out = render_body(body)
    assert '[contact-form to="me_at@x.org" subject="a_b"]' in out.markdown
    assert "[note]inner \\*x\\*[/note]" in out.markdown
    assert out.unknown_shortcodes == ("contact-form", "note", "contact-form")


def test_escaped_shortcode_is_literal() -> None:
    out = render_body("Write [[gallery]] to get a gallery.")
    assert out.markdown == "Write [gallery] to get a gallery.\n"
    assert out.unknown_shortcodes == ()


def test_kept_shortcode_cannot_become_a_link() -> None:
    html = to_html(render_body("[foo](bar)").markdown)
    assert "<a " not in html


# ---------------------------------------------------------------------- block editor


def test_block_delimiters_dropped_and_no_wpautop() -> None:
    body = (
        '<!-- wp:paragraph {"align":"center"} -->\n<p>One\nline</p>\n<!-- /wp:paragraph -->\n\n'
        "<!-- wp:separator /-->\n\n<!-- wp:list -->\n<ul><li>a</li><li>b</li></ul>\n<!-- /wp:list -->"
    )
    out = render_body(body)
    assert "wp:" not in out.markdown
    html = to_html(out.markdown)
    assert "<p>One line</p>" in html
    assert count("br", html) == 0
    assert count("li", html) == 2


def test_iframe_becomes_link() -> None:
    html = to_html(render_body('<iframe src="https://www.youtube.com/embed/x_y"></iframe>').markdown)
    assert '<a href="https://www.youtube.com/embed/x_y">' in html


# --------------------------------------------------------------------------- titles


def test_plain_text_decodes_and_strips() -> None:
    assert plain_text("Title <em>With</em>\n <b>Mark<sup>up</sup></b> &amp; it&#8217;s&hellip;") == (
        "Title With Markup & it\u2019s\u2026"
    )


def test_render_text_escapes_markdown() -> None:
    title = "1. *Stars* &amp; [brackets] &lt;html&gt;"
    escaped = render_text(title)
    assert "\n" not in escaped
    html = to_html(escaped)
    assert count("ol", html) == 0 and count("em", html) == 0 and "<a" not in html
    assert "1. *Stars* &amp; [brackets] &lt;html&gt;" in html


def test_rendered_is_frozen() -> None:
    out = render_body("x")
    assert isinstance(out, Rendered)
    with pytest.raises(AttributeError):
        out.markdown = "y"  # type: ignore[misc]


# ----------------------------------------------------------------- golden files

GOLDEN_POSTS = {
    "caption-on-image": "getpelican__pelican__wordpressexport.xml",
    "code-in-list-test": "getpelican__pelican__wordpressexport.xml",
    "html-entity-test": "getpelican__pelican__wordpressexport.xml",
    "post-with-raw-data": "getpelican__pelican__wordpressexport.xml",
    "markup-image-alignment": "WordPress__theme-test-data__themeunittestdata.wordpress.xml",
    "markup-html-tags-and-formatting": "WordPress__theme-test-data__themeunittestdata.wordpress.xml",
    "edge-case-nested-and-mixed-lists": "WordPress__theme-test-data__themeunittestdata.wordpress.xml",
    "post-format-gallery": "WordPress__theme-test-data__themeunittestdata.wordpress.xml",
    "greek": "WordPress__theme-test-data__themeunittestdata.wordpress.xml",
    "quote": "WordPress__theme-test-data__64-block-test-data.xml",
    "code": "WordPress__theme-test-data__64-block-test-data.xml",
}

_parsed: dict[str, dict[str, str]] = {}


def corpus_body(file_name: str, slug: str) -> str:
    if file_name not in _parsed:
        bodies: dict[str, str] = {}
        for item in etree.parse(str(CORPUS / file_name)).iter("item"):
            names = [child.text for child in item if str(child.tag).endswith("}post_name")]
            if names and names[0]:
                bodies.setdefault(names[0], item.findtext(CONTENT_ENCODED) or "")
        _parsed[file_name] = bodies
    return _parsed[file_name][slug]


@pytest.mark.corpus
@pytest.mark.parametrize("slug", sorted(GOLDEN_POSTS))
def test_golden(slug: str, golden: Callable[[Path, str], None]) -> None:
    golden(GOLDEN_CONTENT / f"{slug}.md", render_body(corpus_body(GOLDEN_POSTS[slug], slug)).markdown)


def pelican(slug: str) -> str:
    return to_html(render_body(corpus_body("getpelican__pelican__wordpressexport.xml", slug)).markdown)


@pytest.mark.corpus
def test_pelican_caption_on_image_facts() -> None:
    html = pelican("caption-on-image")
    for caption in ("This is a pelican", "This also a pelican", "Yet another pelican"):
        assert f"<em>{caption}</em>" in html
    assert html.count('src="/theme/img/xpelican.png.pagespeed.ic.Rjep0025-y.png"') == 2
    assert '<a href="https://getpelican.com/"><img' in html
    assert "[caption" not in html


@pytest.mark.corpus
def test_pelican_code_in_list_keeps_indentation() -> None:
    html = pelican("code-in-list-test")
    assert "  a = [1, 2, 3]\n  b = [4, 5, 6]\n  for i in zip(a, b):\n    print i\n" in html
    assert count("li", html) == 4
    assert re.search(r"<li>.*?<pre><code>", html, re.S)


@pytest.mark.corpus
def test_pelican_raw_data_quotes_unescaped() -> None:
    html = pelican("post-with-raw-data")
    assert "\u201cThat\u2019s a \u2018magic\u2019 sock.\u201d" in html
    assert "<h1>Pelicans are scary</h1>" in html
    # The player's address names the video: the link goes to its page (issue 22).
    assert '<a href="https://www.youtube.com/watch?v=QNNl_uWmQXE">' in html


def theme(slug: str) -> str:
    body = corpus_body("WordPress__theme-test-data__themeunittestdata.wordpress.xml", slug)
    return to_html(render_body(body).markdown)


@pytest.mark.corpus
def test_theme_formatting_facts() -> None:
    html = theme("markup-html-tags-and-formatting")
    for level in range(1, 7):
        assert count(f"h{level}", html) >= 1
    assert count("blockquote", html) == 2
    assert "And sorry I could not travel both          (\\_/)" in html  # <pre> whitespace survives
    assert "This tag shows <strong>bold text.</strong>" in html
    assert "*[" not in html  # no Markdown Extra abbreviations


@pytest.mark.corpus
def test_theme_nested_lists_facts() -> None:
    html = theme("edge-case-nested-and-mixed-lists")
    # The source has 5 <ol>, 8 <ul> and 34 <li>.
    assert count("ol", html) == 5 and count("ul", html) == 8
    assert count("li", html) == 34


@pytest.mark.corpus
def test_unicode_page_survives() -> None:
    html = theme("greek")
    assert "<h1>Επικεφαλίδα 1 Header one</h1>" in html
    assert "<li>Πρώτο στοιχείο List item one" in html


@pytest.mark.corpus
def test_block_quote_facts() -> None:
    body = corpus_body("WordPress__theme-test-data__64-block-test-data.xml", "quote")
    html = to_html(render_body(body).markdown)
    assert count("blockquote", html) >= 20
    assert "wp:" not in html


@pytest.mark.corpus
def test_golden_suite_is_fast() -> None:
    """All goldens together well under a second: the renderer has no pathological regexes."""
    start = time.perf_counter()
    for slug, file_name in GOLDEN_POSTS.items():
        render_body(corpus_body(file_name, slug))
    assert time.perf_counter() - start < 5


def test_line_breaks_inside_inline_code() -> None:
    markdown = render_body("<code>a {\nmargin: 0;\n}</code>").markdown
    assert markdown == "`a {`\\\n`margin: 0;`\\\n`}`\n"
    assert count("br", to_html(markdown)) == 2


def test_brackets_in_code_are_not_shortcodes() -> None:
    rendered = render_body("Text [foo] here\n\n<pre>if (a[b[0]]&gt; 1) { return x[y]; }</pre>\n\nand <code>m[k]</code>")
    assert rendered.unknown_shortcodes == ("foo",)
    assert "if (a[b[0]]> 1) { return x[y]; }" in rendered.markdown
    assert "`m[k]`" in rendered.markdown


@pytest.mark.parametrize("content, expected", [
    ("[unknowncode] and &#xE000;0&#xE001; end", "[unknowncode] and \ue0000\ue001 end\n"),
    ("raw \ue000 \ue0000\ue001 \ue002 \ue003A\ue003", "raw \ue000 \ue0000\ue001 \ue002 \ue003A\ue003\n"),
    ("line&#xE002;<br />\nnext &#57344;99&#57345;", "line\ue002\\\nnext \ue00099\ue001\n"),
    ("[php]x &#xE000;9&#xE001; \ue002[/php]", "```php\nx \ue0009\ue001 \ue002\n```\n"),
    ('<a href="http://x/&#57344;0&#57345;">l&#xe002;</a> [foo a="\ue000"]',
     '[l\ue002](http://x/\ue0000\ue001) [foo a="\ue000"]\n'),
    ("&#xE0001; &#xe000g &#x0E000 end", "\U000e0001 \ue000g \ue000 end\n"),
])
def test_private_use_characters_of_the_renderer_come_out_as_themselves(content: str, expected: str) -> None:
    """The renderer marks kept text and breaks with U+E000..U+E003: the post's own are not marks."""
    assert render_body(content).markdown == expected


# --- linear on crafted input (issue 8) ------------------------------------------------------------


def cpu_seconds(content: str) -> float:
    """The least CPU time of two renders: process time, so other processes on the machine barely count."""
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        render_body(content)
        best = min(best, time.process_time() - start)
    return best


def assert_linear(make: Callable[[int], str], n: int) -> None:
    """8 times the input may take at most 30 times as long: linear work gives about 8, a quadratic
    step about 64, so the bound neither flakes nor lets a quadratic through."""
    small, large = cpu_seconds(make(n)), cpu_seconds(make(8 * n))
    assert large < 30 * max(small, 0.002), (small, large)


CRAFTED: dict[str, Callable[[int], str]] = {
    "short paragraphs": lambda n: "<p>word here</p>\n" * n,
    "unclosed shortcodes": lambda n: "[a " * n,
    "unclosed code shortcodes": lambda n: "[c " * n,
    "shortcodes without closing tags": lambda n: "[a]" * n,
    "shortcodes with distinct names": lambda n: "".join(f"[a{i}] " for i in range(n)),
    "block comments without an end": lambda n: "<!-- wp:paragraph " * n,
    "unclosed pre": lambda n: "<pre>x " * n,
    "unclosed code": lambda n: "<code>x " * n,
    "unclosed script": lambda n: "<script>x " * n,
    "unclosed iframe": lambda n: "<iframe>x " * n,
    "iframe tags without >": lambda n: "<iframe x " * n,
    "unclosed p tags": lambda n: "<p " * n,
    "unclosed comments before a >": lambda n: "<!-- wp:p " * n + ">",
    "runs of spaces and tabs": lambda n: "x" + " \t" * n + "<br>",
    "nested lists": lambda n: "<ul><li>" * n + "x" + "</li></ul>" * n,
    "nested quotes": lambda n: "<blockquote>" * n + "x<br>y" + "</blockquote>" * n,
    "shortcodes alone in paragraphs": lambda n: "[a]\n\n" * n,
    "block tags without >": lambda n: "<hr" * n,
    "nested shortcodes": lambda n: "".join(f"[n{i}]" for i in range(n)) + "x" + "".join(
        f"[/n{i}]" for i in reversed(range(n))),
}


@pytest.mark.parametrize("kind", sorted(CRAFTED))
@pytest.mark.slow
def test_rendering_is_linear_on_crafted_posts(kind: str) -> None:
    """Each crafted body here took quadratic time or worse before issue 8."""
    assert_linear(CRAFTED[kind], 2000)


def test_nested_shortcodes_keep_every_tag_in_order() -> None:
    depth = 3000  # past Python's recursion limit
    text = "".join(f"[n{i}]" for i in range(depth)) + "x" + "".join(f"[/n{i}]" for i in reversed(range(depth)))
    out = render_body(text)
    assert out.markdown == text + "\n"
    assert out.unknown_shortcodes == tuple(f"n{i}" for i in range(depth))


@pytest.mark.parametrize("content, expected", [
    ("[foo]] x", "[foo]\\] x\n"),  # WordPress keeps the second ], as it does after [/foo]]
    ("[foo]a[/foo]] y", "[foo]a[/foo]\\] y\n"),
    ("[[foo]] x", "[foo] x\n"),
    ("[code]x[/code]] q", "```\nx\n```\n\n\\] q\n"),
    ("[a [b] c] d", "[a \\[b] c\\] d\n"),  # text inside a kept shortcode is escaped
])
def test_shortcode_brackets_are_kept(content: str, expected: str) -> None:
    assert render_body(content).markdown == expected


def test_plain_text_is_linear_on_unclosed_tags() -> None:
    makers: list[Callable[[int], str]] = [lambda n: "<" * n, lambda n: "<a " * n]
    for make in makers:
        times = []
        for n in (5000, 40000):
            start = time.process_time()
            assert plain_text(make(n)) == " ".join(make(n).split())  # nothing is a tag without its >
            times.append(time.process_time() - start)
        assert times[1] < 30 * max(times[0], 0.002), times


def test_lists_and_quotes_nested_past_the_limit_keep_their_text() -> None:
    deep = 40
    out = render_body("<blockquote>" * deep + "deep" + "</blockquote>" * deep + "<p>after</p>").markdown
    assert out == "> " * 31 + "> deep\n\nafter\n"


# --- shortcuts in the html2text subclass, held to what they stand for ------------------------------

SHORTCUT_PIECES = ["<p>", "</p>", "<pre>", "</pre>", "<abbr title='t'>", "</abbr>", "<style>", "</style>", "<script>",
                   "</script>", "a  b", "\n", "\t", " ", "\xa0", "\u2028", "&nbsp;", "_x_", "~~", "~", "<b>", "</b>",
                   "*", "[", "]", "|", "\\", "<br>", "<li>", "<ul>", "</ul>", "# h", "1. ", "<code>", "</code>",
                   "&amp;", "&lt;b", "<a href='http://x/y'>", "</a>", "<table><tr><td>", "</td></tr></table>", "é_é"]


@pytest.mark.slow
def test_text_runs_fold_as_html2text_itself_folds_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """emit_text folds whitespace with str.split instead of html2text's re.sub in o(puredata=True):
    the Markdown must be the same on random markup, inside <pre>, <abbr> and <style> too."""
    rng = random.Random(8)
    fragments = ["".join(rng.choice(SHORTCUT_PIECES) for _ in range(rng.randint(1, 25))) for _ in range(4000)]
    ours = [html_to_markdown(f) for f in fragments]
    monkeypatch.setattr(HtmlToMarkdown, "emit_text", lambda self, data: self.o(data, puredata=True))
    assert [html_to_markdown(f) for f in fragments] == ours


def test_the_escaping_regex_is_its_readable_spelling() -> None:
    """INLINE_SPECIAL puts each branch's character first, for speed; the rule reads better with
    lookbehinds first. Both must escape the same characters."""
    readable = re.compile(r"\\(?=[!-/:-@\[-`{-~]|$)|[`*\[\]|]|~(?=~)|(?<=~)~|<(?=[A-Za-z/!?]|$)|&(?=#?\w+;)"
                          r"|(?<![^\W_])_|_(?![^\W_])")
    rng = random.Random(9)
    alphabet = [*"ab_~\\`*[]|<&#;/!?A1 é_\n", "&amp;", "~~", "__", "1_2"]
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert [m.span() for m in INLINE_SPECIAL.finditer(text)] == [m.span() for m in readable.finditer(text)]


@pytest.mark.slow
def test_plain_text_takes_the_short_way_to_the_same_markdown(monkeypatch: pytest.MonkeyPatch) -> None:
    """A body of plain words (most comments) skips the pipeline (plain_markdown); on random text made of
    the characters that decide it, and on the corpus bodies and comments, the Markdown is the same."""
    rng = random.Random(12)
    alphabet = ["a", "word ", " ", "  ", "\n", "\n\n", "\n \n", ".", ",", ";", "!", "?", "'", '"', "(", ")", "/", "%",
                "$", "@", "+", "=", ":", "-", "1", "2.", "3)", "é", "İ", "ß", "٣", "Ⅻ", "x_y", "://", "www.", "\t",
                "http", "https://ex.com/a", "\r", "\xa0", "#", ">", "*", "~", "&", "[", "|", "\\", "`", "\u2028", "²",
                "\u0301"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25))) for _ in range(6000)]
    texts += [t for path in corpus_files() for r in iter_records(path.open("rb")) if isinstance(r, Post)
              for t in [r.content or "", *(c.content or "" for c in r.comments)]]
    short = [render_body(t) for t in texts]
    assert sum(plain_markdown(t) is not None for t in texts) > 500
    monkeypatch.setattr("wxr2db.content.body.plain_markdown", lambda content: None)
    assert [render_body(t) for t in texts] == short
