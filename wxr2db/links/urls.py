"""The old WordPress site's URLs -> the new site's: an index built once, then one dict lookup per link.

WordPress answers one post under many addresses: its permalink (`<link>`), `/?p=N`, `/?page_id=N`,
`/?attachment_id=N`, its `<guid>`, each with http or https, with or without `www.`, with or without
the trailing slash, percent-encoded or not, behind `/index.php/` on servers without rewrites. The
index folds every such spelling into one key, so `resolve` is a few dict lookups whatever the site
size, and building it is one pass over the posts, attachments and terms it is given.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from urllib.parse import parse_qsl, unquote, unquote_to_bytes, urljoin, urlsplit

from .safe import is_local

Kind = Literal["post", "page", "attachment", "file", "term", "home", "external", "unresolved-internal",
               "not-a-link"]
ID_QUERY = ("p", "page_id", "attachment_id")
# A post id is a MySQL BIGINT UNSIGNED: 20 digits at most. Longer "numbers" are not ids.
MAX_ID_DIGITS = 20
# WordPress's default archive bases; a custom taxonomy's default base is its own name.
DEFAULT_BASES = {"category": "category", "post_tag": "tag", "post_format": "type"}
# The query variables WordPress reads for each taxonomy's archive (`?cat=` takes the term id).
TERM_QUERY = {"category_name": "category", "tag": "post_tag", "post_format": "post_format"}


@dataclass(frozen=True, slots=True)
class PostUrl:
    """A written post: its id, type, the export's `<link>` and `<guid>`, and its new root-relative URL."""

    id: int
    post_type: str
    link: str
    guid: str
    url: str


@dataclass(frozen=True, slots=True)
class AttachmentUrl:
    """An attachment: its attachment page (`<link>`), guid, the file's URL, and where the file now is
    (root-relative) when media was fetched, else ""."""

    id: int
    link: str
    guid: str
    file_url: str
    local_url: str = ""


@dataclass(frozen=True, slots=True)
class TermUrl:
    taxonomy: str
    slug: str
    id: int | None
    url: str
    parent_slug: str = ""


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a link points at: `url` is the href to write (fragment kept), None to leave it alone."""

    kind: Kind
    url: str | None = None
    target_id: int | None = None


@dataclass(frozen=True, slots=True)
class Target:
    kind: Kind
    url: str
    id: int | None


@dataclass(frozen=True, slots=True)
class Parsed:
    """A web link split into the parts the index compares."""

    host: str | None  # normalised; None for a root-relative link
    path: str  # key form, see path_key
    query: tuple[tuple[str, str], ...]
    fragment: str


def norm_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    if not host.isascii():
        with suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    return host.removeprefix("www.")


def path_key(path: str) -> str:
    """One spelling per path: decoded, NFC, case-folded, no empty segments, no trailing slash.

    Case is folded because WordPress finds slugs case-insensitively (MySQL's collation); two files
    that differ only by case collide, and the first one indexed wins.
    """
    decoded = unicodedata.normalize("NFC", unquote(path, errors="replace"))
    return "/".join(part for part in decoded.split("/") if part).casefold()


ABSOLUTE = re.compile(r"https?://[^/?#\\]", re.IGNORECASE)


def parse(href: str, base: str) -> Parsed | None:
    """None for what is not a web link (mailto:, javascript:, a bare #fragment, junk)."""
    text = href.strip()
    if not text or text.startswith("#"):
        return None
    if not base or ABSOLUTE.match(text):
        # urljoin gives an absolute http(s) URL back as it is, part for part; most links are
        # absolute, and the same ones recur in every post.
        return parse_absolute(text)
    try:
        return parse_absolute(urljoin(base, text))
    except ValueError:  # `http://[x/` in the base
        return None


# An http(s) URL whose host is plain letters, digits, dots and hyphens (no user, no port) and that holds
# no space or control character: what urlsplit would make of it can be read off one match. Most
# links and every guid of a real export are of this form.
PLAIN_URL = re.compile(r"(https?)://([a-z0-9.-]+)(/[^?#\x00-\x20\x7f]*)?(?:\?([^#\x00-\x20\x7f]*))?"
                       r"(?:#([^\x00-\x20\x7f]*))?", re.IGNORECASE | re.ASCII)


@lru_cache(maxsize=4096)
def parse_absolute(url: str) -> Parsed | None:
    plain = PLAIN_URL.fullmatch(url)
    if plain is None:
        return parse_split(url)
    _, host, path, query, fragment = plain.groups()
    return Parsed(norm_host(host), path_key(path or ""),
                  tuple(parse_qsl(query, keep_blank_values=True)) if query else (), fragment or "")


def parse_split(url: str) -> Parsed | None:
    """parse_absolute for any URL, through urlsplit."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port
    except ValueError:  # `http://[x/`, a port that is not a number
        return None
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        return None
    query = tuple(parse_qsl(parts.query, keep_blank_values=True))
    return Parsed(norm_host(host) if host else None, path_key(parts.path), query, parts.fragment)


def with_fragment(url: str, fragment: str) -> str:
    return f"{url.split('#', 1)[0]}#{fragment}" if fragment else url


def post_id(value: str) -> int | None:
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS:
        return int(value)
    return None


@dataclass
class UrlIndex:
    """Built by `build_index`; read with `resolve`."""

    hosts: set[str] = field(default_factory=set)
    prefixes: list[str] = field(default_factory=list)  # the folders the blog's bases name, longest first
    home: str = "/"  # the front page's root-relative path: the first base's folder
    paths: dict[str, Target] = field(default_factory=dict)
    files: dict[str, Target] = field(default_factory=dict)  # by host/path, host "" for the site's own
    # Files whose folded key (path_key) two different files share (`Case.jpg`, `case.jpg`): these
    # are matched by their exact path only, so that each link points at its own bytes.
    exact_files: dict[str, Target] = field(default_factory=dict)
    folded_clashes: set[str] = field(default_factory=set)
    file_hosts: set[str] = field(default_factory=set)  # serving the site's uploads (example.files.wordpress.com)
    ids: dict[int, Target] = field(default_factory=dict)
    guids: dict[str, Target | None] = field(default_factory=dict)  # None: two posts claim it
    terms_by_id: dict[int, Target] = field(default_factory=dict)
    terms_by_slug: dict[tuple[str, str], Target] = field(default_factory=dict)
    bases: dict[str, str] = field(default_factory=dict)
    slugs: dict[str, Target | None] = field(default_factory=dict)  # None: two posts end in it
    redirects: dict[str, str] = field(default_factory=dict)  # old root-relative URL -> new URL
    keep_redirects: bool = True  # False when no redirect file is asked for: on a big site they take a quarter of it
    collisions: Counter[str] = field(default_factory=Counter)
    unsafe_files: int = 0  # attachments whose file URL is not the site's own: never a link or redirect target

    def resolve(self, href: str, base: str = "") -> Resolution:
        """What `href` points at. Relative links are read against `base` (the post's old permalink)."""
        parsed = parse(href, base)
        if parsed is None:
            return Resolution("not-a-link")
        own = parsed.host is None or parsed.host in self.hosts
        # Files are matched without their query: WordPress.com serves resized copies as `a.jpg?w=300`.
        key = f"{'' if own else parsed.host}/{parsed.path}"
        target = self.files.get(key)
        if key in self.folded_clashes:
            target = self.exact_files.get(exact_file_key(href, base, self.hosts))
        if target is None:
            target = self.lookup(parsed) if own else self.guids.get(guid_key(parsed.host or "", parsed))
        if target is not None:
            return found(target, parsed.fragment)
        return Resolution("unresolved-internal" if own or parsed.host in self.file_hosts else "external")

    def lookup(self, parsed: Parsed) -> Target | None:
        rest = self.site_path(parsed.path)
        if rest == "" or rest == "index.php":
            return self.query_target(parsed.query) or (self.paths.get("") if not parsed.query else None)
        return (self.paths.get(rest) or self.guids.get(guid_key("", parsed)) or self.archive_target(rest)
                or self.slugs.get(rest.rsplit("/", 1)[-1]))

    def site_path(self, key: str) -> str:
        """The path below the blog's own folder, without WordPress's `index.php/` for servers
        without rewrite rules (`/blog/index.php/2010/05/hello/`)."""
        for prefix in self.prefixes:
            if prefix and (key == prefix or key.startswith(prefix + "/")):
                key = key[len(prefix) + 1 :]
                break
        return key[len("index.php/") :] if key.startswith("index.php/") else key

    def query_target(self, query: Sequence[tuple[str, str]]) -> Target | None:
        values = dict(query)
        for name in ID_QUERY:
            number = post_id(values.get(name, ""))
            if number is not None:
                return self.ids.get(number)
        number = post_id(values.get("cat", ""))
        if number is not None:
            return self.terms_by_id.get(number)
        for name, value in query:
            taxonomy = TERM_QUERY.get(name, name)
            target = self.terms_by_slug.get((taxonomy, path_key(value.rsplit("/", 1)[-1])))
            if target is not None:
                return target
        return None

    def archive_target(self, rest: str) -> Target | None:
        """`category/parent/child`, `category/child`, `tag/x`, each maybe followed by `page/N`."""
        head, _, tail = rest.partition("/")
        taxonomy = self.bases.get(head)
        if taxonomy is None or not tail:
            return None
        segments = tail.split("/")
        if len(segments) >= 2 and segments[-2] == "page" and post_id(segments[-1]) is not None:
            segments = segments[:-2]
        return self.terms_by_slug.get((taxonomy, segments[-1])) if segments else None


def found(target: Target, fragment: str) -> Resolution:
    return Resolution(target.kind, with_fragment(target.url, fragment), target.id)


def guid_key(host: str, parsed: Parsed) -> str:
    """Guids are compared whole, query included; the site's own hosts all count as one ("")."""
    query = "&".join(f"{k}={v}" for k, v in sorted(parsed.query))
    return f"{host}/{parsed.path}?{query}"


# --- building -------------------------------------------------------------------------------------


def site_bases(link: str, base_site_url: str, base_blog_url: str) -> list[str]:
    """The export's addresses of the blog itself. `base_site_url` counts only on the blog's own host:
    on WordPress.com it is `https://wordpress.com/`, a different site; self-hosted, it is where
    WordPress's files live (`https://example.com/wp`), whose links are the blog's too."""
    bases = [url for url in (link, base_blog_url) if url.strip()]
    blog_hosts = {p.host for p in (parse(url, "") for url in bases) if p is not None and p.host}
    site = parse(base_site_url, "") if base_site_url.strip() else None
    if site is not None and site.host in blog_hosts:
        bases.append(base_site_url)
    return bases


def build_index(bases: Iterable[str], posts: Iterable[PostUrl], attachments: Iterable[AttachmentUrl] = (),
                terms: Iterable[TermUrl] = (), files: Mapping[str, str] | None = None,
                taxonomy_bases: Mapping[str, str] | None = None, redirects: bool = True) -> UrlIndex:
    """The index of every old URL given. `bases` are the site's addresses (see `site_bases`); `files`
    maps other fetched files (size variants) to their local URLs; `taxonomy_bases` overrides the
    archive bases (`{"category": "topics"}`) when the site changed them in Settings > Permalinks;
    redirects=False leaves out the redirects (old URL -> new URL) when no redirect file is written."""
    posts, attachments, terms = list(posts), list(attachments), list(terms)
    files = dict(files or {})
    index = UrlIndex(keep_redirects=redirects)
    note_hosts(index, bases, [*(p.link for p in posts), *(a.link for a in attachments)])
    index.paths[""] = Target("home", "/", None)
    for post in posts:
        add_post(index, post)
    for attachment in attachments:
        add_attachment(index, attachment)
    for old, new in files.items():
        add_file(index, old, Target("file", new, None))
    add_terms(index, terms, {**DEFAULT_BASES, **(taxonomy_bases or {})})
    for post in posts:
        add_guid(index, post.guid, index.ids.get(post.id))
    for attachment in attachments:
        add_guid(index, attachment.guid, index.ids.get(attachment.id))
    return index


def note_hosts(index: UrlIndex, bases: Iterable[str], others: Iterable[str]) -> None:
    """The site's hosts (its bases', and those its posts and files live on), and the folders the
    blog sits in (`/blog` for `https://example.com/blog`)."""
    prefixes = set()
    for url in bases:
        parsed = parse(url, "")
        if parsed is not None and parsed.host:
            index.hosts.add(parsed.host)
            if parsed.path:
                prefixes.add(parsed.path)
    for url in others:
        parsed = parse(url, "")
        if parsed is not None and parsed.host:
            index.hosts.add(parsed.host)
    index.prefixes = sorted(prefixes, key=len, reverse=True)
    first = next((url for url in bases if parse(url, "") is not None), "")
    index.home = old_root_relative(first).split("?", 1)[0].rstrip("/") + "/" if first else "/"


def target_kind(post_type: str) -> Kind:
    return "page" if post_type == "page" else "post"


def old_root_relative(url: str) -> str:
    """The path and query a browser asks the old server for, as the export spells them."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    path = "/" + parts.path.lstrip("/")  # `https://example.com//greek/x/`: one slash, as servers merge them
    return f"{path}?{parts.query}" if parts.query else path


def add_path(index: UrlIndex, url: str, target: Target) -> str | None:
    """Index `url`'s path; returns its key, or None when it has none (a `?p=N` link)."""
    parsed = parse(url, "")
    if parsed is None or parsed.query:
        return None
    rest = index.site_path(parsed.path)
    if not rest:
        return None
    known = index.paths.setdefault(rest, target)
    if known != target:
        index.collisions["path"] += 1
    return rest


def add_file(index: UrlIndex, url: str, target: Target) -> None:
    parsed = parse(url, "")
    if parsed is None or not parsed.path:
        return
    host = parsed.host or ""
    own = not host or host in index.hosts
    if not own and uploads_host(index, host, parsed.path):
        index.file_hosts.add(host)
    key = f"{'' if own else host}/{parsed.path}"
    known = index.files.setdefault(key, target)
    index.exact_files.setdefault(exact_file_key(url, "", index.hosts), target)
    if known != target:
        index.collisions["file"] += 1
        index.folded_clashes.add(key)


def exact_file_key(href: str, base: str, hosts: set[str]) -> str:
    """host/path with the path decoded to its exact bytes (not folded, not normalized), no query."""
    text = href.strip()
    try:
        parts = urlsplit(text if not base or ABSOLUTE.match(text) else urljoin(base, text))
        host = norm_host(parts.hostname or "")
    except ValueError:
        return ""
    path = unquote_to_bytes(parts.path).decode("utf-8", "surrogateescape")
    return f"{'' if not host or host in hosts else host}/" + "/".join(p for p in path.split("/") if p)


def uploads_host(index: UrlIndex, host: str, path: str) -> bool:
    """A host other than the blog's that serves its uploads: a CDN's copy of `wp-content/uploads`,
    or WordPress.com's `example.files.wordpress.com` for `example.wordpress.com`. Links there to
    files the export does not list count as unresolved, not as another site's."""
    name, _, rest = host.partition(".")
    return "wp-content/uploads/" in path or (rest == "files.wordpress.com" and f"{name}.wordpress.com" in index.hosts)


def add_redirect(index: UrlIndex, old: str, new: str) -> None:
    if old and index.keep_redirects:
        index.redirects.setdefault(old, new)


def add_post(index: UrlIndex, post: PostUrl) -> None:
    target = Target(target_kind(post.post_type), post.url, post.id)
    index.ids.setdefault(post.id, target)
    key = add_path(index, post.link, target)
    if key is not None:
        add_redirect(index, old_root_relative(post.link), post.url)
        add_slug(index, key.rsplit("/", 1)[-1], target)
    name = "page_id" if post.post_type == "page" else "p"
    add_redirect(index, f"{index.home}?{name}={post.id}", post.url)


def add_slug(index: UrlIndex, slug: str, target: Target) -> None:
    """A post is also found by the last part of its permalink alone, when no other post ends in it:
    WordPress answers a mistyped date (`/2018/11/03/block-button/` for `/2018/11/02/...`) with
    redirect_guess_404_permalink, which looks the slug up the same way."""
    if slug in index.slugs and index.slugs[slug] != target:
        index.slugs[slug] = None
    else:
        index.slugs[slug] = target


def add_attachment(index: UrlIndex, attachment: AttachmentUrl) -> None:
    """An attachment page shows one file: links to the page, and to the file, go to the file."""
    new = attachment.local_url or attachment.file_url
    if not new:
        return
    if not attachment.local_url and not own_file(index, attachment.file_url):
        # `javascript:…`, `//evil.example/x` or another host: as a redirect from the new domain
        # it would be an open redirect, as a link target in bodies a script or another site.
        index.unsafe_files += 1
        return
    target = Target("attachment", new, attachment.id)
    index.ids.setdefault(attachment.id, target)
    # A redirect leads somewhere on the new site: the fetched copy, or the file's path there when it
    # was on the site's own host (the uploads folder copied as it was); a file left on another host
    # (WordPress.com's) is a link target in bodies, never a redirect from the new domain.
    redirect = attachment.local_url or (old_root_relative(new) if is_local(new, index.hosts) else "")
    if add_path(index, attachment.link, target) is not None and redirect:
        add_redirect(index, old_root_relative(attachment.link), redirect)
    add_file(index, attachment.file_url, target)
    if redirect:
        add_redirect(index, f"{index.home}?attachment_id={attachment.id}", redirect)


def own_file(index: UrlIndex, url: str) -> bool:
    """An http(s) URL on the site's own hosts, or on WordPress.com's uploads host for the site."""
    wordpress_com = {f"{h.removesuffix('.wordpress.com')}.files.wordpress.com"
                     for h in index.hosts if h.endswith(".wordpress.com")}
    return is_local(url, index.hosts | wordpress_com)


def term_paths(terms: list[TermUrl]) -> dict[tuple[str, str], str]:
    """Each term's slug path through its parents (`parent/child`), as WordPress builds category
    archive URLs. Walks are bounded, so a parent loop in a broken export cannot hang."""
    parents = {(t.taxonomy, t.slug): t.parent_slug for t in terms}
    paths = {}
    for term in terms:
        chain, slug, seen = [term.slug], term.parent_slug, {term.slug}
        while slug and slug not in seen and (term.taxonomy, slug) in parents and len(chain) < 64:
            chain.append(slug)
            seen.add(slug)
            slug = parents[(term.taxonomy, slug)]
        paths[(term.taxonomy, term.slug)] = "/".join(reversed(chain))
    return paths


def add_terms(index: UrlIndex, terms: list[TermUrl], bases: Mapping[str, str]) -> None:
    paths = term_paths(terms)
    home = index.home
    for term in terms:
        base = bases.get(term.taxonomy, term.taxonomy)
        index.bases.setdefault(path_key(base), term.taxonomy)
        target = Target("term", term.url, term.id)
        index.terms_by_slug.setdefault((term.taxonomy, path_key(term.slug)), target)
        full = path_key(f"{base}/{paths[(term.taxonomy, term.slug)]}")
        index.paths.setdefault(full, target)
        add_redirect(index, f"{home}{base}/{paths[(term.taxonomy, term.slug)]}/", term.url)
        if term.id is not None:
            index.terms_by_id.setdefault(term.id, target)
            if term.taxonomy == "category" and term.id > 0:  # a negative id is wxr2db's own
                add_redirect(index, f"{home}?cat={term.id}", term.url)
        if term.taxonomy == "post_tag":
            add_redirect(index, f"{home}?tag={term.slug}", term.url)


def add_guid(index: UrlIndex, guid: str, target: Target | None) -> None:
    """A guid is the post's first address, sometimes on another host (a site moved or imported);
    it is matched whole and last. The site's front page is never a guid: WordPress.com gives it to
    pages (`<guid>https://example.wordpress.com/</guid>`)."""
    parsed = parse(guid, "")
    if parsed is None or target is None or not parsed.host:
        return
    own = parsed.host in index.hosts
    if own and not parsed.query and not index.site_path(parsed.path):
        return
    key = guid_key("" if own else parsed.host, parsed)
    if key in index.guids and index.guids[key] != target:
        index.guids[key] = None
        index.collisions["guid"] += 1
    else:
        index.guids[key] = target
