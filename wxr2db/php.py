"""PHP serialize() values, as WordPress stores meta and options: recognised and decoded, never run."""

from __future__ import annotations

import re
from typing import Any

_SERIALIZED = re.compile(r"^(?:[aOC]:\d+:|s:\d+:\"|[idb]:[-+0-9.EINF]+;|N;)", re.ASCII)
_MAX_DEPTH = 64


def looks_serialized(value: str) -> bool:
    """WordPress's is_serialized(): meta values that start like `a:2:{` or `s:5:"`."""
    value = value.strip()
    return bool(value) and value[-1] in ";}" and bool(_SERIALIZED.match(value))


def php_unserialize(value: str) -> Any:
    """Decode a PHP serialize() value into JSON-ready Python values, never running anything.

    Lengths in `s:N:"..."` count UTF-8 bytes, so the parse works on bytes. Arrays with keys
    0..n-1 become lists, other arrays dicts with string keys; objects become dicts with a
    `__class__` entry. Raises ValueError when the value is not exactly one well-formed value.
    """
    data = value.strip().encode("utf-8")
    result, end = _parse(data, 0, 0)
    if end != len(data):
        raise ValueError(f"trailing data at byte {end}")
    return result


_STRING = re.compile(rb's:(\d+):"')
_SCALAR = re.compile(rb"([idb]):([^;:{}]*);")
_ARRAY = re.compile(rb"a:(\d+):\{")
_OBJECT = re.compile(rb'O:(\d+):"')
_PROPERTIES = re.compile(rb'":(\d+):\{')


def _match(pattern: re.Pattern[bytes], data: bytes, pos: int) -> re.Match[bytes]:
    match = pattern.match(data, pos)
    if match is None:
        raise ValueError(f"malformed value at byte {pos}")
    return match


def _parse(data: bytes, pos: int, depth: int) -> tuple[Any, int]:
    if depth > _MAX_DEPTH:
        raise ValueError("nested too deep")
    kind = data[pos : pos + 1]
    if kind == b"s":
        return _parse_string(data, pos)
    if kind == b"a":
        match = _match(_ARRAY, data, pos)
        entries, end = _parse_entries(data, match.end(), int(match.group(1)), depth)
        if list(entries) == list(range(len(entries))):
            return list(entries.values()), end
        return {str(k): v for k, v in entries.items()}, end
    if kind == b"N" and data[pos + 1 : pos + 2] == b";":
        return None, pos + 2
    if kind == b"O":
        return _parse_object(data, pos, depth)
    match = _match(_SCALAR, data, pos)
    return _scalar(match.group(1), match.group(2).decode("ascii")), match.end()


def _scalar(kind: bytes, text: str) -> Any:
    if kind == b"i":
        return int(text)
    if kind == b"b":
        return text == "1"
    number = float(text)
    # JSON has no NaN or infinity; keep those as text.
    return number if number == number and abs(number) != float("inf") else text


def _parse_string(data: bytes, pos: int) -> tuple[str, int]:
    match = _match(_STRING, data, pos)
    start = match.end()
    end = start + int(match.group(1))
    if data[end : end + 2] != b'";':
        raise ValueError(f"string at byte {pos} is not as long as it says")
    return data[start:end].decode("utf-8", errors="replace"), end + 2


def _parse_entries(data: bytes, pos: int, count: int, depth: int) -> tuple[dict[Any, Any], int]:
    entries: dict[Any, Any] = {}
    for _ in range(count):
        key, pos = _parse(data, pos, depth + 1)
        if not isinstance(key, (int, str)):
            raise ValueError("array key is not an int or string")
        entries[key], pos = _parse(data, pos, depth + 1)
    if data[pos : pos + 1] != b"}":
        raise ValueError(f"expected }} at byte {pos}")
    return entries, pos + 1


def _parse_object(data: bytes, pos: int, depth: int) -> tuple[Any, int]:
    match = _match(_OBJECT, data, pos)
    start = match.end()
    end = start + int(match.group(1))
    name = data[start:end].decode("utf-8", errors="replace")
    props = _match(_PROPERTIES, data, end)
    entries, pos = _parse_entries(data, props.end(), int(props.group(1)), depth)
    # Private and protected properties carry NUL-wrapped prefixes (`\0Class\0name`, `\0*\0name`).
    fields = {str(k).rsplit("\0", 1)[-1]: v for k, v in entries.items()}
    return {"__class__": name, **fields}, pos
