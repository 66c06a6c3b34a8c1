"""Output grows linearly with the input, also on crafted input: each case builds an input of size n
and 2n and counts the bytes written (not the time taken, which a shared machine makes noisy).

The classes: a table padded to its widest row, colspans, list and quote prefixes repeated on every
line of deep nesting, footnotes, shortcodes, comment threads nested in front matter, and redirect
rules. Each case also bounds the output by a multiple of the input, so a "linear" blow-up of a
thousand times would fail too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.helpers import cli
from tests.wxrbuild import comment, export, item
from wxr2db.content.body import render_body
from wxr2db.content.tables import PLAIN_TABLE
from wxr2db.links.redirects import plan_redirects, render_redirects

MD = MarkdownIt("commonmark", {"html": False}).enable("table")
N = 400  # and 2N: big enough that a quadratic case is 2x off, small enough to take milliseconds
SLACK = 1.1  # doubling may cost a little over double (depth limits reached, longer numbers)


def wide_row(n: int) -> str:
    """The report's case: one row of n cells, then n rows of one cell."""
    return "<table><tr>" + "<td>x</td>" * n + "</tr>" + "<tr><td>y</td></tr>" * n + "</table>"


# name -> (HTML of size ~n, most output bytes per input byte)
BODIES: dict[str, tuple[Callable[[int], str], float]] = {
    "wide row": (wide_row, 1),
    "wide header over short rows": (lambda n: "<table><tr>" + "<th>h</th>" * n + "</tr>"
                                    + "<tr><td>y</td><td>z</td></tr>" * n + "</table>", 1),
    "colspans": (lambda n: "<table>" + '<tr><td colspan="1000">x</td><td>y</td></tr>' * n + "</table>", 1),
    "one colspan under many rows": (lambda n: "<table>" + "<tr><td>x</td></tr>" * n
                                    + '<tr><td colspan="1000">z</td></tr></table>', 1),
    "nested tables": (lambda n: "<table><tr><td>" * n + "x" + "</td></tr></table>" * n, 1),
    "nested lists": (lambda n: "<ul><li>a" * n + "</li></ul>" * n, 8),
    "text in deep lists": (lambda n: "<ul><li>a" * 60 + "<p>x</p>" * n + "</li></ul>" * 60, 20),
    "text in deep quotes": (lambda n: "<blockquote>" * 60 + "<p>x</p>" * n + "</blockquote>" * 60, 20),
    "lists in quotes": (lambda n: "<blockquote><ul><li>" * 60 + "<p>x</p>" * n + "</li></ul></blockquote>" * 60, 20),
    "line breaks in deep quotes": (lambda n: "<blockquote>" * 60 + "x<br>" * n + "</blockquote>" * 60, 20),
    "code lines in deep quotes": (lambda n: "<blockquote>" * 60 + "<pre>" + "x\n" * n + "</pre>"
                                  + "</blockquote>" * 60, 40),
    "code lines in deep lists": (lambda n: "<ul><li>" * 60 + "<pre>" + "x\n" * n + "</pre>" + "</li></ul>" * 60, 80),
    "a table in deep quotes": (lambda n: "<blockquote>" * 60 + "<table>" + "<tr><td>x</td></tr>" * n
                               + "</table>" + "</blockquote>" * 60, 10),
    "nested shortcodes": (lambda n: "[caption]" * n + "x" + "[/caption]" * n, 2),
    "unclosed tags": (lambda n: "<p " * n, 2),
    "unclosed block comments": (lambda n: "<!-- wp:p " * n, 2),
    "nested emphasis": (lambda n: "<em><strong>" * n + "x" + "</strong></em>" * n, 1),
    "nested links": (lambda n: "<a href='/x'>" * n + "x" + "</a>" * n, 1),
    "a long ordered list": (lambda n: "<ol start='999999999'>" + "<li>x</li>" * n + "</ol>", 2),
    # html2text wraps nothing (bodywidth 0): a long paragraph stays one line, never re-flowed.
    "one long paragraph": (lambda n: "<p>" + "word, *x* " * n + "</p>", 2),
    "lone URLs (embeds)": (lambda n: "https://www.youtube.com/watch?v=abc\n\n" * n, 2),
    "images in links": (lambda n: "<a href='/x'><img src='/y.jpg' alt='a'></a>" * n, 1),
}


def markdown_of(html: str) -> str:
    return render_body(html).markdown


def assert_linear(make: Callable[[int], str], measure: Callable[[str], int], most: float) -> None:
    small, large = make(N), make(2 * N)
    out_small, out_large = measure(small), measure(large)
    assert out_large <= 2 * SLACK * out_small + 200, (out_small, out_large)
    assert out_large <= most * len(large) + 1000, (len(large), out_large)


@pytest.mark.parametrize("name", BODIES)
def test_markdown_grows_linearly(name: str) -> None:
    make, most = BODIES[name]
    assert_linear(make, lambda html: len(markdown_of(html)), most)


@pytest.mark.parametrize("name", [name for name in BODIES if "table" in name or "row" in name or "colspan" in name])
def test_the_html_a_reader_gets_grows_linearly(name: str) -> None:
    """GFM readers fill every row to the header's width: the generator's page must stay linear too."""
    make, most = BODIES[name]
    assert_linear(make, lambda html: len(MD.render(markdown_of(html))), 4 * most)


def test_the_reported_table_is_written_as_lines_with_all_its_text() -> None:
    rendered = render_body(wide_row(2000))
    assert rendered.lossy == (PLAIN_TABLE,)
    assert len(rendered.markdown) < 15_000  # it was 12 MB
    lines = rendered.markdown.strip("\n").split("\n\n")
    assert lines == [" | ".join(["x"] * 2000)] + ["y"] * 2000
    page = MD.render(rendered.markdown)
    assert "<table>" not in page and page.count("<p>y</p>") == 2000


def test_a_plain_table_keeps_pipes_in_cells_apart_and_inside_quotes() -> None:
    html = ("<blockquote><table><tr>" + "<td>h</td>" * 300 + "</tr>" + "<tr><td>a|b</td><td></td><td>c</td></tr>" * 10
            + "</table>After</blockquote>")
    markdown = render_body(html).markdown
    assert "> a\\|b | c\n>\n> After" in markdown
    page = MD.render(markdown)
    assert "<table>" not in page and "<p>a|b | c</p>" in page


def test_ordinary_tables_stay_pipe_tables() -> None:
    """Ragged and spanning tables as real posts have them are still tables."""
    for html in (
        "<table><tr><th colspan='3'>Title</th></tr>" + "<tr><td>a</td><td>b</td><td>c</td></tr>" * 20 + "</table>",
        "<table><tr><td>a</td><td>b</td><td>c</td><td>d</td></tr>" + "<tr><td>x</td></tr>" * 5 + "</table>",
        "<table><tr>" + "<td>x</td>" * 60 + "</tr></table>",
    ):
        rendered = render_body(html)
        assert PLAIN_TABLE not in rendered.lossy
        assert MD.render(rendered.markdown).count("<table>") == 1


def test_distinct_footnotes_grow_linearly() -> None:
    def post(n: int) -> str:
        return "".join(f'<p>x<sup data-fn="f{i}" class="fn"><a href="#f{i}" id="f{i}-link">{i}</a></sup></p>'
                       for i in range(n))

    def measure(html: str) -> int:
        notes = [(f"f{i}", f"Note {i}") for i in range(html.count("data-fn"))]
        return len(render_body(html, None, notes).markdown)

    assert_linear(post, measure, 2)


def test_one_footnote_referenced_many_times_grows_linearly() -> None:
    ref = '<p>x<sup data-fn="a" class="fn"><a href="#a" id="a-link">1</a></sup></p>'
    assert_linear(lambda n: ref * n, lambda html: len(render_body(html, None, [("a", "The note")]).markdown), 1)


# --- whole sites: front matter, comment threads, redirect files ------------------------------------


def site_size(tmp_path: Path, text: str) -> int:
    """Bytes of everything `wxr2db markdown` writes for an export, redirect files included."""
    folder = tmp_path / str(len(list(tmp_path.iterdir())))
    folder.mkdir()
    (folder / "x.xml").write_text(text, encoding="utf-8")
    result = cli("markdown", folder / "x.xml", folder / "out", "--redirects", "netlify,nginx,apache")
    assert result.exit_code == 0, result.output
    return sum(path.stat().st_size for path in (folder / "out").rglob("*") if path.is_file())


def thread(n: int, content: str) -> str:
    """One post with a thread n replies deep."""
    return export(item(1, comments=[comment(10 + i, parent=9 + i if i else 0, content=content) for i in range(n)]))


SITES: dict[str, tuple[Callable[[int], str], float]] = {
    "a deep comment thread": (lambda n: thread(n, "A reply"), 3),
    "a deep thread of multi-line comments": (lambda n: thread(n, "a\nb\nc\n\nd"), 4),
    "deep lists in a deep thread": (lambda n: thread(n // 8, "<ul><li>" * 60 + "x<br>" * 10 + "</li></ul>" * 60), 8),
    "a wide table in a comment": (lambda n: export(item(1, comments=[comment(10, content=wide_row(n))])), 2),
    "many categories": (lambda n: export(item(1, categories=[(f"c{i}", f"Cat {i}") for i in range(n)])), 6),
    "many posts and their redirects": (lambda n: export(*[item(i + 1) for i in range(n // 4)]), 3),
}


def test_the_markdown_command_warns_of_tables_written_plainly(tmp_path: Path) -> None:
    text = export(item(1, content=wide_row(300), comments=[comment(10, content=wide_row(300))]), item(2))
    (tmp_path / "x.xml").write_text(text, encoding="utf-8")
    result = cli("markdown", tmp_path / "x.xml", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("too uneven") == 1
    assert f"warning: post 1: 2 {PLAIN_TABLE}" in result.stderr
    assert "1 warning" in result.stderr


@pytest.mark.parametrize("name", SITES)
@pytest.mark.slow
def test_site_files_grow_linearly(name: str, tmp_path: Path) -> None:
    make, most = SITES[name]
    assert_linear(make, lambda text: site_size(tmp_path, text), most)


def test_redirect_files_grow_linearly() -> None:
    """Every rule is written a bounded number of times (two nginx keys, an index.php spelling)."""
    def pairs(n: int) -> str:
        return "\n".join(f"/{i}/{'é' * (i % 100)}/ /?p={i}&x={i} /new/{i}/" for i in range(n))

    def measure(text: str) -> int:
        rows = [line.split(" ") for line in text.splitlines()]
        plan = plan_redirects([(old, new) for old, query, new in rows for old in (old, query)])
        return sum(map(len, render_redirects(plan, ["netlify", "nginx", "apache"]).values()))

    assert_linear(pairs, measure, 30)
