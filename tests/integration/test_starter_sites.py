"""The starter sites (`wxr2db markdown … --templates`) build with the real generators into sites a reader
can use: served on loopback, every link is followed and every post, page, term and old address checked.

Each export is built from an empty folder twice, under TZ=UTC and TZ=Pacific/Auckland: the two builds
must be the same site, as a hosting builder's clock must not move dates.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from xml.etree import ElementTree

import pytest

from tests.helpers import CORPUS_REASON, SEED, uploads_copy
from tests.sitecheck import Crawl, crawl, get, landing, serve, text_of
from tests.starter import (
    PELICAN,
    THEME_UNIT_TEST,
    Built,
    build,
    check_nothing_runs,
)
from tests.wxrbuild import crafted
from wxr2db.site.layouts import get_layout
from wxr2db.site.templates import FEED_URLS

pytestmark = pytest.mark.generators


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
