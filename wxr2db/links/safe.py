"""The one rule for every URL from the export that reaches a written file: a link, an image, a
comment author's site, a featured image, a redirect target, Datasette's source_url.

A URL is kept only when a browser would read it as `http:`, `https:`, `mailto:` or a relative
reference; anything else (`javascript:`, `data:`, `vbscript:`, `file:`, junk) is dropped, and the
caller counts it. The scheme is read the way browsers read it: HTML character references decoded
(an attribute's `&#106;avascript:`, and a Markdown destination's, which CommonMark decodes once
more), leading and trailing C0 controls and spaces stripped, tabs and newlines removed anywhere
(`java\\tscript:` is `javascript:` to a browser). docs/SECURITY.md describes the rule for users.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
# WHATWG URL parsing: "remove any leading and trailing C0 control or space", "remove all ASCII tab
# or newline".
EDGE = "".join(chr(c) for c in range(0x21))
TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Left after the browser's own clean-up, these mean a crafted URL (or an old browser's reading).
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Decoding `&amp;amp;…` one level a pass: past this many levels a URL is not a real one.
MAX_DECODES = 8
# Characters that are markup somewhere a URL is written (Markdown destinations, kramdown attribute
# lists, Hugo shortcodes, Liquid): percent-encoded, which browsers and servers read as the same URL.
ENCODED = {ord(c): f"%{ord(c):02X}" for c in ' "<>`{}'}


def browser_form(url: str) -> str:
    """The URL as a browser's parser starts reading it."""
    return TAB_OR_NEWLINE.sub("", url.strip(EDGE))


def decoded(url: str) -> str | None:
    """The URL with character references decoded until nothing changes; None past MAX_DECODES."""
    for _ in range(MAX_DECODES):
        if "&" not in url:
            return url
        plain = html.unescape(url)
        if plain == url:
            return url
        url = plain
    return None


def scheme_of(url: str) -> str | None:
    """The lower-case scheme a browser reads in the URL, "" for a relative one, None when the URL
    cannot be trusted at all (control characters, references nested past reason)."""
    plain = decoded(url)
    if plain is None:
        return None
    plain = browser_form(plain)
    if CONTROL.search(plain):
        return None
    found = SCHEME.match(plain)
    return found.group(1).lower() if found else ""


def safe_url(url: str) -> str | None:
    """The URL as it is to be written (browser-cleaned, markup characters percent-encoded), or None
    to drop it: not http, https, mailto or relative."""
    scheme = scheme_of(url)
    if scheme is None or (scheme and scheme not in ALLOWED_SCHEMES):
        return None
    return browser_form(url).translate(ENCODED)


def is_local(url: str, hosts: set[str] | frozenset[str]) -> bool:
    """A URL the site may redirect to or name as its own file: root-relative (`/x`, never `//host`
    or `/\\host`, which browsers read as another host), or http(s) on one of `hosts` (lower case,
    no `www.`)."""
    form = safe_url(url)
    if form is None:
        return False
    if form.startswith("/"):
        return not form.startswith(("//", "/\\"))
    try:
        parts = urlsplit(form.replace("\\", "/"))
        host = (parts.hostname or "").rstrip(".")
        host = host if host.isascii() else host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return False
    return parts.scheme.lower() in ("http", "https") and host.removeprefix("www.") in hosts


def web_url(url: str) -> str | None:
    """safe_url for where only an absolute http(s) address makes sense (a site's own address)."""
    form = safe_url(url)
    return form if form is not None and scheme_of(form) in ("http", "https") else None


# How a dropped URL is noted among a rendered body's `lossy` notes, so the renderer can count them.
UNSAFE_NOTE = "unsafe URL dropped"
