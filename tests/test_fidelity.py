"""What readers see: our Markdown rendered back with markdown-it-py (CommonMark + GFM tables, raw HTML
off, as the generators' defaults are) must show the structure of the HTML it came from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from tests.conftest import corpus_files, need_corpus
from wxr2db import iter_records
from wxr2db.content import is_block_content, render_body, wpautop
from wxr2db.records import Post

MD = MarkdownIt("commonmark", {"html": False}).enable("table")


def shown(content: str) -> str:
    """The HTML a reader's browser gets from our Markdown."""
    return str(MD.render(render_body(content).markdown))


def count(page: str, tag: str) -> int:
    return len(re.findall(rf"<{tag}[\s>]", page))


def test_consecutive_tables_stay_two_tables() -> None:
    page = shown("<table><tr><td>a</td></tr></table><table><tr><td>b</td></tr></table>")
    assert count(page, "table") == 2


def test_a_table_and_its_figcaption_are_apart() -> None:
    page = shown('<figure class="wp-block-table"><table><tr><td>a</td><td>b</td></tr></table>'
                 "<figcaption>Prices in 2024</figcaption></figure>")
    assert count(page, "table") == 1 and "<p>Prices in 2024</p>" in page


def test_a_break_inside_a_cell_keeps_the_row_whole() -> None:
    page = shown("<table><tr><th>h1</th><th>h2</th></tr><tr><td>c<br>d</td><td>e</td></tr></table>")
    assert count(page, "tr") == 2 and "<td>c d</td>" in page and "\\" not in page


def test_an_empty_first_cell_keeps_its_place() -> None:
    page = shown("<table><tr><th>a</th><th>b</th></tr><tr><td></td><td>z</td></tr></table>")
    assert re.search(r"<tr>\s*<td></td>\s*<td>z</td>\s*</tr>", page), page


def test_an_empty_last_header_cell_still_makes_a_table() -> None:
    page = shown("<table><tr><th>Name</th><th></th></tr><tr><td>x</td><td>y</td></tr></table>")
    assert count(page, "table") == 1 and count(page, "th") == 2 and count(page, "td") == 2


def test_a_table_without_th_gets_an_empty_header_not_its_first_row() -> None:
    page = shown("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>")
    assert count(page, "td") == 4 and re.findall(r"<th>(.*?)</th>", page) == ["", ""]


def test_a_pipe_in_a_cell_is_text() -> None:
    page = shown("<table><tr><th>a|b</th></tr><tr><td>c</td></tr></table>")
    assert "<th>a|b</th>" in page


def test_spans_are_kept_readable_and_reported() -> None:
    rendered = render_body('<table><tr><th colspan="2">wide</th></tr><tr><td>a</td><td>b</td></tr></table>')
    page = str(MD.render(rendered.markdown))
    assert count(page, "th") == 2 and "<th>wide</th>" in page
    assert rendered.lossy == ("table cell spanning several columns or rows",)


def test_nbsp_is_not_a_backslash() -> None:
    page = shown("<p>Hello&nbsp;there and&nbsp;_here_</p>")
    assert "\\" not in page and "Hello\xa0there" in page


def test_a_break_at_the_end_of_a_paragraph_is_no_backslash() -> None:
    assert "\\" not in shown("<p>end<br></p><p><br /></p><p>last<br />\n</p>")
    assert "\\" not in shown(wpautop("line one<br />\n\nline two<br />"))


def test_block_editor_images_stand_alone_with_their_captions() -> None:
    content = (
        '<!-- wp:image --><figure class="wp-block-image"><img src="a.jpg" alt=""/>'
        "<figcaption>Align left</figcaption></figure><!-- /wp:image -->"
        '<!-- wp:image --><figure class="wp-block-image"><img src="b.jpg" alt=""/>'
        "<figcaption>Center</figcaption></figure><!-- /wp:image -->"
    )
    paragraphs = re.findall(r"<p>(.*?)</p>", shown(content))
    assert paragraphs == ['<img src="a.jpg" alt="" />', "Align left", '<img src="b.jpg" alt="" />', "Center"]


def test_adjacent_lists_stay_two_lists() -> None:
    page = shown("<ul><li>a</li></ul><ul><li>b</li></ul><ul><li>c</li></ul>")
    assert count(page, "ul") == 3


def test_empty_emphasis_and_empty_terms_vanish() -> None:
    page = shown("<dl><dt></dt><dd>x</dd></dl><p><em></em>hi <strong> </strong>there</p>")
    assert "<hr" not in page and "*" not in page and "<p>hi there</p>" in page


def test_links_without_a_target_keep_their_text() -> None:
    page = shown('<p><a href="#">Hash</a> <a>none</a> <a href="">empty</a> '
                 '<a class="wp-block-button__link">Button</a></p>')
    assert "<p>Hash none empty Button</p>" in page and "<a" not in page


# --- the whole corpus ------------------------------------------------------------------------------


def source_html(post: Post) -> str:
    content = post.content or ""
    return content if is_block_content(content) else wpautop(content)


def tables_in(page: str) -> int:
    return len(lxml_html.fromstring(f"<div>{page}</div>").findall(".//table"))


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_tables_and_backslashes_survive(path: Path) -> None:
    need_corpus()
    with path.open("rb") as f:
        posts = [r for r in iter_records(f, name=path.name) if isinstance(r, Post) and r.content]
    for post in posts:
        source = source_html(post)
        if "<table" not in source and "\\" in source:
            continue
        page = str(MD.render(render_body(post.content or "").markdown))
        nested = source.count("<table") != len(re.findall(r"<table[\s>]", source))
        if "<table" in source and not nested and "[" not in source:
            assert tables_in(page) == tables_in(source), (post.id, post.title)
        if "\\" not in source:
            assert "\\" not in page, (post.id, post.title)
