"""The issue's "done when": the theme unit test export, written with --layout hugo and its media taken
from a loopback server, builds with Hugo into a site with no reference to the old host for files that
exist and every internal link landing on a built page or file."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.helpers import THEME_UNIT_TEST, cli
from wxr2db.cli.commands import opened_source
from wxr2db.media.paths import uploads_path
from wxr2db.site.links import media_urls
from wxr2db.site.options import MarkdownOptions, MarkdownStats
from wxr2db.site.plan import plan_targets

HUGO = shutil.which("hugo")
OLD_HOSTS = ("wpthemetestdata.wordpress.com", "wpthemetestdata.files.wordpress.com")
CONFIG = """\
baseURL = "http://example.org/"
title = "wxr2db media test"
disableKinds = ["RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = true
"""
BASEOF = '<!DOCTYPE html>\n<html><body>{{ block "main" . }}{{ end }}</body></html>\n'
SINGLE = '{{ define "main" }}<img src="{{ .Params.image }}">{{ .Content }}{{ end }}\n'
LIST = '{{ define "main" }}{{ .Content }}{{ range .Pages }}<a href="{{ .RelPermalink }}">x</a>{{ end }}{{ end }}\n'

pytestmark = pytest.mark.corpus
# The first bytes of each format the export uses: the fetcher checks them against the extension.
MAGIC = {"jpg": b"\xff\xd8\xff\xe0", "gif": b"GIF89a", "mp3": b"ID3", "mov": b"\0\0\0\x14ftypqt  ",
         "pdf": b"%PDF-1.4"}


def referenced_uploads() -> list[str]:
    """The uploads paths of every file the written posts use, found as the command finds them."""
    with opened_source(str(THEME_UNIT_TEST), quiet=True, recover=False) as db:
        targets = plan_targets(db.conn, MarkdownOptions(layout="hugo"), MarkdownStats())
        urls = media_urls(db.conn, [t.post_id for t in targets], "approved")
    return sorted({path for path in map(uploads_path, urls) if path})


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The test's output is the assertions, not a line per request."""


@pytest.fixture(scope="module")
def uploads_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    root = tmp_path_factory.mktemp("uploads")
    paths = referenced_uploads()
    for rel in paths:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(MAGIC.get(rel.rpartition(".")[2].lower(), b"") + b" placeholder " + rel.encode())
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", paths
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def written(uploads_server: tuple[str, list[str]], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    site = tmp_path_factory.mktemp("site")
    result = cli("markdown", str(THEME_UNIT_TEST), str(site), "--layout", "hugo",
                                      "--media-from", uploads_server[0], "--redirects", "netlify")
    assert result.exit_code == 0, result.stderr
    return site, result.stderr


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in ("href", "src"):
                self.urls.append(value)
            elif value and name == "srcset":
                self.urls += [part.split()[0] for part in value.split(",") if part.split()]


def built_urls(public: Path) -> dict[Path, list[str]]:
    found = {}
    for page in sorted(public.rglob("*.html")):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        found[page] = parser.urls
    return found


def lands(public: Path, url: str) -> bool:
    path = unquote(urlsplit(url).path).lstrip("/")
    target = public / path
    return target.is_file() or (target / "index.html").is_file()


def test_every_referenced_file_is_fetched_into_static(written: tuple[Path, str],
                                                      uploads_server: tuple[str, list[str]]) -> None:
    site, summary = written
    paths = uploads_server[1]
    assert len(paths) > 30
    assert sorted(str(p.relative_to(site / "static/wp-content/uploads"))
                  for p in (site / "static/wp-content/uploads").rglob("*") if p.is_file()) == paths
    assert "0 failed" in summary and "unresolved 0" in summary
    assert not (site / ".wxr2db-media-failures.tsv").exists()
    assert (site / "static/_redirects").is_file()


@pytest.mark.generators
@pytest.mark.skipif(HUGO is None, reason="hugo not installed; .ci/run installs it with apt-get")
def test_the_built_site_needs_no_wordpress(written: tuple[Path, str], tmp_path: Path) -> None:
    site, _ = written
    (site / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in (("baseof", BASEOF), ("single", SINGLE), ("list", LIST)):
        (site / "layouts" / "_default" / f"{name}.html").write_text(text, encoding="utf-8")
    public = tmp_path / "public"
    assert HUGO is not None
    subprocess.run([HUGO, "--quiet", "--source", str(site), "--destination", str(public)], check=True,
                   timeout=300, capture_output=True)
    pages = built_urls(public)
    assert len(pages) > 50
    old_files = [(page, url) for page, urls in pages.items() for url in urls
                 if urlsplit(url).hostname in OLD_HOSTS and uploads_path(url)]
    assert old_files == []
    broken = [(str(page.relative_to(public)), url) for page, urls in pages.items() for url in urls
              if url.startswith("/") and not url.startswith("//") and not lands(public, url)]
    assert broken == []
    internal = sum(1 for urls in pages.values() for url in urls if url.startswith("/") and not url.startswith("//"))
    assert internal > 300
