"""`wxr2db browse` serves a real Datasette (the test extra's) over loopback; the tests read its HTML and JSON."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from tests.helpers import CORPUS_REASON, SEED, THEME_UNIT_TEST, cli, free_port, import_path, stop
from wxr2db.sqlite.browse import SETTINGS, browse
from wxr2db.sqlite.metadata import save_metadata

pytest.importorskip("datasette", reason="Datasette is in the test extra: pip install -e '.[test]'")
pytest.importorskip("datasette_render_markdown", reason="in the test extra: pip install -e '.[test]'")
TRUNCATE = int(str(SETTINGS["truncate_cells_html"]))


class Server:
    def __init__(self, base: str, db: Database, export: Path) -> None:
        self.base, self.db, self.export = base, db, export

    def html(self, path: str, **params: str) -> str:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.base}{path}{query}", timeout=30) as response:
            return str(response.read().decode("utf-8"))

    def get(self, path: str, **params: str) -> Any:
        return json.loads(self.html(path, **params))


def wait_until_up(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            problem = process.stderr.read() if process.stderr else b""
            raise AssertionError(f"wxr2db browse exited with {process.returncode}: {problem!r}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"datasette did not answer on {url} within 60 s")


def theme_or_skip(export: Path) -> Path:
    if not export.is_file():
        pytest.skip(CORPUS_REASON)
    return export


@pytest.fixture(scope="module", params=[pytest.param(THEME_UNIT_TEST, id="theme-unit-test", marks=pytest.mark.corpus),
                                        pytest.param(SEED, id="fixture")])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    export = theme_or_skip(request.param)
    db_path = tmp_path_factory.mktemp("datasette") / "export.db"
    db = Database(db_path)
    import_path(export, db)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "wxr2db", "browse", str(db_path), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(process, f"http://127.0.0.1:{port}/-/versions.json")
        yield Server(f"http://127.0.0.1:{port}", db, export)
    finally:
        stop(process)
        if process.stderr:
            process.stderr.close()
        db.close()


def theme(server: Server) -> Server:
    if server.export != THEME_UNIT_TEST:
        pytest.skip("checks the theme unit test export's own posts")
    return server


class Cells(HTMLParser):
    """The text of each table cell of a page, and everything before the first one."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td":
            self.cells.append("")
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.cells[-1] += data


def cells(html: str) -> list[str]:
    parser = Cells()
    parser.feed(html)
    return [c.strip() for c in parser.cells]


def published_titles(db: Database, limit: int) -> list[tuple[int, str]]:
    return db.execute("SELECT id, title FROM published_posts WHERE post_type = 'post' ORDER BY date DESC "
                      "LIMIT ?", [limit]).fetchall()


# --- the first screens --------------------------------------------------------------------------------


def test_database_page_opens_on_the_overview_with_newest_titles_linked(server: Server) -> None:
    html = server.html("/export")
    newest = published_titles(server.db, 10)
    assert newest
    for post_id, title in newest:
        assert f'<a href="/export/posts/{post_id}">{escape(title.strip() or "(no title)")}</a>' in html
    site_title = server.db.execute("SELECT title FROM site").fetchone()[0]
    assert escape(site_title) in html
    assert html.index("Newest posts") < html.index("Tables")


def test_published_view_shows_rows_after_a_few_lines_of_notes(server: Server) -> None:
    html = server.html("/export/published")
    before = html[:html.index("<td")]
    assert "<dt>" not in before  # no column notes
    description = re.search(r'<div class="metadata-description">(.*?)</div>', before, re.S)
    assert description and len(unescape(re.sub(r"<[^>]+>", "", description.group(1))).strip()) < 200
    first = cells(html)
    newest_id, newest_title = server.db.execute(
        "SELECT id, title FROM published_posts ORDER BY date DESC, id DESC LIMIT 1").fetchone()
    assert first[0] == (newest_title.strip() or "(no title)")
    assert f'<a href="posts/{newest_id}"' in html


@pytest.mark.parametrize("table", ["posts", "published", "comments", "postmeta", "attachments", "menu_items",
                                   "published_posts", "comment_threads"])
def test_no_cell_is_longer_than_the_truncation(server: Server, table: str) -> None:
    found = cells(server.html(f"/export/{table}", _size="max"))
    # A Markdown title link is not truncated by Datasette: titles are short by nature.
    longest = max((len(c) for c in found), default=0)
    titles = {t for (t,) in server.db.execute("SELECT title FROM posts")}
    assert all(len(c) <= TRUNCATE + 1 or c in titles for c in found), longest


@pytest.mark.parametrize("path", ["/export/posts", "/export/published", "/export/comments",
                                  "/export/attachments", "/export/menu_items", "/export/post_terms",
                                  "/export/newest_posts"])
def test_no_label_shows_none(server: Server, path: str) -> None:
    found = cells(server.html(path, _size="max"))
    assert found or server.export == SEED  # the fixture has no attachments or menu items
    assert [c for c in found if c == "None" or c.startswith("None\xa0")] == []


def test_an_author_missing_from_the_author_list_is_labelled_with_the_login(server: Server) -> None:
    theme(server)
    html = server.html("/export/posts", author="themereviewteam>")
    assert ">themereviewteam&gt;</a>" in html
    assert ">None<" not in html


def article(html: str) -> str:
    found = re.search(r'<article class="wxr2db-post">(.*?)</article>', html, re.S)
    assert found, "no article on the page"
    return found.group(1)


def words(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_posts_page_shows_its_text_in_paragraphs(server: Server) -> None:
    post_id, text = server.db.execute(
        "SELECT id, plain_text FROM published_posts WHERE post_type = 'post' AND plain_text LIKE '%' || "
        "char(10) || char(10) || '%' ORDER BY date DESC LIMIT 1").fetchone()
    body = article(server.html(f"/export/posts/{post_id}"))
    blocks = re.findall(r"<(p|h[1-6]|li|blockquote)\b", body)
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    assert len(blocks) >= len(paragraphs) >= 2
    # Markdown keeps the words; the plain text's paragraphs appear in order.
    shown, at = words(body), 0
    for paragraph in paragraphs:
        at = shown.index(paragraph[:40], at)


def test_a_posts_page_names_its_author_categories_tags_and_comments(server: Server) -> None:
    post_id, author = server.db.execute(
        "SELECT p.id, a.name FROM published_posts p JOIN authors a ON a.login = p.author "
        "WHERE EXISTS (SELECT 1 FROM post_terms pt WHERE pt.post_id = p.id) ORDER BY p.date DESC LIMIT 1").fetchone()
    terms = server.db.execute("SELECT t.taxonomy, t.name FROM post_terms pt JOIN terms t ON t.id = pt.term_id "
                              "WHERE pt.post_id = ? AND t.taxonomy IN ('category', 'post_tag')", [post_id])
    (comments,) = server.db.execute("SELECT count(*) FROM comments WHERE post_id = ? AND approved = '1' AND "
                                    "type NOT IN ('pingback', 'trackback')", [post_id]).fetchone()
    byline = words(" ".join(re.findall(r'<p class="byline">(.*?)</p>', article(server.html(f"/export/posts/{post_id}")),
                                       re.S)))
    assert author in byline
    for taxonomy, name in terms:
        assert f"{'Categories' if taxonomy == 'category' else 'Tags'}: " in byline and name in byline
    assert (f"{comments} comment" in byline) == (comments > 0)


def test_a_posts_page_renders_its_markup_as_html(server: Server) -> None:
    theme(server)
    (post_id,) = server.db.execute("SELECT id FROM posts WHERE title = 'Markup: HTML Tags and Formatting'").fetchone()
    body = article(server.html(f"/export/posts/{post_id}"))
    assert "<h1>Header one</h1>" in body and "<blockquote>" in body and "<table>" in body


# --- canned queries -----------------------------------------------------------------------------------


def unused_attachments(db: Database) -> set[int]:
    """Attachments whose files no post uses, worked out in Python from post_media and media."""
    used = {a for (a,) in db.execute("SELECT m.attachment_id FROM post_media pm JOIN media m ON m.url = pm.url")}
    return {a for (a,) in db.execute("SELECT id FROM posts WHERE post_type = 'attachment'")} - used


def test_every_canned_query_runs_and_answers(server: Server) -> None:
    queries = server.get("/-/metadata.json")["databases"]["export"]["queries"]
    assert len(queries) >= 12
    for name in queries:
        page = server.get(f"/export/{name}.json", q="post", _shape="objects")
        assert page["ok"] and page.get("error") is None, name
        if server.export == THEME_UNIT_TEST and name == "unused_media":
            # Every attachment of the theme unit test is used by a post.
            assert {r["id"] for r in page["rows"]} == unused_attachments(server.db)
        elif server.export == THEME_UNIT_TEST:
            assert page["rows"], name


def test_shortcode_and_block_inventories_count_what_the_text_has(server: Server) -> None:
    theme(server)
    shortcodes = {r["shortcode"]: r for r in server.get("/export/shortcodes.json", _shape="objects")["rows"]}
    contents = [c for (c,) in server.db.execute(
        "SELECT content FROM posts WHERE post_type NOT IN ('revision', 'nav_menu_item', 'attachment')")]
    assert shortcodes["caption"]["posts"] == sum("[caption" in c for c in contents)
    assert shortcodes["caption"]["uses"] == sum(c.count("[caption") for c in contents)
    blocks = {r["block"]: r for r in server.get("/export/blocks.json", _shape="objects")["rows"]}
    assert blocks["core/paragraph"]["uses"] == sum(c.count("<!-- wp:paragraph ") for c in contents)


def test_the_feed_query_is_an_atom_feed_of_the_newest_posts(server: Server) -> None:
    pytest.importorskip("datasette_atom", reason="in the test extra: pip install -e '.[test]'")
    feed = server.html("/export/feed.atom")
    titles = [unescape(t) for t in re.findall(r"<title>(.*?)</title>", feed)]
    newest = [t for (t,) in server.db.execute("SELECT title FROM published_posts WHERE post_type = 'post' "
                                              "ORDER BY coalesce(date_gmt, date) DESC LIMIT 50")]
    assert feed.startswith("<?xml") and "http://www.w3.org/2005/Atom" in feed
    assert titles[1:] == newest  # the first is the feed's own


def test_unresolved_links_point_into_the_site_at_nothing_the_export_has(server: Server) -> None:
    theme(server)
    rows = server.get("/export/unresolved_links.json", _shape="objects", _size="max")["rows"]
    (site,) = server.db.execute("SELECT rtrim(link, '/') FROM site").fetchone()
    known = {u.rstrip("/") for (u,) in server.db.execute(
        "SELECT link FROM posts UNION SELECT guid FROM posts UNION SELECT url FROM media") if u}
    assert rows
    for row in rows:
        assert row["link"].startswith(site + "/") and row["link"].split("#")[0].rstrip("/") not in known
        assert f'href="{escape(row["link"])}"' in "".join(c for (c,) in server.db.execute(
            "SELECT content FROM posts WHERE id = ?", [int(row["post"].rsplit("/", 1)[1].rstrip(")"))]))


# --- what the database already offered keeps working ---------------------------------------------------


def test_post_authors_show_their_display_names_or_logins(server: Server) -> None:
    rows = server.get("/export/posts.json", _labels="on", _shape="objects", _size="max")["rows"]
    names = dict(server.db.execute("SELECT login, coalesce(nullif(display_name, ''), login) FROM authors"))
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
    assert set(page["facet_results"]) == {"post_type", "status"}
    dates = [r["date"] for r in page["rows"] if r["date"]]
    assert dates == sorted(dates, reverse=True)


def test_descriptions_and_site_title_are_served(server: Server) -> None:
    served = server.get("/-/metadata.json")
    title = server.db.execute("SELECT title FROM site").fetchone()[0]
    posts = served["databases"]["export"]["tables"]["posts"]
    assert served["title"] == title
    assert posts["description"].startswith("Every item of the export")
    assert server.get("/export.json")["database"] == "export"


def test_search_box_finds_posts_by_title_word(server: Server) -> None:
    theme(server)
    rows = server.get("/export/posts.json", _search="Scheduled", _shape="objects")["rows"]
    assert "Scheduled" in [r["title"] for r in rows]


def test_search_does_not_match_markup(server: Server) -> None:
    theme(server)
    assert server.get("/export/posts.json", _search="href", _shape="objects")["rows"] == []
    # "class" is in nearly every post's HTML; only posts that say it in their words are found.
    found = server.get("/export/posts.json", _search="class", _shape="objects", _size="max")["rows"]
    said = [i for i, text in server.db.execute("SELECT id, title || ' ' || coalesce(plain_text, '') FROM posts "
                                               "ORDER BY id") if re.search(r"\bclass\b", text, re.I)]
    assert sorted(r["id"] for r in found) == said
    assert len(said) < server.db.execute("SELECT count(*) FROM posts WHERE content LIKE '%class=%'").fetchone()[0]


def test_search_on_published_posts_ranks_title_match_first(server: Server) -> None:
    theme(server)
    rows = server.get("/export/search_published_posts.json", q="HTML tags", _shape="objects")["rows"]
    assert rows[0]["post"].startswith("[Markup: HTML Tags and Formatting](posts/")
    published = {r[0] for r in server.db.execute("SELECT id FROM posts WHERE status = 'publish'")}
    assert rows and {int(r["post"].rsplit("/", 1)[1].rstrip(")")) for r in rows} <= published


def test_published_view_search_holds_only_published_posts(server: Server) -> None:
    theme(server)
    rows = server.get("/export/published.json", _search="Markup", _shape="objects", _size="max")["rows"]
    expected = [i for i, text in server.db.execute(
        "SELECT id, title || ' ' || plain_text FROM posts WHERE status = 'publish' AND coalesce(password, '') = '' "
        "AND post_type IN ('post', 'page') ORDER BY id") if re.search(r"\bmarkup\b", text, re.I)]
    assert sorted(r["id"] for r in rows) == expected


# --- the command --------------------------------------------------------------------------------------


def test_browse_without_datasette_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db_path = tmp_path / "export.db"
    import_path(SEED, Database(db_path))
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None)
    result = cli("browse", db_path)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: Datasette is not installed. Install it with: pip install 'wxr2db[datasette]'"]


def test_browse_on_a_port_in_use_says_so_in_one_line(tmp_path: Path) -> None:
    db_path = tmp_path / "export.db"
    import_path(SEED, Database(db_path))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("browse", db_path, "--port", str(port))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


def test_browse_refuses_what_is_not_a_wxr2db_database(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    Database(other).table("t").insert({"a": 1})
    missing = cli("browse", tmp_path / "none.db")
    foreign = cli("browse", other)
    assert missing.exit_code == foreign.exit_code == 1
    assert "no such database" in missing.stderr
    assert "not a database made by `wxr2db import`" in foreign.stderr
    assert "Traceback" not in missing.stderr + foreign.stderr


def test_metadata_beside_the_database_serves_plain_datasette(tmp_path: Path) -> None:
    """`datasette DB -m NAME.metadata.json`, as `wxr2db import` suggests, still works without browse."""
    db_path = tmp_path / "export.db"
    import_path(SEED, Database(db_path))
    meta = save_metadata(db_path)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(db_path), "-m", str(meta),
                                "--port", str(port), "--host", "127.0.0.1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(process, f"http://127.0.0.1:{port}/-/versions.json")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/export", timeout=30) as response:
            assert "Newest posts" in response.read().decode("utf-8")
    finally:
        stop(process)
        if process.stderr:
            process.stderr.close()


@pytest.mark.parametrize("open_browser", [True, False])
def test_browse_prints_the_overview_on_loopback_and_opens_a_browser_only_when_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_browser: bool) -> None:
    db_path = tmp_path / "my site.db"
    import_path(SEED, Database(db_path))
    opened: list[str] = []
    said: list[str] = []

    def stop_here(line: str) -> None:
        said.append(line)
        if not open_browser:
            raise KeyboardInterrupt  # as Ctrl-C: browse stops Datasette on its way out

    def open_url(url: str) -> bool:
        opened.append(url)
        raise KeyboardInterrupt

    monkeypatch.setattr("webbrowser.open", open_url)
    port = free_port()
    with pytest.raises(KeyboardInterrupt):
        browse(db_path, "127.0.0.1", port, open_browser, stop_here)
    url = f"http://127.0.0.1:{port}/my+site"
    assert said == [f"Browse {db_path} at {url} (Ctrl+C to stop)"]
    assert opened == ([url] if open_browser else [])
    with socket.socket() as again:  # Datasette is gone: the port is free
        again.bind(("127.0.0.1", port))
