"""Pure helpers that turn the export's text into clean values: dates, offsets, slugs, ids."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

_WP_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)(?::(\d\d))?", re.ASCII)


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


_LINK_ID = re.compile(r"[?&](?:p|page_id|attachment_id)=([0-9]{1,18})(?:&|#|$)")


def link_id(url: str) -> int | None:
    """The post id in a WordPress plain permalink or guid: `https://example.com/?p=19` -> 19."""
    match = _LINK_ID.search(url[:2000])
    found = int(match.group(1)) if match else 0
    return found or None


def plural(n: int, word: str) -> str:
    """`1 comment`, `2 comments`: for summaries people read."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


_ASCII_INT = re.compile(r"[+-]?[0-9]+")
_DIGITS = re.compile(r"[0-9]{1,18}")


def digits(text: str) -> int | None:
    """A count, id or size written as ASCII digits (at most 18), or None. str.isdigit() is no test
    for this: it is true of `²`, which int() refuses, and of `٤`, which int() reads as 4."""
    return int(text) if _DIGITS.fullmatch(text) else None


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
