"""wpautop(): WordPress's paragraphs and line breaks for classic-editor content, ported."""

from __future__ import annotations

import re

from .scan import Ahead, elements, replace_spans

# The block tags of wp-includes/formatting.php wpautop(), in WordPress's order.
ALL_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article"
    r"|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)

# get_html_split_regex(): comments, CDATA and tags (unclosed ones run to the end).
HTML_SPLIT = re.compile(r"(<!--[\s\S]*?(?:-->|\Z)|<!\[CDATA\[[\s\S]*?(?:\]\]>|\Z)|<[^>]*>?)")

NEWLINE_PLACEHOLDER = " <!-- wpnl --> "


# WordPress keeps newlines of script/style/svg/math; textarea is added here because
# a <br /> inside a form field would show up as literal text.
PRESERVE_NEWLINES = re.compile(r"<(script|style|svg|math|textarea)")
PRESERVED = "script|style|svg|math|textarea"


def _hide_pre(text: str) -> tuple[str, dict[str, str]]:
    """Swap every <pre>...</pre> for a placeholder, like wpautop's $pre_tags."""
    if "<pre" not in text:
        return text, {}
    parts = text.split("</pre>")
    last = parts.pop()
    out: list[str] = []
    saved: dict[str, str] = {}
    for part in parts:
        start = part.find("<pre")
        if start == -1:  # malformed HTML: a stray </pre> is dropped, as WordPress does
            out.append(part)
            continue
        name = f"<pre wp-pre-tag-{len(saved)}></pre>"
        saved[name] = part[start:] + "</pre>"
        out.append(part[:start] + name)
    return "".join(out) + last, saved


def _newlines_in_tags(text: str) -> str:
    """wp_replace_in_html_tags(): newlines inside tags and comments never become <br />."""
    parts = HTML_SPLIT.split(text)
    for i in range(1, len(parts), 2):
        parts[i] = parts[i].replace("\n", NEWLINE_PLACEHOLDER)
    return "".join(parts)


def _collapse_inline_blocks(text: str) -> str:
    """Line breaks around <option>, <object> params, media sources and figcaptions are not paragraphs."""
    if "<option" in text:
        text = re.sub(r"\s*<option", "<option", text)
        text = re.sub(r"</option>\s*", "</option>", text)
    if "</object>" in text:
        text = re.sub(r"(<object[^>]*>)\s*", r"\1", text)
        text = re.sub(r"\s*</object>", "</object>", text)
        text = re.sub(r"\s*(</?(?:param|embed)[^>]*>)\s*", r"\1", text)
    if "<source" in text or "<track" in text:
        text = re.sub(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*", r"\1", text)
        text = re.sub(r"\s*([<\[]/(?:audio|video)[>\]])", r"\1", text)
        text = re.sub(r"\s*(<(?:source|track)[^>]*>)\s*", r"\1", text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    return text


# wpautop's own regular expressions, in the order it applies them.
DOUBLE_BR = re.compile(r"<br\s*/?>\s*<br\s*/?>")
BLOCK_OPEN = re.compile(r"(<" + ALL_BLOCKS + r"[\s/>])")
BLOCK_CLOSE = re.compile(r"(</" + ALL_BLOCKS + r">)")
HR = re.compile(r"(<hr\s*?/?>)")
BLANK_LINES = re.compile(r"\n\n+")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
EMPTY_P = re.compile(r"<p>\s*</p>")
P_CLOSED_BY_BLOCK = re.compile(r"<p>([^<]+)</(div|address|form)>")
P_AROUND_LI = re.compile(r"<p>(<li.+?)</p>")
P_BEFORE_BLOCKQUOTE = re.compile(r"<p><blockquote([^>]*)>", re.I)
LAST_P_NEWLINE = re.compile(r"\n</p>$")

# `(?P<tag>...)[^>]*>` patterns of wpautop, as keep_tags reads them (the `[^>]*>` is implied).
BLOCK_TAG = re.compile(r"(?P<tag></?" + ALL_BLOCKS + ")")
P_THEN_BLOCK = re.compile(r"<p>\s*(?P<tag></?" + ALL_BLOCKS + ")")
BR_THEN_TAG = re.compile(r"<br />(?P<tag>\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol))")
BR_AFTER = re.compile(r"\s*<br />")
CLOSING_P = re.compile(r"\s*</p>")


def keep_tags(text: str, start: re.Pattern[str], then: re.Pattern[str] | None = None) -> str:
    """re.sub(start + r"[^>]*>" + then, <the tag group up to its >>, text), in linear time: the regex
    looked for the `>` again from every start, and 6000 `<hr` without one took seconds."""
    ahead = Ahead(text)
    out: list[str] = []
    pos = at = 0
    while (m := start.search(text, at)) is not None:
        close = ahead.find(">", m.end())
        if close == -1:
            break
        after = then.match(text, close + 1) if then is not None else None
        if then is not None and after is None:
            at = m.start() + 1
            continue
        out += [text[pos : m.start()], text[m.start("tag") : close + 1]]
        pos = at = after.end() if after is not None else close + 1
    out.append(text[pos:])
    return "".join(out)


def _wrap_paragraphs(text: str) -> str:
    text = BLANK_LINES.sub("\n\n", text)
    paragraphs = [p for p in PARAGRAPH_BREAK.split(text) if p]
    text = "".join("<p>" + p.strip("\n") + "</p>\n" for p in paragraphs)
    text = EMPTY_P.sub("", text)
    text = P_CLOSED_BY_BLOCK.sub(r"<p>\1</p></\2>", text)
    text = keep_tags(text, P_THEN_BLOCK, CLOSING_P)
    text = P_AROUND_LI.sub(r"\1", text)
    text = P_BEFORE_BLOCKQUOTE.sub(r"<blockquote\1><p>", text)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = keep_tags(text, P_THEN_BLOCK)
    return keep_tags(text, BLOCK_TAG, CLOSING_P)


def _add_line_breaks(text: str) -> str:
    spans = elements(text, PRESERVE_NEWLINES, PRESERVED)
    text = replace_spans(text, spans, lambda found: found.replace("\n", "<WPPreserveNewline />"))
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = newlines_to_breaks(text)
    return text.replace("<WPPreserveNewline />", "\n")


SPACE_RUN = re.compile(r"\s*")


def newlines_to_breaks(text: str) -> str:
    """re.sub(r"(?<!<br />)\\s*\\n", "<br />\\n", text), which tried again from every space of a run
    without a newline (16k spaces and tabs took 5.6 s): each run of whitespace holding a newline, up to
    its last newline. Only newlines start the work, so the spaces between words cost nothing."""
    out: list[str] = []
    pos = 0
    newline = text.find("\n")
    while newline != -1:
        start = newline
        while start > pos and text[start - 1].isspace():
            start -= 1
        run = SPACE_RUN.match(text, newline)  # always matches: text[newline] is whitespace
        end = run.end() if run is not None else newline + 1
        last = text.rfind("\n", newline, end)
        start += text.endswith("<br />", 0, start)
        if last >= start:
            out += [text[pos:start], "<br />\n"]
            pos = last + 1
        newline = text.find("\n", end)
    out.append(text[pos:])
    return "".join(out)


def wpautop(text: str, br: bool = True) -> str:
    """Port of WordPress's wpautop(): blank lines make paragraphs, single newlines <br />."""
    if not text.strip():
        return ""
    text, pre_tags = _hide_pre(text + "\n")
    text = DOUBLE_BR.sub("\n\n", text)
    text = BLOCK_OPEN.sub(r"\n\n\1", text)
    text = BLOCK_CLOSE.sub(r"\1\n\n", text)
    text = HR.sub(r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _collapse_inline_blocks(_newlines_in_tags(text))
    text = _wrap_paragraphs(text)
    if br:
        text = _add_line_breaks(text)
    text = keep_tags(text, BLOCK_TAG, BR_AFTER)
    text = keep_tags(text, BR_THEN_TAG)
    text = LAST_P_NEWLINE.sub("</p>", text)
    for name, original in pre_tags.items():
        text = text.replace(name, original)
    if "<!-- wpnl -->" in text:
        text = text.replace(NEWLINE_PLACEHOLDER, "\n").replace("<!-- wpnl -->", "\n")
    return text
