"""Pure helpers that turn the export's text into clean values: dates, slugs, ids, PHP values, threads."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote

_WP_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)(?::(\d\d))?")


def wp_date(text: str) -> str | None:
    """`2010-06-14 09:30:00` -> `2010-06-14T09:30:00`.

    WordPress writes `0000-00-00 00:00:00` for dates it never set (the GMT date of a draft);
    those become None. Text that is not a WordPress date at all is kept as it is.
    """
    text = text.strip()
    if not text:
        return None
    match = _WP_DATE.fullmatch(text)
    if not match:
        return text
    if match.group(1) == "0000":
        return None
    year, month, day, hour, minute, second = match.groups()
    return f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}"


_MONTHS = {m: n for n, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                        "Nov", "Dec"), 1)}
# PHP's date('D, d M Y H:i:s O'), what every WordPress writes: read without the email module, which is
# a tenth of the import's time otherwise. Anything else takes the general parser.
_PUB_DATE = re.compile(r"(?:[A-Z][a-z]{2}, )?(\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)",
                       re.ASCII)


def _pub_date(text: str) -> str | None:
    match = _PUB_DATE.fullmatch(text)
    if match is None or match.group(2) not in _MONTHS or int(match.group(8)) > 23 or int(match.group(9)) > 59:
        return None
    day, month, year, hour, minute, second, sign, tz_hours, tz_minutes = match.groups()
    try:
        datetime(int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second))
    except ValueError:
        return None
    if int(year) < 1971:
        return None  # the general parser says no date too
    stamp = f"{year}-{_MONTHS[month]:02d}-{day}T{hour}:{minute}:{second}"
    # RFC 2822: -0000 means the zone is unknown, so the time stays without an offset.
    return stamp if sign == "-" and tz_hours == tz_minutes == "00" else f"{stamp}{sign}{tz_hours}:{tz_minutes}"


def rfc822_date(text: str) -> str | None:
    """`Mon, 14 Jun 2010 09:30:00 +0000` (the export's pubDate) -> `2010-06-14T09:30:00+00:00`.

    Empty text, and text that is no RFC 822 date (WordPress writes `Thu, 01 Jan 1970 00:00:00 +0000`
    or `Mon, 30 Nov -0001 00:00:00 +0000` for drafts), become None; `bad_rfc822_date` tells them apart.
    """
    text = text.strip()
    if not text or len(text) > 100 or is_never(text):
        return None
    fast = _pub_date(text)
    if fast is not None:
        return fast
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.year < 1971:
        return None
    return parsed.isoformat()


def is_never(text: str) -> bool:
    """WordPress's pubDate for a post never published (PHP's date() of a zero or negative time)."""
    return "-0001 " in text or " 1970 00:00:00" in text


def bad_rfc822_date(text: str) -> bool:
    """True for text that is there but no usable date (not WordPress's `never set` placeholders)."""
    text = text.strip()
    return bool(text) and not is_never(text) and rfc822_date(text) is None


def utc_offset(local: str | None, gmt: str | None) -> timedelta | None:
    """The site's UTC offset at that moment: WordPress stores both times, so DST is already in them."""
    if not local or not gmt:
        return None
    try:
        delta = datetime.fromisoformat(local) - datetime.fromisoformat(gmt)
    except ValueError:
        return None
    # Offsets are whole quarter hours; the two times can differ by a second when a plugin wrote them.
    quarter = round(delta.total_seconds() / 900) * 900
    if abs(quarter) > 14 * 3600:
        return None
    return timedelta(seconds=quarter)


def decode_slug(slug: str) -> str:
    """WordPress percent-encodes non-ASCII slugs (`%e6%97%a5` for 日)."""
    return unquote(slug.strip(), errors="replace")


def slugify(text: str) -> str:
    """Roughly WordPress's sanitize_title, for a name or title that comes without a slug ("" if
    nothing is left)."""
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-_")


def synthetic_id(*parts: str) -> int:
    """A stable negative id for something the export gave no id: same input, same id, never clashing
    with WordPress's positive ids."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).digest()
    return -(int.from_bytes(digest[:7], "big") + 1)


_LINK_ID = re.compile(r"[?&](?:p|page_id|attachment_id)=(\d{1,18})(?:&|#|$)")


def link_id(url: str) -> int | None:
    """The post id in a WordPress plain permalink or guid: `https://example.com/?p=19` -> 19."""
    match = _LINK_ID.search(url[:2000])
    found = int(match.group(1)) if match else 0
    return found or None


def plural(n: int, word: str) -> str:
    """`1 comment`, `2 comments`: for summaries people read."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


_ASCII_INT = re.compile(r"[+-]?[0-9]+")


def to_int(text: str | None) -> int | None:
    """An id or number as WordPress writes it: ASCII digits only. Python's int() would also read
    `٤٠١` and `1_000`, which PHP reads as 0 and 1."""
    if text is None:
        return None
    text = text.strip()
    if not _ASCII_INT.fullmatch(text):
        return None
    try:
        return int(text)
    except ValueError:  # more digits than Python converts (4300): no id at all
        return None


# --- PHP serialize() values ----------------------------------------------------------------------

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
