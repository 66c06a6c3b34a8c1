"""What a starter site needs to know about the blog: its title, tagline, language, time zone, menus and
the WordPress GUIDs of the written posts, read once from the database for `--templates`.

Everything here comes from the export, so it is untrusted: it only ever reaches the site as YAML or
JSON data (dumped, never pasted into a template), and menu URLs are kept only when they are local,
http(s) or mailto.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape, unescape
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ..content.plaintext import plain_text
from ..normalize import digits, utc_offset
from .layouts import HUGO_DROP, get_layout
from .links import SiteLinks

# Tried first, so a blog in California gets America/Los_Angeles, not a zone that matched by chance.
LIKELY_ZONES = ("UTC", "America/Los_Angeles", "America/Denver", "America/Phoenix", "America/Chicago",
                "America/New_York", "America/Halifax", "America/Sao_Paulo", "Europe/London", "Europe/Paris",
                "Europe/Stockholm", "Europe/Berlin", "Europe/Helsinki", "Europe/Moscow", "Asia/Kolkata",
                "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland")
MAX_SAMPLES = 400
SAFE_URL = re.compile(r"^(?:https?://|mailto:|/(?!/)|#)", re.IGNORECASE)
MENU_META = ("_menu_item_type", "_menu_item_object", "_menu_item_object_id", "_menu_item_url",
             "_menu_item_menu_item_parent")


@dataclass(frozen=True)
class MenuItem:
    identifier: str
    name: str
    url: str
    weight: int
    parent: str = ""


@dataclass(frozen=True)
class Term:
    taxonomy: str  # category or post_tag
    slug: str
    name: str
    description: str
    url: str  # the term's page in the new site


@dataclass(frozen=True)
class SiteFacts:
    title: str = "My site"
    tagline: str = ""
    language: str = "en"
    base_url: str = "/"
    timezone: str = "UTC"
    menus: dict[str, list[MenuItem]] = field(default_factory=dict)  # menu slug -> items, in order
    guids: dict[str, str] = field(default_factory=dict)  # new URL -> WordPress GUID, for the feed
    months: list[str] = field(default_factory=list)  # `2012/03` of every month with a written post
    descriptions: dict[str, str] = field(default_factory=dict)  # term URL -> the term's description
    terms: list[Term] = field(default_factory=list)  # every category and tag a written post has
    authors: list[str] = field(default_factory=list)  # the names shown, of the written posts' authors
    # UTC offset in minutes of each written post (`p1148`) and its comments (`c881`): JavaScript dates
    # lose the offset front matter gave, so Eleventy and Astro look it up to show the local time.
    offsets: dict[str, int] = field(default_factory=dict)


def site_facts(conn: sqlite3.Connection, layout: str, urls: Mapping[int, str],
               rewrite: Callable[[str], str] = str) -> SiteFacts:
    """`rewrite` points a menu's custom link at the new site, as the bodies' links are."""
    row = conn.execute("SELECT coalesce(title, ''), coalesce(description, ''), coalesce(language, ''), "
                       "coalesce(link, '') FROM site ORDER BY rowid LIMIT 1").fetchone() or ("", "", "", "")
    title, tagline, language, link = (plain_text(str(value or "")).strip() for value in row)
    return SiteFacts(title=title or "My site", tagline=tagline,
                     language=language if re.fullmatch(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*", language)
                     else "en",
                     base_url=link.rstrip("/") + "/" if re.match(r"https?://[^\s\"'<>]+$", link) else "/",
                     timezone=guess_timezone(conn), menus=menus(conn, layout, urls, rewrite), guids=guids(conn, urls),
                     months=post_months(conn, urls), descriptions=term_descriptions(conn, layout, urls),
                     terms=used_terms(conn, layout, urls), authors=author_list(conn, urls),
                     offsets=local_offsets(conn, urls) if layout in ("eleventy", "astro") else {})


def rewrite_url(links: SiteLinks | None, url: str) -> str:
    """A URL of the old site -> its new one, by the same scanner that rewrites the bodies' links."""
    if links is None or not url:
        return url
    html, _ = links.html(f'<a href="{escape(url, quote=True)}">', "")
    found = re.match(r'<a href="([^"]*)">', html)
    return unescape(found.group(1)) if found else url


# --- time zone ------------------------------------------------------------------------------------


def offset_samples(conn: sqlite3.Connection) -> list[tuple[datetime, timedelta]]:
    """(local time, UTC offset) pairs, one per month and offset: WordPress keeps each post's local
    and GMT time, so the offsets (with daylight saving) are in the export though its zone is not."""
    seen: dict[tuple[str, timedelta], datetime] = {}
    for local, gmt in conn.execute("SELECT date, date_gmt FROM posts WHERE post_type IN ('post', 'page') "
                                   "AND date_gmt > '0001'"):
        offset = utc_offset(local, gmt)
        if offset is None:
            continue
        try:
            moment = datetime.fromisoformat(local)
        except (TypeError, ValueError):
            continue
        seen.setdefault((str(local)[:7], offset), moment)
    return [(moment, offset) for (_, offset), moment in sorted(seen.items())][:MAX_SAMPLES]


def fits(zone_name: str, samples: list[tuple[datetime, timedelta]]) -> bool:
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return all(zone.utcoffset(moment) == offset for moment, offset in samples)


def guess_timezone(conn: sqlite3.Connection) -> str:
    """A zone name giving every post the offset WordPress gave it, so a generator shows (and Jekyll
    dates URLs by) the post's local date on any builder's clock."""
    samples = offset_samples(conn)
    if not samples:
        return "UTC"
    for name in (*LIKELY_ZONES, *sorted(available_timezones())):
        if not name.startswith(("Etc/", "posix/", "right/")) and fits(name, samples):
            return name
    offset, _ = Counter(o for _, o in samples).most_common(1)[0]
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    # Etc/GMT-2 is two hours ahead of UTC: POSIX signs are the other way round.
    return f"Etc/GMT{-hours:+d}" if not rest and hours else "UTC"


# --- menus and GUIDs ------------------------------------------------------------------------------


def menu_rows(conn: sqlite3.Connection) -> list[tuple[int, str, int, str, str, dict[str, str]]]:
    """(id, title, menu order, menu slug, menu name, meta) of each published menu item."""
    rows = conn.execute(
        "SELECT p.id, coalesce(p.title, ''), coalesce(p.menu_order, 0), t.slug, coalesce(t.name, '') "
        "FROM posts p JOIN post_terms pt ON pt.post_id = p.id JOIN terms t ON t.id = pt.term_id "
        "WHERE p.post_type = 'nav_menu_item' AND p.status = 'publish' AND t.taxonomy = 'nav_menu' "
        "ORDER BY t.slug, p.menu_order, p.id").fetchall()
    meta: dict[int, dict[str, str]] = {}
    marks = ", ".join("?" * len(MENU_META))
    for post_id, key, value in conn.execute(
            f"SELECT m.post_id, m.key, coalesce(m.value, '') FROM postmeta m JOIN posts p ON p.id = m.post_id "
            f"WHERE p.post_type = 'nav_menu_item' AND m.key IN ({marks})", MENU_META):
        meta.setdefault(post_id, {})[key] = value
    return [(*row, meta.get(row[0], {})) for row in rows]


def item_target(conn: sqlite3.Connection, layout: str, urls: Mapping[int, str],
                meta: dict[str, str], rewrite: Callable[[str], str]) -> tuple[str, str]:
    """The new URL and default title of what a menu item points at ("" when it points at nothing written)."""
    kind, object_id = meta.get("_menu_item_type", ""), meta.get("_menu_item_object_id", "")
    number = digits(object_id) or 0
    if kind == "post_type":
        row = conn.execute("SELECT coalesce(title, '') FROM posts WHERE id = ?", (number,)).fetchone()
        return urls.get(number, ""), plain_text(row[0]) if row else ""
    if kind == "taxonomy":
        row = conn.execute("SELECT taxonomy, slug, coalesce(name, '') FROM terms WHERE id = ?", (number,)).fetchone()
        url = get_layout(layout).term_url(row[0], row[1], plain_text(row[2])) if row else None
        return url or "", plain_text(row[2]) if row else ""
    url = rewrite(meta.get("_menu_item_url", "").strip())
    return (url if SAFE_URL.match(url) else ""), ""


def menus(conn: sqlite3.Connection, layout: str, urls: Mapping[int, str],
          rewrite: Callable[[str], str] = str) -> dict[str, list[MenuItem]]:
    """Each WordPress menu's items, with the URLs of the new site; the largest menu is also `main`
    (the export does not say which menu a theme location showed)."""
    found: dict[str, list[MenuItem]] = {}
    rows = menu_rows(conn)
    ids = {str(row[0]) for row in rows}
    for item_id, title, order, slug, _, meta in rows:
        url, default = item_target(conn, layout, urls, meta, rewrite)
        name = plain_text(title).strip() or default
        if not url or not name:
            continue
        parent = meta.get("_menu_item_menu_item_parent", "0")
        found.setdefault(slug, []).append(MenuItem(str(item_id), name, url, int(order),
                                                   parent if parent in ids else ""))
    if found:
        largest = max(sorted(found), key=lambda slug: len(found[slug]))
        found = {"main": found[largest], **found}
    return {slug: keep_reachable(items) for slug, items in found.items()}


def keep_reachable(items: list[MenuItem]) -> list[MenuItem]:
    """Items whose parent was dropped (it pointed at nothing written) move to the top level."""
    kept = {item.identifier for item in items}
    return [item if not item.parent or item.parent in kept else
            MenuItem(item.identifier, item.name, item.url, item.weight) for item in items]


def guids(conn: sqlite3.Connection, urls: Mapping[int, str]) -> dict[str, str]:
    """New URL (as the plan wrote it, and decoded, as generators spell it) -> the post's WordPress GUID.
    By URL, not id: a post whose id the export repeated has no `wordpress_id`, but a GUID all the same."""
    found: dict[str, str] = {}
    for post_id, guid in conn.execute("SELECT id, coalesce(guid, '') FROM posts WHERE post_type = 'post'"):
        url = urls.get(post_id)
        if url and guid.strip():
            found[url] = found[unquote(url)] = guid.strip()
    return found


def post_months(conn: sqlite3.Connection, urls: Mapping[int, str]) -> list[str]:
    found = {str(date)[:7].replace("-", "/") for post_id, date in conn.execute(
        "SELECT id, date FROM posts WHERE post_type = 'post' AND date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'")
        if post_id in urls}
    return sorted(found)


def term_descriptions(conn: sqlite3.Connection, layout: str, urls: Mapping[int, str]) -> dict[str, str]:
    """The description WordPress showed on a category or tag archive, by the term page's URL."""
    found: dict[str, str] = {}
    for post_id, taxonomy, slug, name, description in conn.execute(
            "SELECT pt.post_id, t.taxonomy, t.slug, coalesce(t.name, ''), t.description FROM terms t "
            "JOIN post_terms pt ON pt.term_id = t.id WHERE coalesce(t.description, '') != ''"):
        url = get_layout(layout).term_url(taxonomy, slug, plain_text(name)) if post_id in urls else None
        if url:
            found[url] = plain_text(description).strip()
    return found


def used_terms(conn: sqlite3.Connection, layout: str, urls: Mapping[int, str]) -> list[Term]:
    found: dict[tuple[str, str], Term] = {}
    for post_id, taxonomy, slug, name, description in conn.execute(
            "SELECT pt.post_id, t.taxonomy, coalesce(t.slug, ''), coalesce(t.name, ''), coalesce(t.description, '') "
            "FROM terms t JOIN post_terms pt ON pt.term_id = t.id WHERE t.taxonomy IN ('category', 'post_tag') "
            "ORDER BY t.taxonomy, t.slug"):
        url = get_layout(layout).term_url(taxonomy, slug, plain_text(name)) if post_id in urls else None
        if url and (taxonomy, slug) not in found:
            found[(taxonomy, slug)] = Term(taxonomy, slug, plain_text(name), plain_text(description).strip(), url)
    return list(found.values())


def author_list(conn: sqlite3.Connection, urls: Mapping[int, str]) -> list[str]:
    """The names front matter `author` holds (the display name, else the login)."""
    found = set()
    for post_id, name in conn.execute(
            "SELECT p.id, coalesce(nullif(a.display_name, ''), p.author) FROM posts p "
            "LEFT JOIN authors a ON a.login = p.author WHERE coalesce(p.author, '') != ''"):
        if post_id in urls and plain_text(name).strip():
            found.add(plain_text(name).strip())
    return sorted(found)


def local_offsets(conn: sqlite3.Connection, urls: Mapping[int, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for prefix, sql in (("p", "SELECT id, id, date, date_gmt FROM posts"),
                        ("c", "SELECT post_id, id, date, date_gmt FROM comments")):
        for post_id, item_id, local, gmt in conn.execute(sql):
            offset = utc_offset(local, gmt) if post_id in urls else None
            if offset is not None:
                found[f"{prefix}{item_id}"] = int(offset.total_seconds() // 60)
    return found


def author_page(layout: str, name: str) -> str:
    """The starter's page of an author: a Hugo taxonomy term (`authors`), or the page it writes."""
    if layout == "hugo":
        return f"/authors/{HUGO_DROP.sub('', name.strip().lower().replace(' ', '-'))}/"
    return f"/author/{author_slug(name)}/"


def author_redirects(conn: sqlite3.Connection, layout: str, urls: Mapping[int, str], home: str) -> dict[str, str]:
    """WordPress's author archives (`/author/LOGIN/`) -> the starter's author pages."""
    found: dict[str, str] = {}
    for post_id, login, name in conn.execute(
            "SELECT p.id, p.author, coalesce(nullif(a.display_name, ''), p.author) FROM posts p "
            "LEFT JOIN authors a ON a.login = p.author WHERE coalesce(p.author, '') != ''"):
        shown = plain_text(name).strip()
        if post_id in urls and shown and re.fullmatch(r"[\w.@-]+", login):
            found[f"{home}author/{login.lower()}/"] = author_page(layout, shown)
    return found


def author_slug(name: str) -> str:
    """Jekyll's `slugify` of a name: runs of anything but letters and digits become one dash."""
    return re.sub(r"[\W_]+", "-", name).strip("-").lower() or "author"


def facts_data(facts: SiteFacts) -> dict[str, Any]:
    """The facts as plain data, for a generator's data file."""
    return {"title": facts.title, "tagline": facts.tagline, "language": facts.language,
            "base_url": facts.base_url, "timezone": facts.timezone,
            "menus": {slug: [menu_entry(item) for item in items] for slug, items in facts.menus.items()},
            "guids": facts.guids, "descriptions": facts.descriptions,
            "term_urls": {taxonomy: {t.name: t.url for t in facts.terms if t.taxonomy == taxonomy}
                          for taxonomy in ("category", "post_tag")},
            "author_urls": {name: author_page("jekyll", name) for name in facts.authors},
            "offsets": facts.offsets, "months": facts.months}


def menu_entry(item: MenuItem) -> dict[str, Any]:
    entry: dict[str, Any] = {"identifier": item.identifier, "name": item.name, "url": item.url,
                             "weight": item.weight}
    return {**entry, "parent": item.parent} if item.parent else entry
