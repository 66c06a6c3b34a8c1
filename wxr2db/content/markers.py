"""Private-use tokens and break marks that carry set-aside text through html2text untouched."""

from __future__ import annotations

import hashlib
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


# A generator's own shortcode ({{< youtube x >}}) waits as NATIVE until the layout has escaped the
# post's own `{{<` text; the key is a hash of the post, which no post can contain, so none can forge one.
NATIVE = re.compile("\ue004([0-9a-f]{16}):(\\d+)\ue005")


def native_key(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class Keeper:
    """Text set aside from conversion, to be put back verbatim after html2text; the generator's own
    shortcodes; and what the post held that needs counting (unknown shortcodes, maths, dropped parts)."""

    def __init__(self, key: str = "") -> None:
        self.kept: list[str] = []
        self.unknown: list[str] = []
        self.key = key
        self.native: list[str] = []
        self.notes: list[str] = []  # what was converted or dropped, for the summary
        self.maths = 0

    def native_token(self, shortcode: str) -> str:
        """A token for a generator shortcode, shown by show_native after the layout's escaping."""
        self.native.append(shortcode)
        return self.token(f"\ue004{self.key}:{len(self.native) - 1}\ue005")

    def token(self, markdown: str) -> str:
        if "\ue000" in markdown:  # a code block kept earlier, inside a shortcode's attributes
            markdown = TOKEN.sub(lambda m: self.kept[int(m.group(1))], markdown)
        self.kept.append(markdown)
        return f"\ue000{len(self.kept) - 1}\ue001"


def show_native(markdown: str, key: str, native: tuple[str, ...]) -> str:
    """The generator shortcodes render_body wrote, put in place of their NATIVE placeholders."""

    def replace(m: re.Match[str]) -> str:
        n = int(m.group(2))
        return native[n] if m.group(1) == key and n < len(native) else ""

    return NATIVE.sub(replace, markdown) if "\ue004" in markdown else markdown
