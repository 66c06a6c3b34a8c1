"""oEmbed URLs and media elements (iframe, video, audio) as plain links, which Markdown can show."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from .scan import Ahead, replace_spans


def link_paragraph(url: str) -> str:
    quoted = html.escape(url, quote=True)
    return f'<p><a href="{quoted}">{quoted}</a></p>'


# `(<(?:p|div)(?:\s[^>]*)?>|<br />)` then the URL, matched in two steps: the regex as one looked
# for the `>` again from every unclosed `<p ` (8000 of them took 3 s).
LONE_URL_TAG = re.compile(r"<(?:p|div)(?=[\s>])|<br />")
LONE_URL = re.compile(r"\s*(https?://[^\s<>\"\[\]]+)\s*(?=</(?:p|div)>|<br />)")


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
