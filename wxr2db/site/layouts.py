"""What each static site generator's layout means: where files go, the URLs they publish at, the
front matter keys it reads, how it marks excerpts, drafts and hidden posts, and what it must not run.

One class per generator, all behind the `Layout` protocol; `LAYOUTS` names them in the order the
command lists them, and `get_layout` finds one by name.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any, Protocol
from urllib.parse import quote

from ..content.plaintext import plain_text
from ..content.rendered import MORE, MORE_LINE, Rendered
from ..errors import WxrError
from ..sqlite.store import PostRow
from .names import post_segment

# WordPress shows none of these to readers: scheduled posts wait for their date, pending ones for review.
DRAFT_STATUSES = frozenset({"draft", "pending", "future"})
# WordPress's own taxonomy archives: `/category/x/` and `/tag/x/`.
WORDPRESS_TERM_BASES: Mapping[str, str] = MappingProxyType({"category": "category", "post_tag": "tag"})
# Hugo's urlize of a term name: lower case, spaces as dashes, punctuation other than `-_.` dropped.
HUGO_DROP = re.compile(r"[^\w\-.]+")
NO_KEYS: Mapping[str, Any] = MappingProxyType({})


class Layout(Protocol):
    """Everything wxr2db needs to know about one generator."""

    name: str
    static_root: str  # where it publishes files as they are (images, _redirects), relative to OUTDIR

    def path(self, row: PostRow, segments: list[str]) -> str:
        """Where the generator looks for a post's file; `segments` is the slug, or a page's slug path."""

    def place(self, paths: list[str]) -> list[tuple[str, str]]:
        """The final path and public URL of every planned file, all planned first."""

    def public_url(self, path: str) -> str:
        """The root-relative URL the generator publishes a Markdown file at."""

    def term_url(self, taxonomy: str, slug: str, name: str) -> str | None:
        """The URL of the archive the generator builds for a category or tag, if it builds one."""

    def front_matter_keys(self, entries: dict[str, Any]) -> dict[str, Any]:
        """Canonical front matter keys renamed to the ones the generator reads."""

    def draft_keys(self, post_type: str) -> dict[str, Any]:
        """The front matter keeping a draft unpublished."""

    def hidden_keys(self) -> dict[str, Any]:
        """The front matter keeping a private or password-protected post out of the built site."""

    def excerpt(self, body: Rendered, html: str) -> tuple[str, str, dict[str, Any]]:
        """The body, a teaser for the summary, and front matter keys for WordPress's <!--more-->."""

    def guard_templates(self, markdown: str) -> tuple[str, dict[str, Any]]:
        """The body and front matter keys that keep the generator from running `{{ }}` and `{% %}` in it."""


def url_of(parts: list[str]) -> str:
    return "/" + "".join(f"{quote(p)}/" for p in parts)


def post_date(row: PostRow) -> str:
    return row.date[:10] if row.date and re.match(r"\d{4}-\d\d-\d\d", row.date) else "1970-01-01"


def kind_of(row: PostRow) -> str:
    return row.post_type if row.post_type in ("post", "page") else "other"


def type_folder(row: PostRow) -> str:
    """The folder of a custom post type's files, named after the type."""
    return post_segment(0, row.post_type, "")


class Plain:
    """Markdown files in plain folders (posts/, pages/, one folder per custom type), for any tool."""

    name = "plain"
    static_root = ""
    folders = ("posts", "pages", "")  # of posts, pages and other types; "" is OUTDIR itself
    keys: Mapping[str, str | None] = NO_KEYS
    hidden: Mapping[str, Any] = MappingProxyType({"draft": True})
    # Where the starter site (--starter) puts its own pages: an old address there (a post once at
    # /tags/) is no alias, or the two pages would fight over it; the redirect maps still hold it.
    reserved: tuple[str, ...] = ("/category/", "/tag/", "/author/", "/page/", "/archives/", "/feed.xml")
    # Front matter telling the generator not to run template tags in the body.
    template_guard: Mapping[str, Any] = NO_KEYS

    def path(self, row: PostRow, segments: list[str]) -> str:
        kind, slug, joined = kind_of(row), segments[-1], "/".join(segments)
        posts, pages, others = self.folders
        if kind == "post":
            return f"{posts}/{slug}.md"
        if kind == "page":
            return f"{pages}/{joined}.md" if pages else f"{joined}.md"
        folder = type_folder(row)
        return f"{others}/{folder}/{slug}.md" if others else f"{folder}/{slug}.md"

    def place(self, paths: list[str]) -> list[tuple[str, str]]:
        return [(path, self.public_url(path)) for path in paths]

    def public_url(self, path: str) -> str:
        return url_of(self.url_parts(PurePosixPath(path)))

    def url_parts(self, path: PurePosixPath) -> list[str]:
        return list(path.with_suffix("").parts)

    def term_url(self, taxonomy: str, slug: str, name: str) -> str | None:
        """wxr2db chooses WordPress's own `/category/x/` and `/tag/x/` (the site's templates decide)."""
        base = WORDPRESS_TERM_BASES.get(taxonomy)
        return f"/{base}/{quote(slug)}/" if base is not None and slug else None

    def front_matter_keys(self, entries: dict[str, Any]) -> dict[str, Any]:
        renamed: dict[str, Any] = {}
        for key, value in entries.items():
            name = self.keys.get(key, key)
            if key == "aliases" and isinstance(value, list):
                value = [path for path in value if not str(path).startswith(self.reserved)] or None
            if name is not None and value is not None:
                renamed[name] = value
        return renamed

    def draft_keys(self, post_type: str) -> dict[str, Any]:
        return {"draft": True}

    def hidden_keys(self) -> dict[str, Any]:
        return dict(self.hidden)

    def excerpt(self, body: Rendered, html: str) -> tuple[str, str, dict[str, Any]]:
        """The text before the marker becomes the summary (unless the post has an excerpt); the
        marker leaves the body."""
        if body.more is None:
            return body.markdown, "", {}
        head = MORE.split(html, maxsplit=1)[0]
        markdown = body.markdown.replace(MORE_LINE + "\n\n", "", 1).replace(MORE_LINE, "", 1)
        return markdown, plain_text(head), more_text(body)

    def guard_templates(self, markdown: str) -> tuple[str, dict[str, Any]]:
        """Posts about Hugo, Jekyll or Liquid must show their {{ }} and {% %} as written, not run them."""
        if not self.template_guard or ("{{" not in markdown and "{%" not in markdown):
            return markdown, {}
        return markdown, dict(self.template_guard)


def more_text(body: Rendered) -> dict[str, Any]:
    """The link text of `<!--more Read on-->`, when the post gave one."""
    return {"more_text": body.more} if body.more else {}


class Hugo(Plain):
    """Page bundles under content/: a post's folder can hold its images later."""

    name = "hugo"
    static_root = "static"
    keys = MappingProxyType({"permalink": "url"})
    reserved = ("/categories/", "/tags/", "/authors/", "/page/", "/archives/", "/feed/")
    # Hugo's own archives are `/categories/x/` and `/tags/x/`, named after the term's name.
    term_bases: Mapping[str, str] = MappingProxyType({"category": "categories", "post_tag": "tags"})

    def path(self, row: PostRow, segments: list[str]) -> str:
        kind, slug = kind_of(row), segments[-1]
        if kind == "post":
            return f"content/posts/{slug}/index.md"
        if kind == "page":
            return f"content/{'/'.join(segments)}/index.md"
        return f"content/{type_folder(row)}/{slug}/index.md"

    def place(self, paths: list[str]) -> list[tuple[str, str]]:
        """A bundle with other content below it must be a branch bundle, `_index.md`; an `index.md`
        there would swallow the pages below as its resources."""
        folders = {str(PurePosixPath(path).parent.parent) for path in paths}
        placed = []
        for path in paths:
            folder = PurePosixPath(path).parent
            if str(folder) in folders and path.endswith("/index.md"):
                path = str(folder / "_index.md")
            placed.append((path, "/" + str(folder.relative_to("content")) + "/"))
        return placed

    def url_parts(self, path: PurePosixPath) -> list[str]:
        parts = list(path.with_suffix("").parts)
        return parts[1:-1] if path.stem in ("index", "_index") else parts[1:]

    def term_url(self, taxonomy: str, slug: str, name: str) -> str | None:
        base = self.term_bases.get(taxonomy)
        word = HUGO_DROP.sub("", name.strip().lower().replace(" ", "-"))
        return f"/{base}/{quote(word)}/" if base is not None and word else None

    def front_matter_keys(self, entries: dict[str, Any]) -> dict[str, Any]:
        """Also the keys Hugo's own templates and most themes read: `images` (the featured image, for
        Open Graph and Twitter cards), `description` (plain text, for <meta>), and `authors` (a taxonomy:
        one page per author). Hugo renders `summary` as Markdown: the plain text is escaped for it, or
        an excerpt `## x {style=…}` became a heading with the excerpt's style."""
        from ..content.html2md import escape_text  # html2text loads only when a post is rendered

        renamed = super().front_matter_keys(entries)
        extra = {"images": [entries["image"]] if entries.get("image") else None,
                 "description": entries.get("summary"),
                 "authors": [entries["author"]] if entries.get("author") else None}
        for key, value in extra.items():
            if value is not None and key not in renamed:
                renamed[key] = value
        if isinstance(renamed.get("summary"), str):
            renamed["summary"] = escape_text(renamed["summary"])
        return renamed

    def excerpt(self, body: Rendered, html: str) -> tuple[str, str, dict[str, Any]]:
        """Hugo reads the marker itself."""
        return body.markdown, "", more_text(body)

    def guard_templates(self, markdown: str) -> tuple[str, dict[str, Any]]:
        return escape_hugo_shortcodes(markdown), {}


def escape_hugo_shortcodes(markdown: str) -> str:
    """`{{< x >}}` and `{{% x %}}` written about Hugo show as text: Hugo's own {{</* x */>}} form."""
    out, at = [], 0
    unclosed: set[str] = set()  # a kind with no closing left: never searched again (stays linear)
    while (start := markdown.find("{{", at)) >= 0 and start + 2 < len(markdown):
        kind = markdown[start + 2]
        close = {"<": ">", "%": "%"}.get(kind, "")
        end = markdown.find(close + "}}", start + 3) if close and kind not in unclosed else -1
        if end < 0:
            unclosed.add(kind)
            out.append(markdown[at : start + 2])
            at = start + 2
            continue
        out.append(f"{markdown[at:start]}{{{{{kind}/*{markdown[start + 3 : end]}*/{close}}}}}")
        at = end + 3
    out.append(markdown[at:])
    return "".join(out)


class Jekyll(Plain):
    """Dated posts in _posts/ (drafts in _drafts/), pages where they publish, collections in _type/."""

    name = "jekyll"
    keys = MappingProxyType({"lastmod": "last_modified_at", "summary": "excerpt", "aliases": "redirect_from"})
    hidden = MappingProxyType({"published": False})
    template_guard = MappingProxyType({"render_with_liquid": False})

    def path(self, row: PostRow, segments: list[str]) -> str:
        kind, slug = kind_of(row), segments[-1]
        if kind == "post":
            return f"_drafts/{slug}.md" if row.status in DRAFT_STATUSES else f"_posts/{post_date(row)}-{slug}.md"
        return f"{'/'.join(segments)}.md" if kind == "page" else f"_{type_folder(row)}/{slug}.md"

    def url_parts(self, path: PurePosixPath) -> list[str]:
        """With `permalink: /:year/:month/:day/:title/`: `_posts/2010-06-14-x.md` -> `/2010/06/14/x/`."""
        parts = list(path.with_suffix("").parts)
        if parts and parts[0] in ("_posts", "_drafts"):
            dated = re.match(r"(\d{4})-(\d\d)-(\d\d)-(.+)", parts[-1]) if parts[0] == "_posts" else None
            return [*dated.groups()] if dated else [parts[-1]]
        if parts and parts[0].startswith("_"):
            return [parts[0][1:], *parts[1:]]
        return parts

    def front_matter_keys(self, entries: dict[str, Any]) -> dict[str, Any]:
        """Jekyll's own excerpts are HTML, and themes write `{{ post.excerpt }}` as it is: the plain
        text excerpt is HTML-escaped, or an excerpt `<script>` (stored `&lt;script&gt;`) ran. The date
        is the local time WordPress showed, without its offset: Jekyll dates a post's URL and page in the
        site's `timezone`, so a post written in another offset than most (the blog's zone changed once)
        would move a day; a time without offset is read in that zone as it is."""
        renamed = super().front_matter_keys(entries)
        if isinstance(renamed.get("excerpt"), str):
            renamed["excerpt"] = htmllib.escape(renamed["excerpt"], quote=False)
        date = renamed.get("date")
        if isinstance(date, datetime) and date.tzinfo is not None:
            renamed["date"] = date.replace(tzinfo=None).isoformat(sep=" ")
        return renamed

    def draft_keys(self, post_type: str) -> dict[str, Any]:
        # Jekyll's drafts live in _drafts/; pages and collections have `published: false` instead.
        return {} if post_type == "post" else {"published": False}

    def excerpt(self, body: Rendered, html: str) -> tuple[str, str, dict[str, Any]]:
        """Jekyll is told the marker is the excerpt separator."""
        if body.more is None:
            return body.markdown, "", {}
        return body.markdown, "", {"excerpt_separator": MORE_LINE, **more_text(body)}


class Eleventy(Plain):
    """Posts in posts/, pages where they publish. Eleventy copies no files by itself: its config
    needs `eleventyConfig.addPassthroughCopy("wp-content")` for the media."""

    name = "eleventy"
    folders = ("posts", "", "")
    keys = MappingProxyType({"summary": "description"})
    hidden = MappingProxyType({"draft": True, "permalink": False, "eleventyExcludeFromCollections": True})
    template_guard = MappingProxyType({"templateEngineOverride": "md"})

    def front_matter_keys(self, entries: dict[str, Any]) -> dict[str, Any]:
        """Eleventy runs a `permalink` through its template engine: an old address holding `{{ }}`
        or `{% %}` (`/%7B%7B%20x%20%7D%7D/` decodes to one) is kept as it is."""
        renamed = super().front_matter_keys(entries)
        link = renamed.get("permalink")
        if isinstance(link, str) and ("{{" in link or "{%" in link):
            renamed["dynamicPermalink"] = False
        return renamed


class Astro(Plain):
    """Content collections under src/content/, media in public/."""

    name = "astro"
    static_root = "public"
    folders = ("src/content/posts", "src/content/pages", "src/content")
    # Astro's glob loader takes a `slug` as the entry id: without it the id is the file's path, so
    # nested pages (about/team) stay nested and same-named pages under two parents stay two.
    keys = MappingProxyType({"date": "pubDate", "lastmod": "updatedDate", "summary": "description",
                             "image": "heroImage", "slug": None})

    def url_parts(self, path: PurePosixPath) -> list[str]:
        parts = list(path.with_suffix("").parts)
        return parts[3:] if parts[:3] == ["src", "content", "pages"] else parts[2:]


REGISTRY: Mapping[str, Layout] = MappingProxyType(
    {layout.name: layout for layout in (Hugo(), Jekyll(), Eleventy(), Astro(), Plain())})
LAYOUTS = tuple(REGISTRY)


def get_layout(name: str) -> Layout:
    try:
        return REGISTRY[name]
    except KeyError:
        raise WxrError(f"unknown layout {name!r}", f"Choose one of {', '.join(LAYOUTS)}.") from None


def public_url(layout: str, path: str) -> str:
    """The root-relative URL the generator publishes a Markdown file at (`_posts/2010-06-14-x.md` ->
    `/2010/06/14/x/` for Jekyll with `permalink: /:year/:month/:day/:title/`)."""
    return get_layout(layout).public_url(path)
