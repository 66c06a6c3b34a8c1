"""Page builders' shortcodes: Divi `[et_pb_*]`, WPBakery `[vc_*]`, Avada `[fusion_*]`.

Their layout shortcodes (sections, rows, columns, text modules) are unwrapped to their content; the
modules that show something are kept as HTML: images, buttons (as links), headings; modules with
nothing to show (dividers, spacers, empty modules) are dropped. Each is counted for the summary.
Elementor keeps a plain HTML copy of the page in post_content, which converts as any HTML does.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import unquote

from ..normalize import digits
from .links import Links

PREFIXES = (("et_pb_", "Divi"), ("vc_", "WPBakery"), ("fusion_", "Avada"))


def builder_of(name: str) -> str | None:
    """The page builder a shortcode name belongs to, or None."""
    lowered = name.lower()
    return next((builder for prefix, builder in PREFIXES if lowered.startswith(prefix)), None)


def link(url: str, text: str) -> str:
    """A button as a link; only to web addresses, anchors and mail (the text alone otherwise). Attribute
    values come entity-encoded from the editor, sometimes percent-encoded whole."""
    url, text = html.unescape(url).strip(), html.unescape(text)
    url = unquote(url) if url.lower().startswith(("http%3a", "https%3a", "%2f")) else url
    shown = html.escape(text.strip() or url)
    if not re.match(r"(?:https?://|/|#|mailto:)", url, re.I):
        return f"<p>{shown}</p>" if text.strip() else ""
    return f'<p><a href="{html.escape(url, quote=True)}">{shown}</a></p>'


def image(src: str, alt: str) -> str:
    src, alt = html.unescape(src), html.unescape(alt)
    if not re.match(r"(?:https?://|/)", src.strip(), re.I):
        return ""
    return f'<p><img src="{html.escape(src.strip(), quote=True)}" alt="{html.escape(alt, quote=True)}"></p>'


def wpbakery_link(value: str) -> str:
    """vc_build_link(): `url:https%3A%2F%2Fexample.com|title:Go|target:_blank`."""
    parts = dict(part.split(":", 1) for part in value.split("|") if ":" in part)
    return unquote(parts.get("url", ""))


def heading(text: str, level: str = "2") -> str:
    level = level if level in ("1", "2", "3", "4", "5", "6") else "2"
    text = html.unescape(text).strip()
    return f"<h{level}>{html.escape(text)}</h{level}>" if text else ""


Module = Callable[[dict[str, str], str, Links | None], str]


def attachment_image(attrs: dict[str, str], content: str, links: Links | None) -> str:
    found = attrs.get("image", "")
    number = digits(found.strip())
    url = links.url_for(number) if links is not None and number is not None else None
    return image(url or "", attrs.get("alt", ""))


def fusion_image(attrs: dict[str, str], content: str, links: Links | None) -> str:
    inner = content.strip()
    return inner if inner.lower().startswith("<img") else image(inner, attrs.get("alt", ""))


# The modules that show something, by shortcode name: their HTML from attributes and content.
MODULES: dict[str, Module] = {
    "et_pb_image": lambda a, c, _: image(a.get("src", ""), a.get("alt", "")),
    "et_pb_button": lambda a, c, _: link(a.get("button_url", ""), a.get("button_text", "")),
    "et_pb_heading": lambda a, c, _: heading(a.get("title", ""), a.get("heading_level", "h2")[-1:]),
    "vc_single_image": attachment_image,
    "vc_btn": lambda a, c, _: link(wpbakery_link(a.get("link", "")), a.get("title", "")),
    "vc_button": lambda a, c, _: link(a.get("href", ""), a.get("title", "")),
    "vc_custom_heading": lambda a, c, _: heading(a.get("text", "")),
    "fusion_imageframe": fusion_image,
    "fusion_button": lambda a, c, _: link(a.get("link", ""), re.sub(r"<[^>]*>", "", c)),
    "fusion_title": lambda a, c, _: heading(re.sub(r"<[^>]*>", "", c), a.get("size", "2")),
}


def builder_module(name: str, attrs: dict[str, str], content: str, links: Links | None) -> str | None:
    """A module's HTML, or None for a shortcode to unwrap (or drop, when it has no content)."""
    module = MODULES.get(name.lower())
    return module(attrs, content, links) if module is not None else None


def module_title(attrs: dict[str, str]) -> str:
    """A container's own title (Divi blurbs and tabs, WPBakery tabs and accordions) as a heading."""
    title = attrs.get("title") or attrs.get("heading") or ""
    return heading(title, "3") if title and len(title) < 300 else ""
