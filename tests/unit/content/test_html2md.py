"""What readers see: our Markdown rendered back with markdown-it-py (CommonMark + GFM tables, raw HTML
off, as the generators' defaults are) must show the structure of the HTML it came from."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from tests.generators import make_hugo_site
from tests.helpers import corpus_params, export_site, records_db, split
from wxr2db import iter_records
from wxr2db.content.autop import wpautop
from wxr2db.content.blocks import is_block_content
from wxr2db.content.body import render_body
from wxr2db.records import Meta, Post, Record
from wxr2db.site.layouts import escape_hugo_shortcodes

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


def test_a_table_without_th_shows_its_first_row_as_the_header_never_an_empty_one() -> None:
    """Issue 22: GFM needs a header row; an empty one showed as a blank bar above every such table."""
    page = shown("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>")
    assert re.findall(r"<th>(.*?)</th>", page) == ["a", "b"] and re.findall(r"<td>(.*?)</td>", page) == ["c", "d"]
    assert count(page, "tr") == 2


def test_adjacent_ordered_lists_stay_two_lists() -> None:
    page = shown("<ol><li>a</li><li>b</li></ol><ol><li>c</li></ol><ol><li>d</li></ol>")
    assert count(page, "ol") == 3 and count(page, "li") == 4
    nested = shown("<ol><li>a<ol><li>x</li></ol></li></ol><ol><li>c</li></ol>")
    assert count(nested, "ol") == 3


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


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params(), ids=lambda p: p.stem)
def test_corpus_tables_and_backslashes_survive(path: Path) -> None:
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


# --- front matter and layouts ----------------------------------------------------------------------

TEMPLATE_TALK = ("<p>Embed a video with {{< youtube abc >}} or {{% note %}}hi{{% /note %}}; "
                 "in Liquid, {% if user %}{{ user.name }}{% endif %}.</p>")


def written_post(tmp_path: Path, layout: str, *records: Record, **options: Any) -> tuple[dict[str, Any], str]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    db = records_db(records, tmp_path)
    out = tmp_path / f"out-{layout}"
    export_site(db, out, layout=layout, **options)
    files = [p for p in out.rglob("*.md")]
    assert len(files) == 1, files
    return split(files[0].read_text(encoding="utf-8"))


def post(content: str, **fields: Any) -> Post:
    return Post(7, title="T", slug="t", status=fields.pop("status", "publish"), content=content,
                date="2020-01-02 03:04:05", **fields)


@pytest.mark.parametrize(("layout", "keys", "marker"), [
    ("hugo", {}, True),
    ("jekyll", {"excerpt_separator": "<!--more-->"}, True),
    ("eleventy", {"description": "Intro words."}, False),
    ("astro", {"description": "Intro words."}, False),
])
def test_the_more_marker_becomes_each_generators_excerpt(
    tmp_path: Path, layout: str, keys: dict[str, str], marker: bool
) -> None:
    matter, body = written_post(tmp_path, layout, post("<p>Intro words.</p>\n<!--more Keep reading-->\n<p>Rest</p>"))
    assert {k: matter[k] for k in keys} == keys
    assert matter["more_text"] == "Keep reading"
    assert ("<!--more-->" in body) is marker and "Rest" in body and "Intro words." in body


def test_block_footnotes_become_markdown_footnotes(tmp_path: Path) -> None:
    content = ('<!-- wp:paragraph --><p>A claim<sup data-fn="f1" class="fn"><a href="#f1" id="f1-link">1</a>'
               '</sup> and more<sup data-fn="f2" class="fn"><a href="#f2" id="f2-link">2</a></sup>.</p>'
               "<!-- /wp:paragraph --><!-- wp:footnotes /-->")
    notes = '[{"content":"First <em>source</em>","id":"f1"},{"content":"Second","id":"f2"}]'
    _, body = written_post(tmp_path, "hugo", post(content, meta=(Meta("footnotes", notes),)))
    assert body.strip().splitlines() == ["A claim[^1] and more[^2].", "", "[^1]: First *source*",
                                         "[^2]: Second"]


@pytest.mark.parametrize(("layout", "keys"), [
    ("jekyll", {"render_with_liquid": False}),
    ("eleventy", {"templateEngineOverride": "md"}),
])
def test_template_syntax_is_switched_off_only_where_present(
    tmp_path: Path, layout: str, keys: dict[str, Any]
) -> None:
    matter, _ = written_post(tmp_path, layout, post(TEMPLATE_TALK))
    assert {k: matter.get(k) for k in keys} == keys
    plain, _ = written_post(tmp_path / "plain", layout, post("<p>No templates here.</p>"))
    assert not set(keys) & set(plain)


@pytest.mark.skipif(shutil.which("hugo") is None, reason="hugo not installed; .ci/run installs it")
@pytest.mark.generators
def test_hugo_builds_a_post_about_shortcodes_and_shows_them(tmp_path: Path) -> None:
    make_hugo_site(tmp_path)
    db = records_db([post(TEMPLATE_TALK)], tmp_path)
    export_site(db, tmp_path, layout="hugo")
    done = subprocess.run(["hugo", "--quiet", "--source", str(tmp_path)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "public" / "posts" / "t" / "index.html").read_text(encoding="utf-8")
    assert "{{&lt; youtube abc &gt;}}" in page and "{{% note %}}hi{{% /note %}}" in page, page


@pytest.mark.parametrize(("layout", "hidden"), [
    ("hugo", {"draft": True}), ("jekyll", {"published": False}), ("astro", {"draft": True}),
    ("eleventy", {"draft": True, "permalink": False, "eleventyExcludeFromCollections": True}),
])
def test_private_and_password_posts_are_marked_unpublished(
    tmp_path: Path, layout: str, hidden: dict[str, Any]
) -> None:
    private, _ = written_post(tmp_path / "a", layout, post("<p>x</p>", status="private"), private=True)
    locked, _ = written_post(tmp_path / "b", layout, post("<p>x</p>", password="pw"), private=True)
    open_post, _ = written_post(tmp_path / "c", layout, post("<p>x</p>"))
    assert {k: private[k] for k in hidden} == hidden and private["visibility"] == "private"
    assert {k: locked[k] for k in hidden} == hidden and locked["visibility"] == "password"
    assert not (set(hidden) | {"visibility"}) & set(open_post)


class ScanCounting(str):
    """A str whose find() adds up how many characters each search walks over."""

    scanned = 0

    def find(self, sub: str, start: Any = 0, end: Any = None) -> int:
        found = str.find(self, sub, start, end)
        ScanCounting.scanned += (found if found >= 0 else len(self)) - int(start)
        return found


def test_shortcode_escaping_is_linear_on_unclosed_openers() -> None:
    for n in (5_000, 20_000):
        text = "{{< " * n
        ScanCounting.scanned = 0
        assert escape_hugo_shortcodes(ScanCounting(text)) == text
        assert ScanCounting.scanned <= 3 * len(text), (n, ScanCounting.scanned)


def test_astro_entries_keep_their_nested_ids(tmp_path: Path) -> None:
    """Astro's glob loader uses a `slug` key as the entry id; without one, the file's own path."""
    records = [Post(1, post_type="page", title="About", slug="about", status="publish"),
               Post(2, post_type="page", title="Team", slug="team", parent_id=1, status="publish"),
               Post(3, post_type="page", title="Jobs", slug="jobs", status="publish"),
               Post(4, post_type="page", title="Team", slug="team", parent_id=3, status="publish")]
    db = records_db(records, tmp_path)
    export_site(db, tmp_path / "out", layout="astro")
    pages = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.md"))
    assert pages == ["src/content/pages/about.md", "src/content/pages/about/team.md",
                     "src/content/pages/jobs.md", "src/content/pages/jobs/team.md"]
    for page in pages:
        assert "slug" not in split((tmp_path / "out" / page).read_text(encoding="utf-8"))[0]
