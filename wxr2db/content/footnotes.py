"""Block-editor footnotes: references as [^n], and the definitions after the body."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .finish import finish_markdown
from .html2md import html_to_markdown
from .links import Links
from .markers import Keeper

# A block-editor footnote reference, as core/footnotes writes it.
FOOTNOTE_REF = re.compile(r'<sup\b[^<>]{0,300}?data-fn="([^"<>]{1,100})"[^<>]{0,300}>(?:[^<]{0,50}|<a\b[^<>]{0,400}>'
                          r"[^<]{0,50}</a>){0,1}</sup>")
Footnotes = Sequence[tuple[str, str]]  # (id, HTML) from the post's `footnotes` meta


def keep_footnote_refs(text: str, footnotes: Footnotes, keeper: Keeper) -> tuple[str, list[str]]:
    """Each reference becomes [^n], numbered in order of first use; the ids in that order."""
    known = {fn_id for fn_id, _ in footnotes}
    numbers: dict[str, int] = {}  # in order of first use (a list searched per reference was quadratic)

    def replace(match: re.Match[str]) -> str:
        fn_id = match.group(1)
        if fn_id not in known:
            return match.group(0)
        number = numbers.setdefault(fn_id, len(numbers) + 1)
        return keeper.token(f"[^{number}]")

    return FOOTNOTE_REF.sub(replace, text), list(numbers)


def footnote_section(footnotes: Footnotes, order: list[str], links: Links | None = None) -> str:
    """Definitions for every footnote, used ones first; continuation lines indented four spaces."""
    texts = dict(footnotes)
    used = set(order)
    ids = order + [fn_id for fn_id, _ in footnotes if fn_id not in used]
    lines = []
    for n, fn_id in enumerate(ids, 1):
        body = finish_markdown(html_to_markdown(texts[fn_id], links)[0], Keeper()).strip("\n")
        lines.append(f"[^{n}]: " + body.replace("\n", "\n    "))
    return "\n".join(lines)
