from __future__ import annotations

import html
import random
import re

import pytest
from sqlite_utils import Database

from tests.helpers import corpus_files, import_path
from wxr2db import iter_records
from wxr2db.content import plaintext
from wxr2db.content.plaintext import Scanner, folded, scan
from wxr2db.content.plaintext import plain_text as one_line
from wxr2db.content.plaintext import search_text as plain_text
from wxr2db.records import Post


def test_block_post_reads_as_paragraphs() -> None:
    markup = ('<!-- wp:heading --><h2 class="x">Tea &amp; cake</h2><!-- /wp:heading -->\n'
              '<!-- wp:paragraph --><p>Some <a href="/a">linked</a> wo<b>rd</b>s.</p><!-- /wp:paragraph -->'
              '<ul><li>one</li><li>two</li></ul>x<br>y')
    assert plain_text(markup) == "Tea & cake\n\nSome linked words.\n\none\ntwo\n\nx\ny"


def test_scripts_styles_comments_and_quoted_brackets_are_dropped() -> None:
    markup = ('<style>p{color:red}</style><SCRIPT>if (a<b) x()</SCRIPT><!-- hidden -->'
              '<p title="a > b" data-x=\'">\'>shown</p><!DOCTYPE html><?php echo 1; ?>')
    assert plain_text(markup) == "shown"


def test_classic_content_keeps_wpautop_paragraphs_and_literal_angles() -> None:
    assert plain_text("First line\nsecond line\n\nNext  paragraph: a < b &lt;tag&gt;") == \
        "First line\nsecond line\n\nNext paragraph: a < b <tag>"


def test_core_shortcode_brackets_go_and_their_text_stays() -> None:
    markup = ('[caption id="attachment_1" align="alignleft" width="300"]<img src="a.jpg" /> A cat[/caption]'
              ' [gallery ids="1,2"] see [sic] and [1]')
    assert plain_text(markup) == "A cat see [sic] and [1]"


def test_unclosed_constructs_end_the_text() -> None:
    assert plain_text("kept <!-- never closed <p>lost") == "kept"
    assert plain_text("kept <script>lost <p>lost") == "kept"
    assert plain_text('kept <a href="x>still kept') == "kept still kept"


@pytest.mark.parametrize(("markup", "line", "search"), [
    ("A<br>B [caption]c[/caption] <script>s</script>", "AB [caption]c[/caption] s", "A\nB c"),
    ('T <a title="a>b">x</a> <!-- c > d -->', 'T b">x d -->', "T x"),
    ("&am<b></b>p; x < y\n\n z", "& x < y z", "&amp; x < y\n\nz"),
])
def test_one_line_mode_strips_every_angle_bracket_pair_and_decodes_last(markup: str, line: str, search: str) -> None:
    """Titles keep what they always showed: `<...>` to the next `>` goes, nothing else is markup, and
    entities are decoded once the tags are gone; the search text reads the same markup as a browser."""
    assert one_line(markup) == line
    assert plain_text(markup) == search


TAG = re.compile(r"<[^>]*>")


def regex_title(text: str) -> str:
    """Titles before one scanner served both modes: the definition the one-line mode keeps to."""
    end = text.rfind(">") + 1
    return " ".join(html.unescape(TAG.sub("", text[:end]) + text[end:]).split())


@pytest.mark.corpus
def test_one_line_mode_is_the_title_regex_on_the_corpus_and_random_fragments() -> None:
    texts = []
    for path in corpus_files():
        with path.open("rb") as f:
            posts = [r for r in iter_records(f, name=path.name) if isinstance(r, Post)]
        texts += [text for post in posts for text in (post.title, post.content, post.excerpt)]
    pieces = ["<", ">", "<!--", "-->", "[caption]", "&amp;", "&am", "p;", '"', "<script>", "<br>", "\n", " ",
              "\xa0", "\x1c", "a", "İ", "K"]
    rng = random.Random(9)
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(5000)]
    assert [one_line(text) for text in texts] == [regex_title(text) for text in texts]


PATHOLOGICAL = {
    "unclosed comments": "<!--",
    "bare angles": "<",
    "unclosed quotes": '<a href="',
    "unclosed scripts": "<script>",
    "unclosed close tags": "</x",
    "brackets": "[",
    "unclosed shortcodes": "[caption ",
    "closing shortcodes": "[/caption]",
    "entities": "&amp",
}


@pytest.mark.parametrize("unit", list(PATHOLOGICAL.values()), ids=list(PATHOLOGICAL))
def test_work_is_linear_on_crafted_input(unit: str) -> None:
    """Characters looked at, counted by the scanner, grow like the input: doubling it doubles the work."""
    works = []
    for n in (20_000, 40_000, 80_000):
        scanner = Scanner(unit * n)
        scan(scanner)
        works.append(scanner.work)
        assert scanner.work <= 8 * len(scanner.text)
    assert works[2] / works[1] <= 2.2 and works[1] / works[0] <= 2.2


def test_a_megabyte_without_spaces_is_one_word() -> None:
    text = "x" * 1_000_000
    scanner = Scanner(text)
    assert scan(scanner).result() == text
    assert scanner.work <= 3 * len(text)


# Posts about HTML show tags as text (&lt;blockquote&gt;): those become "\x01" so that only markup can fail.
ESCAPED_ANGLE = re.compile(r"&(?:lt|#0*60|#x0*3c);", re.I)
SHOWN_TAG = re.compile("\x01[^\x01>]*>")


@pytest.mark.corpus
def test_every_corpus_post_is_free_of_markup() -> None:
    checked = 0
    for path in corpus_files():
        db, _ = import_path(path, Database(memory=True))
        for post_id, content in db.execute("SELECT id, content FROM posts WHERE content != ''").fetchall():
            text = SHOWN_TAG.sub("", plain_text(ESCAPED_ANGLE.sub("\x01", content)))
            where = f"{path.name} post {post_id}: {text[:200]!r}"
            assert re.search(r"<[A-Za-z/!?]", text) is None, where
            assert "wp:" not in text, where
            assert "class=" not in text, where
            assert "href=" not in text, where
            checked += 1
    assert checked > 100


TAG_PIECES = ["<", ">", "<p>", "</p>", '<a href="x>y">', "<b title='a'>", "<br/>", "<script>", "</script>", "<!--",
              "-->", "[caption]", "[/caption]", "&amp;", " ", "\n", "\n\n", "word", "<div class=a>", "</div>",
              "<img src=x>", "<li>", "<td>", "<?php", '"', "'", "<x-y:z>", "<svg a=\"", "<p\n>", "<P CLASS=x>"]


def test_the_simple_tag_shortcut_reads_tags_as_the_full_scanner_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tags without quotes are read by one regex; the scanner that handles quoted `>` must agree."""
    rng = random.Random(11)
    texts = ["".join(rng.choice(TAG_PIECES) for _ in range(rng.randint(0, 20))) for _ in range(5000)]
    fast = [plain_text(t) for t in texts]
    monkeypatch.setattr(plaintext, "SIMPLE_TAG", re.compile(r"(?!)"))
    assert [plain_text(t) for t in texts] == fast


def test_folding_by_split_matches_the_whitespace_regex() -> None:
    """folded() splits on str.split()'s whitespace; the rule it stands for is the regex one: runs without a
    newline become a space, runs with one a line break, with two or more a paragraph."""

    def by_regex(core: str) -> str:
        spaced = re.sub(r"[^\S\n]+", " ", core)
        return re.sub(r"[ \n]*\n[ \n]*", lambda m: "\n\n" if m.group().count("\n") > 1 else "\n", spaced)

    rng = random.Random(5)
    alphabet = [" ", "\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2028", "\u3000", "\u200b",
                "a", "İ"]
    cores = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))).strip() for _ in range(20_000)]
    for core in filter(None, cores):
        assert folded(core) == by_regex(core), repr(core)


def test_text_without_tags_or_shortcodes_reads_as_the_scanner_reads_it() -> None:
    """search_text takes a body with no `<` and no `[` (most comments) straight to its folded words;
    the scanner must give the same, entities, blank lines and stray `>` and `]` included."""
    rng = random.Random(17)
    alphabet = ["a", "word", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\xa0", "\u2028", "&amp;", "&lt;", "&#91;",
                "&nbsp;", "&", ";", ">", "]", "é", "😀", "-->", "?>"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25))) for _ in range(20_000)]
    for text in texts:
        assert "<" not in text and "[" not in text
        assert plain_text(text) == scan(Scanner(text)).result(), repr(text)
