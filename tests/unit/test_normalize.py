"""Pure helpers: WordPress dates, offsets, slugs, PHP-serialized values, comment threading."""

from __future__ import annotations

from datetime import timedelta

import pytest

from wxr2db.normalize import (
    decode_slug,
    synthetic_id,
    utc_offset,
    wp_date,
)
from wxr2db.php import looks_serialized, php_unserialize
from wxr2db.records import Comment
from wxr2db.resolve.threads import thread_comments


@pytest.mark.parametrize(("text", "expected"), [
    ("2010-06-14 09:30:00", "2010-06-14T09:30:00"),
    ("0000-00-00 00:00:00", None),
    ("", None),
    ("  2010-06-14 09:30  ", "2010-06-14T09:30:00"),
    ("not a date", "not a date"),
])
def test_wp_date(text: str, expected: str | None) -> None:
    assert wp_date(text) == expected


def test_utc_offset_follows_daylight_saving() -> None:
    assert utc_offset("2010-06-14T09:30:00", "2010-06-14T13:30:00") == timedelta(hours=-4)
    assert utc_offset("2010-12-14T09:30:00", "2010-12-14T14:30:00") == timedelta(hours=-5)
    assert utc_offset("2010-12-14T09:30:00", "2010-12-14T04:00:01") == timedelta(hours=5, minutes=30)
    assert utc_offset("2010-12-14T09:30:00", None) is None
    assert utc_offset("2010-12-14T09:30:00", "1990-01-01T00:00:00") is None


def test_decode_slug() -> None:
    assert decode_slug("%e6%97%a5%e6%9c%ac") == "日本"
    assert decode_slug("plain-slug") == "plain-slug"


def test_synthetic_ids_are_stable_negative_and_distinct() -> None:
    assert synthetic_id("a", "b") == synthetic_id("a", "b") < 0
    assert synthetic_id("a", "b") != synthetic_id("ab", "")


def test_php_unserialize_values() -> None:
    value = 'a:3:{s:5:"width";i:1200;s:4:"file";s:9:"caf\u00e9.jpg";s:5:"sizes";a:1:{i:0;b:1;}}'
    assert php_unserialize(value) == {"width": 1200, "file": "café.jpg", "sizes": [True]}
    assert php_unserialize("d:0.5;") == 0.5
    assert php_unserialize("N;") is None
    assert php_unserialize('a:2:{i:0;s:1:"a";i:1;s:1:"b";}') == ["a", "b"]
    obj = php_unserialize('O:8:"stdClass":1:{s:4:"name";s:3:"Bob";}')
    assert obj == {"__class__": "stdClass", "name": "Bob"}


@pytest.mark.parametrize("bad", [
    's:10:"short";',           # byte length wrong
    'a:2:{i:0;s:1:"a";}',      # fewer entries than declared
    'a:1:{i:0;s:1:"a";}extra',  # trailing data
    "x:1;",
    "a:1:{" * 100 + "}" * 100,  # nested too deep
])
def test_php_unserialize_rejects_malformed(bad: str) -> None:
    with pytest.raises(ValueError):
        php_unserialize(bad)


def test_looks_serialized() -> None:
    assert looks_serialized('a:1:{i:0;s:1:"a";}')
    assert looks_serialized("i:5;")
    assert not looks_serialized("hello")
    assert not looks_serialized("a:1:{")


def test_threading_repairs_and_depths() -> None:
    comments = [Comment(1), Comment(2, parent_id=1), Comment(3, parent_id=2), Comment(4, parent_id=99),
                Comment(5, parent_id=5), Comment(6, parent_id=7), Comment(7, parent_id=6)]
    threaded, problems = thread_comments(comments, item=10)
    by_id = {c.id: c for c in threaded}
    assert [by_id[i].depth for i in (1, 2, 3)] == [1, 2, 3]
    assert by_id[4].parent_id is None and by_id[5].parent_id is None
    assert sorted(p.kind for p in problems) == ["comment-cycle", "comment-orphan", "comment-self-parent"]
    # The cycle 6 <-> 7 is broken in one place: one becomes top level, the other its reply.
    assert sorted((by_id[6].depth, by_id[7].depth)) == [1, 2]
    assert all(p.item == 10 for p in problems)
