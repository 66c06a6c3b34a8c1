"""Markdown after html2text: set-aside text put back, hard breaks resolved, lines tidied."""

from __future__ import annotations

import re

from .markers import BR_MARK, TOKEN, Keeper

FENCE = re.compile(r"^[ >]*(```+|~~~+)")
BLOCK_START = re.compile(r"^\s*(?:[*+-]\s|\d{1,9}[.)](?:\s|$)|#{1,6}(?:\s|$)|>|```|~~~|$)")
CONTAINER = re.compile(r"^[ >]*(?:(?:[*+-]|\d{1,9}[.)]) +)?")


def tidy_lines(markdown: str) -> list[str]:
    """Trailing spaces off text lines (two would be a hard break), blank edges off code blocks."""
    lines: list[str] = []
    fence_start = -1
    for line in markdown.split("\n"):
        blank = not line.strip(" >")
        if FENCE.match(line) and fence_start < 0:
            if lines and lines[-1].strip(" >"):  # html2text glues a fence to the line before
                lines.append(line[: len(line) - len(line.lstrip(" >"))].replace(" ", "").rstrip())
            fence_start = len(lines)
        elif FENCE.match(line):
            while len(lines) > fence_start + 1 and not lines[-1].strip(" >"):
                lines.pop()
            fence_start = -1
        if FENCE.match(line) or fence_start < 0:
            line = line.rstrip()
        elif blank and len(lines) == fence_start + 1:
            continue
        lines.append(line)
    return lines


def resolve_breaks(lines: list[str]) -> list[str]:
    """A marked <br> becomes a backslash hard break, unless nothing of the paragraph follows it."""
    out: list[str] = []
    for i, line in enumerate(lines):
        if BR_MARK not in line:
            out.append(line)
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if line.lstrip().startswith(">"):
            following = following.lstrip().lstrip(">")
        text = line.replace(BR_MARK, "").rstrip()
        ends_paragraph = BLOCK_START.match(following) is not None or not CONTAINER.sub("", text)
        out.append(text if ends_paragraph else text + "\\")
    return out


def put_back(lines: list[str], keeper: Keeper) -> list[str]:
    """Replace tokens by what was set aside; code blocks go on lines of their own."""
    out: list[str] = []
    for line in lines:
        block = next((m for m in TOKEN.finditer(line) if keeper.kept[int(m.group(1))].startswith("`")), None)
        if block is None:
            out.append(put_back_inline(line, keeper))
            continue
        container = CONTAINER.match(line)
        head = container.group(0) if container else ""
        before, after = line[len(head) : block.start()], line[block.end() :].replace(BR_MARK, "")
        indent = QUOTE_MARKS.sub(" ", head)
        code = keeper.kept[int(block.group(1))].split("\n")
        if before.strip():
            out.append(put_back_inline(head + before.rstrip(), keeper))
            head = indent
        for n, row in enumerate(code):
            out.append((head if n == 0 else indent) + row if row else indent.rstrip())
        if after.strip():
            out.extend(put_back([indent + after.strip()], keeper))
    return out


KEPT_THEN = re.compile(TOKEN.pattern + r"([(:\[])?")
BLANK_RUNS = re.compile(r"\n{3,}")
QUOTE_MARKS = re.compile(r"[^>]")


def put_back_inline(line: str, keeper: Keeper) -> str:
    # Kept text like [foo] followed by "(" or ":" would turn into a link: escape that character.
    if "\ue000" not in line:
        return line

    def replace(m: re.Match[str]) -> str:
        follower = m.group(2) or ""
        return keeper.kept[int(m.group(1))] + ("\\" + follower if follower else "")

    return KEPT_THEN.sub(replace, line)


def drop_dangling_breaks(lines: list[str]) -> list[str]:
    """A hard break (an odd run of trailing backslashes) with nothing after it in its paragraph
    would show as a backslash: WordPress's <br> before a form field or at a block's end."""
    out = list(lines)
    for i, line in enumerate(out):
        if line.endswith("\\") and (len(line) - len(line.rstrip("\\"))) % 2:
            following = out[i + 1] if i + 1 < len(out) else ""
            if not following.strip(" >") or FENCE.match(following):
                out[i] = line[:-1].rstrip()
    return out


def finish_markdown(markdown: str, keeper: Keeper) -> str:
    lines = drop_dangling_breaks(resolve_breaks(put_back(tidy_lines(markdown), keeper)))
    text = BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")
    return text + "\n" if text else ""
