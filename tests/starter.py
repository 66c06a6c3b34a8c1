"""Building a starter site (`wxr2db markdown … --templates`) with a real generator, for the starter tests:
each export from an empty folder under two time zones, the two builds compared, a hostile post added
on request."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.generators import CACHE, ELEVENTY, astro_command, link_packages
from tests.helpers import CORPUS, wxr2db
from tests.sitecheck import front_matter

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
    done = wxr2db("import", export, "--db", db)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        guids = dict(conn.execute("SELECT id, guid FROM posts WHERE post_type = 'post'").fetchall())
    return Built(layout, outputs[0], first, published(outputs[0], layout), guids)
