"""HTML -> plain text in one linear pass: the search column's text, or one line for titles and names.

Not a renderer: no Markdown, no links, just the words a reader sees. `search_text` keeps paragraphs and
reads the markup as a browser would (comments, scripts, quoted `>`); `plain_text` makes one line of a
title the way WordPress themes strip one: every `<...>` goes, entities are decoded, whitespace folded.
Every search goes through `Scanner.find`, which remembers where each needle was last found, so text that
never closes (`<!--`, a quote, `<script`) is scanned once, not once per opening.
"""

from __future__ import annotations

import html
import re

# Tags whose start or end begins a new paragraph, or a new line, in what a reader sees.
PARAGRAPH_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "details", "dialog", "div", "dl", "fieldset", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main", "nav",
    "ol", "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot", "ul"))
LINE_TAGS = frozenset(("br", "dd", "dt", "li", "tr", "caption"))
SPACE_TAGS = frozenset(("td", "th", "img"))
# Their contents are code or machinery, never text.
DROPPED_TAGS = frozenset(("script", "style", "template", "noscript", "iframe", "object", "svg", "math"))
# WordPress core's own shortcodes: their brackets go, what they wrap stays ([caption]<img> A cat[/caption]).
# Any other [word] is left alone: it may be text ("[sic]", "[1]").
SHORTCODES = frozenset(("caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist"))

TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9:_-]*")
# A tag with no quote and no `<` before its `>`; the lookahead keeps the name from backtracking.
SIMPLE_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_-]*)(?![A-Za-z0-9:_-])[^<>\"']*>")
SHORTCODE_NAME = re.compile(r"/?([A-Za-z][\w-]*)")
ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}

SPACE, LINE, PARAGRAPH = 1, 2, 3


class Scanner:
    """Finds in one string, remembering the last hit per needle; `work` counts the characters looked at."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lower = ""  # made on the first search for a needle with letters (`</script`); most need none
        self.hits: dict[str, int] = {}
        self.work = 0

    def lowered(self) -> str:
        # Positions must match text's: str.lower() keeps them unless a character lowers to two (İ), and the
        # needles are ASCII without a 'k' (the Kelvin sign lowers to one), so it serves; translate is slow.
        if not self.lower:
            lower = self.text.lower()
            self.lower = lower if len(lower) == len(self.text) else self.text.translate(ASCII_LOWER)
        return self.lower

    def find(self, needle: str, start: int) -> int:
        """Index of needle (lower-case) at or after start, or len(text) when there is none."""
        hit = self.hits.get(needle, -1)
        if hit < start:
            # Only a needle with letters needs the lower-cased copy.
            found = (self.lowered() if needle.upper() != needle else self.text).find(needle, start)
            hit = len(self.text) if found < 0 else found
            self.work += hit - start + 1
            self.hits[needle] = hit
        return hit


def break_level(space: str) -> int:
    """Classic-editor content has no <p>: a blank line is a paragraph (wpautop), a newline a <br>."""
    newlines = space.count("\n")
    return PARAGRAPH if newlines > 1 else LINE if newlines else SPACE


def folded(core: str) -> str:
    """Each run of whitespace as the break it stands for (see break_level). core is stripped, and
    str.split() splits on what `\\s` matches, so within a line this is the run folded to one space."""
    if "\n" not in core:
        return " ".join(core.split())
    parts: list[str] = []
    newlines = 0
    for line in core.split("\n"):
        words = line.split()
        if words:
            if parts:
                parts.append("\n\n" if newlines > 1 else "\n")
            parts.append(" ".join(words))
            newlines = 0
        newlines += 1
    return "".join(parts)


class Words:
    """The output: words with the strongest break seen since the last word between them; on one line,
    the text between tags as it stands, decoded and folded at the end."""

    def __init__(self, one_line: bool = False) -> None:
        self.parts: list[str] = []
        self.pending = 0
        self.one_line = one_line

    def add(self, raw: str) -> None:
        if self.one_line:
            self.parts.append(raw)
        else:
            self.add_text(html.unescape(raw))

    def brk(self, level: int) -> None:
        self.pending = max(self.pending, level)

    def add_text(self, text: str) -> None:
        # Whole runs of words at once (one regex pass), not word by word: this is most of the time spent.
        core = text.strip()
        if not core:
            if text:
                self.brk(break_level(text))
            return
        lead = len(text) - len(text.lstrip())
        if lead:
            self.brk(break_level(text[:lead]))
        if self.parts and self.pending:
            self.parts.append(("", " ", "\n", "\n\n")[self.pending])
        self.parts.append(folded(core))
        self.pending = 0
        trail = len(text) - len(text.rstrip())
        if trail:
            self.brk(break_level(text[-trail:]))

    def result(self) -> str:
        if self.one_line:
            # Decoded once the tags are gone, as a title's `&am<b></b>p;` always was: `&`.
            return " ".join(html.unescape("".join(self.parts)).split())
        return "".join(self.parts)


def plain_text(markup: str, one_line: bool = True) -> str:
    """Titles, names and excerpts as front matter wants them: tags stripped, entities decoded, one line.
    With one_line=False, the search text (see search_text)."""
    return scan(Scanner(markup), one_line).result()


def search_text(markup: str) -> str:
    """Readable text of post HTML: comments, scripts and tags gone, block tags as line or paragraph breaks,
    entities decoded, whitespace collapsed, core shortcode brackets removed and their content kept."""
    if "<" not in markup and "[" not in markup:
        # No tag and no shortcode (most comments): one segment of words, without the scanner's searches.
        words = Words()
        words.add(markup)
        return words.result()
    return plain_text(markup, one_line=False)


def scan(s: Scanner, one_line: bool = False) -> Words:
    words = Words(one_line)
    i, end = 0, len(s.text)
    while i < end:
        s.work += 1
        lt = s.find("<", i)
        add_segment(s, words, i, lt)
        if lt >= end:
            break
        i = skip_markup(s, words, lt)
    return words


def skip_markup(s: Scanner, words: Words, lt: int) -> int:
    """Handle what starts with '<' at lt; return where text resumes."""
    text = s.text
    if words.one_line:
        return skip_plain_tag(s, words, lt)
    if text.startswith("<!--", lt):  # block comments (<!-- wp:paragraph -->) and others; unclosed: to the end
        return s.find("-->", lt + 4) + 3
    nxt = text[lt + 1:lt + 2]
    if nxt in ("!", "?"):
        return s.find(">", lt + 2) + 1
    simple = SIMPLE_TAG.match(text, lt)
    if simple is not None:  # most tags: no quoted value, so no search for where they end
        s.work += simple.end() - lt
        closing, tag, after = simple.group(1) == "/", simple.group(2).lower(), simple.end()
    else:
        closing = nxt == "/"
        name = TAG_NAME.match(text, lt + 2 if closing else lt + 1)
        if name is None:  # "a < b" is text
            add_segment(s, words, lt, lt + 1)
            return lt + 1
        s.work += name.end() - name.start()
        after = tag_end(s, name.end())
        tag = name.group().lower()  # TAG_NAME is ASCII
    words.brk(PARAGRAPH if tag in PARAGRAPH_TAGS else LINE if tag in LINE_TAGS else
              SPACE if tag in SPACE_TAGS else 0)
    if tag in DROPPED_TAGS and not closing and not text.startswith("/>", after - 2):
        return s.find(">", s.find("</" + tag, after)) + 1
    return after


def skip_plain_tag(s: Scanner, words: Words, lt: int) -> int:
    """On one line a tag is `<[^>]*>`, nothing more: a `<` with no `>` after it is text."""
    gt = s.find(">", lt + 1)
    if gt < len(s.text):
        return gt + 1
    words.add("<")
    return lt + 1


def tag_end(s: Scanner, start: int) -> int:
    """Just past the '>' closing a tag, skipping quoted attribute values that may hold '>'."""
    text, i = s.text, start
    while True:
        s.work += 1
        gt, dq, sq = s.find(">", i), s.find('"', i), s.find("'", i)
        quote = min(dq, sq)
        if gt < quote:
            return gt + 1
        close = s.find(text[quote], quote + 1) if quote < len(text) else len(text)
        if close >= len(text):  # an unclosed quote: take the first '>' as the end, as lenient parsers do
            return gt + 1
        i = close + 1


def add_segment(s: Scanner, words: Words, start: int, stop: int) -> None:
    """Text between tags, without the brackets of core shortcodes (a title keeps them)."""
    if words.one_line:
        words.add(s.text[start:stop])
        return
    # Searches bounded by the segment: each one looks only at text this call consumes.
    text, i = s.text, start
    while i < stop:
        bracket = text.find("[", i, stop)
        close = text.find("]", bracket, stop) if bracket != -1 else -1
        s.work += (stop if close == -1 else close) - i + 1
        if close == -1:
            words.add(text[i:stop])
            return
        name = SHORTCODE_NAME.match(text, bracket + 1, close)
        if name is not None and name.group(1).translate(ASCII_LOWER) in SHORTCODES:
            words.add(text[i:bracket])
            words.brk(SPACE)
        else:
            words.add(text[i : close + 1])
        i = close + 1
