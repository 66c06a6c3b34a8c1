from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.helpers import SEED, import_path
from wxr2db.errors import WxrError
from wxr2db.sqlite.metadata import COLUMN_DESCRIPTIONS, datasette_metadata, save_metadata
from wxr2db.sqlite.queries import QUERIES


def seed_db(path: Path) -> Path:
    db = Database(path)
    import_path(SEED, db)
    db.close()
    return path


def test_column_notes_are_few_and_name_real_columns() -> None:
    db, _ = import_path(SEED)
    tables = datasette_metadata(db, "x")["databases"]["x"]["tables"]
    names = [*db.table_names(), *db.view_names()]
    assert sorted(tables) == sorted(names)
    columns = {t: {r[1] for r in db.execute(f"PRAGMA table_xinfo([{t}])")} for t in names}
    assert [f"{t}.{c}" for t, notes in COLUMN_DESCRIPTIONS.items() for c in notes
            if c not in columns.get(t, set())] == []
    served = {t: m.get("columns", {}) for t, m in tables.items()}
    assert all(len(notes) <= 4 and all(notes.values()) for notes in served.values())
    assert served["published"] == {}
    assert served["posts"].keys() == {"post_type", "content", "plain_text", "extra"}


def test_what_the_public_copy_leaves_out_is_said() -> None:
    db, _ = import_path(SEED)
    tables = datasette_metadata(db, "x")["databases"]["x"]["tables"]
    for table, column in (("authors", "email"), ("comments", "author_email"), ("comments", "author_ip")):
        assert "--public" in tables[table]["columns"][column]
    assert "--public" in tables["comments"]["description"]


def test_tables_carry_labels_facets_sorting_and_search() -> None:
    db, _ = import_path(SEED)
    tables = datasette_metadata(db, "x")["databases"]["x"]["tables"]
    picked = {t: {k: v for k, v in m.items() if k not in ("columns", "description")} for t, m in tables.items()
              if t in ("authors", "posts", "terms", "comments", "published_posts", "published", "posts_fts",
                       "posts_fts_data")}
    assert picked == {
        "authors": {"label_column": "name"},
        "posts": {"label_column": "title", "facets": ["post_type", "status"], "sort_desc": "date",
                  "fts_table": "posts_fts", "fts_pk": "id"},
        "terms": {"label_column": "name", "facets": ["taxonomy"]},
        "comments": {"label_column": "author", "facets": ["approved", "type"], "sort_desc": "date",
                     "fts_table": "comments_fts", "fts_pk": "id"},
        "published_posts": {"facets": ["post_type"], "sort_desc": "date",
                            "fts_table": "published_posts_fts", "fts_pk": "id"},
        "published": {"facets": ["post_type"],
                      "fts_table": "published_posts_fts", "fts_pk": "id"},
        "posts_fts": {"hidden": True},
        "posts_fts_data": {"hidden": True},
    }


def test_authors_missing_from_the_author_list_are_named_by_login() -> None:
    db, _ = import_path(SEED)
    db.execute("INSERT INTO authors (login) VALUES ('ghost')")
    db.execute("UPDATE posts SET author = 'ghost' WHERE id = 1024")
    db.execute("INSERT INTO published_posts (id, author) VALUES (7, 'ghost')")
    assert dict(db.execute("SELECT login, name FROM authors").fetchall()) == {
        "socialsteve": "Social Steve", "ghost": "ghost"}
    assert db.execute("SELECT author FROM published WHERE id = 7").fetchone() == ("ghost",)


def test_canned_queries_are_described_and_run() -> None:
    db, _ = import_path(SEED)
    queries = datasette_metadata(db, "x")["databases"]["x"]["queries"]
    assert set(queries) == {"search_published_posts", *QUERIES}
    for name, query in queries.items():
        assert query["title"] and query["description"], name
        db.execute(query["sql"], {"q": "social"}).fetchall()


HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>[t](javascript:alert(3)) *b* & \\\n\n_c_"


def test_overview_escapes_everything_from_the_export() -> None:
    db, _ = import_path(SEED)
    db.execute("UPDATE site SET title = ?, description = ?, link = ?", [HOSTILE, HOSTILE, HOSTILE])
    for table in ("posts", "published_posts"):
        db.execute(f"UPDATE [{table}] SET title = ?", [HOSTILE])
    db.execute("UPDATE terms SET name = ?", [HOSTILE])
    html = datasette_metadata(db, "my site")["databases"]["my site"]["description_html"]
    assert "<script" not in html and "<img" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4  # site, tagline, post titles, terms
    assert '<a href="/my+site/posts/1024">' in html


def test_title_links_keep_hostile_titles_as_text() -> None:
    render = pytest.importorskip("datasette_render_markdown", reason="in the test extra").render_markdown
    db, _ = import_path(SEED)
    db.execute("UPDATE published_posts SET title = ?", [HOSTILE])
    (post,) = db.execute("SELECT post FROM published").fetchone()
    html = str(render(post))
    assert re.findall(r"<a [^>]*>", html) == ['<a href="posts/1024" rel="nofollow">']
    assert "<script" not in html and "<img" not in html and "javascript:" not in html.split(">", 2)[1]
    assert "*b* &amp;" in html and "_c_</a>" in html  # one link, its text as written


def test_site_title_and_description_lead() -> None:
    db, _ = import_path(SEED)
    title, description, link = db.execute("SELECT title, description, link FROM site").fetchone()
    meta = datasette_metadata(db, "x")
    top = {k: v for k, v in meta.items() if k != "databases"}
    assert top == {"title": title, "description": description, "source_url": link,
                   "source": "WordPress export, imported by wxr2db"}


def test_save_metadata_writes_beside_the_database_and_replaces(tmp_path: Path) -> None:
    db_path = seed_db(tmp_path / "my site.db")
    (tmp_path / "my site.metadata.json").write_text("old")
    written = save_metadata(db_path)
    assert written == tmp_path / "my site.metadata.json"
    assert json.loads(written.read_text())["databases"].keys() == {"my site"}
    assert sorted(os.listdir(tmp_path)) == ["my site.db", "my site.metadata.json"]


def test_save_metadata_without_a_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(WxrError, match="no such database"):
        save_metadata(tmp_path / "none.db")
    assert list(tmp_path.iterdir()) == []



def test_tables_open_with_two_facets_at_most() -> None:
    """Facet lists stand above the rows: a year facet alone is a dozen lines; years are in posts_by_year."""
    db, _ = import_path(SEED)
    tables = datasette_metadata(db, "x")["databases"]["x"]["tables"]
    assert max(len(m.get("facets", [])) for m in tables.values()) == 2
    assert all("year" not in m.get("facets", []) for m in tables.values())



def test_search_indexes_plain_text_not_html() -> None:
    db, _ = import_path(SEED)
    assert "plain_text" in db["posts"].columns_dict
    assert "plain_text" in db["posts_fts"].columns_dict
    assert "content" not in db["posts_fts"].columns_dict
    assert COLUMN_DESCRIPTIONS["posts"]["plain_text"]


def test_a_posts_page_body_is_sanitised() -> None:
    render = pytest.importorskip("datasette_render_markdown", reason="in the test extra").render_markdown
    from wxr2db.sqlite.datasette_plugins.wxr2db_browse import body_markdown

    hostile = ('<p>Hi</p><script>alert(1)</script><a href="javascript:alert(2)">x</a>'
               '<img src=x onerror="alert(3)"><iframe src="https://evil.example"></iframe>')
    markdown = body_markdown(hostile)
    assert markdown is not None
    html = str(render(markdown, ["tables", "fenced_code"], ["table", "thead", "tbody", "tr", "th", "td"]))
    assert "<p>Hi</p>" in html
    assert not re.search(r"<(script|iframe)|onerror|javascript:", html, re.I)


def test_commonmark_hard_breaks_become_python_markdown_ones_outside_code() -> None:
    from wxr2db.sqlite.datasette_plugins.wxr2db_browse import python_markdown_breaks

    assert python_markdown_breaks("a\\\nb\n```\nc\\\n```\nd\\\\\n") == "a  \nb\n```\nc\\\n```\nd\\\\\n"
