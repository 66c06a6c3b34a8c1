"""Block-editor content: how it is recognised, and its block comments dropped."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .scan import Ahead, replace_spans

BLOCK_DELIMITER = re.compile(r"<!--\s+/?wp:")


BLOCK_NAME = re.compile(r"([a-z][a-z0-9_-]{0,60}(?:/[a-z][a-z0-9_-]{0,60})?)")
# Blocks whose delimiters wxr2db reads itself, or that stand for nothing a reader misses.
HANDLED = frozenset({"footnotes", "more", "nextpage"})


def drop_block_delimiters(text: str, notes: list[str] | None = None) -> str:
    """`<!-- wp:paragraph {...} -->` and `<!-- /wp:paragraph -->` removed, as `<!--\\s+/?wp:.*?-->`.
    Into `notes`: each third-party block (`wp:acme/widget`), whose HTML is kept like any other, and
    each dynamic one (`<!-- wp:latest-posts /-->`), which WordPress renders on every view and the
    export holds no HTML of."""
    ahead = Ahead(text)

    def spans() -> Iterator[tuple[int, int]]:
        pos = 0
        for m in BLOCK_DELIMITER.finditer(text):
            end = ahead.find("-->", m.end()) if m.start() >= pos else -2
            if end == -1:
                return
            if end >= 0:
                if notes is not None and not m.group().endswith("/wp:"):
                    note_block(text, m.end(), end, notes)
                yield m.start(), end + 3
                pos = end + 3

    return replace_spans(text, spans(), lambda found: "")


def note_block(text: str, start: int, end: int, notes: list[str]) -> None:
    name = BLOCK_NAME.match(text, start, end)
    if name is None:
        return
    # `core/` may be written out; WordPress 5.0-5.5 saved embeds as `core-embed/youtube`.
    block = name.group().removeprefix("core/")
    if block.startswith("core-embed/"):
        return
    if text[end - 1] == "/" and block not in HANDLED:
        notes.append("dynamic block dropped (no HTML in the export)")
    elif "/" in block:
        notes.append("third-party block kept as its HTML")


def is_block_content(content: str) -> bool:
    """has_blocks(): WordPress itself only checks for the opening delimiter."""
    return "<!-- wp:" in content
