"""Safe file names: one path segment that is the same name on every file system and stays inside OUTDIR."""

from __future__ import annotations

import re
import unicodedata

from ..content.plaintext import plain_text
from ..normalize import slugify

MAX_SEGMENT_BYTES = 150
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}
)


def safe_segment(text: str) -> str:
    """One path segment that is the same name on every file system and cannot climb out of OUTDIR.

    Returns "" when nothing usable is left; callers fall back to the title, then the id.
    """
    name = unicodedata.normalize("NFC", text)
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cc")
    name = re.sub(r'[/\\<>:"|?*]', "-", name)
    name = name.encode("utf-8")[:MAX_SEGMENT_BYTES].decode("utf-8", errors="ignore")
    # Leading dots would hide the file, trailing dots and spaces Windows drops; `..` is all dots.
    name = name.strip().strip(".").strip()
    stem, dot, rest = name.partition(".")
    if stem.strip().upper() in WINDOWS_RESERVED:
        name = f"{stem}-{dot}{rest}"
    return name


def post_segment(post_id: int, slug: str, title: str) -> str:
    """The post's file or folder name: its slug, else its title made a slug, else its id."""
    return safe_segment(slug) or safe_segment(slugify(plain_text(title))) or str(post_id)
