"""A wxr2db database -> Markdown files with YAML front matter, laid out for a static site generator.

The work happens in three steps: plan every file's path first (sorted by post id, so the result
never depends on timing), render each post from the database (`render_post` is pure), then write
the files, leaving alone any file the user edited since wxr2db last wrote it. Rendering is the slow
part; with many posts it runs in a pool of processes that each open the database read-only.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import sqlite3
import unicodedata
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from itertools import islice
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from sqlite_utils import Database
from yaml.representer import SafeRepresenter

# libyaml's emitter is several times faster than PyYAML's own, and YAML is half the rendering time.
try:
    from yaml import CSafeDumper as BaseDumper
except ImportError:  # a PyYAML built without libyaml
    from yaml import SafeDumper as BaseDumper  # type: ignore[assignment]

from .content import MORE, MORE_LINE, plain_text, render_body
from .content import Rendered as Body
from .db import INTERNAL_TYPES, check_database, database_file
from .errors import WxrError
from .normalize import id_list, plural, slugify, stored_id, to_int, utc_offset
from .site.links import (
    UNRESOLVED_NAME,
    SiteLinks,
    SiteOptions,
    SiteWork,
    prepare_site,
    public_url,
    redirect_files,
    render_unresolved,
)
from .site.links import summary as site_summary
from .site.fetch import ProgressCallback
from .site.files import RefusedPath, SiteFolder
from .site.redirects import aliases
from .site.templates import LAYOUTS as TEMPLATE_LAYOUTS
from .site.templates import write_templates

LAYOUTS = ("hugo", "jekyll", "eleventy", "astro", "plain")
COMMENT_MODES = ("none", "approved", "all")
# WordPress shows none of these to readers: scheduled posts wait for their date, pending ones for review.
DRAFT_STATUSES = frozenset({"draft", "pending", "future"})
# Trashed posts, and the empty placeholders WordPress creates when an editor opens "Add New".
GONE_STATUSES = frozenset({"trash", "auto-draft"})
MANIFEST = ".wxr2db-manifest.json"
POOL_THRESHOLD = 200
CHUNK = 64
IN_BATCH = 500
SUMMARY_NAMES = 12
MAX_SEGMENT_BYTES = 150
MAX_PAGE_DEPTH = 64
# Replies nest in the front matter up to here; YAML writers recurse once per level.
# js-yaml (Eleventy, Astro) refuses front matter nested past 100 levels, two per comment level.
MAX_COMMENT_DEPTH = 48
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}
)
# WXR has no post_mime_type element, so a gallery's images are told by their file extension.
IMAGE_URL = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?|heic)(?:[?#].*)?$", re.IGNORECASE)
GALLERY_IDS = re.compile(r"\b(?:ids|include)\s*=\s*[\"']?([0-9,\s]+)", re.IGNORECASE)
# Characters beyond U+FFFF, and the private-use ones standing in for them (see dump_front_matter);
# U+10FFFF is left out because PyYAML itself escapes it.
ASTRAL = re.compile("[\U00010000-\U0010FFFE]")
STAND_IN = re.compile("[\uE000-\uEFFF]")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class MarkdownOptions:
    layout: str = "plain"
    types: tuple[str, ...] = ("post", "page")
    drafts: bool = False
    private: bool = False
    comments: str = "approved"
    overwrite: bool = False
    keep_permalinks: bool = False
    pool_threshold: int = POOL_THRESHOLD
    workers: int | None = None
    templates: bool = False  # also write the ready comment templates (never over the user's files)
    site: SiteOptions = field(default_factory=SiteOptions)
    links: SiteLinks | None = None  # set by export_markdown once media is fetched and the URLs known


@dataclass
class MarkdownStats:
    written: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    renamed: int = 0
    unknown_shortcodes: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, why) of files not written
    templates_kept: list[str] = field(default_factory=list)  # templates not written: the user has them
    processes: int = 1  # that rendered the posts
    site: SiteWork = field(default_factory=SiteWork)
    redirect_rules: int | None = None

    def fail(self, rel: str, why: str) -> None:
        self.failed.append((rel, why))

    def summary(self) -> str:
        skipped = sum(self.skipped.values())
        reasons = f" ({', '.join(f'{n} {why}' for why, n in sorted_counts(self.skipped))})" if skipped else ""
        parts = [f"wrote {plural(self.written, 'file')}", f"{self.unchanged} unchanged", f"skipped {skipped}{reasons}"]
        if self.failed:
            parts.append(f"{len(self.failed)} could not be written")
        if self.renamed:
            parts.append(f"{self.renamed} renamed for clashing slugs")
        if self.unknown_shortcodes:
            counts = sorted_counts(self.unknown_shortcodes)
            codes = ", ".join(f"[{name}] {n}" for name, n in counts[:SUMMARY_NAMES])
            more = f" and {len(counts) - SUMMARY_NAMES} more" if len(counts) > SUMMARY_NAMES else ""
            parts.append(f"unknown shortcodes kept as text: {codes}{more}")
        parts.append(plural(len(self.warnings), "warning"))
        site = site_summary(self.site.counts, self.site.report, self.redirect_rules)
        return "; ".join(parts + ([site] if site else []))


def sorted_counts(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


# --- what a post looks like to the renderer ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommentView:
    id: int
    author: str = ""
    author_url: str = ""
    date: str | None = None
    date_gmt: str | None = None
    content: str = ""
    approved: str = "1"
    type: str = ""
    replies: tuple[CommentView, ...] = ()


@dataclass(frozen=True, slots=True)
class AttachmentMedia:
    """content.Media for one post: attachment URLs by id, and the images attached to the post."""

    urls: dict[int, str] = field(default_factory=dict)
    images: tuple[str, ...] = ()

    def url(self, attachment_id: int) -> str | None:
        return self.urls.get(attachment_id)

    def attached_images(self) -> list[str]:
        return list(self.images)


@dataclass(frozen=True, slots=True)
class PostView:
    id: int
    title: str = ""
    slug: str = ""
    post_type: str = "post"
    status: str = "publish"
    link: str = ""
    author: str = ""
    date: str | None = None
    date_gmt: str | None = None
    modified: str | None = None
    modified_gmt: str | None = None
    content: str = ""
    excerpt: str = ""
    terms: dict[str, list[str]] = field(default_factory=dict)
    image: str = ""
    media: AttachmentMedia = field(default_factory=AttachmentMedia)
    comments: tuple[CommentView, ...] = ()
    url: str = ""  # where the generator will publish it, when the layout tells; an equal alias is dropped
    protected: bool = False  # has a post password
    footnotes: tuple[tuple[str, str], ...] = ()  # block-editor footnotes: (id, HTML)


@dataclass(frozen=True, slots=True)
class Style:
    layout: str = "plain"
    keep_permalinks: bool = False
    comment_status: bool = False  # with --comments all, say which comments WordPress showed
    links: SiteLinks | None = None  # rewrites links and media references before rendering


# --- front matter ---------------------------------------------------------------------------------

# Canonical key -> the key each generator reads; None leaves the value out.
KEYS: dict[str, dict[str, str | None]] = {
    "plain": {},
    "hugo": {"permalink": "url"},
    "jekyll": {"lastmod": "last_modified_at", "summary": "excerpt", "aliases": "redirect_from"},
    "eleventy": {"summary": "description"},
    # Astro's glob loader takes a `slug` as the entry id: without it the id is the file's path, so
    # nested pages (about/team) stay nested and same-named pages under two parents stay two.
    "astro": {"date": "pubDate", "lastmod": "updatedDate", "summary": "description", "image": "heroImage",
              "slug": None},
}
TAXONOMY_KEYS = {"category": "categories", "post_tag": "tags", "post_format": "format"}
CANONICAL = ("title", "date", "lastmod", "draft", "slug", "author", "summary", "categories", "tags",
             "format", "aliases", "permalink", "image", "wordpress_id", "comments")


class FastDumper(BaseDumper):
    """PyYAML's safe dumper, writing dates as ISO 8601 (`2010-06-14T09:30:00-04:00`) that every
    generator reads as a date, multi-line text as literal blocks, and never YAML anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


class PureDumper(yaml.SafeDumper):
    """The same in pure Python, for text libyaml would escape (see dump_front_matter)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_datetime(dumper: SafeRepresenter, value: datetime) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


def _represent_str(dumper: SafeRepresenter, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


for _dumper in (FastDumper, PureDumper):
    _dumper.add_representer(datetime, _represent_datetime)
    _dumper.add_representer(str, _represent_str)


def site_time(local: str | None, gmt: str | None) -> datetime | str | None:
    """The site-local time with its UTC offset, which WordPress keeps as post_date minus post_date_gmt.

    A draft has no GMT date (WordPress writes 0000-00-00), so its local time goes without offset.
    """
    if not local:
        return None
    try:
        moment = datetime.fromisoformat(local)
    except ValueError:
        return local  # not a WordPress date; kept as the export has it
    offset: timedelta | None = utc_offset(local, gmt)
    return moment.replace(tzinfo=timezone(offset)) if offset is not None else moment


def old_path(link: str) -> str:
    """The path of the post's WordPress permalink, decoded, or "" for `/?p=123` style links."""
    try:
        path = unquote(urlsplit(link.strip()).path)
    except ValueError:  # `http://[x/`: no path a server could be asked for
        return ""
    return path if path.strip("/") else ""


def same_url(a: str, b: str) -> bool:
    return a.strip("/").casefold() == b.strip("/").casefold()


def is_draft(post: PostView) -> bool:
    return post.status in DRAFT_STATUSES


def draft_entry(post: PostView, style: Style) -> dict[str, Any]:
    if not is_draft(post):
        return {}
    if style.layout == "jekyll":
        # Jekyll's drafts live in _drafts/; pages and collections have `published: false` instead.
        return {} if post.post_type == "post" else {"published": False}
    return {"draft": True}


def visibility_entries(post: PostView, style: Style) -> dict[str, Any]:
    """Private and password-protected posts (written with --private) never publish by default."""
    why = "private" if post.status == "private" else "password" if post.protected else ""
    if not why:
        return {}
    hidden: dict[str, Any] = {
        "jekyll": {"published": False},
        "eleventy": {"draft": True, "permalink": False, "eleventyExcludeFromCollections": True},
    }.get(style.layout, {"draft": True})
    return {**hidden, "visibility": why}


def taxonomy_entries(post: PostView) -> dict[str, str | list[str]]:
    entries: dict[str, str | list[str]] = {}
    for taxonomy, names in post.terms.items():
        key = TAXONOMY_KEYS.get(taxonomy, taxonomy)
        if key in CANONICAL and taxonomy not in TAXONOMY_KEYS:
            key = f"taxonomy_{taxonomy}"  # a plugin taxonomy called `title` must not replace the title
        # A post has one format (WordPress's set_post_format replaces it), so it is a word, not a list.
        entries[key] = names[0] if taxonomy == "post_format" else names
    return entries


def link_entries(post: PostView, style: Style) -> dict[str, Any]:
    path = old_path(post.link)
    if not path:
        return {}
    if style.keep_permalinks:
        return {"permalink": path}
    # A redirect from a page's own address would replace the page.
    found = aliases([path], post.url) if post.url else [path]
    return {"aliases": found} if found else {}


def canonical_front_matter(post: PostView, style: Style, teaser: str = "") -> dict[str, Any]:
    author = plain_text(post.author)
    summary = plain_text(post.excerpt) or teaser
    entries: dict[str, Any] = {
        "title": plain_text(post.title),
        "date": site_time(post.date, post.date_gmt),
        "lastmod": site_time(post.modified, post.modified_gmt),
        **draft_entry(post, style),
        **visibility_entries(post, style),
        "slug": post.slug,
        "author": author or None,
        "summary": summary or None,
        **taxonomy_entries(post),
        **link_entries(post, style),
        "image": post.image or None,
        # A negative id is wxr2db's own (the export gave none, or a repeated one): no WordPress id.
        "wordpress_id": post.id if post.id > 0 else None,
    }
    return {key: value for key, value in entries.items() if value is not None}


def layout_keys(entries: dict[str, Any], layout: str) -> dict[str, Any]:
    names = KEYS[layout]
    renamed: dict[str, Any] = {}
    for key, value in entries.items():
        name = names.get(key, key)
        if name is not None:
            renamed[name] = value
    return renamed


def comment_entry(comment: CommentView, style: Style, unknown: list[str]) -> dict[str, Any]:
    rendered = render_body(comment.content)
    unknown += rendered.unknown_shortcodes
    entry: dict[str, Any] = {"id": comment.id, "author": plain_text(comment.author)}
    if comment.author_url.strip():
        entry["author_url"] = comment.author_url.strip()
    date = site_time(comment.date, comment.date_gmt)
    if date is not None:
        entry["date"] = date
    if comment.type not in ("", "comment"):
        entry["type"] = comment.type  # pingback, trackback, or a plugin's note
    if style.comment_status:
        # comment_approved is 1 or 0, or the words spam and trash.
        entry["approved"] = {"1": True, "0": False}.get(comment.approved, comment.approved)
    entry["content"] = rendered.markdown.strip("\n")
    if comment.replies:
        entry["replies"] = [comment_entry(reply, style, unknown) for reply in comment.replies]
    return entry


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def translated(value: Any, table: dict[int, str]) -> Any:
    if isinstance(value, str):
        return value.translate(table)
    if isinstance(value, dict):
        return {translated(k, table): translated(v, table) for k, v in value.items()}
    if isinstance(value, list):
        return [translated(item, table) for item in value]
    return value


PRIVATE_USE = tuple(chr(c) for c in range(0xE000, 0xF000))


def dump_front_matter(entries: dict[str, Any]) -> str:
    """YAML for the front matter, the same bytes with or without libyaml.

    libyaml escapes every character beyond U+FFFF (emoji, 𝄞) as `\\U0001F600`, even with
    allow_unicode, where PyYAML's own emitter writes it as it is. Both treat private-use characters
    like those, so each one stands in for an astral character during the dump and is swapped back.
    """
    texts = "\n".join(strings_in(entries))
    astral = sorted(set(ASTRAL.findall(texts)))
    if not astral:
        return yaml_text(entries, FastDumper)
    used = set(STAND_IN.findall(texts))
    free = list(islice((c for c in PRIVATE_USE if c not in used), len(astral)))
    if len(free) < len(astral):
        return yaml_text(entries, PureDumper)
    there = {ord(a): f for a, f in zip(astral, free, strict=True)}
    back = {ord(f): a for a, f in zip(astral, free, strict=True)}
    return yaml_text(translated(entries, there), FastDumper).translate(back)


def yaml_text(entries: dict[str, Any], dumper: type[SafeRepresenter]) -> str:
    text: str = yaml.dump(entries, Dumper=dumper, allow_unicode=True, sort_keys=False,
                          default_flow_style=False, width=1_000_000)
    return text


def excerpt_marker(body: Body, post: PostView, layout: str) -> tuple[str, str, dict[str, Any]]:
    """The body, a teaser for the summary, and front matter keys for WordPress's <!--more-->.

    Hugo reads the marker itself; Jekyll is told it is the excerpt separator; the others get the
    text before it as their summary (unless the post has an excerpt) and no marker in the body.
    """
    if body.more is None:
        return body.markdown, "", {}
    extra: dict[str, Any] = {"more_text": body.more} if body.more else {}
    if layout == "hugo":
        return body.markdown, "", extra
    if layout == "jekyll":
        return body.markdown, "", {"excerpt_separator": MORE_LINE, **extra}
    head = MORE.split(post.content, maxsplit=1)[0]
    markdown = body.markdown.replace(MORE_LINE + "\n\n", "", 1).replace(MORE_LINE, "", 1)
    return markdown, plain_text(head), extra


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


def guard_templates(markdown: str, layout: str) -> tuple[str, dict[str, Any]]:
    """Posts about Hugo, Jekyll or Liquid must show their {{ }} and {% %} as written, not run them."""
    if layout == "hugo":
        return escape_hugo_shortcodes(markdown), {}
    if "{{" not in markdown and "{%" not in markdown:
        return markdown, {}
    keys: dict[str, dict[str, Any]] = {"jekyll": {"render_with_liquid": False},
                                       "eleventy": {"templateEngineOverride": "md"}}
    return markdown, keys.get(layout, {})


def render_post_counted(post: PostView, style: Style | None = None) -> tuple[str, tuple[str, ...]]:
    """The Markdown file for a post, and the names of the shortcodes no renderer knew."""
    style = style or Style()
    if style.links is not None:
        post = linked_view(post, style.links)
    body = render_body(post.content, post.media, post.footnotes)
    unknown = list(body.unknown_shortcodes)
    markdown, teaser, extra = excerpt_marker(body, post, style.layout)
    markdown, guards = guard_templates(markdown, style.layout)
    entries = {**layout_keys(canonical_front_matter(post, style, teaser), style.layout), **extra, **guards}
    if post.comments:
        entries["comments"] = [comment_entry(c, style, unknown) for c in post.comments]
    text = f"---\n{dump_front_matter(entries)}---\n"
    if markdown.strip():
        text += "\n" + markdown.rstrip("\n") + "\n"
    if style.links is not None:
        text = style.links.text(text)
    return text, tuple(unknown)


def linked_comment(comment: CommentView, links: SiteLinks, base: str) -> CommentView:
    replies = tuple(linked_comment(reply, links, base) for reply in comment.replies)
    return replace(comment, content=links.html(comment.content, base)[0], replies=replies)


def linked_view(post: PostView, links: SiteLinks) -> PostView:
    """The post with links to the old site, and references to fetched media, pointing at the new one.
    Relative links are read against the post's old permalink, as a browser read them there."""
    media = AttachmentMedia({key: links.file(url) for key, url in post.media.urls.items()},
                            tuple(links.file(url) for url in post.media.images))
    return replace(post, content=links.html(post.content, post.link)[0],
                   excerpt=links.html(post.excerpt, post.link)[0], image=links.file(post.image), media=media,
                   comments=tuple(linked_comment(c, links, post.link) for c in post.comments))


def render_post(post: PostView, style: Style | None = None) -> str:
    """The Markdown file for a post: YAML front matter, then the body. Pure: no I/O."""
    return render_post_counted(post, style)[0]


# --- safe file names ------------------------------------------------------------------------------


def safe_segment(text: str) -> str:
    """One path segment that is the same name on every file system and cannot climb out of OUTDIR.

    Returns "" when nothing usable is left; callers fall back to the title, then the id.
    """
    name = unicodedata.normalize("NFC", text)
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cc")
    name = re.sub(r'[/\\<>:"|?*]', "-", name)
    name = name.encode("utf-8")[:MAX_SEGMENT_BYTES].decode("utf-8", errors="ignore")
    # Leading dots would hide the file, trailing dots and spaces Windows drops; `..` is all dots.
    name = name.strip().strip(".").strip()
    stem, dot, rest = name.partition(".")
    if stem.strip().upper() in WINDOWS_RESERVED:
        name = f"{stem}-{dot}{rest}"
    return name


def post_segment(post_id: int, slug: str, title: str) -> str:
    return safe_segment(slug) or safe_segment(slugify(plain_text(title))) or str(post_id)


# --- planning -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostRow:
    id: int
    post_type: str
    status: str
    title: str
    slug: str
    parent_id: int | None
    password: str
    date: str | None


@dataclass(frozen=True, slots=True)
class Target:
    post_id: int
    path: str  # relative to OUTDIR, with forward slashes
    slug: str
    url: str = ""


def skip_reason(row: PostRow, options: MarkdownOptions) -> str | None:
    """Why a post is not written ("" for WordPress's own machinery, not worth reporting), or None."""
    if row.post_type not in options.types:
        return "" if row.post_type in INTERNAL_TYPES else "type not chosen"
    if row.status in GONE_STATUSES:
        return row.status
    if row.status == "private" and not options.private:
        return "private"
    if row.password and not options.private:
        return "password"
    if row.status in DRAFT_STATUSES and not options.drafts:
        return "draft"
    return None


def page_segments(row: PostRow, rows: dict[int, PostRow], claimed: dict[int, str] | None = None) -> list[str]:
    """A page's path from its parents' slugs (`about/team`), as WordPress builds page permalinks; a
    parent renamed for a clash (`about-2`) takes its children along."""
    segments = [post_segment(row.id, row.slug, row.title)]
    seen = {row.id}
    parent = rows.get(row.parent_id) if row.parent_id is not None else None
    while parent is not None and parent.id not in seen and len(segments) < MAX_PAGE_DEPTH:
        seen.add(parent.id)
        segments.insert(0, (claimed or {}).get(parent.id) or post_segment(parent.id, parent.slug, parent.title))
        parent = rows.get(parent.parent_id) if parent.parent_id is not None else None
    return segments


def post_date(row: PostRow) -> str:
    return row.date[:10] if row.date and re.match(r"\d{4}-\d\d-\d\d", row.date) else "1970-01-01"


def layout_path(layout: str, row: PostRow, segments: list[str]) -> str:
    """Where each generator looks for content; `segments` is the slug, or a page's slug path."""
    kind = row.post_type if row.post_type in ("post", "page") else "other"
    slug, joined = segments[-1], "/".join(segments)
    folder = post_segment(0, row.post_type, "") if kind == "other" else ""
    if layout == "hugo":
        # Page bundles: the post's folder can hold its images later.
        return {"post": f"content/posts/{slug}/index.md", "page": f"content/{joined}/index.md",
                "other": f"content/{folder}/{slug}/index.md"}[kind]
    if layout == "jekyll":
        if kind == "post":
            drafted = row.status in DRAFT_STATUSES
            return f"_drafts/{slug}.md" if drafted else f"_posts/{post_date(row)}-{slug}.md"
        return f"{joined}.md" if kind == "page" else f"_{folder}/{slug}.md"
    base = {"eleventy": ("posts", "", ""), "astro": ("src/content/posts", "src/content/pages", "src/content"),
            "plain": ("posts", "pages", "")}[layout]
    page_dir = f"{base[1]}/" if base[1] else ""
    other_dir = f"{base[2]}/{folder}" if base[2] else folder
    return {"post": f"{base[0]}/{slug}.md", "page": f"{page_dir}{joined}.md",
            "other": f"{other_dir}/{slug}.md"}[kind]


def clash_key(path: str) -> str:
    """Names that differ only by case or Unicode form are one file on macOS and Windows."""
    return unicodedata.normalize("NFC", path).casefold()


@dataclass
class Claimed:
    """The paths taken so far (as clash keys), and for each first-choice path the next `-N` to try:
    10k posts with one slug would otherwise try 2, 3, ... again for every post (50M tries)."""

    taken: set[str] = field(default_factory=set)
    next_number: dict[str, int] = field(default_factory=dict)
    # Folders paths run through, or that a page's children will go in (`pages/about/` beside
    # `pages/about.md`): a file may not take one's name, nor a page's folder a file's.
    folders: set[str] = field(default_factory=set)
    segment: dict[int, str] = field(default_factory=dict)  # each page's claimed segment, for its children


def own_folder(path: str) -> str:
    """Where a page's children go: `pages/about.md` -> `pages/about`; bundles (index.md) have none."""
    name = PurePosixPath(path).name
    return "" if name in ("index.md", "_index.md") or not path.endswith(".md") else path[:-3]


def is_free(path: str, claimed: Claimed) -> bool:
    key, folder = clash_key(path), own_folder(path)
    return key not in claimed.taken and key not in claimed.folders and clash_key(folder) not in claimed.taken


def claim_path(layout: str, row: PostRow, segments: list[str], claimed: Claimed) -> tuple[str, str]:
    """The first free path of `slug`, `slug-2`, `slug-3`, ... (numbers below the last one handed out
    for the same first choice are all taken: paths are never given back)."""
    first = clash_key(layout_path(layout, row, segments))
    number = claimed.next_number.get(first, 1)
    while True:
        last = segments[-1] if number == 1 else f"{segments[-1]}-{number}"
        path = layout_path(layout, row, [*segments[:-1], last])
        if is_free(path, claimed):
            claimed.taken.add(clash_key(path))
            claimed.folders.update(clash_key(str(p)) for p in PurePosixPath(path).parents)
            if own_folder(path):
                claimed.folders.add(clash_key(own_folder(path)))
            claimed.next_number[first] = number + 1
            claimed.segment[row.id] = last
            return path, last
        number += 1


def hugo_branches(targets: list[Target]) -> list[Target]:
    """A Hugo bundle with other content below it must be a branch bundle, `_index.md`; an `index.md`
    there would swallow the pages below as its resources."""
    folders = {str(PurePosixPath(t.path).parent.parent) for t in targets}
    fixed = []
    for target in targets:
        folder = PurePosixPath(target.path).parent
        if str(folder) in folders and target.path.endswith("/index.md"):
            target = replace(target, path=str(folder / "_index.md"))
        fixed.append(replace(target, url="/" + str(folder.relative_to("content")) + "/"))
    return fixed


ROW_SQL = ("SELECT id, coalesce(post_type, 'post'), coalesce(status, ''), coalesce(title, ''), "
           "coalesce(slug, ''), parent_id, coalesce(password, ''), date FROM posts ")


def iter_rows(conn: sqlite3.Connection, types: Iterable[str]) -> Iterator[PostRow]:
    """What planning needs of each post, one at a time. WordPress's own machinery (attachments, menu
    items: about half of a typical export) is left in the database unless asked for: it is never
    reported."""
    unwanted = [t for t in INTERNAL_TYPES if t not in types]
    sql = ROW_SQL + f"WHERE coalesce(post_type, 'post') NOT IN ({', '.join('?' for _ in unwanted)}) ORDER BY id"
    for row in conn.execute(sql, unwanted):
        yield PostRow(*row)


def load_pages(conn: sqlite3.Connection) -> dict[int, PostRow]:
    """Pages by id: a page's path is built from its parent pages' slugs."""
    return {row[0]: PostRow(*row) for row in conn.execute(ROW_SQL + "WHERE post_type = 'page'")}


def plan_targets(conn: sqlite3.Connection, options: MarkdownOptions, stats: MarkdownStats) -> list[Target]:
    """Every file to write, decided before any is rendered, in post id order."""
    pages = load_pages(conn)
    claimed = Claimed()
    targets = []
    for row in iter_rows(conn, options.types):
        reason = skip_reason(row, options)
        if reason is not None:
            if reason:
                stats.skipped[reason] += 1
            continue
        segments = page_segments(row, pages, claimed.segment) if row.post_type == "page" else [
            post_segment(row.id, row.slug, row.title)]
        path, slug = claim_path(options.layout, row, segments, claimed)
        if slug != segments[-1]:
            stats.renamed += 1
            stats.warnings.append(f"post {row.id}: '{segments[-1]}' is taken; written as {path}")
        targets.append(Target(row.id, path, slug))
    if options.layout == "hugo":
        return hugo_branches(targets)
    return [replace(t, url=public_url(options.layout, t.path)) for t in targets]


# --- reading posts from the database, a chunk at a time -------------------------------------------


def select_in(conn: sqlite3.Connection, sql: str, values: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run `sql`, whose `{marks}` is an IN list, over values in batches SQLite accepts."""
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(values), IN_BATCH):
        batch = list(values[start : start + IN_BATCH])
        rows += conn.execute(sql.format(marks=", ".join("?" for _ in batch)), batch).fetchall()
    return rows


def fetch_terms(conn: sqlite3.Connection, ids: list[int]) -> dict[int, dict[str, list[str]]]:
    sql = ("SELECT pt.post_id, t.taxonomy, t.slug, t.name FROM post_terms pt "
           "JOIN terms t ON t.id = pt.term_id WHERE pt.post_id IN ({marks}) "
           "ORDER BY pt.post_id, t.taxonomy, t.name COLLATE NOCASE, t.id")
    terms: dict[int, dict[str, list[str]]] = {}
    for post_id, taxonomy, slug, name in select_in(conn, sql, ids):
        if taxonomy == "post_format":
            # Formats are stored as terms `post-format-gallery`; themes know them as `gallery`.
            value = (slug or "").removeprefix("post-format-")
        else:
            value = plain_text(name or "") or slug or ""  # names are stored HTML-escaped (`&amp;`)
        terms.setdefault(post_id, {}).setdefault(taxonomy, []).append(value)
    return terms


def fetch_thumbnails(conn: sqlite3.Connection, ids: list[int]) -> dict[int, int]:
    # `+key` keeps SQLite on the post_id index: the key index would scan every thumbnail per chunk.
    sql = "SELECT post_id, value FROM postmeta WHERE +key = '_thumbnail_id' AND post_id IN ({marks})"
    found = {}
    for post_id, value in select_in(conn, sql, ids):
        number = to_int(str(value))
        if number is not None and number > 0:
            found[post_id] = stored_id(number, "post")
    return found


def fetch_urls(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, str]:
    sql = "SELECT id, attachment_url FROM posts WHERE attachment_url != '' AND id IN ({marks})"
    return dict(select_in(conn, sql, sorted(set(ids))))


def fetch_attached(conn: sqlite3.Connection, ids: list[int]) -> dict[int, list[str]]:
    # A [gallery] without ids shows the post's attached images in menu order, then id order.
    sql = ("SELECT parent_id, attachment_url FROM posts WHERE +post_type = 'attachment' "
           "AND parent_id IN ({marks}) ORDER BY parent_id, menu_order, id")
    attached: dict[int, list[str]] = {}
    for parent_id, url in select_in(conn, sql, ids):
        if url and IMAGE_URL.search(url):
            attached.setdefault(parent_id, []).append(url)
    return attached


def fetch_authors(conn: sqlite3.Connection, logins: Iterable[str]) -> dict[str, str]:
    sql = "SELECT login, coalesce(nullif(display_name, ''), login) FROM authors WHERE login IN ({marks})"
    return dict(select_in(conn, sql, sorted(set(logins))))


def fetch_comments(conn: sqlite3.Connection, ids: list[int], mode: str) -> dict[int, tuple[CommentView, ...]]:
    if mode == "none":
        return {}
    sql = ("SELECT post_id, id, parent_id, coalesce(author, ''), coalesce(author_url, ''), date, date_gmt, "
           "coalesce(content, ''), coalesce(approved, ''), coalesce(type, '') FROM comments "
           "WHERE post_id IN ({marks}) ORDER BY post_id, coalesce(date_gmt, date, ''), id")
    by_post: dict[int, list[tuple[Any, ...]]] = {}
    for row in select_in(conn, sql, ids):
        by_post.setdefault(row[0], []).append(row[1:])
    trees = {post_id: comment_tree(rows, everything=mode == "all") for post_id, rows in by_post.items()}
    return {post_id: tree for post_id, tree in trees.items() if tree}


def deep_comment_warnings(conn: sqlite3.Connection, ids: list[int], mode: str) -> list[str]:
    """One warning per post whose replies nest deeper than the front matter holds (comment_tree
    writes them at the deepest level); the depth stored at import says which."""
    if mode == "none":
        return []
    shown = "" if mode == "all" else "AND approved = '1' "
    sql = (f"SELECT post_id, count(*) FROM comments WHERE depth > {MAX_COMMENT_DEPTH} {shown}"
           "AND post_id IN ({marks}) GROUP BY post_id ORDER BY post_id")
    return [f"post {post_id}: {plural(n, 'comment')} nested deeper than {MAX_COMMENT_DEPTH} levels, "
            f"written at level {MAX_COMMENT_DEPTH}" for post_id, n in select_in(conn, sql, ids)]


def comment_tree(rows: list[tuple[Any, ...]], everything: bool) -> tuple[CommentView, ...]:
    """Threads as WordPress shows them, oldest first at every level. A reply whose parent is left
    out (not approved) is left out too: WordPress would not show it either. Replies deeper than
    MAX_COMMENT_DEPTH levels are written at that level, in thread order (see deep_comment_warnings).

    Built bottom-up without recursion, so a chain of any length costs time linear in its length."""
    ids = {row[0] for row in rows}
    children: dict[int | None, list[tuple[Any, ...]]] = {}
    for row in rows:
        if everything or row[7] == "1":
            children.setdefault(row[1] if row[1] in ids else None, []).append(row)
    order = thread_order(children)
    views: dict[int, CommentView] = {}
    kids: dict[int | None, list[CommentView]] = {}
    for row, home in reversed(order):
        view = CommentView(row[0], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                           tuple(reversed(kids.pop(row[0], []))))
        views[row[0]] = view
        kids.setdefault(home, []).append(view)
    return tuple(reversed(kids.get(None, [])))


def thread_order(children: dict[int | None, list[tuple[Any, ...]]]) -> list[tuple[tuple[Any, ...], int | None]]:
    """Every shown comment in thread order, each with the comment it is written under: its parent,
    or, past MAX_COMMENT_DEPTH, the ancestor at that depth."""
    order: list[tuple[tuple[Any, ...], int | None]] = []
    stack: list[tuple[tuple[Any, ...], int | None, int]] = [(row, None, 1) for row in
                                                             reversed(children.get(None, []))]
    while stack:
        row, home, depth = stack.pop()
        order.append((row, home))
        deeper = depth < MAX_COMMENT_DEPTH
        for child in reversed(children.get(row[0], [])):
            stack.append((child, row[0] if deeper else home, depth + 1 if deeper else depth))
    return order


POST_SQL = ("SELECT id, coalesce(title, ''), coalesce(post_type, 'post'), coalesce(status, ''), "
            "coalesce(link, ''), coalesce(author, ''), date, date_gmt, modified, modified_gmt, "
            "coalesce(content, ''), coalesce(excerpt, '') FROM posts WHERE id IN ({marks})")


def fetch_views(conn: sqlite3.Connection, targets: list[Target], mode: str) -> list[PostView]:
    """PostViews for a chunk of targets, in the chunk's order, with a few queries for the whole chunk."""
    ids = [t.post_id for t in targets]
    rows = {row[0]: row for row in select_in(conn, POST_SQL, ids)}
    thumbnails = fetch_thumbnails(conn, ids)
    gallery_ids = [n for row in rows.values() for found in GALLERY_IDS.findall(row[10]) for n in id_list(found)]
    urls = fetch_urls(conn, [*thumbnails.values(), *gallery_ids])
    attached, terms = fetch_attached(conn, ids), fetch_terms(conn, ids)
    authors = fetch_authors(conn, [row[5] for row in rows.values()])
    comments = fetch_comments(conn, ids, mode)
    footnotes, protected = fetch_footnotes(conn, ids), fetch_protected(conn, ids)
    views = []
    for target in targets:
        (post_id, title, post_type, status, link, login, date, date_gmt, modified, modified_gmt, content,
         excerpt) = rows[target.post_id]
        views.append(PostView(
            post_id, title, target.slug, post_type, status, link, authors.get(login, login), date, date_gmt,
            modified, modified_gmt, content, excerpt, terms=terms.get(post_id, {}),
            image=urls.get(thumbnails.get(post_id, -1), ""),
            media=AttachmentMedia(urls, tuple(attached.get(post_id, ()))),
            comments=comments.get(post_id, ()), url=target.url, protected=post_id in protected,
            footnotes=footnotes.get(post_id, ())))
    return views


def fetch_protected(conn: sqlite3.Connection, ids: list[int]) -> set[int]:
    sql = "SELECT id FROM posts WHERE coalesce(password, '') != '' AND id IN ({marks})"
    return {row[0] for row in select_in(conn, sql, ids)}


def fetch_footnotes(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[tuple[str, str], ...]]:
    """The block editor keeps footnote texts in the `footnotes` meta, as JSON: [{"id", "content"}]."""
    sql = "SELECT post_id, value FROM postmeta WHERE +key = 'footnotes' AND post_id IN ({marks})"
    found = {}
    for post_id, value in select_in(conn, sql, ids):
        try:
            notes = json.loads(value or "[]")
        except (ValueError, RecursionError):
            continue
        if isinstance(notes, list):
            found[post_id] = tuple((str(n.get("id", "")), str(n.get("content", ""))) for n in notes
                                   if isinstance(n, dict) and n.get("id"))
    return found


# (the file's text, unknown shortcodes, a warning when the post could not be converted)
Rendered = tuple[str, tuple[str, ...], str | None]
MAX_REASON = 200


def render_chunk(conn: sqlite3.Connection, targets: list[Target], style: Style, mode: str) -> list[Rendered]:
    return [render_or_keep(view, style) for view in fetch_views(conn, targets, mode)]


def render_or_keep(post: PostView, style: Style) -> Rendered:
    """render_post_counted(), or when that fails on some crafted post (any exception: one post must
    never stop the others), the file with the post's body kept as raw HTML and a warning."""
    try:
        text, unknown = render_post_counted(post, style)
        return text, unknown, None
    except Exception as error:  # reported as a warning naming the post
        reason = " ".join(f"{type(error).__name__}: {error}".split())[:MAX_REASON]
    left_out = " and its comments left out" if post.comments else ""
    warning = f"post {post.id}: could not be converted ({reason}); written with its body kept as HTML{left_out}"
    try:
        matter = dump_front_matter(layout_keys(canonical_front_matter(post, style), style.layout))
    except Exception:  # the bare minimum still names the post
        matter = f"wordpress_id: {post.id}\n"
    body = post.content.strip("\n")
    return f"---\n{matter}---\n" + (f"\n{body}\n" if body.strip() else ""), (), warning


# --- rendering in worker processes ----------------------------------------------------------------

_worker: tuple[sqlite3.Connection, Style, str] | None = None


def open_read_only(path: str) -> sqlite3.Connection:
    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def start_worker(path: str, style: Style, mode: str) -> None:
    global _worker
    _worker = (open_read_only(path), style, mode)


def render_in_worker(targets: list[Target]) -> list[Rendered]:
    assert _worker is not None, "start_worker runs first in every pool process"
    conn, style, mode = _worker
    return render_chunk(conn, targets, style, mode)


def process_count(conn: sqlite3.Connection, targets: list[Target], options: MarkdownOptions) -> int:
    """1, or how many worker processes render: only with many posts, and a database file they can open."""
    workers = min(options.workers or os.cpu_count() or 1, len(targets))
    if len(targets) <= options.pool_threshold or workers < 2 or not database_file(conn):
        return 1
    return workers


def rendered_posts(conn: sqlite3.Connection, targets: list[Target], options: MarkdownOptions,
                   workers: int) -> Iterator[Rendered]:
    """Each target's (text, unknown shortcodes), in the targets' order, from one process or many."""
    style = Style(options.layout, options.keep_permalinks, options.comments == "all", options.links)
    # Up to CHUNK posts per query batch; smaller when there are few, so every worker gets some.
    size = max(1, min(CHUNK, -(-len(targets) // (workers * 4))))
    chunks = [targets[i : i + size] for i in range(0, len(targets), size)]
    if workers == 1:
        for chunk in chunks:
            yield from render_chunk(conn, chunk, style, options.comments)
        return
    with multiprocessing.get_context().Pool(workers, initializer=start_worker,
                                            initargs=(database_file(conn), style, options.comments)) as pool:
        for results in in_order(pool, chunks, ahead=workers * 2):
            yield from results


def in_order(pool: Pool, chunks: list[list[Target]], ahead: int) -> Iterator[list[Rendered]]:
    """pool.imap, but with at most `ahead` chunks in flight: imap lets workers run arbitrarily far
    ahead of the writing, and their finished text piles up in memory."""
    pending: deque[AsyncResult[list[Rendered]]] = deque()
    for chunk in chunks:
        pending.append(pool.apply_async(render_in_worker, (chunk,)))
        if len(pending) >= ahead:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


# --- writing --------------------------------------------------------------------------------------


def load_manifest(folder: SiteFolder, stats: MarkdownStats) -> dict[str, str]:
    """The sha256 of every file wxr2db wrote into OUTDIR before, by relative path."""
    try:
        data = folder.read(MANIFEST)
        if data is None:
            return {}
        files = json.loads(data.decode("utf-8")).get("files", {})
        return {str(k): str(v) for k, v in files.items()}
    except (ValueError, AttributeError, RecursionError, OSError, RefusedPath):
        stats.warnings.append(f"{folder.root / MANIFEST} is unreadable; every existing file counts as edited")
        return {}


def save_manifest(folder: SiteFolder, manifest: dict[str, str], stats: MarkdownStats) -> None:
    data = {"about": "Files wxr2db wrote, with their sha256; unedited ones may be rewritten.", "version": 1,
            "files": dict(sorted(manifest.items()))}
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    try:
        folder.write(MANIFEST, text.encode("utf-8"))
    except (OSError, RefusedPath) as error:
        stats.fail(MANIFEST, reason_of(error))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def reason_of(error: OSError | RefusedPath) -> str:
    return str(error) if isinstance(error, RefusedPath) else error.strerror or str(error)


def existing_reason(current: bytes, rel: str, data: bytes, manifest: dict[str, str],
                    overwrite: bool) -> str | None:
    """Why an existing file must be kept ("" when it already holds exactly this text), or None."""
    if current == data:
        return ""
    if overwrite:
        return None
    if rel not in manifest:
        return "not made by wxr2db"
    return None if manifest[rel] == sha256(current) else "edited by you"


@dataclass
class Writer:
    folder: SiteFolder
    manifest: dict[str, str]
    options: MarkdownOptions
    stats: MarkdownStats

    def write(self, rel: str, text: str) -> None:
        try:
            self.write_inside(rel, text.encode("utf-8"))
        except (OSError, RefusedPath) as error:
            self.stats.fail(rel, reason_of(error))

    def write_inside(self, rel: str, data: bytes) -> None:
        current = self.folder.read(rel)
        if current is not None:
            reason = existing_reason(current, rel, data, self.manifest, self.options.overwrite)
            if reason:
                self.stats.skipped[reason] += 1
                return
            if reason == "":
                self.manifest[rel] = sha256(data)
                self.stats.unchanged += 1
                return
        self.folder.write(rel, data)
        self.manifest[rel] = sha256(data)
        self.stats.written += 1


def check_options(options: MarkdownOptions) -> None:
    if options.layout not in LAYOUTS:
        raise WxrError(f"unknown layout {options.layout!r}", f"Choose one of {', '.join(LAYOUTS)}.")
    if options.templates and options.layout not in TEMPLATE_LAYOUTS:
        raise WxrError(f"--templates: no ready templates for --layout {options.layout}",
                       f"They exist for {', '.join(TEMPLATE_LAYOUTS)}.")
    if options.comments not in COMMENT_MODES:
        raise WxrError(f"unknown comment choice {options.comments!r}", f"Choose {', '.join(COMMENT_MODES)}.")


def export_markdown(db: Database, outdir: Path, options: MarkdownOptions | None = None,
                    progress: Progress | None = None,
                    media_progress: ProgressCallback | None = None) -> MarkdownStats:
    """Write the database's posts into outdir as Markdown files; returns what was written and skipped."""
    options = options or MarkdownOptions()
    check_options(options)
    check_database(db.conn, database_file(db.conn) or "the database")
    stats = MarkdownStats()
    targets = plan_targets(db.conn, options, stats)
    stats.warnings += deep_comment_warnings(db.conn, [t.post_id for t in targets], options.comments)
    with SiteFolder(outdir) as folder:
        manifest = load_manifest(folder, stats)
        writer = Writer(folder, manifest, options, stats)
        urls = public_urls(db.conn, targets, options)
        stats.site = prepare_site(db.conn, outdir, options.layout, urls, options.comments, options.site,
                                  media_progress)
        options = replace(options, links=stats.site.links)
        stats.processes = process_count(db.conn, targets, options)
        try:
            rendered = rendered_posts(db.conn, targets, options, stats.processes)
            for done, (target, (text, unknown, failure)) in enumerate(zip(targets, rendered, strict=True), 1):
                stats.unknown_shortcodes.update(unknown)
                if failure:
                    stats.warnings.append(failure)
                writer.write(target.path, text)
                if progress:
                    progress(done, len(targets))
            write_site_files(writer, stats, urls.values())
        finally:
            save_manifest(folder, manifest, stats)
        if options.templates:
            stats.templates_kept = write_templates(folder, options.layout)
    return stats


def public_urls(conn: sqlite3.Connection, targets: list[Target], options: MarkdownOptions) -> dict[int, str]:
    """Post id -> the URL the generator publishes it at: its old path with --keep-permalinks."""
    urls = {t.post_id: t.url for t in targets}
    if options.keep_permalinks:
        sql = "SELECT id, coalesce(link, '') FROM posts WHERE id IN ({marks})"
        for post_id, link in select_in(conn, sql, sorted(urls)):
            path = old_path(link)
            if path:
                urls[post_id] = "/" + path.strip("/") + "/"
    return urls


def write_site_files(writer: Writer, stats: MarkdownStats, live: Iterable[str]) -> None:
    """The redirect files asked for, and the list of links that point at nothing written."""
    files, stats.redirect_rules = redirect_files(stats.site, writer.options.layout, writer.options.site.redirects,
                                                 live)
    for rel, text in files.items():
        writer.write(rel, text)
    if not writer.options.site.redirects:
        stats.redirect_rules = None
    counts = stats.site.counts
    if counts is None:
        return
    # A report of this run, not a page of the site: never counted as written, and emptied (not left
    # stale) when a later run finds nothing unresolved.
    try:
        if counts.unresolved or writer.folder.read(UNRESOLVED_NAME) is not None:
            writer.folder.write(UNRESOLVED_NAME, render_unresolved(counts).encode("utf-8"))
    except (OSError, RefusedPath) as error:
        stats.fail(UNRESOLVED_NAME, reason_of(error))
