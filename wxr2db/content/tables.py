"""HTML tables as GFM pipe tables: the table being read, its cells, and the rendering."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .markers import BR_MARK

CELL_BREAKS = re.compile(r"\s*\n\s*")
# A pipe table is as wide as its widest row in every row: GFM readers fill short rows with empty
# cells. One wide row over many short ones made that quadratic (a 154 KB export, 384 MB of
# Markdown), so a table may fill at most this many cells per cell of its HTML (plus some slack for
# small tables); past that, it is written as plain lines.
MAX_CELL_GROWTH = 4
CELL_SLACK = 256
PLAIN_TABLE = "table(s) too uneven for a Markdown table, written as one line per row"


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


def table_width(table: Table) -> int:
    return max((sum(span for _, span in row) for row in table.rows), default=0)


def fits_pipe_table(table: Table) -> bool:
    """Whether the table, filled out to its widest row (and an empty header row), stays within
    MAX_CELL_GROWTH cells per cell of the HTML: never quadratic, whatever the rows and colspans."""
    cells = sum(len(row) for row in table.rows)
    return table_width(table) * (len(table.rows) + 1) <= MAX_CELL_GROWTH * cells + CELL_SLACK


def render_plain_rows(table: Table, quote: str) -> str:
    """A table as one paragraph per row, its non-empty cells between ` | `: as long as its text."""
    lines = [" | ".join(text for text, _ in row if text) for row in table.rows]
    return ("\n" + quote + "\n" + quote).join(line for line in lines if line)


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
