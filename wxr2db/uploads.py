"""Where a file sits under wp-content/uploads: its URL -> a relative path that is safe on every file system."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote_to_bytes, urlsplit

from .paths import safe_name

__all__ = ["UPLOADS_MARK", "safe_name", "uploads_path"]
UPLOADS_MARK = "/wp-content/uploads/"


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
    """Decode, resolve dot segments (as a browser would) and sanitize; None if it climbs above the root.

    Bytes that are not UTF-8 (`%FF`) are kept apart as lone surrogates, so `a%FE.jpg` and `a%FF.jpg`
    stay two names (safe_name hashes the exact text)."""
    kept: list[str] = []
    for raw in raw_segments:
        segment = unquote_to_bytes(raw).decode("utf-8", "surrogateescape")
        if segment in ("", "."):
            continue
        if segment == "..":
            if not kept:
                return None
            kept.pop()
            continue
        kept.append(safe_name(segment))
    return "/".join(kept) if kept else None
