"""The links side of `wxr2db markdown`: media to fetch, the old site's URLs indexed, links rewritten, redirects.

Independent of how posts are rendered: it reads the posts it is told about from the database, and
gives the renderer a `SiteLinks` that rewrites a post's HTML before it becomes Markdown.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..content.attachments import named_attachments
from ..content.plaintext import plain_text
from ..errors import WxrError
from ..links.redirects import dropped_warnings, plan_redirects, render_redirects
from ..links.rewrite import URL_IN_TEXT, LinkCounts, rewrite_file_urls, rewrite_links
from ..links.urls import (
    AttachmentUrl,
    PostUrl,
    TermUrl,
    UrlIndex,
    build_index,
    norm_host,
    site_bases,
)
from ..media.fetch import (
    FetchOptions,
    FetchReport,
    MediaSource,
    ProgressCallback,
    fetch_media,
    iter_jobs,
    write_failures,
)
from ..outdir import SiteFolder
from ..sqlite import store
from . import extras
from .layouts import get_layout

UNRESOLVED_NAME = ".wxr2db-unresolved-links.tsv"


def media_urls(conn: sqlite3.Connection, ids: Sequence[int], comments: str) -> list[str]:
    """Every uploads URL the written posts use, first use first: in their HTML and shortcodes (img
    src, srcset, links, [audio]/[video] sources), their featured images and podcast enclosures, and
    the attachments their galleries and builder modules may show (attached to them, or named by id)."""
    seen: dict[str, None] = {}
    gallery: list[int] = []  # the attachments galleries name: their originals and thumbnails
    for post in store.iter_post_html(conn, ids, comments):
        for piece in post.pieces:
            for found in URL_IN_TEXT.finditer(piece):
                seen.setdefault(found.group().replace("&amp;", "&").rstrip(".,;:"), None)
            gallery += named_attachments(piece)
    wanted = set(ids)
    for url in store.featured_urls(conn, ids):
        seen.setdefault(str(url), None)
    for url in enclosure_urls(conn, ids):
        seen.setdefault(url, None)
    attachments = store.attachment_rows(conn)
    for attachment in attachments:
        if attachment.parent_id in wanted:
            seen.setdefault(attachment.url, None)
    gallery += [a.id for a in attachments if a.parent_id in wanted]
    for original, thumbnail, _, _ in store.gallery_images(conn, gallery).values():
        seen.setdefault(original, None)
        seen.setdefault(thumbnail, None)
    hosts = own_hosts([*site_bases_of(conn), *(a.url for a in attachments)])
    return [job.url for job in iter_jobs(seen) if host_of(job.url) in hosts]


def enclosure_urls(conn: sqlite3.Connection, ids: Sequence[int]) -> list[str]:
    """The `enclosure` URL of each post, as its front matter writes it (the key its copy is found by)."""
    entries = (extras.enclosure_entry(meta["enclosure"]) for meta in
               store.post_meta_values(conn, ids, ("enclosure",)).values())
    return [entry["enclosure"]["url"] for entry in entries if entry]


def host_of(url: str) -> str:
    try:
        return norm_host(urlsplit(url).hostname or "")
    except ValueError:
        return ""


def own_hosts(urls: Iterable[str]) -> set[str]:
    """The hosts the site's files live on: its own, its attachments', and on WordPress.com
    `NAME.files.wordpress.com` for `NAME.wordpress.com`. Another site's `wp-content/uploads` that a
    post links to is that site's file, never fetched."""
    hosts = {host for host in map(host_of, urls) if host}
    return hosts | {f"{h.removesuffix('.wordpress.com')}.files.wordpress.com" for h in hosts
                    if h.endswith(".wordpress.com")}


def local_urls(report: FetchReport) -> dict[str, str]:
    """Old URL -> root-relative URL of every file now in the site."""
    return {url: "/" + quote(dest) for url, dest in report.fetched().items()}


# --- the index, and rewriting ---------------------------------------------------------------------


@dataclass
class SiteLinks:
    """What the renderer asks: a post's HTML with links rewritten, a file's new URL."""

    index: UrlIndex
    files: dict[str, str] = field(default_factory=dict)  # old file URL -> local URL, fetched ones only
    rewrite: bool = True

    def html(self, text: str, base: str) -> tuple[str, LinkCounts]:
        if not self.rewrite or not text:
            return text, LinkCounts()
        return rewrite_links(text, self.index, base)

    def text(self, markdown: str) -> str:
        """Fetched files named outside HTML attributes (`[audio mp3="…"]`, `[video https://…]`) point
        at their copies: done on the rendered Markdown, after the shortcodes were read as WordPress
        reads them (a bare `[audio /a.mp3]` is not one it plays)."""
        return rewrite_file_urls(markdown, self.files)

    def file(self, url: str) -> str:
        return self.files.get(url, url) if self.rewrite else url


def site_bases_of(conn: sqlite3.Connection) -> list[str]:
    row = store.site_row(conn)
    return site_bases(row.link, row.base_site_url, row.base_blog_url) if row else []


def term_urls(conn: sqlite3.Connection, layout: str, ids: Sequence[int]) -> list[TermUrl]:
    """The category and tag archives the generator builds: terms that a written post has."""
    generator = get_layout(layout)
    terms: dict[int, TermUrl] = {}
    for term in store.term_url_rows(conn, ids):
        taxonomy, slug = str(term.taxonomy), str(term.slug)
        # Names are stored HTML-escaped (`&amp;`); the front matter, and so the generator, has them decoded.
        url = generator.term_url(taxonomy, slug, plain_text(str(term.name)) or slug)
        if url is not None:
            terms[term.id] = TermUrl(taxonomy, slug, term.id, url, str(term.parent_slug))
    return [terms[k] for k in sorted(terms)]


def build_site_index(conn: sqlite3.Connection, layout: str, urls: Mapping[int, str],
                     files: Mapping[str, str], redirects: bool = True) -> UrlIndex:
    """The index of the old site's URLs: the posts written (`urls`: post id -> new URL), every
    attachment (its fetched copy when there is one, else its file on the old host), the terms."""
    ids = sorted(urls)
    posts = [PostUrl(r.id, r.post_type, r.link, r.guid, urls[r.id]) for r in store.post_url_rows(conn, ids)]
    attachments = [AttachmentUrl(a.id, a.link, a.guid, a.url, files.get(a.url, ""))
                   for a in store.attachment_rows(conn)]
    return build_index(site_bases_of(conn), posts, attachments, term_urls(conn, layout, ids), files,
                       redirects=redirects)


def render_unresolved(counts: LinkCounts) -> str:
    lines = ["link\ttimes"]
    lines += [f"{url.replace(chr(9), ' ')}\t{n}" for url, n in sorted(counts.unresolved.items())]
    return "\n".join(lines) + "\n"


def summary(counts: LinkCounts | None, report: FetchReport | None, redirects: int | None) -> str:
    parts = []
    if counts is not None:
        parts.append(f"links rewritten {sum(counts.rewritten.values())}, unresolved {counts.unresolved.total()}"
                     + (f" (listed in {UNRESOLVED_NAME})" if counts.unresolved else ""))
    if report is not None:
        got = report.counts()
        reasons = report.failures_by_reason()
        why = f" ({', '.join(f'{n} {r}' for r, n in reasons.items())})" if reasons else ""
        parts.append(f"media: {got['downloaded']} downloaded, {got['reused']} reused, {got['copied']} copied, "
                     f"{got['failed']} failed{why}")
    if redirects is not None:
        parts.append(f"{redirects} redirect rules")
    return "; ".join(parts)


# --- one call for export_markdown -----------------------------------------------------------------


@dataclass(frozen=True)
class SiteOptions:
    """`--no-rewrite-links`, `--media`/`--media-from` (None: offline), `--redirects`."""

    rewrite_links: bool = True
    media: MediaSource | None = None
    fetch: FetchOptions = field(default_factory=FetchOptions)
    redirects: tuple[str, ...] = ()


@dataclass
class SiteWork:
    """What `prepare_site` found and did, for the renderer and the summary."""

    links: SiteLinks | None = None
    index: UrlIndex | None = None
    report: FetchReport | None = None
    counts: LinkCounts | None = None


def static_folder(outdir: Path, layout: str) -> Path:
    """The folder the generator publishes as it is, made when missing; never a symlink out of OUTDIR."""
    root = get_layout(layout).static_root
    if not root:
        return outdir
    path = outdir / root
    with suppress(FileExistsError):
        os.mkdir(path)
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        raise WxrError(f"{path} is a symlink or a file, not a folder",
                       "Media go there; replace it with a folder of its own.")
    return path


def fetch_site_media(conn: sqlite3.Connection, folder: SiteFolder, layout: str, ids: Sequence[int], comments: str,
                     options: SiteOptions, progress: ProgressCallback | None) -> FetchReport:
    jobs = list(iter_jobs(media_urls(conn, ids, comments)))
    root = static_folder(folder.root, layout)
    source = options.media or MediaSource()
    report = fetch_media(jobs, root, folder.root, source, options.fetch, progress, folder)
    write_failures(report, folder)
    return report


def prepare_site(conn: sqlite3.Connection, folder: SiteFolder, layout: str, urls: Mapping[int, str], comments: str,
                 options: SiteOptions, progress: ProgressCallback | None = None) -> SiteWork:
    """Fetch the media asked for, then index the old URLs; `urls` are the written posts' new URLs."""
    work = SiteWork()
    ids = sorted(urls)
    if options.media is not None:
        work.report = fetch_site_media(conn, folder, layout, ids, comments, options, progress)
    files = local_urls(work.report) if work.report is not None else {}
    if options.rewrite_links or options.redirects:
        work.index = build_site_index(conn, layout, urls, files, redirects=bool(options.redirects))
    if options.rewrite_links and work.index is not None:
        work.links = SiteLinks(work.index, files)
        work.counts = LinkCounts()  # filled in as the posts are rendered
    elif files:
        # Links stay as they were; references to the files now in the site still point at them.
        work.links = SiteLinks(build_index(site_bases_of(conn), [], files=files), files)
    return work


def redirect_files(work: SiteWork, layout: str, formats: Sequence[str],
                   live: Iterable[str]) -> tuple[dict[str, str], int, list[str]]:
    """OUTDIR-relative name -> text of each redirect file, where the generator publishes static
    files, how many rules they hold, and a warning for each kind of rule left out."""
    if not formats or work.index is None:
        return {}, 0, []
    plan = plan_redirects(work.index.redirects.items(), live)
    root = get_layout(layout).static_root
    files = {f"{root}/{name}" if root else name: text for name, text in render_redirects(plan, formats).items()}
    return files, len(plan.redirects), dropped_warnings(plan)
