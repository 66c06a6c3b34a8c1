"""A real Datasette serves a corpus database with the metadata wxr2db writes; the test reads its JSON API."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from sqlite_utils import Database

from tests.helpers import THEME_UNIT_TEST, free_port, import_path, stop
from wxr2db.sqlite.metadata import save_metadata

pytest.importorskip("datasette", reason="Datasette is in the test extra: pip install -e '.[test]'")
pytestmark = pytest.mark.corpus


class Server:
    def __init__(self, base: str, db: Database) -> None:
        self.base, self.db = base, db

    def get(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.base}{path}{query}", timeout=30) as response:
            return json.load(response)


def wait_until_up(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            problem = process.stderr.read() if process.stderr else b""
            raise AssertionError(f"datasette exited with {process.returncode}: {problem!r}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"datasette did not answer on {url} within 60 s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db_path = tmp_path_factory.mktemp("datasette") / "export.db"
    db = Database(db_path)
    import_path(THEME_UNIT_TEST, db)
    meta = save_metadata(db_path)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(db_path), "-m", str(meta), "--port", str(port),
         "--host", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(process, f"http://127.0.0.1:{port}/-/versions.json")
        yield Server(f"http://127.0.0.1:{port}", db)
    finally:
        stop(process)
        if process.stderr:
            process.stderr.close()
        db.close()


def test_post_authors_show_their_display_names(server: Server) -> None:
    rows = server.get("/export/posts.json", _labels="on", _shape="objects", _size="max")["rows"]
    names = dict(server.db.execute("SELECT login, display_name FROM authors").fetchall())
    authors = [row["author"] for row in rows if row["author"] is not None]
    assert authors
    assert all(a == {"value": a["value"], "label": names[a["value"]]} for a in authors)


def test_replies_show_who_they_answer(server: Server) -> None:
    rows = server.get("/export/comments.json", _labels="on", _shape="objects", _size="max",
                      parent_id__notblank="1")["rows"]
    expected = dict(server.db.execute("SELECT id, author FROM comments").fetchall())
    assert rows
    assert all(r["parent_id"] == {"value": r["parent_id"]["value"], "label": expected[r["parent_id"]["value"]]}
               for r in rows)


def test_posts_open_with_facets_newest_first(server: Server) -> None:
    page = server.get("/export/posts.json", _shape="objects")
    counts = dict(server.db.execute("SELECT post_type, count(*) FROM posts GROUP BY post_type").fetchall())
    facet = page["facet_results"]["post_type"]["results"]
    assert {f["value"]: f["count"] for f in facet} == counts
    assert set(page["facet_results"]) == {"post_type", "status", "year"}
    dates = [r["date"] for r in page["rows"] if r["date"]]
    assert dates == sorted(dates, reverse=True)


def test_descriptions_and_site_title_are_served(server: Server) -> None:
    served = server.get("/-/metadata.json")
    title = server.db.execute("SELECT title FROM site").fetchone()[0]
    posts = served["databases"]["export"]["tables"]["posts"]
    assert served["title"] == title
    assert posts["description"].startswith("Every item of the export")
    assert posts["columns"]["author"] == "Author"
    assert server.get("/export.json")["database"] == "export"


def test_search_box_finds_posts_by_title_word(server: Server) -> None:
    rows = server.get("/export/posts.json", _search="Scheduled", _shape="objects")["rows"]
    assert "Scheduled" in [r["title"] for r in rows]



def test_search_does_not_match_markup(server: Server) -> None:
    assert server.get("/export/posts.json", _search="href", _shape="objects")["rows"] == []
    # "class" is in nearly every post's HTML; only posts that say it in their words are found.
    found = server.get("/export/posts.json", _search="class", _shape="objects", _size="max")["rows"]
    said = [i for i, text in server.db.execute("SELECT id, title || ' ' || coalesce(plain_text, '') FROM posts "
                                               "ORDER BY id") if re.search(r"\bclass\b", text, re.I)]
    assert sorted(r["id"] for r in found) == said
    assert len(said) < server.db.execute("SELECT count(*) FROM posts WHERE content LIKE '%class=%'").fetchone()[0]


def test_search_on_published_posts_ranks_title_match_first(server: Server) -> None:
    rows = server.get("/export/search_published_posts.json", q="HTML tags", _shape="objects")["rows"]
    assert rows[0]["title"] == "Markup: HTML Tags and Formatting"
    published = {r[0] for r in server.db.execute("SELECT id FROM posts WHERE status = 'publish'")}
    assert rows and {r["id"] for r in rows} <= published


def test_published_posts_table_search_holds_only_published_posts(server: Server) -> None:
    rows = server.get("/export/published_posts.json", _search="Markup", _shape="objects", _size="max")["rows"]
    expected = [i for i, text in server.db.execute(
        "SELECT id, title || ' ' || plain_text FROM posts WHERE status = 'publish' AND coalesce(password, '') = '' "
        "AND post_type IN ('post', 'page') ORDER BY id") if re.search(r"\bmarkup\b", text, re.I)]
    assert sorted(r["id"] for r in rows) == expected
