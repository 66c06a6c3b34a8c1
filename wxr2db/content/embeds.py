"""oEmbed URLs as each generator's embed (or a link), media elements (iframe, video, audio) as links,
Jetpack's image CDN addresses as the original files."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from .flavor import Flavor
from .markers import Keeper
from .scan import Ahead, replace_spans


def link_paragraph(url: str) -> str:
    quoted = html.escape(url, quote=True)
    return f'<p><a href="{quoted}">{quoted}</a></p>'


# `(<(?:p|div)(?:\s[^>]*)?>|<br />)` then the URL, matched in two steps: the regex as one looked
# for the `>` again from every unclosed `<p ` (8000 of them took 3 s).
LONE_URL_TAG = re.compile(r"<(?:p|div)(?=[\s>])|<br />")
LONE_URL = re.compile(r"\s*(https?://[^\s<>\"\[\]]+)\s*(?=</(?:p|div)>|<br />)")


def link_lone_urls(text: str, keeper: Keeper | None = None, flavor: Flavor | None = None) -> str:
    """WordPress oEmbed: a URL alone in its paragraph or line is an embed (embed_block); without a
    keeper, a link."""
    ahead = Ahead(text)
    out: list[str] = []
    pos = 0
    for tag in LONE_URL_TAG.finditer(text):
        if tag.start() < pos:
            continue
        tag_end = tag.end() if tag.group() == "<br />" else ahead.find(">", tag.end()) + 1
        url = LONE_URL.match(text, tag_end) if tag_end else None
        if url is not None:
            address = html.unescape(url.group(1))
            shown = embed_block(address, keeper, flavor) if keeper and flavor else link_paragraph(address)
            out += [text[pos : tag_end], shown]
            pos = url.end()
    out.append(text[pos:])
    return "".join(out)


MEDIA_ELEMENT = re.compile(r"<(iframe|video|audio|embed)\b", re.I)
MEDIA_NAMES = "iframe|video|audio|embed"
SRC_ATTRIBUTE = re.compile(r"\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.I)


def link_media_elements(text: str, keeper: Keeper | None = None, flavor: Flavor | None = None) -> str:
    """iframe/video/audio have no Markdown form and Hugo drops raw HTML: a known provider's player
    becomes the generator's embed (embed_block), anything else a link to its source."""

    def replace(found: str) -> str:
        src = SRC_ATTRIBUTE.search(found)
        if src is None:
            return ""
        address = html.unescape(src.group(1))
        if keeper is not None and flavor is not None and parse_embed(address) is not None:
            return embed_block(address, keeper, flavor)
        return link_paragraph(address)

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


# ------------------------------------------------------------------ oEmbed providers

@dataclass(frozen=True, slots=True)
class Embed:
    """A provider's item, by ids checked against the provider's own id syntax: every address written
    for it is built from these ids, never copied from the export."""

    provider: str
    id: str
    user: str = ""

    @property
    def url(self) -> str:
        """The item's canonical public address."""
        return CANONICAL[self.provider].format(id=self.id, user=self.user)


CANONICAL = {
    "youtube": "https://www.youtube.com/watch?v={id}",
    "vimeo": "https://vimeo.com/{id}",
    "twitter": "https://twitter.com/{user}/status/{id}",
    "instagram": "https://www.instagram.com/p/{id}/",
    "soundcloud": "https://soundcloud.com/{user}/{id}",
    "soundcloud-api": "https://api.soundcloud.com/tracks/{id}",
    "googlemaps": "https://www.google.com/maps/embed?pb={id}",
    "gist": "https://gist.github.com/{user}/{id}",
}
# (provider, pattern): the ids are the named groups, each restricted to the characters the provider uses.
PROVIDERS = tuple((name, re.compile(pattern, re.I)) for name, pattern in (
    ("youtube", r"https?://(?:www\.|m\.)?youtube(?:-nocookie)?\.com/(?:watch\?(?:[^#]*&)?v=|embed/|shorts/|v/)"
                r"(?P<id>[\w-]{11})(?![\w-])"),
    ("youtube", r"https?://youtu\.be/(?P<id>[\w-]{11})(?![\w-])"),
    ("vimeo", r"https?://(?:www\.|player\.)?vimeo\.com/(?:video/|channels/[\w-]+/)?(?P<id>\d{1,12})(?!\w)"),
    ("twitter", r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?P<user>\w{1,15})/status(?:es)?/(?P<id>\d{1,20})"
                r"(?!\w)"),
    ("instagram", r"https?://(?:www\.)?instagr(?:\.am|am\.com)/(?:p|reel|tv)/(?P<id>[\w-]{5,40})(?![\w-])"),
    ("soundcloud-api", r"https?://api\.soundcloud\.com/tracks/(?P<id>\d{1,20})(?!\w)"),
    ("soundcloud", r"https?://(?:www\.|m\.)?soundcloud\.com/(?P<user>[\w-]{1,64})/(?P<id>[\w-]{1,128})(?![\w/-])"),
    ("googlemaps", r"https?://(?:www\.)?google\.[a-z.]{2,6}/maps/embed\?pb=(?P<id>[\w!.%*:-]{1,4000})$"),
    ("gist", r"https?://gist\.github\.com/(?P<user>[\w-]{1,39})/(?P<id>[0-9a-f]{1,64})(?![\w-])"),
))
GIST_ID = re.compile(r"[0-9a-f]{1,64}")


def parse_embed(url: str) -> Embed | None:
    """The provider's item a URL names, or None for an address no provider here knows."""
    url = url.strip()
    for provider, pattern in PROVIDERS:
        found = pattern.match(url)
        if found is not None:
            groups = found.groupdict()
            return Embed(provider, groups["id"], groups.get("user") or "")
    return None


IFRAME = ('<div class="wp-embed wp-embed-{provider}"><iframe src="{src}" title="{title}" loading="lazy"'
          ' width="{width}" height="{height}" style="border:0" allowfullscreen></iframe></div>')
IFRAMES = {
    "youtube": ("https://www.youtube-nocookie.com/embed/{id}", 560, 315, "YouTube video"),
    "vimeo": ("https://player.vimeo.com/video/{id}", 640, 360, "Vimeo video"),
    "soundcloud": ("https://w.soundcloud.com/player/?url={quoted}", 560, 166, "SoundCloud audio"),
    "soundcloud-api": ("https://w.soundcloud.com/player/?url={quoted}", 560, 166, "SoundCloud audio"),
    "googlemaps": ("https://www.google.com/maps/embed?pb={id}", 600, 450, "Google map"),
}
BLOCKQUOTES = {"twitter": "twitter-tweet", "instagram": "instagram-media"}
HUGO_SHORTCODES = {"youtube": "{{{{< youtube {id} >}}}}", "vimeo": "{{{{< vimeo {id} >}}}}"}


def embed_html(embed: Embed) -> str | None:
    """The provider's player (an iframe) or its blockquote, on one line: a CommonMark HTML block."""
    if embed.provider in IFRAMES:
        src, width, height, title = IFRAMES[embed.provider]
        address = src.format(id=embed.id, quoted=quote(embed.url, safe=""))
        return IFRAME.format(provider=embed.provider.split("-")[0], src=html.escape(address, quote=True),
                             title=title, width=width, height=height)
    if embed.provider in BLOCKQUOTES:
        url = html.escape(embed.url, quote=True)
        permalink = f' data-instgrm-permalink="{url}"' if embed.provider == "instagram" else ""
        return (f'<blockquote class="{BLOCKQUOTES[embed.provider]}"{permalink}>'
                f'<p><a href="{url}">{url}</a></p></blockquote>')
    return None


def embed_block(url: str, keeper: Keeper, flavor: Flavor) -> str:
    """An oEmbed URL as HTML for the converter: the generator's embed, kept aside as a token, or a
    paragraph linking to it (unknown providers, and where the generator has no embed for it)."""
    embed = parse_embed(html.unescape(url))
    if embed is None:
        keeper.notes.append("embed linked")
        return link_paragraph(url)
    if flavor.hugo_shortcodes and embed.provider in HUGO_SHORTCODES:
        keeper.notes.append(f"embed {embed.provider}")
        return "<p>" + keeper.native_token(HUGO_SHORTCODES[embed.provider].format(id=embed.id)) + "</p>"
    shown = embed_html(embed) if flavor.raw_html else None
    if shown is None:
        keeper.notes.append("embed linked")
        return link_paragraph(embed.url)
    keeper.notes.append(f"embed {embed.provider.split('-')[0]}")
    return "<p>" + keeper.token(shown) + "</p>"


# Jetpack's image CDN (Photon): i0.wp.com/example.com/wp-content/x.jpg?resize=300%2C200 is the original
# file at example.com; `ssl=1` says it was served over https.
PHOTON = re.compile(r"(?:https?:)?//i[0-3]\.wp\.com/([^/?#\s]+\.[^/?#\s]+/[^?#\s]*)(\?[^#\s]*)?", re.I)


def original_of_cdn(url: str) -> str:
    """The original file's URL for a Jetpack image CDN URL; any other URL as it is."""
    found = PHOTON.fullmatch(url.strip())
    if found is None:
        return url
    secure = re.search(r"(?:^\?|&)ssl=1(?:&|$)", found.group(2) or "") is not None
    return ("https://" if secure else "http://") + found.group(1)
