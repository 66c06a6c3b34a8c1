"""The SQLite sink on the hand-written fixtures: exact rows, keys, views, search, idempotence."""

from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database

from benchmarks.synth import write_export
from tests.helpers import FIXTURES, SEED, import_bytes, import_path, rows, table_rows
from tests.wxrbuild import category, export_bytes, header, item
from wxr2db.sources.wxr import iter_records
from wxr2db.sqlite.executor import ProcessWriter
from wxr2db.sqlite.save import Saver

TABLES = {"site", "authors", "terms", "posts", "post_terms", "comments", "postmeta", "commentmeta",
          "termmeta", "warnings"}


def test_seed_tables_and_counts() -> None:
    db, stats = import_path(SEED)
    assert set(db.table_names()) >= TABLES
    assert "published_posts" in db.table_names()
    assert {"comment_threads", "post_term_names", "featured_images", "seo_descriptions",
            "category_posts_by_year"} <= set(db.view_names())
    counts = {t: db[t].count for t in TABLES}
    assert counts == {"site": 1, "authors": 1, "terms": 5, "posts": 1, "post_terms": 5, "comments": 9,
                      "postmeta": 2, "commentmeta": 2, "termmeta": 0, "warnings": 0}
    assert stats.posts == {"post": 1} and stats.comments == 9 and not stats.warnings


def test_seed_post_row() -> None:
    db, _ = import_path(SEED)
    post = db.table("posts").get(1024)
    assert post["title"] == "Sharing and Collaboration"
    assert post["slug"] == "sharing-and-collaboration"
    assert post["author"] == "socialsteve"
    assert (post["date"], post["date_gmt"]) == ("2010-06-14T09:30:00", "2010-06-14T13:30:00")
    assert post["modified"] == "2010-06-17T22:15:04"
    assert post["status"] == "publish" and post["post_type"] == "post" and post["sticky"] == 0
    assert post["content"].count("\n\n") == 13  # 14 paragraphs, as WordPress stored them
    assert db.table("site").get("http://socialsteve.example.com")["wxr_version"] == "1.2"


def test_seed_terms_and_post_terms() -> None:
    db, _ = import_path(SEED)
    assert rows(db, "SELECT taxonomy, name FROM post_term_names WHERE post_id = 1024 ORDER BY 1, 2") == [
        ("category", "Social Steve"), ("category", "change management"), ("category", "social media"),
        ("post_tag", "SocialSteve"), ("post_tag", "socialmedia")]
    assert db.table("terms").get(44)["slug"] == "socialsteve"


def test_seed_comment_threads_three_deep() -> None:
    db, _ = import_path(SEED)
    parents = dict(rows(db, "SELECT id, parent_id FROM comments"))
    assert parents == {101: None, 102: None, 103: None, 104: 103, 105: 104, 106: None, 107: 106,
                       108: None, 109: None}
    depths = dict(rows(db, "SELECT id, depth FROM comments"))
    assert depths[105] == 3 and depths[104] == 2 and depths[101] == 1
    # Display order: each reply right under its parent, oldest first.
    order = [r[0] for r in rows(db, "SELECT id FROM comment_threads WHERE post_id = 1024")]
    assert order == [101, 102, 103, 104, 105, 106, 107, 108, 109]
    assert {r[0] for r in rows(db, "SELECT type FROM comments")} == {"comment"}


def test_foreign_keys_declared() -> None:
    db, _ = import_path(SEED)
    fks = {(fk.table, fk.column, fk.other_table, fk.other_column) for t in TABLES for fk in db.table(t).foreign_keys}
    assert {("posts", "author", "authors", "login"), ("comments", "post_id", "posts", "id"),
            ("comments", "parent_id", "comments", "id"), ("post_terms", "term_id", "terms", "id"),
            ("postmeta", "post_id", "posts", "id"), ("terms", "parent_id", "terms", "id")} <= fks
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    indexed = {tuple(i.columns) for i in db.table("comments").indexes}
    assert ("post_id",) in indexed and ("parent_id",) in indexed


def test_full_text_search() -> None:
    db, _ = import_path(SEED)
    assert [r["id"] for r in db.table("posts").search("collaboration")] == [1024]
    assert sorted(r["id"] for r in db.table("comments").search("Jelly")) == [106, 107, 108]
    assert list(db.table("posts").search("nonexistentword")) == []


def test_reimport_changes_nothing() -> None:
    db, _ = import_path(SEED)
    before = table_rows(db, TABLES)
    import_path(SEED, db)
    assert table_rows(db, TABLES) == before
    assert [r["id"] for r in db.table("posts").search("collaboration")] == [1024]


def test_reimport_replaces_changed_children() -> None:
    db, _ = import_bytes(export_bytes(item(1, meta=[("k", "old"), ("k", "two")])))
    import_bytes(export_bytes(item(1, title="Renamed", meta=[("k", "new")])), db)
    assert rows(db, "SELECT value FROM postmeta") == [("new",)]
    assert db.table("posts").get(1)["title"] == "Renamed"
    assert [r["id"] for r in db.table("posts").search("Renamed")] == [1]
    assert list(db.table("posts").search("post")) == []  # the old title left the index


def test_wxr_10_quirks() -> None:
    db, stats = import_path(FIXTURES / "wxr-1.0.xml")
    assert stats.posts == {"post": 2, "page": 1}
    # No wp:author in WXR 1.0: logins from dc:creator still get author rows.
    assert db["authors"].count >= 1
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    # Each category is listed twice on an item, stored once; domain="tag" is post_tag.
    taxonomies = {r[0] for r in rows(db, "SELECT taxonomy FROM terms")}
    assert taxonomies == {"category", "post_tag"}
    dup = rows(db, "SELECT post_id, term_id, count(*) FROM post_terms GROUP BY 1, 2 HAVING count(*) > 1")
    assert dup == []
    tomatoes = db.execute("SELECT parent_id FROM terms WHERE slug = 'tomatoes'").fetchone()[0]
    assert db.table("terms").get(tomatoes)["slug"] == "gardening"
    # The item without wp:post_id is kept under the id in its guid (`?p=29`) and reported.
    kept = rows(db, "SELECT id, export_id FROM posts WHERE title = 'Compost bin, take two'")
    assert kept == [(29, None)]
    assert rows(db, "SELECT kind, item, detail FROM warnings") == [
        ("item-without-id", 29, "item at line 87 'Compost bin, take two' has no wp:post_id; stored as id 29")]
    again, _ = import_path(FIXTURES / "wxr-1.0.xml")
    assert rows(again, "SELECT id, export_id FROM posts WHERE title = 'Compost bin, take two'") == kept


def test_wxr_11_statuses_and_pingbacks() -> None:
    db, _ = import_path(FIXTURES / "wxr-1.1.xml")
    found = rows(db, "SELECT id, status, password, sticky FROM posts WHERE id IN (5, 44, 51, 63) ORDER BY id")
    assert found == [(5, "publish", "", 1), (44, "publish", "kanelbulle", 0), (51, "private", "", 0),
                     (63, "draft", "", 0)]
    assert db.table("posts").get(63)["date_gmt"] is None  # 0000-00-00 00:00:00
    assert sorted(r[0] for r in rows(db, "SELECT type FROM comments")) == ["pingback", "trackback"]
    tree = dict(rows(db, "SELECT t.slug, p.slug FROM terms t LEFT JOIN terms p ON p.id = t.parent_id"))
    assert tree["sourdough"] == "bread" and tree["bread"] == "recipes" and tree["recipes"] is None
    published = {r[0] for r in rows(db, "SELECT id FROM published_posts")}
    assert 51 not in published and 63 not in published and 5 in published


def test_https_namespace_and_renamed_prefix() -> None:
    db, stats = import_path(FIXTURES / "https-1.2.xml")
    assert stats.posts == {"post": 2} and db["comments"].count == 1 and db["postmeta"].count == 1


def test_custom_types_taxonomies_and_term_meta() -> None:
    db, stats = import_path(FIXTURES / "custom-types.xml")
    assert stats.posts == {"post": 1, "book": 2, "event": 1}
    genre = dict(rows(db, "SELECT t.slug, p.slug FROM terms t LEFT JOIN terms p ON p.id = t.parent_id "
                          "WHERE t.taxonomy = 'genre'"))
    assert genre["science-fiction"] == "fiction" and genre["mystery"] == "fiction"
    assert "cozy-crime" in genre  # used on an item, never declared: still created
    assert db["termmeta"].count == 3
    assert rows(db, "SELECT slug FROM terms WHERE taxonomy = 'post_format'") == [("post-format-gallery",)]
    extra = [json.loads(r[0]) for r in rows(db, "SELECT extra FROM posts WHERE extra IS NOT NULL")]
    assert any("yoast:focuskw" in e for e in extra)
    assert stats.extra_elements >= 1


def test_nav_menu() -> None:
    db, _ = import_path(FIXTURES / "nav-menu.xml")
    menu = rows(db, "SELECT post_id FROM post_term_names WHERE taxonomy = 'nav_menu' ORDER BY 1")
    assert menu == [(20,), (21,), (22,)]
    parent = rows(db, "SELECT value FROM postmeta WHERE post_id = 22 AND key = '_menu_item_menu_item_parent'")
    assert parent == [("21",)]


def test_attachments_and_serialized_meta() -> None:
    db, _ = import_path(FIXTURES / "attachments.xml")
    attachments = rows(db, "SELECT id, parent_id FROM posts WHERE post_type = 'attachment' ORDER BY id")
    assert attachments == [(401, 400), (402, 400), (403, None)]
    meta = db.execute("SELECT value, value_json FROM postmeta WHERE post_id = 401 AND "
                      "key = '_wp_attachment_metadata'").fetchone()
    decoded = json.loads(meta[1])
    assert decoded["width"] == 1200 and decoded["height"] == 800 and "sizes" in decoded
    assert meta[0].startswith("a:5:{")
    assert rows(db, "SELECT value FROM postmeta WHERE post_id = 400 AND key = '_thumbnail_id'") == [("401",)]
    assert all(r[0] for r in rows(db, "SELECT attachment_url FROM posts WHERE post_type = 'attachment'"))


def test_split_export_merges_terms_and_authors() -> None:
    head = header(terms=category(3, "news", "News"))
    news = [("news", "News")]
    db, _ = import_bytes(export_bytes(item(1, categories=news), head=head))
    import_bytes(export_bytes(item(2, categories=news), head=head), db)
    assert db["posts"].count == 2 and db["terms"].count == 1 and db["authors"].count == 1
    assert rows(db, "SELECT post_id, term_id FROM post_terms ORDER BY 1") == [(1, 3), (2, 3)]


def test_undeclared_term_gets_real_id_when_declared_later() -> None:
    later = [("later", "Later")]
    db, _ = import_bytes(export_bytes(item(1, categories=later)))
    import_bytes(export_bytes(item(2, categories=later), head=header(terms=category(9, "later", "Later"))), db)
    assert rows(db, "SELECT id, slug FROM terms") == [(9, "later")]
    assert rows(db, "SELECT post_id, term_id FROM post_terms ORDER BY 1") == [(1, 9), (2, 9)]


def test_in_memory_database_is_independent() -> None:
    a, _ = import_path(SEED)
    b = Database(memory=True)
    assert "posts" not in b.table_names() and a.table("posts").count == 1


def test_background_writer_builds_the_same_database(tmp_path: Path) -> None:
    """The second-process writer the CLI uses for big files runs the same statements."""
    export = tmp_path / "synthetic.xml"
    write_export(export, target_bytes=600_000, seed=3)
    results = []
    for background in (False, True):
        db = Database(tmp_path / f"{background}.db")
        saver = Saver(db, background=background)
        assert isinstance(saver.writer, ProcessWriter) == background
        with export.open("rb") as f:
            for record in iter_records(f):
                saver.save(record)
        saver.finish()
        results.append(table_rows(db, TABLES))
    assert results[0] == results[1]
    assert results[0]["posts"]
    decoded = db.execute("SELECT count(*) FROM postmeta WHERE value_json IS NOT NULL").fetchone()[0]
    assert decoded > 0
