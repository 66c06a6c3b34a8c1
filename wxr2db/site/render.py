"""A post's Markdown file, front matter and body, from a PostView (or a record): pure, no I/O."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

from ..content.body import render_body
from ..content.flavor import flavor_of
from ..content.markers import show_native
from ..content.plaintext import plain_text
from ..content.rendered import Rendered
from ..content.tables import PLAIN_TABLE
from ..links.rewrite import LinkCounts
from ..links.safe import UNSAFE_NOTE, safe_url
from ..records import Post
from .front_matter import dump_front_matter, layout_front_matter, site_time
from .layouts import get_layout
from .links import SiteLinks
from .views import AttachmentMedia, CommentView, PostView, Style, view_of_record

MAX_REASON = 200


class RenderedPost(NamedTuple):
    text: str  # the whole file
    unknown: tuple[str, ...]  # shortcodes no renderer knew, kept as text
    warning: str | None  # when the post could not be converted (its body kept as HTML), or was simplified
    links: LinkCounts  # what rewriting the post's links did
    unsafe: int = 0  # URLs dropped by links.safe's rule (javascript:, data:, …)
    converted: tuple[str, ...] = ()  # what render_body converted or dropped ("embed youtube", ...)


def render_post(post: PostView | Post, style: Style | None = None) -> str:
    """The Markdown file for a post: YAML front matter, then the body. Pure: no I/O.

    `post` is a PostView (what `views.read_views` reads from a database), or a `records.Post` as
    `iter_records` yields it, rendered without a database (see views.view_of_record for what that
    leaves out). `style` names the layout (see layouts.LAYOUTS); the default is plain."""
    view = view_of_record(post) if isinstance(post, Post) else post
    return render_post_counted(view, style)[0]


def render_post_counted(post: PostView, style: Style | None = None) -> tuple[str, tuple[str, ...]]:
    """The Markdown file for a post, and the names of the shortcodes no renderer knew."""
    style = style or Style()
    if style.links is not None:
        post = linked_view(post, style.links)[0]
    text, tally = render_linked(post, style)
    return text, tuple(tally.unknown)


class Tally:
    """What rendering a post and its comments came across: shortcodes no renderer knew, tables
    written as plain lines (see content.tables), URLs dropped by links.safe's rule, and what the
    body's conversion did (embeds, galleries, page builders ...)."""

    def __init__(self) -> None:
        self.unknown: list[str] = []
        self.plain_tables = 0
        self.unsafe = 0
        self.converted: tuple[str, ...] = ()

    def add(self, rendered: Rendered) -> None:
        self.unknown += rendered.unknown_shortcodes
        self.plain_tables += rendered.lossy.count(PLAIN_TABLE)
        self.unsafe += rendered.lossy.count(UNSAFE_NOTE)

    def warning(self, post_id: int) -> str | None:
        return f"post {post_id}: {self.plain_tables} {PLAIN_TABLE}" if self.plain_tables else None


def render_linked(post: PostView, style: Style) -> tuple[str, Tally]:
    """render_post_counted() of a post whose links are rewritten already, and what rendering it came
    across."""
    layout = get_layout(style.layout)
    body = render_body(post.content, post.media, post.footnotes, flavor_of(style.layout))
    tally = Tally()
    tally.add(body)
    tally.converted = body.notes
    markdown, teaser, extra = layout.excerpt(body, post.content)
    markdown, guards = layout.guard_templates(markdown)
    markdown = show_native(markdown, body.key, body.native)  # after the escaping of the post's own {{<
    # Custom fields never replace wxr2db's own keys; SEO's description replaces the summary's.
    entries = {**post.fields, **layout_front_matter(post, style, teaser), **post.extra, **extra, **guards}
    if body.maths:
        entries["math"] = True  # the starter templates load KaTeX only on these pages
    if post.image and safe_url(post.image) is None:
        tally.unsafe += 1  # and front_matter.canonical_front_matter left it out
    if post.comments:
        entries["comments"] = [comment_entry(c, style, tally) for c in post.comments]
    text = f"---\n{dump_front_matter(entries)}---\n"
    if markdown.strip():
        text += "\n" + markdown.rstrip("\n") + "\n"
    if style.links is not None:
        text = style.links.text(text)
    return text, tally


def comment_entry(comment: CommentView, style: Style, tally: Tally) -> dict[str, Any]:
    """A comment's front matter: its text Markdown guarded as the post's body is (Hugo's templates
    run it through markdownify, which runs shortcodes), its author's URL by links.safe's rule."""
    rendered = render_body(comment.content)
    tally.add(rendered)
    entry: dict[str, Any] = {"id": comment.id, "author": plain_text(comment.author)}
    if comment.author_url.strip():
        url = safe_url(comment.author_url)
        if url is None:
            tally.unsafe += 1
        else:
            entry["author_url"] = url
    date = site_time(comment.date, comment.date_gmt)
    if date is not None:
        entry["date"] = date
    if comment.type not in ("", "comment"):
        entry["type"] = comment.type  # pingback, trackback, or a plugin's note
    if style.comment_status:
        # comment_approved is 1 or 0, or the words spam and trash.
        entry["approved"] = {"1": True, "0": False}.get(comment.approved, comment.approved)
    entry["content"] = get_layout(style.layout).guard_templates(rendered.markdown.strip("\n"))[0]
    if comment.replies:
        entry["replies"] = [comment_entry(reply, style, tally) for reply in comment.replies]
    return entry


def linked_comment(comment: CommentView, links: SiteLinks, base: str, counts: LinkCounts) -> CommentView:
    replies = tuple(linked_comment(reply, links, base, counts) for reply in comment.replies)
    return replace(comment, content=linked_html(links, comment.content, base, counts), replies=replies)


def linked_html(links: SiteLinks, html: str, base: str, counts: LinkCounts) -> str:
    text, found = links.html(html, base)
    counts.add(found)
    return text


def linked_view(post: PostView, links: SiteLinks) -> tuple[PostView, LinkCounts]:
    """The post with links to the old site, and references to fetched media, pointing at the new
    one, and what rewriting did. Relative links are read against the post's old permalink, as a
    browser read them there."""
    counts = LinkCounts()
    thumbnails = {key: (links.file(url), links.file(thumb), caption, alt)
                  for key, (url, thumb, caption, alt) in post.media.thumbnails.items()}
    media = AttachmentMedia({key: links.file(url) for key, url in post.media.urls.items()},
                            tuple(links.file(url) for url in post.media.images), thumbnails, post.media.image_ids)
    content = linked_html(links, post.content, post.link, counts)
    excerpt = linked_html(links, post.excerpt, post.link, counts)
    comments = tuple(linked_comment(c, links, post.link, counts) for c in post.comments)
    extra = post.extra
    if "enclosure" in extra:  # a podcast's episode, fetched with the other media
        extra = {**extra, "enclosure": {**extra["enclosure"], "url": links.file(extra["enclosure"]["url"])}}
    linked = replace(post, content=content, excerpt=excerpt, image=links.file(post.image), media=media,
                     comments=comments, extra=extra)
    return linked, counts


def render_or_keep(post: PostView, style: Style) -> RenderedPost:
    """The post's file, or when converting fails on some crafted post (any exception: one post must
    never stop the others), the file with the post's body kept as raw HTML and a warning."""
    counts = LinkCounts()
    try:
        if style.links is not None:
            linked, counts = linked_view(post, style.links)
        else:
            linked = post
        text, tally = render_linked(linked, style)
        return RenderedPost(text, tuple(tally.unknown), tally.warning(post.id), counts, tally.unsafe,
                            tally.converted)
    except Exception as error:  # reported as a warning naming the post
        reason = " ".join(f"{type(error).__name__}: {error}".split())[:MAX_REASON]
    left_out = " and its comments left out" if post.comments else ""
    warning = f"post {post.id}: could not be converted ({reason}); written with its body kept as HTML{left_out}"
    return RenderedPost(kept_as_html(post, style), (), warning, counts)


def kept_as_html(post: PostView, style: Style) -> str:
    try:
        matter = dump_front_matter(layout_front_matter(post, style))
    except Exception:  # the bare minimum still names the post
        matter = f"wordpress_id: {post.id}\n"
    body = post.content.strip("\n")
    return f"---\n{matter}---\n" + (f"\n{body}\n" if body.strip() else "")
