"""HTML tables as GFM pipe tables: the table being read, its cells, and the rendering."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .markers import BR_MARK

CELL_BREAKS = re.compile(r"\s*\n\s*")


@dataclass
class Table:
    """A table being read: its rows of (cell Markdown, colspan) and whether each is a header row."""

    rows: list[list[tuple[str, int]]] = field(default_factory=list)
    header: list[bool] = field(default_factory=list)
    in_head: bool = False
    cell_start: int = -1  # where the open cell's output begins in outtextlist
    cell_is_th: bool = False
    row_th: bool = True
    colspan: int = 1
    caption: str = ""
    in_caption: bool = False
    depth: int = 1  # tables inside a cell are read as that cell's text


def table_cell(text: str) -> str:
    text = CELL_BREAKS.sub(" ", text.replace(BR_MARK, " ").replace("\\\n", " ")).strip()
    return text.replace("|", "\\|").replace("\\\\|", "\\|")


def render_table(table: Table, quote: str) -> str:
    """GFM: leading and trailing pipes (so empty first cells keep their place), every row as wide as
    the widest. GFM needs a header row: when the HTML has none, its first row is promoted, as GFM
    readers expect (an empty one would show as a blank bar above the table)."""
    rows = [[cell for text, span in row for cell in [text] + [""] * (span - 1)] for row in table.rows]
    width = max((len(r) for r in rows), default=0)
    if not width:
        return ""
    rows = [r + [""] * (width - len(r)) for r in rows]
    rows.insert(1, ["---"] * width)
    lines = ["| " + " | ".join(r) + " |" for r in rows]
    return ("\n" + quote).join(lines)
