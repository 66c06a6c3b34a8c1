"""Which posts are written, and where: a clash-free path and public URL for each, decided before any
is rendered (in post id order, so the result never depends on timing)."""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from ..links.redirects import fits_file_system
from ..sqlite import store
from ..sqlite.schema import INTERNAL_TYPES
from ..sqlite.store import PostRow
from .layouts import DRAFT_STATUSES, Layout, get_layout
from .names import post_segment
from .options import MarkdownOptions, MarkdownStats

# Trashed posts, and the empty placeholders WordPress creates when an editor opens "Add New".
GONE_STATUSES = frozenset({"trash", "auto-draft"})
MAX_PAGE_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Target:
    post_id: int
    path: str  # relative to OUTDIR, with forward slashes
    slug: str
    url: str = ""  # where the generator publishes the file


@dataclass(frozen=True)
class SitePlan:
    """Every file to write, in post id order, and the URL each written post is published at.

    `urls` (post id -> new URL) is what the old site's URLs are matched against: links.prepare_site
    indexes each post's old permalink, `?p=ID` and guid to it, for link rewriting and redirects."""

    targets: list[Target]
    urls: dict[int, str]

    @property
    def ids(self) -> list[int]:
        return [t.post_id for t in self.targets]


def old_path(link: str) -> str:
    """The path of the post's WordPress permalink, decoded, or "" for `/?p=123` style links (also in a
    subfolder, `/blog/?p=1`: that path is the old blog's home, not the post's)."""
    try:
        parts = urlsplit(link.strip())
        path = unquote(parts.path)
    except ValueError:  # `http://[x/`: no path a server could be asked for
        return ""
    return path if path.strip("/") and not parts.query else ""


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


def clash_key(path: str) -> str:
    """Names that differ only by case or Unicode form are one file on macOS and Windows."""
    return unicodedata.normalize("NFC", path).casefold()


@dataclass
class Claimed:
    """The paths taken so far (as clash keys), and for each first-choice path the next `-N` to try:
    10k posts with one slug would otherwise try 2, 3, ... again for every post (50M tries)."""

    taken: set[str] = field(default_factory=set)
    next_number: dict[str, int] = field(default_factory=dict)  # only for first choices that clashed
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


def claim_path(layout: Layout, row: PostRow, segments: list[str], claimed: Claimed) -> tuple[str, str]:
    """The first free path of `slug`, `slug-2`, `slug-3`, ... (numbers below the last one handed out
    for the same first choice are all taken: paths are never given back)."""
    first = clash_key(layout.path(row, segments))
    number = claimed.next_number.get(first, 1)
    while True:
        last = segments[-1] if number == 1 else f"{segments[-1]}-{number}"
        path = layout.path(row, [*segments[:-1], last])
        if is_free(path, claimed):
            claimed.taken.add(clash_key(path))
            claimed.folders.update(clash_key(str(p)) for p in PurePosixPath(path).parents)
            if own_folder(path):
                claimed.folders.add(clash_key(own_folder(path)))
            if number > 1:  # the first to claim `first` leaves no number: most paths never clash
                claimed.next_number[first] = number + 1
            if row.post_type == "page":  # only pages have children that take their segment
                claimed.segment[row.id] = last
            return path, last
        number += 1


def plan_targets(conn: sqlite3.Connection, options: MarkdownOptions, stats: MarkdownStats) -> list[Target]:
    """Every file to write, decided before any is rendered, in post id order."""
    layout = get_layout(options.layout)
    pages = store.load_pages(conn)
    claimed = Claimed()
    planned: list[tuple[int, str, str]] = []
    for row in store.iter_post_rows(conn, options.types):
        reason = skip_reason(row, options)
        if reason is not None:
            if reason:
                stats.skipped[reason] += 1
            continue
        segments = page_segments(row, pages, claimed.segment) if row.post_type == "page" else [
            post_segment(row.id, row.slug, row.title)]
        path, slug = claim_path(layout, row, segments, claimed)
        if slug != segments[-1]:
            stats.renamed += 1
            stats.warnings.append(f"post {row.id}: '{segments[-1]}' is taken; written as {path}")
        planned.append((row.id, path, slug))
    placed = layout.place([path for _, path, _ in planned])
    return [Target(post_id, path, slug, url) for (post_id, _, slug), (path, url) in zip(planned, placed, strict=True)]


def public_urls(conn: sqlite3.Connection, targets: list[Target], options: MarkdownOptions) -> dict[int, str]:
    """Post id -> the URL the generator publishes it at: its old path with --keep-permalinks."""
    urls = {t.post_id: t.url for t in targets}
    if options.keep_permalinks:
        for post_id, link in store.post_links(conn, sorted(urls)).items():
            path = old_path(link)
            if path and fits_file_system(path):
                urls[post_id] = "/" + path.strip("/") + "/"
    return urls


def long_path_warnings(conn: sqlite3.Connection, ids: list[int], keep_permalinks: bool) -> list[str]:
    """One warning per post whose old address no file system can hold as a page (a crafted or
    broken permalink): it gets no alias, or with --keep-permalinks keeps its planned URL."""
    done = "is published at its new URL" if keep_permalinks else "gets no alias from it"
    return [f"post {post_id}: its old address is longer than a file name or path may be; the post {done}"
            for post_id, link in store.post_links(conn, ids).items()
            if (path := old_path(link)) and not fits_file_system(path)]


def plan_site(conn: sqlite3.Connection, options: MarkdownOptions, stats: MarkdownStats) -> SitePlan:
    targets = plan_targets(conn, options, stats)
    return SitePlan(targets, public_urls(conn, targets, options))
