"""What render_body returns, and the excerpt marker: the names layouts need without loading html2text."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rendered:
    """What render_body makes of a body: the Markdown, and what it could not carry over as it was."""

    markdown: str
    unknown_shortcodes: tuple[str, ...]
    # What Markdown could not express and was simplified (a colspan, a list inside a table cell).
    lossy: tuple[str, ...] = ()
    # None without a <!--more--> marker; else its custom "Read more" text ("" when there is none).
    more: str | None = None
    maths: int = 0  # formulas written in the generator's maths syntax (the page needs `math: true`)
    # What was converted or dropped that the summary counts: "embed youtube", "gallery empty", ...
    notes: tuple[str, ...] = ()
    # Generator shortcodes ({{< youtube x >}}) for the NATIVE placeholders, and the placeholders' key.
    native: tuple[str, ...] = ()
    key: str = ""


MORE_LINE = "<!--more-->"
# WordPress's excerpt marker, with optional custom link text: <!--more Read the rest-->.
MORE = re.compile(r"<!--more(.{0,500}?)-->", re.DOTALL)
