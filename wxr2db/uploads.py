"""Where a file sits under wp-content/uploads: its URL -> a relative path that is safe on every file system."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote_to_bytes, urlsplit

from .paths import safe_name

__all__ = ["UPLOADS_MARK", "safe_name", "uploads_path", "uploads_segments"]
UPLOADS_MARK = "/wp-content/uploads/"


@lru_cache(maxsize=4096)
def uploads_path(url: str) -> str | None:
    """The path under the uploads root (`2008/06/a.jpg`) of an uploads URL, each segment made a safe
    name (wxr2db.paths.safe_name); None for other URLs."""
    segments = uploads_segments(url)
    return "/".join(map(safe_name, segments)) if segments else None


@lru_cache(maxsize=4096)
def uploads_segments(url: str) -> tuple[str, ...] | None:
    """The path under the uploads root as the server names it, segment by segment, decoded and with
    dot segments resolved (as a browser would), not yet made safe: where to look in a copy of the
    uploads. None for other URLs, and for a path that climbs above the root.

    Bytes that are not UTF-8 (`%FF`) are kept apart as lone surrogates, so `a%FE.jpg` and `a%FF.jpg`
    stay two names (safe_name hashes the exact text, os.fsencode gives the bytes back)."""
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
    kept: list[str] = []
    for raw in rest.split("/"):
        segment = unquote_to_bytes(raw).decode("utf-8", "surrogateescape")
        if segment == "..":
            if not kept:
                return None
            kept.pop()
        elif segment not in ("", "."):
            kept.append(segment)
    return tuple(kept) or None
