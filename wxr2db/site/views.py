"""What a post looks like to the renderer (PostView and its comments), read from the database a
chunk at a time, or made from a record `iter_records` yields."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Any

from ..content.attachments import named_attachments
from ..content.plaintext import plain_text
from ..normalize import decode_slug, plural, wp_date
from ..records import Comment, Meta, Post
from ..resolve.threads import sibling_key, thread_walk
from ..sqlite import store
from ..sqlite.store import CommentRow, PostText, TermRow
from . import extras
from .layouts import DRAFT_STATUSES
from .links import SiteLinks

# Replies nest in the front matter up to here; YAML writers recurse once per level.
# js-yaml (Eleventy, Astro) refuses front matter nested past 100 levels, two per comment level.
MAX_COMMENT_DEPTH = 48


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
    """content.links.Links for one post: attachment URLs by id, and the images attached to the post.
    Links in the HTML are rewritten before rendering (site/links.py), so `rewrite` keeps them."""

    urls: dict[int, str] = field(default_factory=dict)
    images: tuple[str, ...] = ()
    # For galleries: (original URL, thumbnail URL, caption, alt) by attachment id, and the ids of `images`.
    thumbnails: dict[int, tuple[str, str, str, str]] = field(default_factory=dict)
    image_ids: tuple[int, ...] = ()

    def url_for(self, attachment_id: int) -> str | None:
        return self.urls.get(attachment_id)

    def gallery_image(self, attachment_id: int) -> tuple[str, str, str, str] | None:
        return self.thumbnails.get(attachment_id)

    def attached_ids(self) -> list[int]:
        return list(self.image_ids)

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
    # Front matter from the post's meta (SEO, featured image alt and caption, enclosure): extras.py.
    extra: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)  # the custom fields --meta asked for


@dataclass(frozen=True, slots=True)
class Style:
    """How posts are rendered: the layout's name (see layouts.LAYOUTS) and the export's choices."""

    layout: str = "plain"
    keep_permalinks: bool = False
    comment_status: bool = False  # with --comments all, say which comments WordPress showed
    links: SiteLinks | None = None  # rewrites links and media references before rendering
    meta: tuple[tuple[str, str], ...] = ()  # --meta: (key or pattern, front matter name)


@dataclass(frozen=True, slots=True)
class Wanted:
    """One post to read: its id, and the slug and public URL planning gave it."""

    post_id: int
    slug: str
    url: str = ""


def is_draft(post: PostView) -> bool:
    return post.status in DRAFT_STATUSES


# --- comments -------------------------------------------------------------------------------------


def comment_tree(rows: list[CommentRow], everything: bool) -> tuple[CommentView, ...]:
    """Threads in the one thread order (resolve.threads). A reply whose parent is left out (not
    approved) is left out too: WordPress would not show it either. Replies deeper than
    MAX_COMMENT_DEPTH levels are written at that level, in thread order (see deep_comment_warnings).

    Built bottom-up without recursion, so a chain of any length costs time linear in its length."""
    shown = {row.id: row for row in rows if everything or row.approved == "1"}
    walk = thread_walk([(row.id, row.parent_id, sibling_key(row.id, row.date_gmt, row.date)) for row in shown.values()],
                       known={row.id for row in rows})
    kids: dict[int | None, list[CommentView]] = {}
    for comment_id, home in reversed(written_under(walk)):
        row = shown[comment_id]
        view = CommentView(row.id, row.author, row.author_url, row.date, row.date_gmt, row.content, row.approved,
                           row.type, tuple(reversed(kids.pop(row.id, []))))
        kids.setdefault(home, []).append(view)
    return tuple(reversed(kids.get(None, [])))


def written_under(walk: Iterable[tuple[int, int]]) -> list[tuple[int, int | None]]:
    """Each comment of a thread walk with the comment it is written under: its parent, or, past
    MAX_COMMENT_DEPTH, its ancestor at the level above that depth."""
    order: list[tuple[int, int | None]] = []
    ancestors: list[int] = []  # the walk's current chain, one comment per depth
    for comment_id, depth in walk:
        del ancestors[depth - 1 :]
        ancestors.append(comment_id)
        level = min(depth, MAX_COMMENT_DEPTH)
        order.append((comment_id, ancestors[level - 2] if level >= 2 else None))
    return order


def read_comments(conn: sqlite3.Connection, ids: list[int], mode: str) -> dict[int, tuple[CommentView, ...]]:
    if mode == "none":
        return {}
    trees = {post_id: comment_tree(rows, everything=mode == "all")
             for post_id, rows in store.post_comments(conn, ids).items()}
    return {post_id: tree for post_id, tree in trees.items() if tree}


def deep_comment_warnings(conn: sqlite3.Connection, ids: list[int], mode: str) -> list[str]:
    """One warning per post whose replies nest deeper than the front matter holds (comment_tree
    writes them at the deepest level); the depth stored at import says which."""
    if mode == "none":
        return []
    counts = store.deep_comment_counts(conn, ids, mode == "all", MAX_COMMENT_DEPTH)
    return [f"post {post_id}: {plural(n, 'comment')} nested deeper than {MAX_COMMENT_DEPTH} levels, "
            f"written at level {MAX_COMMENT_DEPTH}" for post_id, n in counts.items()]


# --- posts ----------------------------------------------------------------------------------------


def term_names(rows: Iterable[TermRow]) -> dict[str, list[str]]:
    """Taxonomy -> the names of the post's terms, as the front matter has them."""
    terms: dict[str, list[str]] = {}
    for row in rows:
        if row.taxonomy == "post_format":
            # Formats are stored as terms `post-format-gallery`; themes know them as `gallery`.
            value = row.slug.removeprefix("post-format-")
        else:
            value = plain_text(row.name) or row.slug  # names are stored HTML-escaped (`&amp;`)
        terms.setdefault(row.taxonomy, []).append(value)
    return terms


def read_views(conn: sqlite3.Connection, wanted: Sequence[Wanted], mode: str,
               meta: tuple[tuple[str, str], ...] = ()) -> list[PostView]:
    """PostViews for a chunk of posts, in the chunk's order, with a few queries for the whole chunk."""
    ids = [w.post_id for w in wanted]
    texts = store.post_texts(conn, ids)
    thumbnails = store.thumbnail_ids(conn, ids)
    named = {post_id: named_attachments(text.content) for post_id, text in texts.items()}
    urls = store.attachment_urls(conn, [*thumbnails.values(), *chain.from_iterable(named.values())])
    attached, terms = store.attached_images(conn, ids), store.post_terms(conn, ids)
    attached_ids = store.attached_image_ids(conn, ids)
    shown = store.gallery_images(conn, chain(*named.values(), *attached_ids.values()))
    authors = store.author_names(conn, [text.author for text in texts.values()])
    comments = read_comments(conn, ids, mode)
    footnotes, protected = store.post_footnotes(conn, ids), store.protected_posts(conn, ids)
    from_meta = extra_entries(conn, ids, texts, thumbnails, terms)
    fields = store.post_meta_rows(conn, ids) if meta else {}
    views = []
    for one in wanted:
        text = texts[one.post_id]
        views.append(view_of(
            text, one, author=authors.get(text.author, text.author), terms=term_names(terms.get(text.id, ())),
            image=urls.get(thumbnails.get(text.id, -1), ""),
            media=own_media(text.id, named[text.id], urls, shown, attached, attached_ids),
            comments=comments.get(text.id, ()),
            protected=text.id in protected, footnotes=footnotes.get(text.id, ()), extra=from_meta.get(text.id, {})))
    if meta:
        views = [replace(view, fields=extras.custom_fields(fields.get(view.id, []), meta)) for view in views]
    return views


def extra_entries(conn: sqlite3.Connection, ids: list[int], texts: dict[int, PostText], thumbnails: dict[int, int],
                  terms: dict[int, list[TermRow]]) -> dict[int, dict[str, Any]]:
    """Each post's front matter from its meta: SEO, the featured image's alt and caption, enclosure."""
    meta = store.post_meta_values(conn, ids, extras.META_KEYS)
    images = store.gallery_images(conn, thumbnails.values())
    site, tagline = store.site_names(conn)
    found: dict[int, dict[str, Any]] = {}
    for post_id, text in texts.items():
        values = {"title": plain_text(text.title), "site": plain_text(site), "tagline": plain_text(tagline),
                  "excerpt": plain_text(text.excerpt),
                  "category": next((t.name for t in terms.get(post_id, ()) if t.taxonomy == "category"), "")}
        own = meta.get(post_id, {})
        image = images.get(thumbnails.get(post_id, -1))
        entries = {**(extras.image_entries(image[2], image[3]) if image else {}),
                   **extras.seo_entries(own, values), **extras.enclosure_entry(own.get("enclosure", ""))}
        if entries:
            found[post_id] = entries
    return found


def own_media(post_id: int, named: list[int], urls: dict[int, str], shown: dict[int, tuple[str, str, str, str]],
              attached: dict[int, list[str]], attached_ids: dict[int, list[int]]) -> AttachmentMedia:
    """The post's own attachments out of its chunk's: what its body names, and the images attached to it."""
    own_ids = attached_ids.get(post_id, [])
    return AttachmentMedia({n: urls[n] for n in named if n in urls}, tuple(attached.get(post_id, ())),
                           {n: shown[n] for n in chain(named, own_ids) if n in shown}, tuple(own_ids))


def view_of(text: PostText, wanted: Wanted, author: str, terms: dict[str, list[str]], image: str,
            media: AttachmentMedia, comments: tuple[CommentView, ...], protected: bool,
            footnotes: tuple[tuple[str, str], ...], extra: dict[str, Any]) -> PostView:
    return PostView(text.id, text.title, wanted.slug, text.post_type, text.status, text.link, author, text.date,
                    text.date_gmt, text.modified, text.modified_gmt, text.content, text.excerpt, terms, image,
                    media, comments, wanted.url, protected, footnotes, extra)


# --- a record, without a database -----------------------------------------------------------------


def view_of_record(post: Post, comments: str = "approved", url: str = "") -> PostView:
    """The PostView of a record `iter_records` yields, as the database would give it, short of what
    other records hold: the author is named by login, and attachments (featured image, galleries by
    id) are not known. `comments` is none, approved or all."""
    terms = sorted(post.terms, key=lambda t: (t.taxonomy, t.name.lower()))
    text = PostText(post.id, post.title, post.post_type or "post", post.status, post.link, post.author,
                    wp_date(post.date), wp_date(post.date_gmt), wp_date(post.modified), wp_date(post.modified_gmt),
                    post.content, post.excerpt)
    thread = () if comments == "none" else comment_tree(comment_rows(post.comments), comments == "all")
    return view_of(text, Wanted(post.id, decode_slug(post.slug), url), author=post.author,
                   terms=term_names(TermRow(t.taxonomy, t.slug, t.name) for t in terms), image="",
                   media=AttachmentMedia(), comments=thread, protected=bool(post.password),
                   footnotes=record_footnotes(post.meta), extra=record_extras(post))


def record_extras(post: Post) -> dict[str, Any]:
    """extra_entries() for a record: its SEO and enclosure (the site's name is not known here)."""
    meta: dict[str, str] = {}
    for one in post.meta:
        meta.setdefault(one.key, one.value or "")
    values = {"title": plain_text(post.title), "excerpt": plain_text(post.excerpt)}
    return {**extras.seo_entries(meta, values), **extras.enclosure_entry(meta.get("enclosure", ""))}


def comment_rows(comments: Iterable[Comment]) -> list[CommentRow]:
    return [CommentRow(c.id, c.parent_id, c.author, c.author_url, wp_date(c.date), wp_date(c.date_gmt), c.content,
                       c.approved, c.type) for c in comments]


def record_footnotes(meta: Iterable[Meta]) -> tuple[tuple[str, str], ...]:
    found = [store.footnote_list(m.value) for m in meta if m.key == "footnotes"]
    return next((notes for notes in reversed(found) if notes is not None), ())
