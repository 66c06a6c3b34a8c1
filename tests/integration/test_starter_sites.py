"""The starter sites (`wxr2db markdown … --templates`) build with the real generators into sites a reader
can use: served on loopback, every link is followed and every post, page, term and old address checked.

Each export is built from an empty folder twice, under TZ=UTC and TZ=Pacific/Auckland: the two builds
must be the same site, as a hosting builder's clock must not move dates.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from xml.etree import ElementTree

import pytest
import yaml

from tests.generators import CACHE, ELEVENTY, astro_command, link_packages
from tests.helpers import CORPUS, CORPUS_REASON, SEED, uploads_copy, wxr2db
from tests.sitecheck import Crawl, crawl, front_matter, get, landing, serve, text_of
from tests.wxrbuild import crafted
from wxr2db.site.layouts import get_layout
from wxr2db.site.templates import FEED_URLS

pytestmark = pytest.mark.generators
# WXR2DB_CORPUS points at the corpus from a checkout that does not sit beside it (a git worktree).
SHARED = Path(os.environ.get("WXR2DB_CORPUS", CORPUS))
THEME_UNIT_TEST = SHARED / "WPTT__theme-unit-test__themeunittestdata.wordpress.xml"
PELICAN = SHARED / "getpelican__pelican__wordpressexport.xml"  # a real blog's export, WXR 1.1
ZONES = ("UTC", "Pacific/Auckland")
OUTPUT = {"hugo": "public", "jekyll": "_site", "eleventy": "_site", "astro": "dist"}
CONTENT = {"hugo": "content", "jekyll": ".", "eleventy": ".", "astro": "src/content"}
# A line of a generator's log about a problem; Astro lists every page it writes, a slug may say "error".
PROBLEM = re.compile(r"warn|error|deprecat", re.IGNORECASE)
ROUTE_LINE = re.compile(r"[├└▶]")


@dataclass
class Built:
    layout: str
    site: Path
    output: Path
    posts: dict[Path, dict[str, Any]]  # Markdown file -> front matter, of everything published
    guids: dict[int, str]


def command(layout: str) -> list[str]:
    if layout == "astro":
        return astro_command()
    if layout == "eleventy":
        if not ELEVENTY.is_file() or shutil.which("node") is None:
            pytest.skip(f"Eleventy not in {ELEVENTY.parent.parent.parent} "
                        f"(npm install --prefix {CACHE / 'eleventy'} @11ty/eleventy@3)")
        return ["node", str(ELEVENTY)]
    found = shutil.which(layout)
    if found is None:
        pytest.skip(f"{layout} not installed (apt-get install -y {layout})")
    return [found] if layout == "hugo" else [found, "build"]


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def generate(layout: str, site: Path, zone: str) -> str:
    done = subprocess.run(command(layout), cwd=site, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TZ": zone, "ASTRO_TELEMETRY_DISABLED": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


# A post whose front matter came from a hostile export (or a careless edit): every generator must show it as
# text, with no script and no javascript: URL in the built page.
HOSTILE_POST = {"hugo": "content/posts/hostile/index.md", "jekyll": "_posts/2020-01-02-hostile.md",
                "eleventy": "posts/hostile.md", "astro": "src/content/posts/hostile.md"}
HOSTILE = {"title": "<script>alert(1)</script>", "author": "<b>Mallory</b>", "wordpress_id": 999999,
           "enclosure": {"url": "javascript:alert(7)", "length": "1\"><x", "type": "audio/mpeg"},
           "comments": [{"id": 999998, "author": "<img src=x onerror=alert(2)>", "author_url": "javascript:alert(3)",
                         "content": "<script>alert(4)</script> **hi** [x](javascript:alert(5))"}]}


def add_hostile_post(site: Path, layout: str) -> None:
    image, date = ("heroImage", "pubDate") if layout == "astro" else ("image", "date")
    matter = {**HOSTILE, date: "2020-01-02T12:00:00+02:00", image: "javascript:alert(6)"}
    path = site / HOSTILE_POST[layout]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{yaml.safe_dump(matter, sort_keys=False)}---\n\nBody.\n", encoding="utf-8")


def check_nothing_runs(built: Built) -> None:
    for page in built.output.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        found = re.search(r"<script>alert|<img src=x|<b>Mallory|(?:href|src)=\"?\s*javascript:", text, re.IGNORECASE)
        assert found is None, (page, text[found.start() - 200: found.end() + 50] if found else "")


def published(site: Path, layout: str) -> dict[Path, dict[str, Any]]:
    found = {}
    for file in sorted((site / CONTENT[layout]).rglob("*.md")):
        if file.name == "archives.md" or {"_site", "vendor", "node_modules"} & set(file.parts):
            continue
        matter = front_matter(file)
        if "wordpress_id" in matter and matter.get("draft") is not True and matter.get("published") is not False:
            found[file] = matter
    return found


def build(tmp: Path, layout: str, export: Path, hostile: bool = False, *options: str) -> Built:
    outputs = []
    for zone in ZONES:
        site = tmp / zone.replace("/", "-") / layout
        done = wxr2db("markdown", export, site, "--layout", layout, "--templates", "--redirects", "netlify", "-q",
                      *options, timeout=600)
        assert done.returncode == 0, done.stderr
        if hostile:
            add_hostile_post(site, layout)
        if layout == "eleventy":
            (site / "node_modules").symlink_to(ELEVENTY.parent.parent.parent, target_is_directory=True)
        if layout == "astro":
            link_packages(site)
        log = generate(layout, site, zone)
        assert [line for line in log.splitlines() if PROBLEM.search(line) and not ROUTE_LINE.search(line)] == []
        outputs.append(site)
    first, second = (site / OUTPUT[layout] for site in outputs)
    assert digest(first) == digest(second)  # the builder's clock changed nothing
    db = tmp / f"{layout}.db"
    assert wxr2db("import", export, "--db", db).returncode == 0
    with sqlite3.connect(db) as conn:
        guids = dict(conn.execute("SELECT id, guid FROM posts WHERE post_type = 'post'").fetchall())
    return Built(layout, outputs[0], first, published(outputs[0], layout), guids)


def url_of(built: Built, file: Path) -> str:
    return unquote(get_layout(built.layout).public_url(file.relative_to(built.site).as_posix()))


def date_of(matter: dict[str, Any]) -> Any:
    return matter["pubDate"] if "pubDate" in matter else matter["date"]


def shown_date(value: Any) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return f"{moment:%B} {moment.day}, {moment.year}"


def check_built_site(built: Built) -> Crawl:
    with serve(built.output) as base:
        seen = crawl(base)
        # Only what wxr2db already reported: files of the old site the export never held.
        assert sorted(set(seen.broken) - reported_unresolved(built.site)) == []
        posts = {file: m for file, m in built.posts.items() if m.get("wordpress_id") in built.guids}
        check_home(built, seen, posts)
        check_pages(built, seen)
        check_terms(built, seen, posts)
        check_old_addresses(built, base)
        check_feed(built, base, posts)
    return seen


def reported_unresolved(site: Path) -> set[str]:
    report = site / ".wxr2db-unresolved-links.tsv"
    lines = report.read_text(encoding="utf-8").splitlines()[1:] if report.is_file() else []
    return {line.split("\t", 1)[0] for line in lines}


def check_home(built: Built, seen: Crawl, posts: dict[Path, dict[str, Any]]) -> None:
    newest = sorted(posts, key=lambda f: (str(date_of(posts[f])), f), reverse=True)[:3]
    assert [f for f in newest if f'href="{quote(url_of(built, f))}"' not in seen.pages["/"]] == []


def check_pages(built: Built, seen: Crawl) -> None:
    for file, matter in built.posts.items():
        page = seen.pages.get(url_of(built, file))
        assert page is not None, f"{url_of(built, file)} not reached from the home page"
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
        assert heading and text_of(heading.group(1)).strip() == (str(matter.get("title") or "") or "(no title)"), file
        if "_posts" in file.parts or "posts" in file.parts:
            assert shown_date(date_of(matter)) in text_of(page), file


def check_terms(built: Built, seen: Crawl, posts: dict[Path, dict[str, Any]]) -> None:
    """Each category and tag a post has gets a page (the starter's data file says where) linking the post."""
    found = [built.site / n for n in ("data/wxr2db.json", "_data/wxr2db.json", "src/data/wxr2db.json")]
    data = json.loads(next(f for f in found if f.is_file()).read_text(encoding="utf-8"))
    for file, matter in posts.items():
        for key, taxonomy in (("categories", "category"), ("tags", "post_tag")):
            for name in matter.get(key) or []:
                url = unquote(data["term_urls"][taxonomy][str(name)])
                assert f'href="{quote(url_of(built, file))}"' in "".join(
                    text for path, text in seen.pages.items() if path.startswith(url)), (url, file)


def check_old_addresses(built: Built, base: str) -> None:
    for file, matter in built.posts.items():
        for old in matter.get("aliases") or matter.get("redirect_from") or []:
            assert landing(base, old) == url_of(built, file), (old, file)


def check_feed(built: Built, base: str, posts: dict[Path, dict[str, Any]]) -> None:
    status, feed = get(base, FEED_URLS[built.layout])
    assert status == 200
    # WordPress's /feed/ redirects to it; no redirect leads back to the old host, which is going away.
    redirects = (built.output / "_redirects").read_text(encoding="utf-8")
    assert f"\n/feed/ {FEED_URLS[built.layout]} 301\n" in redirects
    assert re.findall(r" https?://\S+ 301", redirects) == []
    items = re.findall(r"<guid[^>]*>([^<]+)</guid>", feed)
    # Well-formed RSS 2.0; a podcast episode's enclosure has the three attributes RSS requires.
    for enclosure in ElementTree.fromstring(feed).iter("enclosure"):
        assert enclosure.get("url", "").startswith(("http://", "https://")) and enclosure.get("type")
        assert enclosure.get("length", "").isdigit()
    kept = [item for item in items if item in set(built.guids.values())]
    # The newest 20 posts; only the hand-made hostile post has no WordPress GUID (it gets its URL).
    assert len(kept) >= min(len(built.guids), len(items) - 1) > 0
    assert [item for item in items if item not in kept and not item.endswith("/hostile/")] == []


@pytest.mark.parametrize("layout", ["hugo", "jekyll", "eleventy", "astro"])
@pytest.mark.corpus
def test_real_blog_starter_site(tmp_path: Path, layout: str) -> None:
    if not PELICAN.is_file():
        pytest.skip(CORPUS_REASON)
    check_built_site(build(tmp_path, layout, PELICAN))


@pytest.mark.parametrize("layout", ["hugo", "jekyll", "eleventy", "astro"])
def test_fetched_media_is_published(tmp_path: Path, layout: str) -> None:
    """The files --media-from copied into the site answer where the rewritten links point (Eleventy
    publishes nothing it is not told to copy)."""
    built = build(tmp_path, layout, crafted(tmp_path), False, "--media-from", str(uploads_copy(tmp_path)))
    seen = check_built_site(built)
    assert "/wp-content/uploads/2020/01/a.jpg" in seen.files  # the body's image, the featured image
    assert (built.output / "wp-content/uploads/2020/01/a-300x200.jpg").is_file()  # in the srcset


@pytest.mark.parametrize("layout", ["hugo", "jekyll", "eleventy", "astro"])
def test_seed_starter_site(tmp_path: Path, layout: str) -> None:
    built = build(tmp_path, layout, SEED, hostile=True)
    seen = check_built_site(built)
    check_nothing_runs(built)
    page = seen.pages["/2010/06/14/sharing-and-collaboration/" if layout == "jekyll" else
                      "/posts/sharing-and-collaboration/"]
    # the post's own offset (-04:00), whatever the builder's zone
    assert re.search(r'<time datetime="2010-06-14T09:30:00-0?4:?00">June 14, 2010 at 9:30 am</time>', page)
    assert page.count('<li class="comment"') == 9


@pytest.mark.parametrize("layout", ["hugo", "jekyll", "eleventy", "astro"])
@pytest.mark.corpus
def test_theme_unit_test_starter_site(tmp_path: Path, layout: str) -> None:
    if not THEME_UNIT_TEST.is_file():
        pytest.skip(CORPUS_REASON)
    built = build(tmp_path, layout, THEME_UNIT_TEST)
    seen = check_built_site(built)
    assert "Clearing Floats" in seen.pages["/about/"]  # a parent page (about/_index.md) lists its pages
    assert "/level-1/level-2/level-3/" in seen.pages
    assert "Not found" in (built.output / "404.html").read_text(encoding="utf-8")
    if layout == "hugo":  # the sitemap lists pages, not the ones marked noindex
        assert "/posts/template-comments/</loc>" in (built.output / "sitemap.xml").read_text(encoding="utf-8")
    post = "/2012/01/03/template-comments/" if layout == "jekyll" else "/posts/template-comments/"
    author = "/authors/theme-buster/" if layout == "hugo" else "/author/theme-buster/"
    assert f'<a href="{author}">Theme Buster</a>' in seen.pages[post]
    assert post in "".join(text for path, text in seen.pages.items() if path.startswith(author))
    # WordPress's author archive (by login) redirects to the author's page.
    assert f"\n/author/themedemos/ {author} 301\n" in (built.output / "_redirects").read_text(encoding="utf-8")
