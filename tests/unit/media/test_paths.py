"""The one safe-name rule (wxr2db.media.paths), and the placing of many paths (media/fetch.distinct_paths):
property tests over texts built to collide, plus the values that pin the rule down."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wxr2db.media.fetch import distinct_paths
from wxr2db.media.paths import (
    MAX_NAME_BYTES,
    WINDOWS_RESERVED,
    clash_key,
    is_plain,
    is_reserved,
    safe_name,
    uploads_path,
)
from wxr2db.site.names import safe_segment

# Few characters, many of them ones that need cleaning: random texts collide often under a lossy rule.
TRICKY = st.sampled_from([*'aA_.~ <>:"|?*\\/\x00\x1f\u202e\u00e9\u0301\ud800fF0 ', "con", "Nul", "COM1", "ﬀ"])
TEXTS = st.lists(TRICKY, max_size=12).map("".join) | st.text(max_size=60)
LONG = st.text(min_size=40, max_size=400)
HASHED = re.compile(r"~[0-9a-f]{16}(\.|$)")


def good_everywhere(name: str) -> bool:
    return (
        name not in ("", ".", "..")
        and not any(ch in name for ch in '/\\<>:"|?*') and not any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in name)
        and name[0] not in ". " and name[-1] not in ". "
        and len(name.encode("utf-8")) <= MAX_NAME_BYTES
        and name.split(".", 1)[0].rstrip(" ").casefold() not in WINDOWS_RESERVED
    )


@given(TEXTS | LONG)
@example("..")
@example(".")
@example("")
@example("CON")
@example("com1.tar.gz")
@example("aux .md")
@example("x" * 200 + ".jpg")
def test_every_name_is_good_everywhere(text: str) -> None:
    name = safe_name(text)
    assert good_everywhere(name), repr(name)
    assert name.encode("utf-8")  # never a lone surrogate that no file system could store
    assert safe_name(text) == name  # stable within a run; the pinned values below across runs


@given(TEXTS, TEXTS)
@example("a<b.jpg", "a>b.jpg")
@example("a<b.jpg", "a_b.jpg")
@example("a.jpg.", "a.jpg")
@example("caf\u00e9.jpg", "cafe\u0301.jpg")
@example("\ud800.jpg", "\ud801.jpg")
def test_two_different_texts_never_share_a_name(first: str, second: str) -> None:
    if first != second:
        assert safe_name(first) != safe_name(second)


@given(TEXTS | LONG)
@example("a_b~919072576ac81a1d.jpg")  # what "a<b.jpg" becomes
@example("x~FFFFFFFFFFFFFFFF.jpg")
@example("x~" + "ﬀ" * 8 + ".jpg")  # the ligature casefolds to "ff"
def test_a_cleaned_name_is_never_a_kept_one(text: str) -> None:
    """What makes the rule injective: kept names never carry the mark cleaned ones always do, so
    the output of one branch is never the output of the other (`a_b~<hash>.jpg` as a real name is
    itself cleaned, and gets another hash)."""
    name = safe_name(text)
    assert (name == text) == is_plain(text)
    if name != text:
        assert HASHED.search(name) and not is_plain(name) and safe_name(name) != name


def test_pinned_values() -> None:
    """The rule's output is part of the site: a change here moves users' files."""
    assert safe_name("a_b.jpg") == "a_b.jpg" and safe_name("Case.jpg") == "Case.jpg"
    assert safe_name("a<b.jpg") == "a_b~919072576ac81a1d.jpg"
    assert safe_name("a/b.jpg") == "a_b~8b8e76a4e0b0fd3b.jpg"
    assert safe_name(".htaccess") == "htaccess~d615571c0fdf2cd7"
    assert is_reserved("COM1.tar.gz") and is_reserved("nul .txt") and not is_reserved("console.log")


def test_post_slugs_follow_the_same_rule() -> None:
    assert safe_segment("hello-world") == "hello-world"
    assert safe_segment("a<b") == safe_name("a<b") != safe_segment("a>b")
    assert safe_segment("  ..  ") == ""  # nothing usable: the title, then the id, are used instead


SEGMENTS = st.lists(st.sampled_from(["a", "A", "b", "ß", "SS", "ss", "e\u0301", "\u00e9", "x.jpg", "X.JPG"]),
                    min_size=1, max_size=3).map("/".join)


@pytest.mark.slow
@settings(max_examples=300)
@given(st.lists(SEGMENTS, max_size=12))
def test_placed_paths_never_clash_even_ignoring_case(paths: list[str]) -> None:
    placed = distinct_paths(paths)
    assert sorted(placed) == sorted(set(paths))
    finals = list(placed.values())
    keys = [clash_key(p) for p in finals]
    assert len(set(keys)) == len(keys)  # no two files one file on macOS or Windows
    folders = {clash_key("/".join(p.split("/")[:n])) for p in finals for n in range(1, p.count("/") + 1)}
    assert not folders & set(keys)  # no file where another path needs a folder
    assert distinct_paths(reversed(paths)) == placed  # the posts' order does not matter
    for path, final in placed.items():
        assert final.rpartition("/")[0] == path.rpartition("/")[0]  # only the file's name may change


def test_distinct_paths_is_linear_in_depth() -> None:
    deep = ["/".join(["d"] * 20_000) + f"/{n}.jpg" for n in range(20)]
    placed = distinct_paths(deep)
    assert placed == {p: p for p in deep}


@given(st.lists(TEXTS, min_size=1, max_size=4), st.lists(TEXTS, min_size=1, max_size=4))
def test_two_uploads_paths_never_share_a_file(first: list[str], second: list[str]) -> None:
    """At the URL level: different decoded paths (after `.`/`..` as a browser resolves them) never
    give one file; the same file spelled two ways (`%5F`, `_`) gives one."""
    def url(segments: list[str]) -> str:
        quoted = "/".join(quote(s.encode("utf-8", "surrogatepass"), safe="") for s in segments)
        return "https://example.com/wp-content/uploads/" + quoted
    a, b = uploads_path(url(first)), uploads_path(url(second))
    plain = [[s for s in x if s not in ("", ".", "..")] for x in (first, second)]
    if a is not None and b is not None and ".." not in first + second and plain[0] != plain[1]:
        assert a != b
    assert uploads_path(url(first).replace("_", "%5F")) == a
