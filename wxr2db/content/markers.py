"""Private-use tokens and break marks that carry set-aside text through html2text untouched."""

from __future__ import annotations

import re

# Tokens in the Unicode private-use area survive wpautop, html2text and the escaper untouched.
# The post's own U+E000..U+E003 (as characters or as `&#xE000;`) are hidden first as LITERAL and a
# letter, and put back last, so no input can forge a token or a break mark.
TOKEN = re.compile("\ue000(\\d+)\ue001")
BR_MARK = "\ue002"
LITERAL = "\ue003"
MARKERS = re.compile("[\ue000-\ue003]|&#(?:[xX]0*([eE]00[0-3])|0*(5734[4-7]))(?![0-9A-Fa-f]);?")
HIDDEN = re.compile(LITERAL + "([A-D])")


def hide_markers(text: str) -> str:
    """The post's own marker characters, and character references to them, as LITERAL + A..D."""

    def hide(m: re.Match[str]) -> str:
        code = int(m.group(1), 16) if m.group(1) else int(m.group(2)) if m.group(2) else ord(m.group(0))
        return LITERAL + chr(ord("A") + code - 0xE000)

    return MARKERS.sub(hide, text)


def show_markers(text: str) -> str:
    return HIDDEN.sub(lambda m: chr(0xE000 + ord(m.group(1)) - ord("A")), text) if LITERAL in text else text


class Keeper:
    """Text set aside from conversion, to be put back verbatim after html2text."""

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.unknown: list[str] = []

    def token(self, markdown: str) -> str:
        if "\ue000" in markdown:  # a code block kept earlier, inside a shortcode's attributes
            markdown = TOKEN.sub(lambda m: self.kept[int(m.group(1))], markdown)
        self.kept.append(markdown)
        return f"\ue000{len(self.kept) - 1}\ue001"
