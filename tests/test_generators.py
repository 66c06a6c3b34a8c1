"""Real generators build wxr2db's Markdown with the ready templates, and the pages show the comment threads.

Generators missing here skip with the command that installs them. Node packages are looked up in
$WXR2DB_GENERATORS (default ~/.cache/wxr2db-generators): eleventy/node_modules from
`npm install --prefix "$WXR2DB_GENERATORS/eleventy" @11ty/eleventy@3`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CORPUS, SEED, need_corpus
from wxr2db.site.templates import template_files

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("WXR2DB_GENERATORS", Path.home() / ".cache" / "wxr2db-generators"))
ELEVENTY = CACHE / "eleventy" / "node_modules" / "@11ty" / "eleventy" / "cmd.cjs"
CORPUS_EXPORT = CORPUS / "WPTT__theme-unit-test__themeunittestdata.wordpress.xml"
# Where a hand-made post with a deep thread goes, per layout.
DEEP_POST = {"hugo": "content/posts/deep/index.md", "jekyll": "_posts/2020-01-01-deep.md",
             "eleventy": "posts/deep.md"}
# js-yaml (Eleventy's front matter reader) stops at 100 nested YAML levels, two per comment level.
DEPTH = {"hugo": 100, "jekyll": 100, "eleventy": 48}


def generator_command(layout: str) -> list[str]:
    if layout == "hugo":
        found = shutil.which("hugo")
        if found is None:
            pytest.skip("hugo not installed (apt-get install -y hugo)")
        return [found, "--quiet", "--panicOnWarning=false"]
    if layout == "jekyll":
        found = shutil.which("jekyll")
        if found is None:
            pytest.skip("jekyll not installed (apt-get install -y jekyll)")
        return [found, "build", "--quiet"]
    if not ELEVENTY.is_file() or shutil.which("node") is None:
        pytest.skip(f"Eleventy not in {ELEVENTY.parent.parent.parent} "
                    f"(npm install --prefix {CACHE / 'eleventy'} @11ty/eleventy@3)")
    return ["node", str(ELEVENTY), "--quiet"]


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
    parents: dict[int, int | None] = {}
    pending: list[tuple[dict[str, Any], int | None]] = [(c, None) for c in comments]
    while pending:
        comment, parent = pending.pop()
        parents[comment["id"]] = parent
        pending += [(reply, comment["id"]) for reply in comment.get("replies", [])]
    return parents


def front_matter_trees(site: Path) -> tuple[dict[int, int | None], set[str]]:
    parents: dict[int, int | None] = {}
    authors: set[str] = set()
    for page in site.rglob("*.md"):
        head = yaml.safe_load(page.read_text(encoding="utf-8").split("\n---\n", 1)[0].removeprefix("---\n"))
        found = tree_of(head.get("comments") or [])
        parents.update(found)
        pending = list(head.get("comments") or [])
        while pending:
            comment = pending.pop()
            authors.add(comment["author"])
            pending += comment.get("replies", [])
    return parents, authors


def deep_thread(depth: int) -> list[dict[str, Any]]:
    top: dict[str, Any] = {"id": 900000, "author": "Deep 0", "content": "level **0**"}
    current = top
    for level in range(1, depth):
        reply = {"id": 900000 + level, "author": f"Deep {level}", "content": f"level **{level}**"}
        current["replies"] = [reply]
        current = reply
    return [top]


def build_site(tmp_path: Path, layout: str, source: Path) -> Path:
    command = generator_command(layout)
    site = tmp_path / layout
    subprocess.run([sys.executable, "-m", "wxr2db", "markdown", str(source), str(site), "--layout", layout,
                    "--templates", "-q"], check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert sorted(template_files(layout)) == sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.suffix != ".md"
        and not p.name.startswith("."))
    deep = site / DEEP_POST[layout]
    deep.parent.mkdir(parents=True, exist_ok=True)
    head = {"title": "Deep thread", "date": "2020-01-01T12:00:00Z", "wordpress_id": 1,
            "comments": deep_thread(DEPTH[layout])}
    deep.write_text(f"---\n{yaml.safe_dump(head, sort_keys=False)}---\n\nA deep thread.\n", encoding="utf-8")
    if layout == "eleventy":
        (site / "node_modules").symlink_to(ELEVENTY.parent.parent.parent, target_is_directory=True)
    done = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr.strip()) == (0, ""), done.stdout
    return site


def built_threads(site: Path) -> tuple[dict[int, int | None], str]:
    parents: dict[int, int | None] = {}
    text = ""
    output = site / ("public" if (site / "public").is_dir() else "_site")
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
def test_seed_builds_with_comment_threads(tmp_path: Path, layout: str) -> None:
    check_site(build_site(tmp_path, layout, SEED), layout)


@pytest.mark.parametrize("layout", ["hugo", "jekyll", "eleventy"])
def test_corpus_builds_with_comment_threads(tmp_path: Path, layout: str) -> None:
    need_corpus()
    check_site(build_site(tmp_path, layout, CORPUS_EXPORT), layout)
