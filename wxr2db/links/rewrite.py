"""Links in a post rewritten to the new site: one scanner for the URL attributes of its HTML, and the
fetched files' URLs in the rendered text.

The scanner reads tags as browsers do (comments, raw-text elements, unquoted and unclosed attributes)
and keeps every byte it does not rewrite; the URL rules themselves are the index's (links/urls.py).
"""

from __future__ import annotations

import html as htmllib
import re
from collections import Counter
from dataclasses import dataclass, field

from .urls import UrlIndex

# An absolute URL in text or a shortcode attribute (`[audio mp3="…"]`, `[video https://…]`): a flat
# character class, so one linear scan.
URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>\[\]()]+", re.IGNORECASE)
# Which attributes hold a URL worth rewriting, by tag. `srcset` holds several.
URL_ATTRIBUTES = {"a": ("href",), "area": ("href",), "img": ("src", "srcset"), "source": ("src", "srcset")}
# Their text is not markup: an `<a href>` inside a <script> is JavaScript's business.
RAW_TEXT = ("script", "style", "textarea", "title", "xmp", "noembed", "noframes", "plaintext")
TAG_START = re.compile(r"<(?:(!--)|([A-Za-z][A-Za-z0-9-]*))")
RAW_END = {name: re.compile(f"</{name}[\\s/>]", re.IGNORECASE) for name in RAW_TEXT}
SPACE = re.compile(r"[\t\n\f\r /]*")
BLANK = re.compile(r"[\t\n\f\r ]*")
NAME = re.compile(r"[^\t\n\f\r />=]+")
UNQUOTED = re.compile(r"[^\t\n\f\r >]*")
SRCSET_GAP = re.compile(r"[\s,]*")
NON_SPACE = re.compile(r"\S+")


def skip(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where a run of `pattern` (which may be empty) starting at `pos` ends."""
    run = pattern.match(text, pos)
    return run.end() if run else pos


@dataclass
class LinkCounts:
    """What `rewrite_links` did: links rewritten and kept, by kind, and the unresolved ones."""

    rewritten: Counter[str] = field(default_factory=Counter)
    kept: Counter[str] = field(default_factory=Counter)
    # Each link once, with how often it came: a site whose every post links the same missing page
    # holds one entry, not one per post.
    unresolved: Counter[str] = field(default_factory=Counter)

    def add(self, other: LinkCounts) -> None:
        self.rewritten.update(other.rewritten)
        self.kept.update(other.kept)
        self.unresolved.update(other.unresolved)


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    start: int  # of the value, inside the quotes
    end: int
    quote: str  # "", `"` or `'`


def scan_attributes(text: str, pos: int) -> tuple[list[Attribute], int] | None:
    """The attributes of the tag whose name ends at `pos`, and where the tag ends. None when a
    quote or the tag never closes: by HTML's rules the rest of the text is then inside this tag."""
    attributes: list[Attribute] = []
    end = len(text)
    while True:
        pos = skip(SPACE, text, pos)
        if pos >= end:
            return None
        if text[pos] == ">":
            return attributes, pos + 1
        name = NAME.match(text, pos)
        name_end = name.end() if name else pos + 1  # a stray `=` is a one-letter name
        after = skip(BLANK, text, name_end)
        if after >= end or text[after] != "=":
            pos = name_end
            continue
        start = skip(BLANK, text, after + 1)
        if start < end and text[start] in "\"'":
            close = text.find(text[start], start + 1)
            if close < 0:
                return None
            attributes.append(Attribute(text[pos:name_end].lower(), start + 1, close, text[start]))
            pos = close + 1
        else:
            stop = skip(UNQUOTED, text, start)
            attributes.append(Attribute(text[pos:name_end].lower(), start, stop, ""))
            pos = stop


def attribute_text(value: str, quote: str) -> str:
    escaped = value.replace("&", "&amp;")
    if quote == "'":
        return escaped.replace("'", "&#39;")
    escaped = escaped.replace('"', "&quot;")
    return escaped if quote else f'"{escaped}"'


def new_url(value: str, index: UrlIndex, base: str, counts: LinkCounts) -> str | None:
    """The rewritten URL, or None to keep `value`; counts what it found either way."""
    href = value.strip()
    found = index.resolve(href, base)
    if found.url is not None and found.url != href:
        counts.rewritten[found.kind] += 1
        return found.url
    counts.kept[found.kind] += 1
    if found.kind == "unresolved-internal":
        counts.unresolved[href] += 1
    return None


def new_srcset(value: str, index: UrlIndex, base: str, counts: LinkCounts) -> str | None:
    """`a.jpg 1x, b.jpg 2x` with each URL rewritten and the rest kept as it was."""
    pieces, pos, changed = [], 0, False
    while pos < len(value):
        url_start = skip(SRCSET_GAP, value, pos)
        found = NON_SPACE.match(value, url_start)
        if found is None:
            break
        url = found.group().rstrip(",")
        url_end = url_start + len(url)
        replacement = new_url(url, index, base, counts) if url else None
        pieces += [value[pos:url_start], replacement if replacement is not None else url]
        changed = changed or replacement is not None
        comma = value.find(",", url_end) if len(url) == len(found.group()) else url_end
        pos = len(value) if comma < 0 else comma
        pieces.append(value[url_end:pos])
    pieces.append(value[pos:])
    return "".join(pieces) if changed else None


def rewrite_attribute(text: str, attribute: Attribute, index: UrlIndex, base: str,
                      counts: LinkCounts) -> str | None:
    value = htmllib.unescape(text[attribute.start : attribute.end])
    rewrite = new_srcset if attribute.name == "srcset" else new_url
    replacement = rewrite(value, index, base, counts)
    return None if replacement is None else attribute_text(replacement, attribute.quote)


def rewrite_links(text: str, index: UrlIndex, base: str = "") -> tuple[str, LinkCounts]:
    """`text` with the URLs in <a href>, <img src/srcset> (and <area>, <source>) that point at the
    old site rewritten; every other byte is kept. Relative URLs are read against `base`, the post's
    old permalink. One pass, each character looked at a bounded number of times."""
    counts = LinkCounts()
    pieces: list[str] = []
    done = pos = 0
    while (tag := TAG_START.search(text, pos)) is not None:
        if tag.group(1):  # a comment, block markup (`<!-- wp:image {...} -->`) included
            close = text.find("-->", tag.end())
            if close < 0:
                break
            pos = close + 3
            continue
        name = tag.group(2).lower()
        scanned = scan_attributes(text, tag.end())
        if scanned is None:
            break
        attributes, pos = scanned
        for attribute in attributes:
            if attribute.name in URL_ATTRIBUTES.get(name, ()):
                replacement = rewrite_attribute(text, attribute, index, base, counts)
                if replacement is not None:
                    pieces += [text[done : attribute.start], replacement]
                    done = attribute.end
        if name in RAW_END:
            end = RAW_END[name].search(text, pos)
            if end is None:
                break
            pos = end.start()
    pieces.append(text[done:])
    return "".join(pieces), counts


def rewrite_file_urls(text: str, files: dict[str, str]) -> str:
    """Fetched files named outside HTML attributes (`[audio mp3="…"]`, `[video https://…]`) point at
    their copies (`files`: old URL -> local URL)."""
    if not files:
        return text
    return URL_IN_TEXT.sub(lambda m: files.get(m.group(), m.group()), text)
