"""Shortcodes: found as WordPress's regex finds them, code shortcodes set aside, core ones expanded."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..normalize import digits
from ..resolve.limits import id_list
from .autop import CLOSING_P
from .builders import builder_module, builder_of, module_title
from .embeds import embed_block, link_paragraph
from .flavor import PORTABLE, Flavor
from .gallery import gallery_block, shortcode_images
from .html2md import escape_text
from .links import Links
from .markers import Keeper
from .scan import elements

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


# SyntaxHighlighter Evolved registers one shortcode per brush alias: [php]...[/php]. Its `latex` alias
# is left out: on WordPress.com and with Jetpack, [latex] is a formula (content/maths.py).
CODE_NAMES = (
    "code|sourcecode|as3|actionscript3|bash|shell|sh|coldfusion|cf|clojure|clj|cpp|c|c-sharp|csharp|css"
    "|delphi|pas|pascal|diff|patch|erl|erlang|fsharp|go|golang|groovy|haskell|java|jfx|javafx|js"
    "|jscript|javascript|tex|matlab|objc|obj-c|perl|pl|php|plain|text|ps|powershell|py|python|r"
    "|splus|rails|rb|ror|ruby|scala|sql|vb|vbnet|xml|xhtml|xslt|html|yaml|yml"
)
CODE_NAME_SET = frozenset(CODE_NAMES.split("|"))


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


def expand_gallery(attrs: dict[str, str], links: Links | None, keeper: Keeper | None,
                   flavor: Flavor) -> str | None:
    """The gallery's images (gallery.gallery_block); with no images attached (common once images are
    detached) nothing, counted. Without links (no database) it is left as it is."""
    if links is None:
        return None
    ids = attrs.get("ids") or attrs.get("include") or ""
    images = shortcode_images(id_list(ids) if ids.strip() else [], links)
    if keeper is None:
        return "".join(f'<p><img src="{html.escape(i.original, quote=True)}" alt=""></p>' for i in images) or None
    return gallery_block(images, keeper, flavor)


def expand_media(attrs: dict[str, str], sources: tuple[str, ...], content: str) -> str | None:
    # [audio https://...mp3] (a bare URL) is in the theme unit test data and works in WordPress.
    bare = [value for key, value in sorted(attrs.items()) if digits(key) is not None and "://" in value]
    for value in [attrs.get(key, "") for key in sources] + bare:
        if value.strip():
            return link_paragraph(html.unescape(value.strip()))
    url = re.sub(r"<[^>]*>", "", content).strip()
    return link_paragraph(url) if re.fullmatch(r"https?://\S+", url) else None


# Jetpack's embed shortcodes, [youtube=URL&w=320] and [tweet ID] alike, and how a bare id names the item.
EMBED_SHORTCODES = {"youtube": "https://youtu.be/{}", "vimeo": "https://vimeo.com/{}",
                    "tweet": "https://twitter.com/i/status/{}", "soundcloud": "", "gist": "",
                    "googlemaps": "", "instagram": "https://www.instagram.com/p/{}/"}
BARE_ID = re.compile(r"[\w-]{1,64}")
# Jetpack's sizing options after a URL: [youtube https://youtu.be/x&w=320&h=240], [googlemaps ...&w=600].
SIZE_OPTIONS = re.compile(r"(?:&(?:amp;)?(?:w|h|hd|fs|rel|showsearch|showinfo|start|autohide)=[\w.]*)+$")


def embed_shortcode(name: str, attrs: dict[str, str], content: str, keeper: Keeper, flavor: Flavor) -> str | None:
    """[youtube ...], [vimeo ...], [tweet ...], [soundcloud url=...], [gist ...], [googlemaps ...]."""
    bare = next((v for k, v in sorted(attrs.items()) if digits(k) is not None), "")
    value = (attrs.get("url") or attrs.get("id") or bare or re.sub(r"<[^>]*>", "", content)).strip()
    value = SIZE_OPTIONS.sub("", html.unescape(value.lstrip("=")).strip())
    if not value.startswith(("http://", "https://")):
        if not BARE_ID.fullmatch(value):
            return None
        if name == "gist":
            return link_paragraph(f"https://gist.github.com/{value}")
        pattern = EMBED_SHORTCODES[name]
        if not pattern:
            return None
        value = pattern.format(value)
    return embed_block(value, keeper, flavor)


def expand_known(name: str, attrs: dict[str, str], content: str, links: Links | None,
                 keeper: Keeper | None = None, flavor: Flavor = PORTABLE) -> str | None:
    """HTML for the shortcodes WordPress core and Jetpack register; None when it cannot be resolved."""
    if name in ("caption", "wp_caption"):
        return expand_caption(attrs, content)
    if name == "gallery":
        return expand_gallery(attrs, links, keeper, flavor)
    if name == "embed":
        url = re.sub(r"<[^>]*>", "", content).strip()
        if keeper is not None and url.startswith(("http://", "https://")):
            return embed_block(url, keeper, flavor)
        return link_paragraph(url) if url else None
    if name in EMBED_SHORTCODES and keeper is not None:
        return embed_shortcode(name, attrs, content, keeper, flavor)
    if name == "audio":
        return expand_media(attrs, AUDIO_SOURCES, content)
    if name == "video":
        return expand_media(attrs, VIDEO_SOURCES, content)
    return None


# Brackets in code are code (`a[b[0]]`), not shortcodes to count as unknown.
CODE_REGION = re.compile(r"<(pre|code)\b", re.I)


def expand_shortcodes_outside_code(text: str, keeper: Keeper, links: Links | None,
                                   flavor: Flavor = PORTABLE) -> str:
    out: list[str] = []
    pos = 0
    for begin, end in elements(text, CODE_REGION, "pre|code", re.I):
        out += [expand_shortcodes(text[pos:begin], keeper, links, flavor), text[begin:end]]
        pos = end
    out.append(expand_shortcodes(text[pos:], keeper, links, flavor))
    return "".join(out)


def expand_shortcodes(text: str, keeper: Keeper, links: Links | None, flavor: Flavor = PORTABLE) -> str:
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
        expanded, inside, closing = expand_one(text, found, keeper, links, flavor)
        out.append(expanded)
        if inside:
            ends.append((found.end, bound, closing))
            pos, bound = inside


def expand_one(text: str, found: Shortcode, keeper: Keeper, links: Links | None,
               flavor: Flavor = PORTABLE) -> tuple[str, tuple[int, int] | None, str]:
    """A known shortcode's HTML; or an unknown one's opening tag kept as text, and where its content
    is, which expand_shortcodes expands next and follows with the closing text given."""
    content = text[found.body[0] : found.body[1]] if found.body else ""
    name, attrs = found.name.lower(), shortcode_attributes(found.attrs)
    produced = expand_known(name, attrs, content, links, keeper, flavor)
    if produced is not None:
        return found.opened + produced + found.closed, None, ""
    builder = builder_of(name)
    if builder is not None:
        return expand_builder(found, builder, attrs, content, keeper, links)
    keeper.unknown.append(found.name)
    opening = text[found.start + len(found.opened) : found.end - len(found.closed)]
    if found.body is None:  # WordPress keeps the "]" of `[name]]` too
        return found.opened + keeper.token(kept_text(opening)) + found.closed, None, ""
    kept = found.opened + keeper.token(kept_text(opening[: opening.index("]") + 1]))
    return kept, found.body, keeper.token(kept_text(f"[/{found.name}]")) + found.closed


def kept_text(opening: str) -> str:
    """An unknown shortcode's `[name attrs]` as Markdown showing what WordPress shows: the brackets
    as they are, the attributes' HTML decoded and escaped as text. Kept raw, a commenter's
    `[x a="<img src=x onerror=…>"]` or `[x [a](javascript:…)]` became live HTML or links."""
    return opening[0] + escape_text(html.unescape(opening[1:-1]), line_start=False) + opening[-1]


def expand_builder(found: Shortcode, builder: str, attrs: dict[str, str], content: str, keeper: Keeper,
                   links: Links | None) -> tuple[str, tuple[int, int] | None, str]:
    """A page builder's module as its HTML; a layout shortcode unwrapped to its content (a block of its
    own); one with nothing to show dropped."""
    module = builder_module(found.name, attrs, content, links)
    if module is not None:
        keeper.notes.append(f"{builder} {'module kept' if module else 'module dropped'}")
        return module, None, ""
    if found.body is None or not content.strip():
        keeper.notes.append(f"{builder} dropped")
        return "", None, ""
    keeper.notes.append(f"{builder} unwrapped")
    return "<div>" + module_title(attrs), found.body, "</div>"


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
