"""The starter site for each generator: layouts, a small stylesheet, and the config and data files
made from the export (title, tagline, language, time zone, menus, GUIDs).

Writes package data from wxr2db/site/templates/<layout>/ and the files `starter_files` makes into a
site, never over a file the user has.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping
from importlib.resources import files
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import yaml

from wxr2db.errors import WxrError
from wxr2db.outdir import SiteFolder
from wxr2db.site.starter import SiteFacts, author_redirects, author_slug, facts_data

if TYPE_CHECKING:  # importlib.resources.abc is new in Python 3.11; the package runs on 3.10
    from importlib.resources.abc import Traversable

LAYOUTS = ("hugo", "jekyll", "eleventy", "astro")
# Where each starter publishes its feed; WordPress's own feed addresses redirect there.
FEED_URLS = {"hugo": "/feed/index.xml", "jekyll": "/feed.xml", "eleventy": "/feed.xml", "astro": "/feed.xml"}
JEKYLL_PAGES = "wxr2db-pages"  # the term and author pages; a folder with `_` would be ignored by Jekyll

ROUTE_NAMES = ("[...slug]", "[...path]", "[slug]", "[id]")
# A file that is only written when none of these exist either: Hugo and Eleventy read the first config file
# it finds, so a second one next to the user's would be ignored or would replace theirs.
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "hugo.yaml": ("hugo.toml", "hugo.json", "config.toml", "config.yaml", "config.json", "config"),
    "_config.yml": ("_config.yaml", "_config.toml"),
    "eleventy.config.mjs": (".eleventy.js", "eleventy.config.js", "eleventy.config.cjs"),
    "astro.config.mjs": ("astro.config.js", "astro.config.ts", "astro.config.mts", "astro.config.cjs"),
    # Astro reads the first of these it finds (src/content/config.* before Astro 5).
    "src/content.config.ts": ("src/content.config.mjs", "src/content.config.js", "src/content.config.mts",
                              *(f"src/content/config.{ext}" for ext in ("mjs", "js", "mts", "ts"))),
    # A route of the user's for the same URLs: two catch-all routes in one folder clash, and Astro would
    # take ours first (it orders them by name).
    **{f"{folder}/[...id].astro": tuple(f"{folder}/{name}.astro" for name in ROUTE_NAMES)
       for folder in ("src/pages", "src/pages/posts")},
}


def feed_redirects(layout: str, home: str) -> dict[str, str]:
    """WordPress's feed addresses under the old front page (`/feed/`, `/?feed=rss2`) -> the starter's feed."""
    feed = FEED_URLS.get(layout)
    if feed is None:
        return {}
    return {f"{home}{old}": feed for old in ("feed/", "feed/rss2/", "feed/atom/", "?feed=rss2", "?feed=rss",
                                             "?feed=atom")}


def starter_redirects(conn: sqlite3.Connection, layout: str, urls: Mapping[int, str], home: str) -> dict[str, str]:
    """The old addresses the starter's own pages take over: the feed's and the author archives'."""
    return {**feed_redirects(layout, home), **author_redirects(conn, layout, urls, home)}


# The one stylesheet of every starter, and where each generator publishes files as they are.
STYLESHEET = {"hugo": "static/wxr2db.css", "jekyll": "assets/wxr2db.css", "eleventy": "wxr2db.css",
              "astro": "public/wxr2db.css"}


def template_files(layout: str) -> dict[str, str]:
    """Relative path (POSIX) -> text of every ready template for a layout."""
    if layout not in LAYOUTS:
        raise WxrError(f"no templates for layout {layout!r}", f"Choose {', '.join(LAYOUTS)}.")
    found: dict[str, str] = {}
    if layout in STYLESHEET:
        found[STYLESHEET[layout]] = (files("wxr2db.site") / "templates" / "wxr2db.css").read_text(encoding="utf-8")
    pending: list[tuple[Traversable, PurePosixPath]] = [(files("wxr2db.site") / "templates" / layout,
                                                         PurePosixPath())]
    while pending:
        folder, relative = pending.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                pending.append((entry, relative / entry.name))
            else:
                found[str(relative / entry.name)] = entry.read_text(encoding="utf-8")
    return dict(sorted(found.items()))


def dump_yaml(data: dict[str, Any]) -> str:
    text: str = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    return text


def hugo_config(facts: SiteFacts) -> str:
    data = facts_data(facts)
    config: dict[str, Any] = {
        "baseURL": facts.base_url, "title": facts.title, "languageCode": facts.language,
        "timeZone": facts.timezone, "paginate": 10,
        "params": {"description": facts.tagline},
        "taxonomies": {"category": "categories", "tag": "tags", "author": "authors"},
        # The feed is published at /feed/index.xml, WordPress's /feed/ as a folder; no feed per section.
        "outputFormats": {"RSS": {"path": "feed", "baseName": "index"}},
        "outputs": {"home": ["HTML", "RSS"], "section": ["HTML"], "taxonomy": ["HTML"], "term": ["HTML"]},
        "menus": data["menus"],
        "markup": {"goldmark": {"renderer": {"unsafe": True}}},
    }
    return "# wxr2db: the starter site's config, from the export. Set baseURL to where the site is published.\n" \
        + dump_yaml(config)


def archive_matter(facts: SiteFacts) -> dict[str, Any]:
    """The archive page; WordPress's year and month archives (`/2012/`, `/2012/03/`) redirect to it."""
    years = sorted({month[:4] for month in facts.months})
    return {"title": "Archives", "layout": "archives",
            "aliases": [f"/{when}/" for when in (*years, *facts.months)]}


def jekyll_config(facts: SiteFacts) -> str:
    config: dict[str, Any] = {
        "title": facts.title, "description": facts.tagline, "lang": facts.language, "url": facts.base_url.rstrip("/"),
        # Jekyll shows dates, and dates post URLs, in this zone, not in the zone of the machine that builds.
        "timezone": facts.timezone,
        # Where wxr2db's link rewriting and redirects expect the posts; no :categories, so a category
        # with spaces never becomes a folder.
        "permalink": "/:year/:month/:day/:title/",
        "plugins": ["jekyll-redirect-from", "jekyll-paginate"],
        "paginate": 10, "paginate_path": "/page/:num/",
        "include": ["_redirects", ".htaccess"],
        "defaults": [{"scope": {"path": "", "type": "posts"}, "values": {"layout": "post"}},
                     {"scope": {"path": "", "type": "pages"}, "values": {"layout": "page"}}],
    }
    return "# wxr2db: the starter site's config, from the export. Set url to where the site is published.\n" \
        + dump_yaml(config)


def file_word(text: str) -> str:
    """A file name from a slug, however the export spelled it; its page's URL is in its permalink."""
    return re.sub(r"[^\w.-]+", "-", unquote(text)).strip(".-")[:80] or "term"


def page_file(matter: dict[str, Any]) -> str:
    return "---\n" + dump_yaml(matter) + "---\n"


def jekyll_pages(facts: SiteFacts) -> dict[str, str]:
    """A page per category, tag and author (Jekyll makes none itself), and the archive."""
    archive = archive_matter(facts)
    pages = {"archives.html": page_file({"title": archive["title"], "layout": "wxr2db-archives",
                                         "permalink": "/archives/", "redirect_from": archive["aliases"]})}
    for term in facts.terms:
        kind = "Category" if term.taxonomy == "category" else "Tag"
        matter = {"layout": "wxr2db-term", "title": f"{kind}: {term.name}", "taxonomy": term.taxonomy,
                  "term": term.name, "permalink": term.url, **({"description": term.description}
                                                               if term.description else {})}
        pages[f"{JEKYLL_PAGES}/{term.taxonomy}-{file_word(term.slug)}.html"] = page_file(matter)
    for name in facts.authors:
        matter = {"layout": "wxr2db-author", "title": name, "author_name": name,
                  "permalink": f"/author/{author_slug(name)}/"}
        pages[f"{JEKYLL_PAGES}/author-{file_word(author_slug(name))}.html"] = page_file(matter)
    return pages


def starter_files(layout: str, facts: SiteFacts) -> dict[str, str]:
    """Relative path -> text of the config, data and pages made from the export."""
    data = json.dumps(facts_data(facts), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if layout == "hugo":
        return {"hugo.yaml": hugo_config(facts), "data/wxr2db.json": data,
                "content/archives.md": page_file(archive_matter(facts))}
    if layout == "jekyll":
        return {"_config.yml": jekyll_config(facts), "_data/wxr2db.json": data, **jekyll_pages(facts)}
    if layout == "eleventy":
        archive = {**archive_matter(facts), "layout": "wxr2db-archives.njk", "permalink": "/archives/"}
        return {"_data/wxr2db.json": data, "archives.md": page_file(archive)}
    if layout == "astro":
        # Astro's glob loader warns of a collection folder that does not exist (an export without pages).
        return {"src/data/wxr2db.json": data, "src/content/posts/.gitkeep": "", "src/content/pages/.gitkeep": ""}
    return {}


def write_templates(folder: SiteFolder, layout: str, facts: SiteFacts | None = None) -> list[str]:
    """Write the layout's templates into the site where no file (or alternative config) exists yet.

    Returns the relative paths that were skipped because something is already there; a path that
    passes through a symlink or a file inside the site is refused (RefusedPath) like any other.
    """
    skipped = []
    made = starter_files(layout, facts or SiteFacts())
    for relative, text in sorted({**template_files(layout), **made}.items()):
        names = (relative, *ALTERNATIVES.get(relative, ()))
        if any(folder.exists(name) for name in names) or not folder.create(relative, text.encode("utf-8")):
            skipped.append(relative)
    return skipped
