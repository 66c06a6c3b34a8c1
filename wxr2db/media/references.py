"""Which files a post uses: media URLs found in attachments, bodies, shortcodes, blocks and meta.

Pure functions from a post's fields to rows (an attachment's own files: media/attachments.py);
`wxr2db.sqlite.media` runs them over a database. Every
scan here is linear in its input (bounded regexes, one pass of `str.find`), and junk — a bad URL, a
huge id, digits from another script — is skipped, never raised.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .paths import uploads_path

MAX_ID = (1 << 63) - 1
MAX_URL = 4000
# WordPress's own upload types (wp_get_mime_types) that Python's built-in table lacks.
_EXTRA_TYPES = {
    ".webp": "image/webp", ".m4a": "audio/mp4", ".ogg": "audio/ogg", ".oga": "audio/ogg", ".flac": "audio/flac",
    ".ogv": "video/ogg", ".m4v": "video/mp4", ".3gp": "video/3gpp", ".docx": "application/vnd."
    "openxmlformats-officedocument.wordprocessingml.document", ".xlsx": "application/vnd.openxmlformats-"
    "officedocument.spreadsheetml.sheet", ".pptx": "application/vnd.openxmlformats-officedocument."
    "presentationml.presentation", ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet", ".odp": "application/vnd.oasis.opendocument."
    "presentation", ".epub": "application/epub+zip", ".7z": "application/x-7z-compressed",
    ".rar": "application/vnd.rar", ".key": "application/vnd.apple.keynote", ".psd": "image/vnd.adobe.photoshop",
    ".heic": "image/heic", ".avif": "image/avif", ".wma": "audio/x-ms-wma", ".wmv": "video/x-ms-wmv",
}
# Built-in defaults only, so the guess does not depend on the machine's /etc/mime.types.
_TYPES = mimetypes.MimeTypes(filenames=())
for _ext, _type in _EXTRA_TYPES.items():
    _TYPES.add_type(_type, _ext)
_DOCUMENT_TYPES = ("application/pdf", "application/msword", "application/vnd.", "application/zip",
                   "application/x-7z", "application/epub", "application/rtf", "text/csv")
# `[gallery ids="1,2"]`: the attributes stop at the first `]` or `[`, so every scan ends where the next begins.
_SHORTCODE = re.compile(r"\[(gallery|audio|video|playlist)(?=[\s\]/])([^\]\[]{0,4000})\]")
_ATTRIBUTE = re.compile(r"""([A-Za-z_][\w-]{0,40})\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
_BLOCK_OPEN = "<!-- wp:"
_MAX_BLOCK_ATTRS = 20_000
_BLOCK_USAGE = {"image": "img", "file": "file", "video": "video", "audio": "audio", "cover": "cover",
                "gallery": "gallery", "media-text": "img"}
_SHORTCODE_SOURCES = ("src", "mp3", "m4a", "ogg", "oga", "wav", "wma", "flac", "mp4", "m4v", "webm", "ogv",
                      "wmv", "flv", "mov")


@dataclass(frozen=True)
class Attachment:
    """An attachment item as the database holds it: what a gallery or a block id resolves to."""

    id: int
    parent_id: int | None
    url: str


# --- values ---------------------------------------------------------------------------------------


def mime_type(url: str) -> str | None:
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    return path_type(path)


def path_type(path: str) -> str | None:
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:]:
        return None
    return _TYPES.types_map[True].get(path[dot:].lower()) or _TYPES.types_map[False].get(path[dot:].lower())


def parse_id(value: Any) -> int | None:
    """A WordPress id from a JSON number or a string of ASCII digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 19:
            return parse_id(int(text))
    return None


def parse_ids(text: str) -> list[int]:
    """`1, 2,3` -> [1, 2, 3], skipping what is not an id."""
    return [n for n in (parse_id(piece) for piece in text.split(",")) if n is not None]


def absolute_url(raw: str, base: str) -> str | None:
    """The absolute http(s) URL of a reference, resolved against the site; None for data:, mailto:, junk."""
    text = raw.strip()
    if not text or len(text) > MAX_URL or text.startswith("#"):
        return None
    try:
        url = urljoin(base, text) if base and not text.startswith(("http://", "https://")) else text
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def host_key(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def is_file_link(url: str, site_hosts: frozenset[str]) -> bool:
    """A link to a file rather than a page: under the uploads folder, or a media or document file on the site."""
    if uploads_path(url) is not None:
        return True
    if host_key(url) not in site_hosts:
        return False
    found = mime_type(url) or ""
    return found.startswith(("image/", "audio/", "video/")) or found.startswith(_DOCUMENT_TYPES)


# --- references in a body -------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What resolving a post's references needs: the site, and the export's attachments."""

    base: str
    site_hosts: frozenset[str]
    attachments: Mapping[int, Attachment]
    children: Mapping[int, list[int]]


Reference = tuple[str, str]  # (url, usage)
# What a body names, before the site and its attachments are known: ("url", raw, usage),
# ("link", raw href, "link"), ("ids", [attachment ids], usage), ("children", None, "gallery").
# Found while the import writes each batch of posts (body_references), resolved at the end.
Found = tuple[str, Any, str]


def html_references(content: str) -> Iterator[Found]:
    """`<img src srcset>`, `<a href>` to files, `<audio>`/`<video>`/`<source>` src and poster."""
    if "<" not in content:
        return
    try:
        root = etree.fromstring(content.encode("utf-8", "replace"), etree.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError):
        return
    if root is None:
        return
    for element in root.iter("img", "a", "audio", "video", "source"):
        yield from element_references(element)


def element_references(element: Any) -> Iterator[Found]:
    tag = element.tag
    if tag == "a":
        yield from _raw("link", [element.get("href") or ""], "link")
        return
    if tag == "img":
        yield from _raw("url", [element.get("src") or "", element.get("data-src") or ""], "img")
        yield from _raw("url", srcset_urls(element.get("srcset") or ""), "srcset")
        return
    owner = element.getparent() if tag == "source" else element
    usage = owner.tag if owner is not None and owner.tag in ("audio", "video") else "file"
    yield from _raw("url", [element.get("src") or ""], usage)
    yield from _raw("url", [element.get("poster") or ""], "img")


def _raw(kind: str, raws: Iterable[str], usage: str) -> Iterator[Found]:
    for raw in raws:
        text = raw.strip()
        if 0 < len(text) <= MAX_URL:  # absolute_url takes nothing else
            yield kind, text, usage


def srcset_urls(srcset: str) -> list[str]:
    """`a-300.jpg 300w, a-600.jpg 600w` -> the URLs (a candidate is a URL, then an optional descriptor)."""
    return [candidate.split()[0] for candidate in srcset.split(",") if candidate.strip()]


def shortcode_references(content: str) -> Iterator[Found]:
    """`[gallery ids="1,2"]` (no ids: the post's attached images), `[playlist ids=...]`, `[audio mp3=...]`."""
    if "[" not in content:
        return
    for found in _SHORTCODE.finditer(content):
        name, attributes = found.group(1), media_attributes(found.group(2))
        if name in ("gallery", "playlist"):
            ids = parse_ids(attributes.get("ids") or attributes.get("include") or "")
            usage = "gallery" if name == "gallery" else (
                "video" if attributes.get("type", "").lower() == "video" else "audio")
            if ids:
                yield "ids", ids, usage
            elif name == "gallery":
                yield "children", None, usage
        else:
            yield from _raw("url", [attributes[k] for k in _SHORTCODE_SOURCES if k in attributes], name)


def media_attributes(text: str) -> dict[str, str]:
    """A media shortcode's attributes by lower-case name, the first of a repeated one kept."""
    attributes: dict[str, str] = {}
    for found in _ATTRIBUTE.finditer(text):
        value = next((g for g in found.groups()[1:] if g is not None), "")
        attributes.setdefault(found.group(1).lower(), value)
    return attributes


def iter_blocks(content: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, attributes) of each `<!-- wp:NAME {json} -->` opening comment, in one forward pass."""
    at = content.find(_BLOCK_OPEN)
    while at >= 0:
        end = content.find("-->", at)
        if end < 0:
            return  # no comment after this one can close either
        body = content[at + len(_BLOCK_OPEN) : end]
        name, _, rest = body.partition(" ")
        rest = rest.strip().removesuffix("/").strip()
        attributes: Any = {}
        if rest.startswith("{") and len(rest) <= _MAX_BLOCK_ATTRS:
            try:
                attributes = json.loads(rest)
            except (ValueError, RecursionError):
                attributes = {}
        if isinstance(attributes, dict):
            yield name.removeprefix("core/"), attributes
        at = content.find(_BLOCK_OPEN, end + 3)


def block_references(content: str) -> Iterator[Found]:
    """Block attributes: `wp:image {"id":12}`, `wp:cover {"url":...,"id":N}`, `wp:file {"href":...}`."""
    if _BLOCK_OPEN not in content:
        return
    for name, attributes in iter_blocks(content):
        usage = _BLOCK_USAGE.get(name)
        if usage is None:
            continue
        if name == "media-text" and attributes.get("mediaType") == "video":
            usage = "video"
        ids = attributes.get("ids")
        found = [parse_id(v) for v in ids] if isinstance(ids, list) else []
        found += [parse_id(attributes.get("id")), parse_id(attributes.get("mediaId"))]
        if any(n is not None for n in found):
            yield "ids", [n for n in found if n is not None], usage
        for key in ("url", "href", "src", "mediaUrl"):
            value = attributes.get(key)
            if isinstance(value, str):
                yield from _raw("url", [value], usage)


def body_references(content: str) -> list[Found]:
    """What a body names, in the order found: its HTML, then shortcodes, then block attributes."""
    return [*html_references(content), *shortcode_references(content), *block_references(content)]


def resolve(found: Found, post_id: int, context: Context) -> Iterator[Reference]:
    kind, value, usage = found
    if kind == "ids" or kind == "children":
        ids = value if kind == "ids" else [
            n for n in context.children.get(post_id, [])
            if (mime_type(context.attachments[n].url) or "").startswith("image/")]
        for n in ids:
            attachment = context.attachments.get(n)
            if attachment is not None and attachment.url:
                yield attachment.url, usage
        return
    url = absolute_url(value, context.base)
    if url and (kind == "url" or is_file_link(url, context.site_hosts)):
        yield url, usage


def post_references(post_id: int, found: Iterable[Found], thumbnail: str | None,
                    context: Context) -> list[Reference]:
    """Every (url, usage) a post's body (found by body_references) and featured image name, without
    repeats, in order found."""
    references: dict[Reference, None] = {}
    for one in found:
        for reference in resolve(one, post_id, context):
            references[reference] = None
    featured = parse_id(thumbnail) if thumbnail is not None else None
    if featured is not None:
        for reference in resolve(("ids", [featured], "featured"), post_id, context):
            references[reference] = None
    return list(references)
