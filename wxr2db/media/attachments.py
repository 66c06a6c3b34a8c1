"""An attachment's files: the original and every size WordPress made of it, and a size a body names.

Pure functions from an attachment's URL and `_wp_attachment_metadata` to rows of the `media` table;
`wxr2db.sqlite.media` stores them. Junk in the metadata is skipped, never raised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..normalize import digits
from .paths import safe_name, uploads_path
from .references import MAX_ID, MAX_URL, absolute_url, mime_type, path_type

# A file name that reads the same in a URL and on disk before sanitizing: see _variant_maker.
_PLAIN_NAME = re.compile(r"(?!\.\.?$)[^\s%?#\\/\x00-\x1f\x7f]+")
_SIZE_SUFFIX = re.compile(r"-(\d{1,5})x(\d{1,5})(\.[A-Za-z0-9]{1,8})$")


@dataclass(frozen=True)
class MediaFile:
    """One row of the `media` table."""

    url: str
    path: str | None
    attachment_id: int | None
    mime_type: str | None
    variant: str | None
    width: int | None
    height: int | None
    original_url: str | None

    def row(self) -> tuple[Any, ...]:
        return (self.url, self.path, self.attachment_id, self.mime_type, self.variant, self.width,
                self.height, self.original_url)


def media_file(url: str, attachment_id: int | None = None, variant: str | None = None,
               width: int | None = None, height: int | None = None, original_url: str | None = None) -> MediaFile:
    return MediaFile(url, uploads_path(url), attachment_id, mime_type(url), variant, width, height, original_url)


def attachment_url(url: str, attached_file: str, uploads_base: str) -> str:
    """The attachment's file URL; WXR 1.0 items may name only `_wp_attached_file` (`2008/06/a.jpg`)."""
    if url.strip():
        return url.strip()
    if attached_file.strip() and uploads_base:
        return uploads_base.rstrip("/") + "/wp-content/uploads/" + attached_file.strip().lstrip("/")
    return ""


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID else None


def attachment_files(attachment_id: int, url: str, metadata: Any) -> list[MediaFile]:
    """The original file and every size WordPress made of it (`_wp_attachment_metadata` sizes).

    The sizes name files in the original's folder:
    `{"file": "2010/09/a.jpg", "sizes": {"thumbnail": {"file": "a-150x150.jpg", "width": 150, ...}}}`
    """
    meta = metadata if isinstance(metadata, dict) else {}
    files = [media_file(url, attachment_id, None, _number(meta.get("width")), _number(meta.get("height")))]
    sizes = meta.get("sizes")
    folder = url.rsplit("/", 1)[0]
    if not isinstance(sizes, dict) or not folder or "/" not in url:
        return files
    variant = _variant_maker(url, files[0].path)
    for name, size in sizes.items():
        if not isinstance(size, dict) or not isinstance(size.get("file"), str):
            continue
        name_only = size["file"].strip().rsplit("/", 1)[-1]
        found = variant(name_only) if name_only else None
        if found is not None and found[0] != url:
            files.append(MediaFile(found[0], found[1], attachment_id, found[2], str(name)[:100],
                                   _number(size.get("width")), _number(size.get("height")), url))
    return files


Variant = tuple[str, str | None, str | None]  # url, uploads path, mime type


def _variant_maker(url: str, path: str | None) -> Callable[[str], Variant | None]:
    """How to make a size's (url, path, type) from its file name, in the original's folder.

    An attachment has a dozen sizes; parsing each one's URL again is most of the media table's cost.
    For a plain name (no `%`, `?`, `#`, `\\`, space or dot segment) beside an original whose URL has no
    query and whose uploads path ends in its own name, the variant's URL, path and type follow from the
    original's: the same folder, the name sanitized, its extension. Anything else takes the long way."""
    folder, _, own = url.rpartition("/")
    plain_original = path is not None and "?" not in url and "#" not in url and bool(_PLAIN_NAME.fullmatch(own))
    head = (path or "").rpartition("/")[0]

    def variant(name: str) -> Variant | None:
        full = f"{folder}/{name}"
        if plain_original and _PLAIN_NAME.fullmatch(name) and len(full) <= MAX_URL:
            return full, f"{head}/{safe_name(name)}" if head else safe_name(name), path_type("/" + name)
        checked = absolute_url(full, "")
        return (checked, uploads_path(checked), mime_type(checked)) if checked else None

    return variant


def size_variant(url: str, originals: Mapping[str, object]) -> tuple[str, str] | None:
    """`a-300x200.jpg` of a known `a.jpg`: (its original URL, "300x200"); None otherwise."""
    found = _SIZE_SUFFIX.search(url[-40:])
    if found is None:
        return None
    original = url[: len(url) - len(found.group(0))] + found.group(3)
    if original not in originals:
        return None
    return original, f"{found.group(1)}x{found.group(2)}"


def listed_files(attachment_id: int, url: str, metadata: str | None) -> tuple[str, list[tuple[Any, ...]]]:
    """An attachment's absolute URL and the media rows of its files, from its URL and the JSON of its
    `_wp_attachment_metadata`."""
    url = absolute_url(url, "") or ""
    if not url:
        return url, []
    return url, [found.row() for found in attachment_files(attachment_id, url, decoded(metadata))]


def decoded(value: str | None) -> Any:
    try:
        return json.loads(value) if value else None
    except ValueError:
        return None


def content_file(url: str, files: Mapping[str, MediaFile]) -> MediaFile:
    """A file only a body names; `a-300x200.jpg` of a known attachment's `a.jpg` is one of its sizes."""
    original = files_original(url, files)
    if original is None:
        return media_file(url)
    source, variant = original
    width_text, _, height_text = variant.partition("x")
    width, height = digits(width_text), digits(height_text)
    if width is None or height is None:
        width = height = None
    return media_file(url, files[source].attachment_id, variant, width, height, source)


def files_original(url: str, files: Mapping[str, MediaFile]) -> tuple[str, str] | None:
    # WordPress.com and Jetpack resize on the fly: `a.jpg?w=604` is a size of `a.jpg`.
    plain, _, query = url.partition("?")
    if query and plain in files and files[plain].original_url is None:
        return plain, query[:100]
    found = size_variant(url, files)
    if found is None or files[found[0]].original_url is not None:
        return None
    return found
