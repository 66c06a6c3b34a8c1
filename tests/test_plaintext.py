from __future__ import annotations

import re

import pytest
from sqlite_utils import Database

from tests.conftest import corpus_files, need_corpus
from tests.helpers import import_path
from wxr2db.content.plaintext import Scanner, scan
from wxr2db.content.plaintext import search_text as plain_text


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


def test_every_corpus_post_is_free_of_markup() -> None:
    need_corpus()
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
