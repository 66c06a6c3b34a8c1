"""What the Markdown a layout's generator renders may hold beyond CommonMark: raw HTML, its own
shortcodes, its own maths syntax. render_body writes sub/superscript, maths and embeds to match.

Hugo's goldmark drops raw HTML by default (`markup.goldmark.renderer.unsafe = false`); Jekyll's
kramdown, Eleventy's markdown-it and Astro's remark pass it through, as CommonMark itself allows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Flavor:
    name: str
    raw_html: bool  # the renderer keeps raw HTML (an iframe, <sub>, <div class="wp-gallery">)
    hugo_shortcodes: bool  # {{< youtube >}} and the shipped {{< gallery >}} are available
    # Jekyll's kramdown reads `$$...$$` as maths itself (inline in a paragraph, display alone), so
    # that is written raw; and it knows no `1)` list marker nor a new list at a changed bullet.
    kramdown: bool = False


# No raw HTML, no shortcodes: what any CommonMark renderer shows the same (render_body's default).
PORTABLE = Flavor("portable", raw_html=False, hugo_shortcodes=False)
HUGO = Flavor("hugo", raw_html=False, hugo_shortcodes=True)
JEKYLL = Flavor("jekyll", raw_html=True, hugo_shortcodes=False, kramdown=True)
RAW_HTML = Flavor("html", raw_html=True, hugo_shortcodes=False)

BY_LAYOUT = {"hugo": HUGO, "jekyll": JEKYLL, "eleventy": RAW_HTML, "astro": RAW_HTML, "plain": RAW_HTML}


def flavor_of(layout: str) -> Flavor:
    """The flavor of a layout's Markdown (see site.layouts.LAYOUTS); PORTABLE for any other name."""
    return BY_LAYOUT.get(layout, PORTABLE)
