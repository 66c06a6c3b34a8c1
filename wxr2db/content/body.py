"""render_body(): a WordPress post body to CommonMark, step by step as the_content filters it.

The pipeline mirrors WordPress's own ``the_content`` filters: code shortcodes are set aside first
(SyntaxHighlighter does the same before ``wpautop``), classic content gets ``wpautop`` +
``shortcode_unautop``, block-editor content only loses its block comments, then shortcodes are expanded
to HTML and html2text turns the HTML into CommonMark. Everything here is pure: no I/O, no global state.
"""

from __future__ import annotations

import html
import re

from .autop import wpautop
from .blocks import drop_block_delimiters, is_block_content
from .embeds import link_lone_urls, link_media_elements
from .finish import finish_markdown
from .flavor import PORTABLE, Flavor
from .footnotes import Footnotes, footnote_section, keep_footnote_refs
from .gallery import GALLERY_START, block_galleries
from .html2md import html_to_markdown
from .links import Links
from .markers import Keeper, hide_markers, native_key, show_markers
from .maths import INLINE_START, set_aside_maths
from .rendered import MORE, MORE_LINE, Rendered
from .shortcodes import code_blocks, expand_shortcodes_outside_code, shortcode_unautop


def keep_more_marker(text: str, keeper: Keeper) -> tuple[str, str | None]:
    """The first <!--more--> becomes a kept marker line; later ones are dropped, as WordPress does."""
    found = MORE.search(text)
    if found is None:
        return text, None
    token = "\n\n<p>" + keeper.token(MORE_LINE) + "</p>\n\n"
    rest = MORE.sub("", text[found.end() :])
    return text[: found.start()] + token + rest, html.unescape(found.group(1)).strip()


# Most comments are a few lines of words: nothing in them is markup, or special in Markdown, or a URL.
# Letters, digits, spaces, newlines and this punctuation only; no line starting with what Markdown reads
# as a list, heading, setext line or definition; no `://` or `www.` (a lone URL is an embed).
PLAIN_TEXT = re.compile(r"(?:[^\W_]|[ \n.,;!?'\"()/%$@+=:-])*")
RISKY_LINE_START = re.compile(r"^ *[-+=:\d]", re.M)
BLANK_LINES = re.compile(r"\n[ \n]*\n")


def plain_markdown(content: str) -> str | None:
    """What the whole pipeline makes of plain text (paragraphs at blank lines, a hard break `\\` at
    each other newline, spaces folded), without running it; None for anything else."""
    if "://" in content or "www." in content or INLINE_START in content or \
            not PLAIN_TEXT.fullmatch(content) or RISKY_LINE_START.search(content):
        return None
    paragraphs = BLANK_LINES.split(content.strip(" \n"))
    lines = ["\\\n".join(" ".join(line.split()) for line in p.split("\n")) for p in paragraphs]
    return "\n\n".join(lines) + "\n" if lines != [""] else ""


def render_body(content: str, links: Links | None = None, footnotes: Footnotes = (),
                flavor: Flavor = PORTABLE) -> Rendered:
    """Raw WordPress post_content (classic or block editor) -> CommonMark, with the raw HTML and
    shortcodes `flavor` says the layout's renderer keeps (none by default)."""
    plain = None if footnotes else plain_markdown(content)
    if plain is not None:
        return Rendered(plain, ())
    keeper = Keeper(native_key(content) if flavor.hugo_shortcodes else "")
    text = hide_markers(content.replace("\r\n", "\n").replace("\r", "\n"))
    text = code_blocks(text, keeper)
    text = set_aside_maths(text, keeper, flavor)
    text, more = keep_more_marker(text, keeper)
    text, order = keep_footnote_refs(text, footnotes, keeper) if footnotes else (text, [])
    # Block-editor markup is final HTML: WordPress skips wpautop when has_blocks() is true.
    if is_block_content(text):
        if flavor is not PORTABLE and GALLERY_START in text:
            text = block_galleries(text, keeper, flavor, links)
        text = drop_block_delimiters(text, keeper.notes)
    else:
        text = shortcode_unautop(wpautop(text))
    text = link_media_elements(link_lone_urls(text, keeper, flavor), keeper, flavor)
    text = expand_shortcodes_outside_code(text, keeper, links, flavor)
    markdown, lossy = html_to_markdown(text, links, flavor)
    markdown = finish_markdown(markdown, keeper)
    if footnotes:
        markdown = markdown.rstrip("\n") + "\n\n" + footnote_section(footnotes, order, links) + "\n"
    return Rendered(show_markers(markdown), tuple(keeper.unknown), lossy, more, keeper.maths,
                    tuple(keeper.notes), tuple(keeper.native), keeper.key)
