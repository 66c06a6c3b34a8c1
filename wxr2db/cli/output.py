"""A listing (rows of named values) as the CLI prints it: an aligned table, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any


def listing_cells(entry: Mapping[str, Any]) -> list[str]:
    """One listing entry as text cells: lists joined (usages by commas, post ids by spaces), None as ""."""
    cells = []
    for value in entry.values():
        if isinstance(value, list):
            value = " ".join(map(str, value)) if value and isinstance(value[0], int) else ",".join(value)
        cells.append("" if value is None else str(value))
    return cells


def render_json(listing: list[dict[str, Any]]) -> str:
    return json.dumps(listing, ensure_ascii=False, indent=2)


def render_csv(listing: list[dict[str, Any]], columns: Iterable[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(columns))
    writer.writerows(listing_cells(entry) for entry in listing)
    return out.getvalue().removesuffix("\n")


def render_table(listing: list[dict[str, Any]], columns: Iterable[str]) -> str:
    """Columns padded to their widest cell; the last column is not padded."""
    rows = [list(columns), *(listing_cells(entry) for entry in listing)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)
