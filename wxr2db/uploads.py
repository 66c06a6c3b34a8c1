"""Where a file sits under wp-content/uploads: its URL -> a relative path that is safe on every file system."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

UPLOADS_MARK = "/wp-content/uploads/"
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{p}{n}" for p in ("com", "lpt") for n in "0123456789¹²³"]
)
_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\/]')
_MAX_NAME_BYTES = 200


@lru_cache(maxsize=4096)
def uploads_path(url: str) -> str | None:
    """The path under the uploads root (`2008/06/a.jpg`) of an uploads URL, sanitized; None for other URLs."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", ""):
        return None
    path = parts.path
    at = path.find(UPLOADS_MARK)
    if at >= 0:
        rest = path[at + len(UPLOADS_MARK) :]
    elif host.endswith(".files.wordpress.com"):
        # WordPress.com serves uploads from NAME.files.wordpress.com/YYYY/MM/name, no wp-content folder.
        rest = path.lstrip("/")
    else:
        return None
    return _safe_relative(rest.split("/"))


def _safe_relative(raw_segments: list[str]) -> str | None:
    """Decode, resolve dot segments (as a browser would) and sanitize; None if it climbs above the root."""
    kept: list[str] = []
    for raw in raw_segments:
        segment = unquote(raw, errors="replace")
        if segment in ("", "."):
            continue
        if segment == "..":
            if not kept:
                return None
            kept.pop()
            continue
        kept.append(safe_name(segment))
    return "/".join(kept) if kept else None


def safe_name(name: str) -> str:
    """One path component that is a plain file name on Linux, macOS and Windows."""
    cleaned = _BAD_CHARS.sub("_", name)
    # Windows drops trailing dots and spaces, so `a.jpg.` and `a.jpg` would collide there.
    cleaned = cleaned.rstrip(". ") or "_"
    if cleaned.split(".", 1)[0].lower() in _WINDOWS_RESERVED:
        cleaned = "_" + cleaned
    if cleaned in (".", ".."):
        cleaned = "_"
    encoded = cleaned.encode("utf-8", "replace")
    if len(encoded) > _MAX_NAME_BYTES:
        stem, dot, ext = cleaned.rpartition(".")
        ext = ext[:16] if dot and stem else ""
        digest = hashlib.sha256(encoded).hexdigest()[:10]
        head = encoded[: _MAX_NAME_BYTES - len(ext) - 12].decode("utf-8", "ignore")
        cleaned = f"{head}-{digest}" + (f".{ext}" if ext else "")
    return cleaned
