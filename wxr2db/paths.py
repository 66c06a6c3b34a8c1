"""The one rule that makes a file or folder name from text in an export (a slug, an uploads path segment).

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

MAX_NAME_BYTES = 150  # leaves room under the 255-byte limit for `-N`, `.md` and a temporary name
HASH_DIGITS = 16
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
