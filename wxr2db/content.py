"""WordPress post body -> Markdown.

The pipeline mirrors WordPress's own ``the_content`` filters: code shortcodes are
set aside first (SyntaxHighlighter does the same before ``wpautop``), classic
content gets ``wpautop`` + ``shortcode_unautop``, block-editor content only loses
its block comments, then shortcodes are expanded to HTML and html2text turns the
HTML into CommonMark.  Everything here is pure: no I/O, no global state.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import html2text

from .normalize import id_list


class Media(Protocol):
    def url(self, attachment_id: int) -> str | None: ...

    def attached_images(self) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class Rendered:
    markdown: str
    unknown_shortcodes: tuple[str, ...]
    # What Markdown could not express and was simplified (a colspan, a list inside a table cell).
    lossy: tuple[str, ...] = ()
    # None without a <!--more--> marker; else its custom "Read more" text ("" when there is none).
    more: str | None = None


# --------------------------------------------------------------------------- wpautop

# The block tags of wp-includes/formatting.php wpautop(), in WordPress's order.
ALL_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article"
    r"|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)

# get_html_split_regex(): comments, CDATA and tags (unclosed ones run to the end).
HTML_SPLIT = re.compile(r"(<!--[\s\S]*?(?:-->|\Z)|<!\[CDATA\[[\s\S]*?(?:\]\]>|\Z)|<[^>]*>?)")

NEWLINE_PLACEHOLDER = " <!-- wpnl --> "


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
            for m in re.finditer(r"</(" + names + r")>", text, flags):
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
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p]
    text = "".join("<p>" + p.strip("\n") + "</p>\n" for p in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = keep_tags(text, P_THEN_BLOCK, CLOSING_P)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = keep_tags(text, P_THEN_BLOCK)
    return keep_tags(text, BLOCK_TAG, CLOSING_P)


def _add_line_breaks(text: str) -> str:
    spans = elements(text, PRESERVE_NEWLINES, PRESERVED)
    text = replace_spans(text, spans, lambda found: found.replace("\n", "<WPPreserveNewline />"))
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = newlines_to_breaks(text)
    return text.replace("<WPPreserveNewline />", "\n")


WHITESPACE = re.compile(r"\s+")


def newlines_to_breaks(text: str) -> str:
    """re.sub(r"(?<!<br />)\\s*\\n", "<br />\\n", text), which tried again from every space of a run
    without a newline (16k spaces and tabs took 5.6 s): a run of whitespace up to its last newline."""
    out: list[str] = []
    pos = 0
    for run in WHITESPACE.finditer(text):
        last = text.rfind("\n", run.start(), run.end())
        start = run.start() + text.endswith("<br />", 0, run.start())
        if last >= start:
            out += [text[pos:start], "<br />\n"]
            pos = last + 1
    out.append(text[pos:])
    return "".join(out)


def wpautop(text: str, br: bool = True) -> str:
    """Port of WordPress's wpautop(): blank lines make paragraphs, single newlines <br />."""
    if not text.strip():
        return ""
    text, pre_tags = _hide_pre(text + "\n")
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = re.sub(r"(<" + ALL_BLOCKS + r"[\s/>])", r"\n\n\1", text)
    text = re.sub(r"(</" + ALL_BLOCKS + r">)", r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _collapse_inline_blocks(_newlines_in_tags(text))
    text = _wrap_paragraphs(text)
    if br:
        text = _add_line_breaks(text)
    text = keep_tags(text, BLOCK_TAG, BR_AFTER)
    text = keep_tags(text, BR_THEN_TAG)
    text = re.sub(r"\n</p>$", "</p>", text)
    for name, original in pre_tags.items():
        text = text.replace(name, original)
    if "<!-- wpnl -->" in text:
        text = text.replace(NEWLINE_PLACEHOLDER, "\n").replace("<!-- wpnl -->", "\n")
    return text


# ------------------------------------------------------------------------ shortcodes

SHORTCODE_NAME = r"[A-Za-z][\w-]*"
NAME = re.compile(SHORTCODE_NAME)
CLOSING = re.compile(r"\[/(" + SHORTCODE_NAME + r")\]")


@dataclass(frozen=True, slots=True)
class Shortcode:
    """What get_shortcode_regex() matches: `[[name attrs]content[/name]]`, escapes optional."""

    start: int
    end: int
    opened: str  # "[" when the shortcode is escaped as [[name]]
    name: str
    attrs: str
    body: tuple[int, int] | None  # where the content is, when there is a closing tag
    closed: str  # the "]" of [[name]]


class ShortcodeScanner:
    """Finds shortcodes as WordPress's regex does, in time linear in the text.

    The regex looks for the next `]` and the next `[/name]` from every `[`: on `[a ` x 20k, or 20k
    `[a]` without a closing tag, that is quadratic. Here the next `]` is remembered, and every
    closing tag is indexed once. Positions asked for only grow, so each index only moves forward.
    """

    def __init__(self, text: str, names: frozenset[str] | None = None) -> None:
        self.text = text
        self.names = names
        self.bracket = -1
        self.closings: dict[str, list[int]] = {}
        for m in CLOSING.finditer(text):
            self.closings.setdefault(m.group(1), []).append(m.start())
        self.cursors: dict[str, int] = {}

    def next_bracket(self, pos: int) -> int:
        """The first `]` at or after pos, or len(text) when there is none (then never looked for again)."""
        if self.bracket < pos:
            found = self.text.find("]", pos)
            self.bracket = found if found != -1 else len(self.text)
        return self.bracket

    def closing(self, name: str, pos: int, bound: int) -> int | None:
        found = self.closings.get(name)
        if not found:
            return None
        i = self.cursors.get(name, 0)
        while i < len(found) and found[i] < pos:
            i += 1
        self.cursors[name] = i
        if i < len(found) and found[i] + len(name) + 3 <= bound:
            return found[i]
        return None

    def find(self, pos: int, bound: int) -> Shortcode | None:
        """The first shortcode starting at or after pos and ending by bound."""
        while True:
            start = self.text.find("[", pos, bound)
            if start == -1:
                return None
            found = self.match(start, bound)
            if found is not None:
                return found
            pos = start + 1

    def match(self, start: int, bound: int, escapes: bool = True) -> Shortcode | None:
        text = self.text
        opened = "[" if escapes and text.startswith("[", start + 1) and start + 1 < bound else ""
        name = NAME.match(text, start + 1 + len(opened), bound)
        if name is None or (self.names is not None and name.group() not in self.names):
            return None
        close = self.next_bracket(name.end())
        if close >= bound:
            return None
        self_closing = close > name.end() and text[close - 1] == "/"
        attrs = text[name.end() : close - 1 if self_closing else close]
        end, body = close + 1, None
        if not self_closing:
            closing = self.closing(name.group(), end, bound)
            if closing is not None:
                body, end = (end, closing), closing + len(name.group()) + 3
        closed = "]" if end < bound and text[end] == "]" else ""
        return Shortcode(start, end + len(closed), opened, name.group(), attrs, body, closed)

ATTRIBUTE = re.compile(
    r"([\w-]+)\s*=\s*\"([^\"]*)\"(?:\s|$)"
    r"|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"
    r"|([\w-]+)\s*=\s*([^\s'\"]+)(?:\s|$)"
    r"|\"([^\"]*)\"(?:\s|$)"
    r"|'([^']*)'(?:\s|$)"
    r"|(\S+)(?:\s|$)"
)


def shortcode_attributes(text: str) -> dict[str, str]:
    """shortcode_parse_atts(): named attributes by lower-case name, bare ones as "0", "1", ..."""
    text = re.sub(r"[\u00a0\u200b]", " ", text)
    found: dict[str, str] = {}
    bare = 0
    for m in ATTRIBUTE.finditer(text):
        g = m.groups()
        for name_at, value_at in ((0, 1), (2, 3), (4, 5)):
            if g[name_at] is not None:
                found[g[name_at].lower()] = g[value_at] or ""
                break
        else:
            value = next(v for v in g[6:] if v is not None)
            found[str(bare)] = value
            bare += 1
    return found


# SyntaxHighlighter Evolved registers one shortcode per brush alias: [php]...[/php].
CODE_NAMES = (
    "code|sourcecode|as3|actionscript3|bash|shell|sh|coldfusion|cf|clojure|clj|cpp|c|c-sharp|csharp|css"
    "|delphi|pas|pascal|diff|patch|erl|erlang|fsharp|go|golang|groovy|haskell|java|jfx|javafx|js"
    "|jscript|javascript|latex|tex|matlab|objc|obj-c|perl|pl|php|plain|text|ps|powershell|py|python|r"
    "|splus|rails|rb|ror|ruby|scala|sql|vb|vbnet|xml|xhtml|xslt|html|yaml|yml"
)
CODE_NAME_SET = frozenset(CODE_NAMES.split("|"))

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


def code_blocks(text: str, keeper: Keeper) -> str:
    """Every [code lang="python"]...[/code] (and [php] ...) as a fenced block, set aside verbatim."""
    scanner = ShortcodeScanner(text, CODE_NAME_SET)
    out: list[str] = []
    pos = 0
    while (found := scanner.find(pos, len(text))) is not None:
        out += [text[pos : found.start], code_block(text, found, keeper)]
        pos = found.end
    out.append(text[pos:])
    return "".join(out)


def code_block(text: str, found: Shortcode, keeper: Keeper) -> str:
    whole = text[found.start : found.end]
    if found.opened and found.closed:
        return keeper.token(whole[1:-1])
    if found.body is None:
        return whole
    attrs = shortcode_attributes(found.attrs)
    default = "" if found.name in ("code", "sourcecode") else found.name
    language = attrs.get("lang") or attrs.get("language") or default
    # The visual editor stores code HTML-escaped (&lt;?php), the plugin shows it decoded.
    code = html.unescape(text[found.body[0] : found.body[1]].strip("\n"))
    fence = "`" * max(3, longest_run(code, "`") + 1)
    block = "\n\n" + keeper.token(f"{fence}{language}\n{code}\n{fence}") + "\n\n"
    return found.opened + block + found.closed


def longest_run(text: str, char: str) -> int:
    runs = re.findall(re.escape(char) + "+", text)
    return max((len(r) for r in runs), default=0)


# --------------------------------------------------------------- shortcode expansion

# [caption] content is "<img>" or "<a><img></a>" then the caption (img_caption_shortcode()).
CAPTION_CONTENT = re.compile(r"((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)", re.I | re.S)

AUDIO_SOURCES = ("src", "mp3", "m4a", "ogg", "wav", "wma", "flac")
VIDEO_SOURCES = ("src", "mp4", "m4v", "webm", "ogv", "wmv", "flv")


def link_paragraph(url: str) -> str:
    quoted = html.escape(url, quote=True)
    return f'<p><a href="{quoted}">{quoted}</a></p>'


def expand_caption(attrs: dict[str, str], content: str) -> str | None:
    found = CAPTION_CONTENT.match(content.strip())
    if not found:
        return None
    image, caption = found.group(1), found.group(2)
    if "caption" in attrs:  # the attribute wins; everything in the content is then the image
        image, caption = content.strip(), attrs["caption"]
    if "<a " in image and "</a>" not in image:
        # An unclosed link around the image (seen in real exports) would swallow the caption.
        caption = re.sub(r"</a>", "", caption, count=1)
        image += "</a>"
    caption = re.sub(r"(?:<br\s*/?>|\s)+$", "", caption).strip()
    if not caption:
        return f"<p>{image}</p>"
    return f"<p>{image}</p><p><em>{caption}</em></p>"


def expand_gallery(attrs: dict[str, str], media: Media | None) -> str | None:
    if media is None:
        return None
    ids = attrs.get("ids") or attrs.get("include") or ""
    urls = [u for u in map(media.url, id_list(ids)) if u] if ids.strip() else media.attached_images()
    if not urls:
        return None
    return "".join(f'<p><img src="{html.escape(u, quote=True)}" alt=""></p>' for u in urls)


def expand_media(attrs: dict[str, str], sources: tuple[str, ...], content: str) -> str | None:
    # [audio https://...mp3] (a bare URL) is in the theme unit test data and works in WordPress.
    bare = [value for key, value in sorted(attrs.items()) if key.isdigit() and "://" in value]
    for value in [attrs.get(key, "") for key in sources] + bare:
        if value.strip():
            return link_paragraph(html.unescape(value.strip()))
    url = re.sub(r"<[^>]*>", "", content).strip()
    return link_paragraph(url) if re.fullmatch(r"https?://\S+", url) else None


def expand_known(name: str, attrs: dict[str, str], content: str, media: Media | None) -> str | None:
    """HTML for the shortcodes WordPress core registers; None when it cannot be resolved."""
    if name in ("caption", "wp_caption"):
        return expand_caption(attrs, content)
    if name == "gallery":
        return expand_gallery(attrs, media)
    if name == "embed":
        url = re.sub(r"<[^>]*>", "", content).strip()
        return link_paragraph(url) if url else None
    if name == "audio":
        return expand_media(attrs, AUDIO_SOURCES, content)
    if name == "video":
        return expand_media(attrs, VIDEO_SOURCES, content)
    return None


# Brackets in code are code (`a[b[0]]`), not shortcodes to count as unknown.
CODE_REGION = re.compile(r"<(pre|code)\b", re.I)


def expand_shortcodes_outside_code(text: str, keeper: Keeper, media: Media | None) -> str:
    out: list[str] = []
    pos = 0
    for begin, end in elements(text, CODE_REGION, "pre|code", re.I):
        out += [expand_shortcodes(text[pos:begin], keeper, media), text[begin:end]]
        pos = end
    out.append(expand_shortcodes(text[pos:], keeper, media))
    return "".join(out)


def expand_shortcodes(text: str, keeper: Keeper, media: Media | None) -> str:
    """do_shortcode(): known shortcodes become HTML, unknown ones are kept as text with their
    content expanded. Iterative: shortcodes nested 5000 deep would pass Python's recursion limit."""
    scanner = ShortcodeScanner(text)
    out: list[str] = []
    ends: list[tuple[int, int, str]] = []  # for each open content: (resume at, outer bound, closing text)
    pos, bound = 0, len(text)
    while True:
        found = scanner.find(pos, bound)
        out.append(text[pos : found.start if found else bound])
        if found is None:
            if not ends:
                return "".join(out)
            pos, bound, closing = ends.pop()
            out.append(closing)
            continue
        pos = found.end
        if found.opened and found.closed:  # [[name]] is how WordPress writes a literal [name]
            out.append(keeper.token(text[found.start + 1 : found.end - 1]))
            continue
        expanded, inside = expand_one(text, found, keeper, media)
        out.append(expanded)
        if inside:
            ends.append((found.end, bound, keeper.token(f"[/{found.name}]") + found.closed))
            pos, bound = inside


def expand_one(text: str, found: Shortcode, keeper: Keeper,
               media: Media | None) -> tuple[str, tuple[int, int] | None]:
    """A known shortcode's HTML; or an unknown one's opening tag kept as text, and where its content
    is, which expand_shortcodes expands next and follows with the closing tag."""
    content = text[found.body[0] : found.body[1]] if found.body else ""
    produced = expand_known(found.name.lower(), shortcode_attributes(found.attrs), content, media)
    if produced is not None:
        return found.opened + produced + found.closed, None
    keeper.unknown.append(found.name)
    opening = text[found.start + len(found.opened) : found.end - len(found.closed)]
    if found.body is None:  # WordPress keeps the "]" of `[name]]` too
        return found.opened + keeper.token(opening) + found.closed, None
    return found.opened + keeper.token(opening[: opening.index("]") + 1]), found.body


UNAUTOP_START = re.compile(r"<p>\s*\[")


def shortcode_unautop(text: str) -> str:
    """Drop the <p></p> that wpautop put around a shortcode standing on its own line: the regex
    `<p>\\s*(shortcode)\\s*</p>`, with the shortcode found by ShortcodeScanner."""
    scanner = ShortcodeScanner(text)
    out: list[str] = []
    pos = 0
    for m in UNAUTOP_START.finditer(text):
        found = scanner.match(m.end() - 1, len(text), escapes=False) if m.start() >= pos else None
        if found is None:
            continue
        # With its content, or (as the regex backtracks) without it when no </p> follows the content.
        ends = [found.end - len(found.closed)] + ([found.body[0]] if found.body else [])
        after = next((p for p in (CLOSING_P.match(text, end) for end in ends) if p), None)
        if after is not None:
            out += [text[pos : m.start()], text[m.end() - 1 : after.start()]]
            pos = after.end()
    out.append(text[pos:])
    return "".join(out)


# -------------------------------------------------------------------- block editor

BLOCK_DELIMITER = re.compile(r"<!--\s+/?wp:")


def drop_block_delimiters(text: str) -> str:
    """`<!-- wp:paragraph {...} -->` and `<!-- /wp:paragraph -->` removed, as `<!--\\s+/?wp:.*?-->`."""
    ahead = Ahead(text)

    def spans() -> Iterator[tuple[int, int]]:
        pos = 0
        for m in BLOCK_DELIMITER.finditer(text):
            end = ahead.find("-->", m.end()) if m.start() >= pos else -2
            if end == -1:
                return
            if end >= 0:
                yield m.start(), end + 3
                pos = end + 3

    return replace_spans(text, spans(), lambda found: "")
# `(<(?:p|div)(?:\s[^>]*)?>|<br />)` then the URL, matched in two steps: the regex as one looked
# for the `>` again from every unclosed `<p ` (8000 of them took 3 s).
LONE_URL_TAG = re.compile(r"<(?:p|div)(?=[\s>])|<br />")
LONE_URL = re.compile(r"\s*(https?://[^\s<>\"\[\]]+)\s*(?=</(?:p|div)>|<br />)")


def is_block_content(content: str) -> bool:
    """has_blocks(): WordPress itself only checks for the opening delimiter."""
    return "<!-- wp:" in content


def link_lone_urls(text: str) -> str:
    """WordPress oEmbed: a URL alone in its paragraph or line is an embed; here it becomes a link."""
    ahead = Ahead(text)
    out: list[str] = []
    pos = 0
    for tag in LONE_URL_TAG.finditer(text):
        if tag.start() < pos:
            continue
        tag_end = tag.end() if tag.group() == "<br />" else ahead.find(">", tag.end()) + 1
        url = LONE_URL.match(text, tag_end) if tag_end else None
        if url is not None:
            out += [text[pos : tag_end], link_paragraph(html.unescape(url.group(1)))]
            pos = url.end()
    out.append(text[pos:])
    return "".join(out)


MEDIA_ELEMENT = re.compile(r"<(iframe|video|audio|embed)\b", re.I)
MEDIA_NAMES = "iframe|video|audio|embed"
SRC_ATTRIBUTE = re.compile(r"\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.I)


def link_media_elements(text: str) -> str:
    """iframe/video/audio have no Markdown form and Hugo drops raw HTML: keep a link to the source."""

    def replace(found: str) -> str:
        src = SRC_ATTRIBUTE.search(found)
        return link_paragraph(html.unescape(src.group(1))) if src else ""

    return replace_spans(text, media_elements(text), replace)


def media_elements(text: str) -> Iterator[tuple[int, int]]:
    """Spans of `<(iframe|video|audio|embed)\\b[^>]*>(?:.*?</\\1>)?`: the element, up to its end tag
    when it has one."""
    ahead = Ahead(text, MEDIA_NAMES, re.I)
    pos = 0
    for m in MEDIA_ELEMENT.finditer(text):
        if m.start() < pos:
            continue
        tag_end = ahead.find(">", m.end())
        if tag_end == -1:
            return
        closing = ahead.closing(m.group(1), tag_end + 1)
        pos = closing + len(m.group(1)) + 3 if closing != -1 else tag_end + 1
        yield m.start(), pos


# ------------------------------------------------------------------ HTML -> Markdown

# Escaped anywhere in text: backslashes before punctuation, code and emphasis marks,
# link brackets, table pipes, strikethrough tildes, raw-HTML/autolink openers and entity look-alikes.
INLINE_SPECIAL = re.compile(
    r"\\(?=[!-/:-@\[-`{-~]|$)|[`*\[\]|]|~(?=~)|(?<=~)~|<(?=[A-Za-z/!?]|$)|&(?=#?\w+;)"
    r"|(?<![^\W_])_|_(?![^\W_])"
)
# Escaped at the start of a line: headings, quotes, list markers, setext underlines,
# table pipes, definition-list colons (Hugo's goldmark enables that extension).
LINE_START_SPECIAL = re.compile(r"^(\s*)(?:([#>|=+]|-(?=[\s-]|$)|:(?=\s))|(\d{1,9})([.)])(?=\s|$))")


def escape_text(text: str, line_start: bool = True) -> str:
    """Backslash-escape text so that CommonMark shows it as the same text, not as markup."""
    text = INLINE_SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    if not line_start:
        return text

    def escape_marker(m: re.Match[str]) -> str:
        if m.group(2):
            return m.group(1) + "\\" + m.group(2)
        return m.group(1) + m.group(3) + "\\" + m.group(4)

    return LINE_START_SPECIAL.sub(escape_marker, text)


EMPHASIS_GROUPS = {
    "strong": "strong",
    "b": "strong",
    "em": "em",
    "i": "em",
    "u": "em",
    "del": "del",
    "s": "del",
    "strike": "del",
}
NESTING = {"ul": "list", "ol": "list", "blockquote": "blockquote"}
MAX_NESTING = 32
LINE_START_TAIL = re.compile(r"\n[ >]*(?:(?:[*+-]|\d+\.)[ ]+)?$")


IMAGE_ONLY = re.compile(r"\[?!\[[^\]\n]*\]\([^()\s]*\)(?:\]\([^()\s]*\))?")
NBSP_HOLDER = "&nbsp_place_holder;"  # html2text's own stand-in for &nbsp;
TABLE_PARTS = frozenset({"table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption"})
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
    the widest, and an empty header row when the HTML has none (GFM needs one)."""
    rows = [[cell for text, span in row for cell in [text] + [""] * (span - 1)] for row in table.rows]
    width = max((len(r) for r in rows), default=0)
    if not width:
        return ""
    rows = [r + [""] * (width - len(r)) for r in rows]
    if not table.header or not table.header[0]:
        rows.insert(0, [""] * width)
    rows.insert(1, ["---"] * width)
    lines = ["| " + " | ".join(r) + " |" for r in rows]
    return ("\n" + quote).join(lines)


class MarkdownWriter(html2text.HTML2Text):
    """html2text with whole-run text escaping and marked (not space-based) hard breaks."""

    def __init__(self) -> None:
        super().__init__(bodywidth=0)
        self.unicode_snob = True  # keep curly quotes, dashes and ellipses, not ASCII stand-ins
        self.backquote_code_style = True  # fenced code blocks survive inside lists
        self.emphasis_mark = "*"
        self.ul_item_mark = "-"
        self.pending: list[str] = []
        self.emphasis_depth: dict[str, int] = {}
        self.opened_at: dict[str, int] = {}
        self.nesting: dict[str, int] = {}
        self.after_break = False
        self.table: Table | None = None
        self.list_ended_at = -1
        self.lossy: list[str] = []

    def handle_data(self, data: str, entity_char: bool = False) -> None:
        # html2text sees "a &lt;b" as three pieces; escaping needs the whole run.
        self.pending.append(data)

    def handle_tag(self, tag: str, attrs: dict[str, str | None], start: bool) -> None:
        self.flush()
        # <br /> arrives as a start and an end tag; only other tags end the break's effect.
        self.after_break = self.after_break and tag == "br"
        if tag == "br":
            if start:
                self.line_break()
        elif tag in TABLE_PARTS:
            self.table_tag(tag, attrs, start)
        elif tag in ("dt", "dd"):
            self.definition(tag, start)
        elif tag in EMPHASIS_GROUPS:
            if not self.pre:  # markup inside <pre> cannot be shown in a code block
                self.emphasis_tag(tag, attrs, start)
        elif tag in NESTING and self.too_deep(NESTING[tag], start):
            return
        elif tag in ("figure", "figcaption"):
            self.figure_tag(tag, start)
        elif tag in ("ul", "ol"):
            self.list_tag(tag, attrs, start)
        elif tag == "a" and start and (attrs.get("href") or "").strip() in ("", "#"):
            super().handle_tag(tag, {k: v for k, v in attrs.items() if k != "href"}, start)
        elif tag != "abbr":  # html2text writes Markdown Extra abbreviations that CommonMark lacks
            super().handle_tag(tag, attrs, start)

    def too_deep(self, group: str, start: bool) -> bool:
        """Lists and quotes past MAX_NESTING levels stay at that level: each level indents every line
        below it, so 2000 nested lists wrote 4M characters of indentation (and took seconds)."""
        opened = self.nesting.get(group, 0)
        self.nesting[group] = opened + 1 if start else max(opened - 1, 0)
        return (opened + 1 if start else opened) > MAX_NESTING

    def figure_tag(self, tag: str, start: bool) -> None:
        """Block-editor images and their captions each stand alone, as [caption] does; inside a list
        item (a gallery) a paragraph break would end the list, so the caption goes on a new line."""
        if not self.list:
            self.p()
        elif tag == "figcaption" and start:
            self.line_break()

    def list_tag(self, tag: str, attrs: dict[str, str | None], start: bool) -> None:
        """Two lists in a row stay two lists: CommonMark starts a new one when the bullet changes."""
        if start and not self.list and tag == "ul":
            adjacent = self.list_ended_at == len(self.outtextlist)
            self.ul_item_mark = "*" if adjacent and self.ul_item_mark == "-" else "-"
        super().handle_tag(tag, attrs, start)
        if not start and not self.list:
            self.list_ended_at = len(self.outtextlist)

    def table_tag(self, tag: str, attrs: dict[str, str | None], start: bool) -> None:
        table = self.table
        if tag == "table" and start:
            if table is not None:
                table.depth += 1
                self.lossy.append("table inside a table cell")
                return
            self.p()
            self.table = Table()
            return
        if table is None or table.depth > 1:
            if table is not None and tag == "table":
                table.depth -= 1
            elif table is not None and tag in ("td", "th", "tr") and start:
                self.o(" ")
            return
        if tag == "table":
            self.end_table(table)
        elif tag == "thead":
            table.in_head = start
        elif tag == "tr":
            self.end_cell(table)
            if start:
                table.rows.append([])
                table.header.append(False)
                table.row_th = True
            elif table.rows:
                table.header[-1] = table.in_head or (table.row_th and bool(table.rows[-1]))
        elif tag in ("td", "th", "caption"):
            self.table_cell_tag(table, tag, attrs, start)

    def table_cell_tag(self, table: Table, tag: str, attrs: dict[str, str | None], start: bool) -> None:
        self.end_cell(table)
        if not start:
            return
        if tag != "caption" and not table.rows:
            table.rows.append([])
            table.header.append(False)
        span = attrs.get("colspan") or "1"
        table.colspan = min(int(span), 1000) if span.isascii() and span.isdigit() and int(span) > 0 else 1
        if table.colspan > 1 or attrs.get("rowspan") not in (None, "", "1"):
            self.lossy.append("table cell spanning several columns or rows")
        table.cell_is_th = tag == "th"
        table.row_th = table.row_th and tag == "th"
        table.in_caption = tag == "caption"
        self.p_p, self.space, self.start = 0, False, True
        table.cell_start = len(self.outtextlist)

    def end_cell(self, table: Table) -> None:
        if table.cell_start < 0:
            return
        text = table_cell("".join(self.outtextlist[table.cell_start :]))
        del self.outtextlist[table.cell_start :]
        table.cell_start = -1
        self.p_p, self.space, self.start = 0, False, False
        if table.in_caption:
            table.caption = text
            table.in_caption = False
        elif table.rows:
            table.rows[-1].append((text, table.colspan))

    def end_table(self, table: Table) -> None:
        self.end_cell(table)
        self.table = None
        quote = ">" * self.blockquote + " " if self.blockquote else ""
        if any(len(r) for r in table.rows) and "\n" in "".join(t for r in table.rows for t, _ in r):
            self.lossy.append("table cell with several lines")
        # Cells reset html2text's pending paragraph break: set it again, so tables never touch.
        if table.caption:
            self.p_p = 2
            self.o(table.caption)
        self.p_p = 2
        text = render_table(table, quote)
        if text:
            self.o(text)
        self.p()

    def line_break(self) -> None:
        if self.pre:
            self.o("\n")
            return
        quote = ">" * self.blockquote + " " if self.blockquote else ""
        # A code span cannot hold a line break: close it, break, reopen.
        tick = "`" if self.code else ""
        self.o(tick + BR_MARK + "\n" + quote + tick)
        self.after_break = True

    def definition(self, tag: str, start: bool) -> None:
        """<dt> as a bold paragraph, <dd> as a paragraph: portable, unlike ': ' definition lists."""
        if tag == "dt" and not start and not self.drop_empty_mark("dt"):
            self.o(self.strong_mark)
        self.p()
        if tag == "dt" and start:
            self.o(self.strong_mark)
            self.stressed = True
            self.opened_at["dt"] = len(self.outtextlist)

    def emphasis_tag(self, tag: str, attrs: dict[str, str | None], start: bool) -> None:
        """Only the outermost of nested <strong><strong> gets marks; no space before a closing mark."""
        group = EMPHASIS_GROUPS[tag]
        depth = self.emphasis_depth.get(group, 0) + (1 if start else -1)
        self.emphasis_depth[group] = max(depth, 0)
        if (start and depth > 1) or (not start and depth > 0):
            return
        if not start and self.drop_empty_mark(group):
            return
        trailing = not start and bool(self.outtextlist) and self.outtextlist[-1].endswith(" ")
        if trailing:
            self.outtextlist[-1] = self.outtextlist[-1].rstrip(" ")
        super().handle_tag(tag, attrs, start)
        self.space = self.space or trailing
        if start:
            self.opened_at[group] = len(self.outtextlist)

    def drop_empty_mark(self, group: str) -> bool:
        """<em></em> or <strong> </strong>: take the opening mark back instead of writing ****; the
        same for emphasis around an image alone, which shows nothing and whose closing mark after
        `)` CommonMark would print as text."""
        opened = self.opened_at.pop(group, -1)
        if opened <= 0 or opened > len(self.outtextlist):
            return False
        inside = "".join(self.outtextlist[opened:]).strip()
        if inside and not (IMAGE_ONLY.fullmatch(inside) and "\n" not in inside):
            return False
        mark = self.strong_mark if group in ("strong", "dt") else "~~" if group == "del" else self.emphasis_mark
        before = self.outtextlist[opened - 1]
        if not before.endswith(mark):
            return False
        self.outtextlist[opened - 1] = before[: -len(mark)]
        self.stressed = False
        if not inside:
            self.space = self.space or bool("".join(self.outtextlist[opened:]))
            del self.outtextlist[opened:]
        return True

    def close(self) -> None:
        super().close()
        self.flush()

    def at_line_start(self) -> bool:
        # Only the last pieces of output matter: joining all of it for each run of text made long
        # posts quadratic (40k paragraphs took 29 s).
        if self.p_p or self.start:
            return True
        tail = "".join(self.outtextlist[-8:])
        if len(self.outtextlist) < 8:
            tail = "\n" + tail
        return LINE_START_TAIL.search(tail) is not None

    def flush(self) -> None:
        data = "".join(self.pending)
        self.pending = []
        if self.after_break:  # the newline WordPress keeps after its <br />
            data = data.lstrip()
            self.after_break = not data
        if not data:
            return
        if (
            self.stressed
        ):  # no space just inside an opening emphasis mark (emphasis_tag() does the closing one)
            data = data.lstrip()
            self.stressed = False
        if self.maybe_automatic_link is not None:
            href = self.maybe_automatic_link
            if href == data and self.absolute_url_matcher.match(href) and self.use_automatic_links:
                self.o("<" + data + ">")
                self.empty_link = False
                return
            self.o("[")
            self.maybe_automatic_link = None
            self.empty_link = False
        if not self.code and not self.pre:
            # html2text's stand-in for &nbsp; is not text: escape around it, not into it.
            at_start = self.at_line_start()
            parts = data.split(NBSP_HOLDER)
            data = NBSP_HOLDER.join(escape_text(part, at_start and n == 0) for n, part in enumerate(parts))
        self.preceding_data = data
        self.o(data, puredata=True)


def html_to_markdown(text: str) -> tuple[str, tuple[str, ...]]:
    """CommonMark for the HTML, and what had to be simplified on the way."""
    writer = MarkdownWriter()
    return writer.handle(escape_unfinished_markup(text)), tuple(writer.lossy)


def escape_unfinished_markup(text: str) -> str:
    """`<!--` with no `-->` after it, and any `<` with no `>` after it, as `&lt;`. Python's
    HTMLParser shows those as text anyway, but only after scanning to the end of the post again from
    each one: `<!-- wp:p ` x 8000 took 0.85 s, `<p ` x 8000 11 s."""
    last_end = text.rfind("-->")
    start = text.find("<!--", last_end + 3 if last_end != -1 else 0)
    if start != -1:
        text = text[:start] + text[start:].replace("<!--", "&lt;!--")
    tail = text.rfind(">") + 1
    if "<" in text[tail:]:
        text = text[:tail] + text[tail:].replace("<", "&lt;")
    return text


# ------------------------------------------------------------------ post-processing

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
        indent = re.sub(r"[^>]", " ", head)
        code = keeper.kept[int(block.group(1))].split("\n")
        if before.strip():
            out.append(put_back_inline(head + before.rstrip(), keeper))
            head = indent
        for n, row in enumerate(code):
            out.append((head if n == 0 else indent) + row if row else indent.rstrip())
        if after.strip():
            out.extend(put_back([indent + after.strip()], keeper))
    return out


def put_back_inline(line: str, keeper: Keeper) -> str:
    # Kept text like [foo] followed by "(" or ":" would turn into a link: escape that character.
    def replace(m: re.Match[str]) -> str:
        follower = m.group(2) or ""
        return keeper.kept[int(m.group(1))] + ("\\" + follower if follower else "")

    return re.sub(TOKEN.pattern + r"([(:\[])?", replace, line)


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
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return text + "\n" if text else ""


# ------------------------------------------------------------------------ public API


MORE_LINE = "<!--more-->"
# WordPress's excerpt marker, with optional custom link text: <!--more Read the rest-->.
MORE = re.compile(r"<!--more(.{0,500}?)-->", re.DOTALL)
# A block-editor footnote reference, as core/footnotes writes it.
FOOTNOTE_REF = re.compile(r'<sup\b[^<>]{0,300}?data-fn="([^"<>]{1,100})"[^<>]{0,300}>(?:[^<]{0,50}|<a\b[^<>]{0,400}>'
                          r"[^<]{0,50}</a>){0,1}</sup>")
Footnotes = Sequence[tuple[str, str]]  # (id, HTML) from the post's `footnotes` meta


def keep_more_marker(text: str, keeper: Keeper) -> tuple[str, str | None]:
    """The first <!--more--> becomes a kept marker line; later ones are dropped, as WordPress does."""
    found = MORE.search(text)
    if found is None:
        return text, None
    token = "\n\n<p>" + keeper.token(MORE_LINE) + "</p>\n\n"
    rest = MORE.sub("", text[found.end() :])
    return text[: found.start()] + token + rest, html.unescape(found.group(1)).strip()


def keep_footnote_refs(text: str, footnotes: Footnotes, keeper: Keeper) -> tuple[str, list[str]]:
    """Each reference becomes [^n], numbered in order of first use; the ids in that order."""
    known = {fn_id for fn_id, _ in footnotes}
    order: list[str] = []

    def replace(match: re.Match[str]) -> str:
        fn_id = match.group(1)
        if fn_id not in known:
            return match.group(0)
        if fn_id not in order:
            order.append(fn_id)
        return keeper.token(f"[^{order.index(fn_id) + 1}]")

    return FOOTNOTE_REF.sub(replace, text), order


def footnote_section(footnotes: Footnotes, order: list[str]) -> str:
    """Definitions for every footnote, used ones first; continuation lines indented four spaces."""
    texts = dict(footnotes)
    ids = order + [fn_id for fn_id, _ in footnotes if fn_id not in order]
    lines = []
    for n, fn_id in enumerate(ids, 1):
        body = finish_markdown(html_to_markdown(texts[fn_id])[0], Keeper()).strip("\n")
        lines.append(f"[^{n}]: " + body.replace("\n", "\n    "))
    return "\n".join(lines)


def render_body(content: str, media: Media | None = None, footnotes: Footnotes = ()) -> Rendered:
    """Raw WordPress post_content (classic or block editor) -> CommonMark."""
    keeper = Keeper()
    text = hide_markers(content.replace("\r\n", "\n").replace("\r", "\n"))
    text = code_blocks(text, keeper)
    text, more = keep_more_marker(text, keeper)
    text, order = keep_footnote_refs(text, footnotes, keeper) if footnotes else (text, [])
    # Block-editor markup is final HTML: WordPress skips wpautop when has_blocks() is true.
    text = drop_block_delimiters(text) if is_block_content(text) else shortcode_unautop(wpautop(text))
    text = link_media_elements(link_lone_urls(text))
    text = expand_shortcodes_outside_code(text, keeper, media)
    markdown, lossy = html_to_markdown(text)
    markdown = finish_markdown(markdown, keeper)
    if footnotes:
        markdown = markdown.rstrip("\n") + "\n\n" + footnote_section(footnotes, order) + "\n"
    return Rendered(show_markers(markdown), tuple(keeper.unknown), lossy, more)


TAG = re.compile(r"<[^>]*>")


def plain_text(text: str) -> str:
    """Titles as the front matter wants them: tags stripped, entities decoded, one line."""
    # No tag can start after the last `>`: the regex would scan to the end from every `<` there.
    end = text.rfind(">") + 1
    text = TAG.sub("", text[:end]) + text[end:]
    return " ".join(html.unescape(text).split())


def render_text(text: str) -> str:
    """A title for use inside Markdown body text: plain_text() escaped for CommonMark."""
    return escape_text(plain_text(text), line_start=True)
