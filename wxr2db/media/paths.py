"""The one rule that makes a file or folder name from text in an export (a slug, an uploads path segment),
and where a file sits under wp-content/uploads: its URL -> a relative path made of such names.

`safe_name` is injective: two different texts never get one name. A text that is already a good name
on Linux, macOS and Windows (no separators or characters Windows refuses, no control or invisible
format characters, no leading dot or space, no trailing dot or space, not a reserved device name,
NFC, at most MAX_NAME_BYTES) is kept as it is. Any other text is cleaned and gets `~` and 16 hex digits
of the sha256 of the exact text before its extension; a kept name never contains that mark, so a
cleaned name cannot equal a kept one. Names that differ only in case are a clash on macOS and Windows;
a caller placing many names resolves those with `clash_key` and `renamed`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote_to_bytes, urlsplit

MAX_NAME_BYTES = 150  # leaves room under the 255-byte limit for `-N`, `.md` and a temporary name
HASH_DIGITS = 16
UPLOADS_MARK = "/wp-content/uploads/"
WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$"]
    + [f"{p}{n}" for p in ("com", "lpt") for n in "0123456789¹²³"]
)
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"|?*\\/]')
_UNSAFE_CATEGORIES = frozenset(["Cc", "Cf", "Cs", "Co", "Zl", "Zp"])  # controls, invisible formatting
_MARK = re.compile(rf"~[0-9a-f]{{{HASH_DIGITS}}}(?=\.|$)", re.IGNORECASE)
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,16}")


def safe_name(text: str) -> str:
    """One path segment, never empty, never `.` or `..`, the same file on every file system, and
    different for every different text (see the module's first lines)."""
    if is_plain(text):
        return text
    return hashed_name(text, text.encode("utf-8", "surrogatepass"))


def is_plain(name: str) -> bool:
    """A name kept as it is: good everywhere, and never one that safe_name could have made."""
    if not name or name[0] in ". " or name[-1] in ". " or _UNSAFE_CHARS.search(name):
        return False
    if not name.isascii() and not _plain_unicode(name):
        return False
    return len(name.encode("utf-8")) <= MAX_NAME_BYTES and not is_reserved(name) and not _MARK.search(name.casefold())


def _plain_unicode(name: str) -> bool:
    if any(unicodedata.category(ch) in _UNSAFE_CATEGORIES for ch in name):
        return False
    return unicodedata.is_normalized("NFC", name)


def is_reserved(name: str) -> bool:
    """Windows opens a device for `CON`, `nul.txt`, `COM1.tar.gz` and `aux .md`, whatever follows."""
    return name.split(".", 1)[0].rstrip(" ").casefold() in WINDOWS_RESERVED


def hashed_name(text: str, key: bytes) -> str:
    """text cleaned, then `~` and the hash of key, then text's extension, within MAX_NAME_BYTES."""
    digest = hashlib.sha256(b"wxr2db name\0" + key).hexdigest()[:HASH_DIGITS]
    cleaned = "".join("_" if unicodedata.category(ch) in _UNSAFE_CATEGORIES else ch
                      for ch in _UNSAFE_CHARS.sub("_", text))
    # Windows drops trailing dots and spaces, so `a.jpg.` would end up as `a.jpg` there.
    cleaned = unicodedata.normalize("NFC", cleaned).rstrip(". ")
    stem, dot, extension = cleaned.rpartition(".")
    if not (dot and stem and _EXTENSION.fullmatch(extension)):
        stem, extension = cleaned, ""
    tail = f"~{digest}" + (f".{extension}" if extension else "")
    room = MAX_NAME_BYTES - len(tail)
    head = stem.lstrip(". ").encode("utf-8")[:room].decode("utf-8", "ignore") or "_"
    if is_reserved(head + tail):
        head = "_" + head[:-1] if len(head.encode("utf-8")) >= room else "_" + head
    return head + tail


def clash_key(path: str) -> str:
    """Names that differ only by case or Unicode form are one file on macOS and Windows."""
    return unicodedata.normalize("NFC", path).casefold()


def renamed(name: str, key: str, attempt: int = 0) -> str:
    """Another name for `name` when a different name that clashes with it (see clash_key) is placed
    first: stable, as it depends only on key (the whole path) and the attempt number."""
    return hashed_name(name, f"{attempt}\0{key}".encode("utf-8", "surrogatepass"))


@lru_cache(maxsize=4096)
def uploads_path(url: str) -> str | None:
    """The path under the uploads root (`2008/06/a.jpg`) of an uploads URL, each segment made a safe
    name (safe_name above); None for other URLs."""
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
