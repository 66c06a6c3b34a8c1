"""render_body(): a WordPress post body to CommonMark, step by step as the_content filters it.

The pipeline mirrors WordPress's own ``the_content`` filters: code shortcodes are set aside first
(SyntaxHighlighter does the same before ``wpautop``), classic content gets ``wpautop`` +
``shortcode_unautop``, block-editor content only loses its block comments, then shortcodes are expanded
to HTML and html2text turns the HTML into CommonMark. Everything here is pure: no I/O, no global state.
"""

from __future__ import annotations

import html

from .autop import wpautop
from .blocks import drop_block_delimiters, is_block_content
from .embeds import link_lone_urls, link_media_elements
from .finish import finish_markdown
from .footnotes import Footnotes, footnote_section, keep_footnote_refs
from .html2md import html_to_markdown
from .links import Links
from .markers import Keeper, hide_markers, show_markers
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


def render_body(content: str, links: Links | None = None, footnotes: Footnotes = ()) -> Rendered:
    """Raw WordPress post_content (classic or block editor) -> CommonMark."""
    keeper = Keeper()
    text = hide_markers(content.replace("\r\n", "\n").replace("\r", "\n"))
    text = code_blocks(text, keeper)
    text, more = keep_more_marker(text, keeper)
    text, order = keep_footnote_refs(text, footnotes, keeper) if footnotes else (text, [])
    # Block-editor markup is final HTML: WordPress skips wpautop when has_blocks() is true.
    text = drop_block_delimiters(text) if is_block_content(text) else shortcode_unautop(wpautop(text))
    text = link_media_elements(link_lone_urls(text))
    text = expand_shortcodes_outside_code(text, keeper, links)
    markdown, lossy = html_to_markdown(text, links)
    markdown = finish_markdown(markdown, keeper)
    if footnotes:
        markdown = markdown.rstrip("\n") + "\n\n" + footnote_section(footnotes, order, links) + "\n"
    return Rendered(show_markers(markdown), tuple(keeper.unknown), lossy, more)
