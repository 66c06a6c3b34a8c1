"""The typed records a WordPress export is read into.

Text fields hold the export's text as given (WordPress dates are still `YYYY-MM-DD HH:MM:SS`);
`normalize` turns them into what the sinks store.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Meta:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class Site:
    title: str = ""
    link: str = ""
    description: str = ""
    language: str = ""
    wxr_version: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    generator: str = ""
    exported_at: str = ""
    extra: dict[str, list[str]] = field(default_factory=dict)
    # True for the record that ends an export whose channel has elements after its first item: it
    # replaces the channel's first Site record (the same fields, and every element in extra).
    amends: bool = False


@dataclass(frozen=True, slots=True)
class Author:
    login: str
    id: int | None = None
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True, slots=True)
class Term:
    taxonomy: str
    slug: str
    name: str = ""
    id: int | None = None
    description: str = ""
    parent_slug: str = ""
    meta: tuple[Meta, ...] = ()


@dataclass(frozen=True, slots=True)
class PostTerm:
    """A `<category domain="..." nicename="...">` on an item."""

    taxonomy: str
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    parent_id: int | None = None
    author: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    date: str = ""
    date_gmt: str = ""
    content: str = ""
    approved: str = "1"
    type: str = "comment"
    user_id: int | None = None
    depth: int = 1
    meta: tuple[Meta, ...] = ()


@dataclass(frozen=True, slots=True)
class Post:
    id: int
    post_type: str = "post"
    status: str = ""
    title: str = ""
    slug: str = ""
    link: str = ""
    guid: str = ""
    author: str = ""
    date: str = ""
    date_gmt: str = ""
    modified: str = ""
    modified_gmt: str = ""
    pub_date: str = ""
    content: str = ""
    excerpt: str = ""
    description: str = ""
    parent_id: int | None = None
    menu_order: int = 0
    comment_status: str = ""
    ping_status: str = ""
    password: str = ""
    sticky: bool = False
    attachment_url: str = ""
    line: int = 0
    id_missing: bool = False  # the item had no wp:post_id: id is the reader's placeholder
    terms: tuple[PostTerm, ...] = ()
    meta: tuple[Meta, ...] = ()
    comments: tuple[Comment, ...] = ()
    extra: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in the export that was repaired or kept in a changed form, never dropped."""

    kind: str
    detail: str
    item: int | None = None


Record = Site | Author | Term | Post | Problem
