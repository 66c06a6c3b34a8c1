"""A post's file or folder name, made with the one safe-name rule (wxr2db.media.paths.safe_name)."""

from __future__ import annotations

from ..content.plaintext import plain_text
from ..media.paths import MAX_NAME_BYTES, WINDOWS_RESERVED, safe_name
from ..normalize import slugify

__all__ = ["MAX_NAME_BYTES", "WINDOWS_RESERVED", "post_segment", "safe_segment"]


def safe_segment(text: str) -> str:
    """One path segment that is the same name on every file system and cannot climb out of OUTDIR;
    "" when the text holds nothing but spaces and dots, so that callers fall back to the title, then
    the id."""
    return safe_name(text.strip()) if text.strip(" .") else ""


def post_segment(post_id: int, slug: str, title: str) -> str:
    """The post's file or folder name: its slug, else its title made a slug, else its id."""
    return safe_segment(slug) or safe_segment(slugify(plain_text(title))) or str(post_id)
