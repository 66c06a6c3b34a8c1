"""Forward-only searches that keep regex-like scans of a post linear in its length."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache


@lru_cache(maxsize=64)
def closing_tags(names: str, flags: int) -> re.Pattern[str]:
    return re.compile(r"</(" + names + r")>", flags)


class Ahead:
    """The next `needle` or `</name>` after a position, for scans that only move forward.

    A lazy regex such as `<pre\\b.*?</pre>` looks for the end again from every unclosed start:
    quadratic on `<pre>` x 20k. Each end is found once here, and each cursor only moves forward."""

    def __init__(self, text: str, names: str = "", flags: int = 0) -> None:
        self.text = text
        self.ends: dict[str, list[int]] = {}
        self.cursors: dict[str, int] = {}
        self.fold = bool(flags & re.I)
        if names:
            for m in closing_tags(names, flags).finditer(text):
                self.ends.setdefault(self.key(m.group(1)), []).append(m.start())
        self.found: dict[str, tuple[int, int]] = {}  # needle -> (position asked, found there)

    def key(self, name: str) -> str:
        return name.lower() if self.fold else name

    def closing(self, name: str, pos: int) -> int:
        """Where the first `</name>` at or after pos starts, or -1."""
        ends = self.ends.get(self.key(name), [])
        i = self.cursors.get(self.key(name), 0)
        while i < len(ends) and ends[i] < pos:
            i += 1
        self.cursors[self.key(name)] = i
        return ends[i] if i < len(ends) else -1

    def find(self, needle: str, pos: int) -> int:
        """text.find(needle, pos), remembered while the positions asked for only grow."""
        asked, last = self.found.get(needle, (len(self.text) + 1, -1))
        if pos < asked or -1 < last < pos:
            asked, last = pos, self.text.find(needle, pos)
            self.found[needle] = (asked, last)
        return last


def elements(text: str, start: re.Pattern[str], names: str, flags: int = 0) -> Iterator[tuple[int, int]]:
    """(start, end) of each `<name ...>...</name>` the lazy regex `<(names)...*?</\\1>` would match."""
    ahead = Ahead(text, names, flags)
    pos = 0
    for m in start.finditer(text):
        if m.start() < pos:
            continue
        end = ahead.closing(m.group(1), m.end())
        if end != -1:
            yield m.start(), end + len(m.group(1)) + 3
            pos = end + len(m.group(1)) + 3


def replace_spans(text: str, spans: Iterable[tuple[int, int]], change: Callable[[str], str]) -> str:
    out: list[str] = []
    pos = 0
    for begin, end in spans:
        out += [text[pos:begin], change(text[begin:end])]
        pos = end
    out.append(text[pos:])
    return "".join(out)
