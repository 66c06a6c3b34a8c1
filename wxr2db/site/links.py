"""The links side of `wxr2db markdown`: media to fetch, the old site's URLs indexed, links rewritten, redirects.

Independent of how posts are rendered: it reads the posts it is told about from the database, and
gives the renderer a `SiteLinks` that rewrites a post's HTML before it becomes Markdown.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from ..content import plain_text
from ..errors import WxrError
from .fetch import FetchOptions, FetchReport, MediaSource, ProgressCallback, fetch_media, iter_jobs, write_failures
from .redirects import plan_redirects, render_redirects
from .urls import (
    AttachmentUrl,
    LinkCounts,
    PostUrl,
    TermUrl,
    UrlIndex,
    build_index,
    norm_host,
    rewrite_links,
    site_bases,
)

# Where each generator publishes files as they are (images, _redirects, .htaccess), relative to OUTDIR.
# Eleventy copies nothing by itself: its config needs `eleventyConfig.addPassthroughCopy("wp-content")`.
STATIC_ROOTS = {"hugo": "static", "jekyll": "", "eleventy": "", "astro": "public", "plain": ""}
# The taxonomy archive each generator builds: Hugo's are `/categories/x/` and `/tags/x/` by default;
# for the others wxr2db chooses WordPress's own `/category/x/` and `/tag/x/` (their templates decide).
TERM_BASES = {"hugo": {"category": "categories", "post_tag": "tags"}}
OTHER_TERM_BASES = {"category": "category", "post_tag": "tag"}
UNRESOLVED_NAME = ".wxr2db-unresolved-links.tsv"
FAILURES_NAME = ".wxr2db-media-failures.tsv"
# An absolute URL in text or a shortcode attribute (`[audio mp3="…"]`, `[video https://…]`): a flat
# character class, so one linear scan.
URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>\[\]()]+", re.IGNORECASE)
# Hugo's urlize of a term name: lower case, spaces as dashes, punctuation other than `-_.` dropped.
HUGO_DROP = re.compile(r"[^\w\-.]+")
IN_BATCH = 500


def public_url(layout: str, path: str) -> str:
    """The root-relative URL the generator publishes a Markdown file at (`_posts/2010-06-14-x.md` ->
    `/2010/06/14/x/` for Jekyll with `permalink: /:year/:month/:day/:title/`)."""
    pure = PurePosixPath(path)
    parts = list(pure.with_suffix("").parts)
    if layout == "hugo":
        parts = parts[1:-1] if pure.stem in ("index", "_index") else parts[1:]
    elif layout == "jekyll" and parts and parts[0] in ("_posts", "_drafts"):
        stem = parts[-1]
        dated = re.match(r"(\d{4})-(\d\d)-(\d\d)-(.+)", stem) if parts[0] == "_posts" else None
        parts = [*dated.groups()] if dated else [stem]
    elif layout == "jekyll" and parts and parts[0].startswith("_"):
        parts = [parts[0][1:], *parts[1:]]
    elif layout == "astro":
        parts = parts[3:] if parts[:3] == ["src", "content", "pages"] else parts[2:]
    return "/" + "".join(f"{quote(p)}/" for p in parts)


def term_url(layout: str, taxonomy: str, slug: str, name: str) -> str | None:
    base = TERM_BASES.get(layout, OTHER_TERM_BASES).get(taxonomy)
    if base is None:
        return None
    word = HUGO_DROP.sub("", name.strip().lower().replace(" ", "-")) if layout == "hugo" else slug
    return f"/{base}/{quote(word)}/" if word else None


def select_in(conn: sqlite3.Connection, sql: str, values: Sequence[int]) -> Iterator[tuple[object, ...]]:
    for start in range(0, len(values), IN_BATCH):
        batch = list(values[start : start + IN_BATCH])
        yield from conn.execute(sql.format(marks=", ".join("?" for _ in batch)), batch)


# --- what the written posts hold ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostHtml:
    """The HTML of one written post that links may be in: body, excerpt, comments to be written."""

    post_id: int
    link: str
    pieces: tuple[str, ...]


def iter_post_html(conn: sqlite3.Connection, ids: Sequence[int], comments: str) -> Iterator[PostHtml]:
    """Body, excerpt and the comments the chosen mode writes, per post, in `ids` order."""
    found: dict[int, list[str]] = {}
    links: dict[int, str] = {}
    for post_id, link, content, excerpt in select_in(
            conn, "SELECT id, coalesce(link, ''), coalesce(content, ''), coalesce(excerpt, '') FROM posts "
            "WHERE id IN ({marks})", ids):
        links[int(str(post_id))] = str(link)
        found.setdefault(int(str(post_id)), []).extend([str(content), str(excerpt)])
    if comments != "none":
        where = "" if comments == "all" else " AND approved = '1'"
        for post_id, text in select_in(conn, "SELECT post_id, coalesce(content, '') FROM comments "
                                       "WHERE post_id IN ({marks})" + where + " ORDER BY id", ids):
            found.setdefault(int(str(post_id)), []).append(str(text))
    for post_id in ids:
        yield PostHtml(post_id, links.get(post_id, ""), tuple(found.get(post_id, ())))


def attachment_rows(conn: sqlite3.Connection) -> list[tuple[int, int | None, str, str, str]]:
    """(id, parent id, link, guid, file URL) of every attachment with a file."""
    rows = conn.execute("SELECT id, parent_id, coalesce(link, ''), coalesce(guid, ''), attachment_url "
                        "FROM posts WHERE post_type = 'attachment' AND coalesce(attachment_url, '') != '' "
                        "ORDER BY id")
    return [(int(r[0]), r[1], str(r[2]), str(r[3]), str(r[4])) for r in rows]


def media_urls(conn: sqlite3.Connection, ids: Sequence[int], comments: str) -> list[str]:
    """Every uploads URL the written posts use, first use first: in their HTML and shortcodes (img
    src, srcset, links, [audio]/[video] sources), their featured images, and the attachments their
    galleries may show (attached to them, or named by id)."""
    seen: dict[str, None] = {}
    for post in iter_post_html(conn, ids, comments):
        for piece in post.pieces:
            for found in URL_IN_TEXT.finditer(piece):
                seen.setdefault(found.group().replace("&amp;", "&").rstrip(".,;:"), None)
    wanted = set(ids)
    for url in featured_urls(conn, ids):
        seen.setdefault(url, None)
    attachments = attachment_rows(conn)
    for _, parent, _, _, url in attachments:
        if parent in wanted:
            seen.setdefault(url, None)
    hosts = own_hosts([*site_row(conn), *(row[4] for row in attachments)])
    return [job.url for job in iter_jobs(seen) if host_of(job.url) in hosts]


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


def featured_urls(conn: sqlite3.Connection, ids: Sequence[int]) -> list[str]:
    sql = ("SELECT a.attachment_url FROM postmeta m JOIN posts a ON a.id = CAST(m.value AS INTEGER) "
           "WHERE +m.key = '_thumbnail_id' AND m.post_id IN ({marks}) AND coalesce(a.attachment_url, '') != ''")
    return [str(row[0]) for row in select_in(conn, sql, ids)]


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
        if not self.files:
            return markdown
        return URL_IN_TEXT.sub(lambda m: self.files.get(m.group(), m.group()), markdown)

    def file(self, url: str) -> str:
        return self.files.get(url, url) if self.rewrite else url


def site_row(conn: sqlite3.Connection) -> list[str]:
    row = conn.execute("SELECT coalesce(link, ''), coalesce(base_site_url, ''), coalesce(base_blog_url, '') "
                       "FROM site ORDER BY rowid LIMIT 1").fetchone()
    return site_bases(*row) if row else []


def term_urls(conn: sqlite3.Connection, layout: str, ids: Sequence[int]) -> list[TermUrl]:
    """The category and tag archives the generator builds: terms that a written post has."""
    sql = ("SELECT DISTINCT t.id, t.taxonomy, t.slug, coalesce(t.name, ''), coalesce(t.parent_slug, '') "
           "FROM post_terms pt JOIN terms t ON t.id = pt.term_id WHERE pt.post_id IN ({marks})")
    terms: dict[int, TermUrl] = {}
    for term_id, taxonomy, slug, name, parent in select_in(conn, sql, ids):
        # Names are stored HTML-escaped (`&amp;`); the front matter, and so the generator, has them decoded.
        url = term_url(layout, str(taxonomy), str(slug), plain_text(str(name)) or str(slug))
        if url is not None:
            terms[int(str(term_id))] = TermUrl(str(taxonomy), str(slug), int(str(term_id)), url, str(parent))
    return [terms[k] for k in sorted(terms)]


def build_site_index(conn: sqlite3.Connection, layout: str, urls: Mapping[int, str],
                     files: Mapping[str, str]) -> UrlIndex:
    """The index of the old site's URLs: the posts written (`urls`: post id -> new URL), every
    attachment (its fetched copy when there is one, else its file on the old host), the terms."""
    ids = sorted(urls)
    posts = [PostUrl(int(str(r[0])), str(r[1]), str(r[2]), str(r[3]), urls[int(str(r[0]))]) for r in select_in(
        conn, "SELECT id, coalesce(post_type, 'post'), coalesce(link, ''), coalesce(guid, '') FROM posts "
        "WHERE id IN ({marks})", ids)]
    attachments = [AttachmentUrl(a_id, link, guid, url, files.get(url, ""))
                   for a_id, _, link, guid, url in attachment_rows(conn)]
    return build_index(site_row(conn), posts, attachments, term_urls(conn, layout, ids), files)


def count_links(conn: sqlite3.Connection, links: SiteLinks, ids: Sequence[int], comments: str) -> LinkCounts:
    """What rewriting does to the written posts, counted over the same HTML the renderer rewrites."""
    total = LinkCounts()
    for post in iter_post_html(conn, ids, comments):
        for piece in post.pieces:
            total.add(links.html(piece, post.link)[1])
    return total


def render_unresolved(counts: LinkCounts) -> str:
    lines = ["link\ttimes"]
    lines += [f"{url.replace(chr(9), ' ')}\t{n}" for url, n in sorted(Counter(counts.unresolved).items())]
    return "\n".join(lines) + "\n"


def summary(counts: LinkCounts | None, report: FetchReport | None, redirects: int | None) -> str:
    parts = []
    if counts is not None:
        parts.append(f"links rewritten {sum(counts.rewritten.values())}, unresolved {len(counts.unresolved)}"
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
    if not STATIC_ROOTS[layout]:
        return outdir
    path = outdir / STATIC_ROOTS[layout]
    with suppress(FileExistsError):
        os.mkdir(path)
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        raise WxrError(f"{path} is a symlink or a file, not a folder",
                       "Media go there; replace it with a folder of its own.")
    return path


def fetch_site_media(conn: sqlite3.Connection, outdir: Path, layout: str, ids: Sequence[int], comments: str,
                     options: SiteOptions, progress: ProgressCallback | None) -> FetchReport:
    jobs = list(iter_jobs(media_urls(conn, ids, comments)))
    root = static_folder(outdir, layout)
    source = options.media or MediaSource()
    report = fetch_media(jobs, root, outdir, source, options.fetch, progress)
    write_failures(report, outdir, FAILURES_NAME)
    return report


def prepare_site(conn: sqlite3.Connection, outdir: Path, layout: str, urls: Mapping[int, str], comments: str,
                 options: SiteOptions, progress: ProgressCallback | None = None) -> SiteWork:
    """Fetch the media asked for, then index the old URLs; `urls` are the written posts' new URLs."""
    work = SiteWork()
    ids = sorted(urls)
    if options.media is not None:
        work.report = fetch_site_media(conn, outdir, layout, ids, comments, options, progress)
    files = local_urls(work.report) if work.report is not None else {}
    if options.rewrite_links or options.redirects:
        work.index = build_site_index(conn, layout, urls, files)
    if options.rewrite_links and work.index is not None:
        work.links = SiteLinks(work.index, files)
        work.counts = count_links(conn, work.links, ids, comments)
    elif files:
        # Links stay as they were; references to the files now in the site still point at them.
        work.links = SiteLinks(build_index(site_row(conn), [], files=files), files)
    return work


def redirect_files(work: SiteWork, layout: str, formats: Sequence[str],
                   live: Iterable[str]) -> tuple[dict[str, str], int]:
    """OUTDIR-relative name -> text of each redirect file, where the generator publishes static
    files, and how many rules they hold."""
    if not formats or work.index is None:
        return {}, 0
    plan = plan_redirects(work.index.redirects.items(), live)
    root = STATIC_ROOTS[layout]
    files = {f"{root}/{name}" if root else name: text for name, text in render_redirects(plan, formats).items()}
    return files, len(plan.redirects)
