"""Unit tests of the shortcode scanner, code shortcodes, shortcode expansion and wpautop's helpers."""

from __future__ import annotations

import re

import pytest

from wxr2db.content.autop import CLOSING_P, keep_tags, newlines_to_breaks, wpautop
from wxr2db.content.markers import Keeper
from wxr2db.content.shortcodes import (
    Shortcode,
    ShortcodeScanner,
    code_blocks,
    expand_shortcodes,
    shortcode_attributes,
    shortcode_unautop,
)


def token(n: int) -> str:
    """The placeholder Keeper writes for the n-th text it sets aside."""
    return f"\ue000{n}\ue001"


def all_found(text: str, names: frozenset[str] | None = None) -> list[Shortcode]:
    scanner, found, pos = ShortcodeScanner(text, names), [], 0
    while (one := scanner.find(pos, len(text))) is not None:
        found.append(one)
        pos = one.end
    return found


def test_scanner_finds_enclosing_escaped_self_closing_and_bare_forms() -> None:
    text = '[a x="1"]in[/a] [[b]] [c/] [d]]'
    found = all_found(text)
    assert [text[f.start : f.end] for f in found] == ['[a x="1"]in[/a]', "[[b]]", "[c/]", "[d]]"]
    assert found[0] == Shortcode(0, 15, "", "a", ' x="1"', (9, 11), "")
    assert (found[1].opened, found[1].closed, found[1].body) == ("[", "]", None)
    assert found[2].attrs == "" and found[2].body is None  # the "/" of [c/] is not an attribute
    assert found[3].closed == "]"  # get_shortcode_regex() takes the "]" after [d] too


def test_scanner_keeps_to_the_names_asked_for_and_to_the_bound() -> None:
    text = "[b]x[/b] [code]y[/code]"
    assert [f.name for f in all_found(text, frozenset({"code"}))] == ["code"]
    scanner = ShortcodeScanner(text)
    assert scanner.find(0, 3) == Shortcode(0, 3, "", "b", "", None, "")  # the closing tag lies past the bound
    assert scanner.find(4, len(text)) is not None and scanner.find(4, 8) is None


def test_scanner_skips_what_is_not_a_shortcode() -> None:
    assert all_found("[1] [ a] [-x] [sic") == []


def test_attributes_named_quoted_and_bare() -> None:
    found = shortcode_attributes('id="a" Width=\'3\' bare "q" x=y\u00a0z')
    assert found == {"id": "a", "width": "3", "0": "bare", "1": "q", "x": "y", "2": "z"}


def test_unautop_unwraps_a_shortcode_alone_in_its_paragraph_only() -> None:
    text = '<p>[gallery ids="1"]</p>\n<p>text [b] more</p>'
    assert shortcode_unautop(text) == '[gallery ids="1"]\n<p>text [b] more</p>'


def test_code_shortcodes_are_kept_decoded_in_a_long_enough_fence() -> None:
    keeper = Keeper()
    out = code_blocks("[php]<?php &lt;a&gt; ```[/php] and [[code]x[/code]]", keeper)
    assert keeper.kept == ["````php\n<?php <a> ```\n````", "[code]x[/code]"]
    assert out == "\n\n" + token(0) + "\n\n and " + token(1)


def test_unknown_shortcode_is_kept_around_its_expanded_content() -> None:
    keeper = Keeper()
    out = expand_shortcodes('[x a=1][caption]<img src="a.jpg"> Cap[/caption][/x]', keeper, None)
    assert keeper.kept == ["[x a=1]", "[/x]"] and keeper.unknown == ["x"]
    assert out == token(0) + '<p><img src="a.jpg"></p><p><em>Cap</em></p>' + token(1)


def test_nesting_deeper_than_the_recursion_limit_is_expanded() -> None:
    keeper = Keeper()
    depth = 5000
    expand_shortcodes("[x]" * depth + "[/x]" * depth, keeper, None)
    assert len(keeper.unknown) == depth


def test_newlines_become_breaks_once_per_run_of_whitespace() -> None:
    assert newlines_to_breaks("a  \n  b<br />\nc \t ") == "a<br />\n  b<br />\nc \t "


def test_keep_tags_keeps_the_tag_and_drops_what_surrounds_it() -> None:
    pattern = re.compile(r"<p>\s*(?P<tag></?div)")
    assert keep_tags("<p><div class='x'></p>", pattern, CLOSING_P) == "<div class='x'>"
    assert keep_tags("<p><div class='x'", pattern) == "<p><div class='x'"  # no `>`: not a tag


@pytest.mark.parametrize(("text", "expected"), [
    ("a\n<pre>x\n\ny</pre>\nb", "<p>a</p>\n<pre>x\n\ny</pre>\n<p>b</p>\n"),
    ("<option>a</option>\n<option>b</option>", "<p><option>a</option><option>b</option></p>\n"),
    ("a\r\nb", "<p>a<br />\nb</p>\n"),
])
def test_wpautop_cases(text: str, expected: str) -> None:
    assert wpautop(text) == expected
