"""php_unserialize against PHP's serialize() format (benchmarks.synth writes it for the synthetic exports,
from PHP's documentation): every value serialized decodes back to the value (lists stay lists, maps maps
with string keys)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.synth import php_serialize
from wxr2db.php import looks_serialized, php_unserialize

SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=40)
# PHP arrays with string keys; a key made of digits would be an int key in PHP, so keys have a letter.
KEYS = st.text(min_size=1, max_size=10).map(lambda k: "k" + k)
# An empty PHP array is written `a:0:{}` whether it was meant as a list or a map: it decodes as [].
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                      | st.dictionaries(KEYS, inner, min_size=1, max_size=5), max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_serialize_then_unserialize_is_the_value(value: Any) -> None:
    text = php_serialize(value)
    assert looks_serialized(text)
    assert php_unserialize(text) == value


def test_an_empty_array_is_an_empty_list() -> None:
    assert php_unserialize("a:0:{}") == []


@given(st.text(max_size=30))
def test_a_string_length_counts_utf8_bytes(text: str) -> None:
    assert php_unserialize(php_serialize([text, {"kx": text}])) == [text, {"kx": text}]
