"""Galleries: `[gallery]` and `wp:gallery` blocks as one block of linked thumbnails with captions.

Where raw HTML is kept: `<div class="wp-gallery">` of `<figure>`s, each a thumbnail linking to the
original; in Hugo: the `gallery` shortcode wxr2db ships (templates/hugo/layouts/shortcodes/gallery.html),
its items as JSON rows `{"images": [[original, thumbnail, alt, caption], ...]}`; in portable Markdown: each original as
an image of its own, as before.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import NamedTuple

from ..normalize import digits
from .flavor import Flavor
from .links import GalleryLinks, Links
from .markers import Keeper
from .plaintext import plain_text


class Image(NamedTuple):
    original: str
    thumbnail: str
    alt: str = ""
    caption: str = ""


SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
UNSAFE_CHARACTERS = re.compile(r"[\s\"'<>\\\x00-\x1f]")


def safe_url(url: str) -> str:
    """The address when it is http(s) or relative; "" for anything else (`javascript:`, `data:`)."""
    url = url.strip()
    scheme = SCHEME.match(url)
    if UNSAFE_CHARACTERS.search(url) or (scheme and scheme.group(1).lower() not in ("http", "https")):
        return ""
    return url


def gallery_html(images: list[Image]) -> str:
    """One line (a CommonMark HTML block) the starter templates lay out as a grid."""
    figures = []
    for image in images:
        caption = f"<figcaption>{html.escape(image.caption)}</figcaption>" if image.caption else ""
        figures.append(f'<figure class="wp-gallery-item"><a href="{html.escape(image.original)}">'
                       f'<img src="{html.escape(image.thumbnail)}" alt="{html.escape(image.alt)}" loading="lazy">'
                       f"</a>{caption}</figure>")
    return '<div class="wp-gallery">' + "".join(figures) + "</div>"


# JSON rows hold no `{`, `}`, `<` or `>` outside strings: escaped in strings, Hugo sees no shortcode
# delimiter in them.
JSON_ESCAPES = {"{": "\\u007b", "}": "\\u007d", "<": "\\u003c", ">": "\\u003e"}


def gallery_shortcode(images: list[Image]) -> str:
    rows = json.dumps([list(image) for image in images], ensure_ascii=False)
    rows = re.sub(r"[{}<>]", lambda m: JSON_ESCAPES[m.group()], rows)
    # An object, not a bare array: Hugo guesses the format from the first characters, and takes
    # `[[` for TOML.
    return '{{< gallery >}}{"images": ' + rows + "}{{< /gallery >}}"


def gallery_block(images: list[Image], keeper: Keeper, flavor: Flavor) -> str:
    """HTML for the converter: the gallery kept aside as a token, in a paragraph of its own."""
    images = [clean for image in images if (clean := clean_image(image)) is not None]
    if not images:
        keeper.notes.append("gallery empty, dropped")
        return ""
    keeper.notes.append("gallery")
    if flavor.hugo_shortcodes:
        return "<p>" + keeper.native_token(gallery_shortcode(images)) + "</p>"
    if flavor.raw_html:
        return "<p>" + keeper.token(gallery_html(images)) + "</p>"
    return "".join(f'<p><img src="{html.escape(image.original)}" alt="{html.escape(image.alt)}"></p>'
                   for image in images)


def clean_image(image: Image) -> Image | None:
    original, thumbnail = safe_url(image.original), safe_url(image.thumbnail)
    if not original and not thumbnail:
        return None
    return Image(original or thumbnail, thumbnail or original, " ".join(image.alt.split()),
                 " ".join(plain_text(image.caption).split()))


def shortcode_images(ids: list[int], links: Links) -> list[Image]:
    """The images a [gallery] shows: its ids, or the post's attached images when it names none."""
    if not isinstance(links, GalleryLinks):
        urls = [u for u in map(links.url_for, ids) if u] if ids else links.attached_images()
        return [Image(url, url) for url in urls]
    images = []
    for attachment_id in ids or links.attached_ids():
        found = links.gallery_image(attachment_id)
        if found is not None:
            original, thumbnail, caption, alt = found
            images.append(Image(original, thumbnail, alt, caption))
    return images


# ------------------------------------------------------------------ block-editor galleries

GALLERY_START = "<!-- wp:gallery"
GALLERY_END = "<!-- /wp:gallery -->"
IMG = re.compile(r"<img\b[^>]*>", re.I)
ATTRIBUTE = re.compile(r"""\b(src|alt|data-id|data-full-url|data-link|class|href)\s*=\s*(?:"([^"]*)"|'([^']*)')""",
                       re.I)
LINK_BEFORE = re.compile(r"<a\b[^>]*>\s*$", re.I)
FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.I | re.S)
WP_IMAGE = re.compile(r"\bwp-image-([0-9]{1,18})\b")
IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp|svg)(?:[?#]|$)", re.I)


def attributes(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or "") for m in ATTRIBUTE.finditer(tag)}


def block_images(block: str, links: Links | None) -> Iterator[Image]:
    """Each <img> of a wp:gallery block, the original it links to or names, and its <figcaption>."""
    found = list(IMG.finditer(block))
    for n, img in enumerate(found):
        attrs = attributes(img.group())
        end = found[n + 1].start() if n + 1 < len(found) else len(block)
        figure_end = block.find("</figure>", img.end(), end)
        caption = FIGCAPTION.search(block, img.end(), figure_end if figure_end >= 0 else end)
        link = LINK_BEFORE.search(block, max(0, img.start() - 500), img.start())
        href = attributes(link.group()).get("href", "") if link else ""
        number = digits(attrs.get("data-id") or next(iter(WP_IMAGE.findall(attrs.get("class", ""))), ""))
        known = links.gallery_image(number) if number is not None and isinstance(links, GalleryLinks) else None
        src = attrs.get("src", "")
        original = (known[0] if known else "") or attrs.get("data-full-url") or \
            (href if IMAGE_FILE.search(href) else "") or src
        yield Image(original, (known[1] if known else "") or src, attrs.get("alt", ""),
                    caption.group(1) if caption else "")


def block_galleries(text: str, keeper: Keeper, flavor: Flavor, links: Links | None) -> str:
    """Every wp:gallery block (with its inner image blocks) as one gallery; its own caption after it."""
    out: list[str] = []
    pos = 0
    while (start := text.find(GALLERY_START, pos)) >= 0:
        end = text.find(GALLERY_END, start)
        if end < 0:
            break
        block = text[start:end]
        images = list(block_images(block, links))
        last_figure = block.find("</figure>", block.rfind("<img"))
        caption = FIGCAPTION.search(block, last_figure) if images and last_figure >= 0 else None
        after = f"<p>{html.escape(plain_text(caption.group(1)))}</p>" if caption else ""
        out += [text[pos:start], gallery_block(images, keeper, flavor), after]
        pos = end + len(GALLERY_END)
    out.append(text[pos:])
    return "".join(out)
