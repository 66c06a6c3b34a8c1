"""Maths: `[latex]...[/latex]` and `$latex ...$` (WordPress.com, Jetpack, WP LaTeX) written in the
maths syntax the page's renderer leaves intact, set aside before wpautop and the escaper see them.

The built HTML holds the formula between `\\(`...`\\)` (inline) or `$$`...`$$` (display), the
delimiters KaTeX's and MathJax's auto-render look for by default; single `$` is not one of them,
so prices in the same post ("$5 and $10") stay text. The Markdown escapes the formula so that
CommonMark shows every backslash and underscore; kramdown (Jekyll) reads `$$...$$` as maths itself,
so there it is written raw.
"""

from __future__ import annotations

import html
import re

from .flavor import Flavor
from .html2md import escape_text
from .markers import Keeper
from .shortcodes import ShortcodeScanner

INLINE_START = "$latex"
MAX_FORMULA = 4000
# Jetpack's rendering options after the formula: &bg=ffffff&fg=000000&s=1 (colours, size).
JETPACK_OPTIONS = re.compile(r"(?:&(?:amp;)?(?:bg|fg|s|zoom)=[\w#.-]*)+\s*$")
TAGS = re.compile(r"<[^<>]{0,200}>")
SPACE = re.compile(r"\s+")


def formula_text(raw: str) -> str:
    text = JETPACK_OPTIONS.sub("", raw)
    # The visual editor stores `&amp;` and `&lt;`, and wpautop may have put <br /> in a long formula.
    return SPACE.sub(" ", html.unescape(TAGS.sub(" ", text))).strip()


def formula_markdown(formula: str, display: bool, flavor: Flavor) -> str:
    if flavor.kramdown:
        return f"$${formula}$$"
    return escape_text(f"$${formula}$$" if display else f"\\({formula}\\)", line_start=display)


def stands_alone(text: str, start: int, end: int) -> bool:
    """Alone on its line (or in its <p>): a display formula, as the author laid it out."""
    before = text[max(0, start - 200) : start]
    after = text[end : end + 200]
    before = before[before.rfind("\n") + 1 :] if "\n" in before or start <= 200 else "x"
    after = after[: after.find("\n")] if "\n" in after else after if end + 200 >= len(text) else "x"
    return not TAGS.sub("", before).strip() and not TAGS.sub("", after).strip()


def formula_token(text: str, start: int, end: int, raw: str, keeper: Keeper, flavor: Flavor) -> str:
    formula = formula_text(raw)
    if not formula:
        return ""
    keeper.maths += 1
    display = stands_alone(text, start, end)
    token = keeper.token(formula_markdown(formula, display, flavor))
    return f"\n\n{token}\n\n" if display else token


def set_aside_maths(text: str, keeper: Keeper, flavor: Flavor) -> str:
    """Every [latex]...[/latex] and $latex ...$ as a kept maths token (display ones on their own)."""
    if "[latex" in text:
        text = latex_shortcodes(text, keeper, flavor)
    return dollar_latex(text, keeper, flavor) if INLINE_START in text else text


def latex_shortcodes(text: str, keeper: Keeper, flavor: Flavor) -> str:
    scanner = ShortcodeScanner(text, frozenset({"latex"}))
    out: list[str] = []
    pos = 0
    while (found := scanner.find(pos, len(text))) is not None:
        out.append(text[pos : found.start])
        if found.body is None or found.opened:
            out.append(text[found.start : found.end])
        else:
            out.append(formula_token(text, found.start, found.end, text[found.body[0] : found.body[1]],
                                     keeper, flavor))
        pos = found.end
    out.append(text[pos:])
    return "".join(out)


def dollar_latex(text: str, keeper: Keeper, flavor: Flavor) -> str:
    """`$latex e^{i\\pi}$`: the formula runs to the next `$` (Jetpack's own rule)."""
    out: list[str] = []
    pos = close = 0
    while (start := text.find(INLINE_START, pos)) >= 0:
        if close < start + len(INLINE_START):  # the `$` found last serves every opener before it
            close = text.find("$", start + len(INLINE_START))
        if close < 0:
            break  # no later `$latex` can close either
        raw = text[start + len(INLINE_START) : close]
        if close - start > MAX_FORMULA or not raw[:1].isspace():
            out.append(text[pos : start + 1])
            pos = start + 1
            continue
        out += [text[pos:start], formula_token(text, start, close + 1, raw, keeper, flavor)]
        pos = close + 1
    out.append(text[pos:])
    return "".join(out)
