"""yaml_writer, the front matter writer that replaces PyYAML's emitter: held to PyYAML's bytes (the
FastDumper path, libyaml) and to PyYAML's reading, on the shapes wxr2db writes and hostile text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wxr2db.site import front_matter
from wxr2db.site.front_matter import ASTRAL_RULES, RULES, dump_front_matter, pyyaml_front_matter
from wxr2db.site.yaml_writer import Rules, Unsupported, write_yaml

# Words YAML 1.1 or 1.2 readers take for something else, indicators, and what libyaml treats apart.
LOOKALIKES = ["yes", "No", "ON", "y", "n", "~", "null", "NULL", "true", "09", "1e3", "0o17", "0x1F", "1_000",
              "1,000", ".inf", "-.5", "+1", "2010-06-14", "2010-06-14 09:30:00", "1:20", ":x", "=", "<<", "- x",
              "-x", "? x", "?x", "#x", "a #b", "a#b", "a: b", "a:b", "a:", "---", "--- x", "...", "... x", "&a",
              "*a", "!x", "|", ">", "%x", "@x", "`x", "'x'", '"x"', "[x]", "{x}", ",x", "", " ", "  x", "x ",
              "\t", "x\ty", "\n", "\nx", "x\n", "x\n\n", "x \ny", "x\n y", "x\n\ny", "a\u2028b", "a\u2029b",
              "a\x85b", "a\rb", "\r\n", "\ufeff", "\x00", "\x07", "\x1b", "\x7f", "\xa0", "é", "\ue000",
              "\uffff", "\U0010ffff", "🎉", "🎉\t", "🎉 x\ny", "\\", "\\n", "x'y", 'x"y']
COMMON = [*"ab :#-?'\"\\\t\n.,[]{}|>!&*%@`~=<0189eEoxyYnN_+", "é", "\xa0", "\ue000", "🎉", "---", "...",
          "  ", "\n\n", "  \n", "yes", "1e3"]
# Rarer, as most of them leave the whole front matter to PyYAML (see the Unsupported cases below).
RARE = ["\u2028", "\u2029", "\x85", "\r", "\ufeff", "\x00", "\x1b", "\uffff", "\U0010ffff"]
PIECES = st.sampled_from(COMMON * 8 + RARE)
TEXT = st.one_of(st.sampled_from(LOOKALIKES), st.lists(PIECES, max_size=10).map("".join),
                 st.text(max_size=8), st.lists(st.sampled_from(LOOKALIKES), max_size=4).map("".join))
WHEN = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0))
# normalize.utc_offset rounds offsets to quarter hours.
OFFSET = st.sampled_from([None, timedelta(0), timedelta(hours=-4), timedelta(hours=5, minutes=45),
                          timedelta(hours=-14)])
DATE = st.builds(lambda moment, offset: moment if offset is None else moment.replace(tzinfo=timezone(offset)),
                 WHEN, OFFSET)
SCALAR = st.one_of(TEXT, st.integers(), st.booleans(), DATE)
COMMENT = st.recursive(
    st.fixed_dictionaries({"id": st.integers(1, 10**6), "author": TEXT, "content": TEXT},
                          optional={"author_url": TEXT, "date": DATE, "approved": st.one_of(st.booleans(), TEXT),
                                    "type": TEXT}),
    lambda replies: st.fixed_dictionaries({"id": st.integers(1, 99), "content": TEXT,
                                           "replies": st.lists(replies, max_size=3)}),
    max_leaves=6)
FRONT_MATTER = st.dictionaries(
    st.one_of(st.sampled_from(["title", "date", "slug", "tags", "comments", "draft"]),
              TEXT.filter(lambda key: "\n" not in key)),
    st.one_of(SCALAR, st.lists(TEXT, max_size=4), st.lists(COMMENT, max_size=3),
              st.dictionaries(TEXT, SCALAR, max_size=3)),
    max_size=6)
PROPERTY = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def writes(entries: dict[str, Any], rules: Rules = RULES) -> bool:
    try:
        write_yaml(entries, rules)
    except Unsupported:
        return False
    return True


def same_as_pyyaml(entries: dict[str, Any]) -> str:
    """What dump_front_matter writes, after checking it against PyYAML's dump and reading."""
    written = dump_front_matter(entries)
    assert written == pyyaml_front_matter(entries)
    assert yaml.safe_load(written) == (entries or {})
    return written


@PROPERTY
@given(FRONT_MATTER)
@example({"title": "🎉 x\ny", "tags": ["09", "y"], "comments": [{"id": 1, "author": "", "content": "a  \nb"}]})
@example({"title": "\x1f🎉", "a\u2028b": "yes"})  # double-quoted astral text, then what only PyYAML writes
@example({"\x1f🎉": "x\n\n"})
def test_front_matter_is_pyyamls_byte_for_byte(entries: dict[str, Any]) -> None:
    same_as_pyyaml(entries)


@pytest.mark.parametrize("text", LOOKALIKES)
def test_each_hostile_string_as_value_key_item_and_nested_comment(text: str) -> None:
    nested = {"comments": [{"id": 1, "content": text, "replies": [{"id": 2, "content": text}]}]}
    for entries in ({"title": text}, {text: 1}, {"tags": [text, "x"]}, nested, {"a": {"b": text}}):
        same_as_pyyaml(entries)


def test_the_shapes_wxr2db_writes_never_need_pyyaml() -> None:
    """The common case is the fast one: a post with every kind of value and a literal block."""
    entries = {"title": "It's 09: a title", "date": datetime(2010, 6, 14, 9, 30, tzinfo=timezone(timedelta(hours=-4))),
               "draft": True, "tags": ["yes", "a b"], "wordpress_id": 12, "aliases": [],
               "comments": [{"id": 3, "author": "Ann", "approved": "spam",
                             "content": "line one\n\n    code\n", "replies": [{"id": 4, "content": " x\ny"}]}]}
    assert write_yaml(entries, RULES) == pyyaml_front_matter(entries)


@pytest.mark.parametrize("entries", [
    {"title": "x\n\n"},                      # |+ : libyaml then ends the document with `...`
    {"title": "a\u2028b"},                  # a line separator outside double quotes
    {"a\rb": 1},                            # a key libyaml writes as `? key`
    {"k" * 120: 1},                         # likewise a long one
    {"score": 1.5},                         # floats
    {"nested": [["a"]]},                    # a list in a list
    {"title": "a b " * 250_000},            # libyaml folds the line
    {1: "an int key"},
])
def test_what_the_writer_leaves_to_pyyaml_is_still_written(entries: dict[Any, Any]) -> None:
    with pytest.raises(Unsupported):
        write_yaml(entries, RULES)
    assert dump_front_matter(entries) == pyyaml_front_matter(entries)
    assert yaml.safe_load(dump_front_matter(entries)) == entries


def test_a_date_that_does_not_read_back_as_one_goes_to_pyyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    odd = datetime(2010, 6, 14, 9, 30, tzinfo=timezone(timedelta(hours=1, seconds=7)))
    with pytest.raises(Unsupported):
        write_yaml({"date": odd}, RULES)
    called: list[dict[str, Any]] = []
    real = front_matter.pyyaml_front_matter

    def counted(entries: dict[str, Any]) -> str:
        called.append(entries)
        return real(entries)

    monkeypatch.setattr(front_matter, "pyyaml_front_matter", counted)
    assert front_matter.dump_front_matter({"date": odd}) == real({"date": odd}) and called == [{"date": odd}]


def test_astral_text_in_double_quotes_follows_pyyaml_when_stand_ins_run_out() -> None:
    """A tab forces double quotes; past 4,096 distinct characters beyond U+FFFF front_matter has no
    private-use stand-ins left and PyYAML's own emitter escapes them (`\\U0001F600`)."""
    few = {"title": "tab\tand 🎉"}
    assert dump_front_matter(few) == pyyaml_front_matter(few) == 'title: "tab\\tand 🎉"\n'
    many = {"title": "tab\t" + "".join(chr(0x1F000 + n) for n in range(4_100))}
    assert dump_front_matter(many) == pyyaml_front_matter(many)
    assert "\\U0001F000" in dump_front_matter(many) and yaml.safe_load(dump_front_matter(many)) == many


def test_jekyll_eleventy_and_astro_read_what_the_writer_writes() -> None:
    """Psych (Jekyll) and js-yaml (Eleventy, Astro) read every hostile string back as that string, as
    a value, a list item, a key and a nested comment's text."""
    from tests.generators import js_yaml, ruby_psych

    values = [text for text in LOOKALIKES if writes({"k": text}, ASTRAL_RULES)]
    keys = [text for text in values if writes({text: 1}, ASTRAL_RULES)]
    assert len(values) >= len(LOOKALIKES) - 6 and len(keys) >= len(LOOKALIKES) - 18
    entries = {"tags": values, "comments": [{"id": n, "content": text} for n, text in enumerate(values)],
               **{text: n for n, text in enumerate(keys)}}
    text = dump_front_matter(entries)
    assert text == write_yaml(entries, ASTRAL_RULES) == pyyaml_front_matter(entries)
    assert ruby_psych(text) == entries
    assert js_yaml(text) == entries
