"""Block-editor content: how it is recognised, and its block comments dropped."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .scan import Ahead, replace_spans

BLOCK_DELIMITER = re.compile(r"<!--\s+/?wp:")


def drop_block_delimiters(text: str) -> str:
    """`<!-- wp:paragraph {...} -->` and `<!-- /wp:paragraph -->` removed, as `<!--\\s+/?wp:.*?-->`."""
    ahead = Ahead(text)

    def spans() -> Iterator[tuple[int, int]]:
        pos = 0
        for m in BLOCK_DELIMITER.finditer(text):
            end = ahead.find("-->", m.end()) if m.start() >= pos else -2
            if end == -1:
                return
            if end >= 0:
                yield m.start(), end + 3
                pos = end + 3

    return replace_spans(text, spans(), lambda found: "")


def is_block_content(content: str) -> bool:
    """has_blocks(): WordPress itself only checks for the opening delimiter."""
    return "<!-- wp:" in content
