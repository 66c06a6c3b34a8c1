"""The SQLite sink on the hand-written fixtures: exact rows, keys, views, search, idempotence."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from lxml import etree
from sqlite_utils import Database

from tests.helpers import FIXTURES, SEED, import_bytes, import_path, rows, table_rows
from tests.wxrbuild import category, export_bytes, header, item, write_export
from wxr2db.sources.wxr import iter_records
from wxr2db.sqlite.executor import Message, ProcessWriter
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_background_writer_gets_one_message_per_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each batch reaches the writer process as one message. Sent table by table, the parent blocked on
    the pipe until the child had finished the table before, and the two processes took turns."""
    export = tmp_path / "synthetic.xml"
    write_export(export, target_bytes=1_500_000, seed=5)
    monkeypatch.setattr("wxr2db.sqlite.save.BATCH", 20)
    sent: list[str] = []
    real_send = ProcessWriter._send

    def send(self: ProcessWriter, message: Message) -> None:
        sent.append(message[0])
        real_send(self, message)

    monkeypatch.setattr(ProcessWriter, "_send", send)
    saver = Saver(Database(tmp_path / "db.db"), background=True)
    with export.open("rb") as f:
        for record in iter_records(f):
            saver.save(record)
    stats = saver.finish()
    batches = sum(stats.posts.values()) // 20
    assert batches >= 5
    assert sent.count("batch") <= batches + 3
    assert set(sent) == {"batch", "query", "close"}


# --- a fresh database from the seed, whole --------------------------------------------------------

FTS_TABLES = {f"{t}_fts{s}" for t in ("posts", "comments", "published_posts")
              for s in ("", "_config", "_data", "_docsize", "_idx")}


def test_seed_database_has_exactly_these_tables_views_and_foreign_keys() -> None:
    db, _ = import_path(SEED)
    assert set(db.table_names()) == TABLES | FTS_TABLES | {"media", "post_media", "published_posts",
                                                           "synthetic_ids"}
    assert set(db.view_names()) == {"category_posts_by_year", "comment_threads", "featured_images", "post_files",
                                    "post_term_names", "seo_descriptions", "published", "menu_items",
                                    "attachments"}
    assert {(fk.table, fk.column, fk.other_table, fk.other_column)
            for t in db.table_names() for fk in db.table(t).foreign_keys} == {
        ("commentmeta", "comment_id", "comments", "id"), ("comments", "parent_id", "comments", "id"),
        ("comments", "post_id", "posts", "id"), ("media", "attachment_id", "posts", "id"),
        ("media", "original_url", "media", "url"), ("post_media", "post_id", "posts", "id"),
        ("post_media", "url", "media", "url"), ("post_terms", "post_id", "posts", "id"),
        ("post_terms", "term_id", "terms", "id"), ("postmeta", "post_id", "posts", "id"),
        ("posts", "author", "authors", "login"), ("posts", "parent_id", "posts", "id"),
        ("published_posts", "author", "authors", "login"), ("termmeta", "term_id", "terms", "id"),
        ("terms", "parent_id", "terms", "id")}


def exported_texts(path: Path) -> tuple[str, dict[int, str]]:
    """The item's content:encoded and each wp:comment_content, read from the export without wxr2db."""
    wp = "{http://wordpress.org/export/1.2/}"
    (item,) = etree.parse(str(path)).iter("item")
    comments = {int(c.findtext(f"{wp}comment_id") or 0): c.findtext(f"{wp}comment_content") or ""
                for c in item.iter(f"{wp}comment")}
    return item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or "", comments


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def test_seed_posts_rows_whole() -> None:
    db, _ = import_path(SEED)
    content, _ = exported_texts(SEED)
    [post] = list(db["posts"].rows)
    assert {**post, "plain_text": digest(post["plain_text"])} == {
        "id": 1024, "post_type": "post", "status": "publish", "title": "Sharing and Collaboration",
        "slug": "sharing-and-collaboration", "link": "http://socialsteve.example.com/2010/06/14/sharing-and-collaboration/",
        "guid": "http://socialsteve.example.com/?p=1024", "author": "socialsteve", "date": "2010-06-14T09:30:00",
        "date_gmt": "2010-06-14T13:30:00", "modified": "2010-06-17T22:15:04", "modified_gmt": "2010-06-18T02:15:04",
        "content": content, "excerpt": "", "parent_id": None, "menu_order": 0, "comment_status": "open",
        "ping_status": "open", "password": "", "sticky": 0, "attachment_url": "",
        "pub_date": "2010-06-14T13:30:00+00:00", "description": "", "extra": None, "year": 2010, "export_id": None,
        "plain_text": "7fbe24dfee92156b"}


SEED_COMMENTS = [  # id, parent_id, depth, author, author_email, author_url, author_ip, date, date_gmt, user_id
    (101, None, 1, "Dana Whitcomb", "dana.whitcomb@mailbox.example.net", "", "98.114.20.61",
     "2010-06-14T11:02:37", "2010-06-14T15:02:37", None),
    (102, None, 1, "James Snider", "jsnider@inbox.example.org", "http://jamessnider.example.org/", "71.182.44.209",
     "2010-06-14T15:47:12", "2010-06-14T19:47:12", None),
    (103, None, 1, "Melissa Lande", "melissa@leaderhuntress.example.com", "http://leaderhuntress.example.com/",
     "24.90.131.18", "2010-06-15T08:12:54", "2010-06-15T12:12:54", None),
    (104, 103, 2, "Social Steve", "steve@socialsteve.example.com", "http://socialsteve.example.com", "66.108.7.152",
     "2010-06-15T21:05:19", "2010-06-16T01:05:19", 1),
    (105, 104, 3, "Melissa Lande", "melissa@leaderhuntress.example.com", "http://leaderhuntress.example.com/",
     "24.90.131.18", "2010-06-16T10:33:41", "2010-06-16T14:33:41", None),
    (106, None, 1, "Jan", "jan@shropshirejelly.example.co.uk", "http://shropshirejelly.example.co.uk/",
     "86.150.212.37", "2010-06-16T14:20:08", "2010-06-16T18:20:08", None),
    (107, 106, 2, "Social Steve", "steve@socialsteve.example.com", "http://socialsteve.example.com", "66.108.7.152",
     "2010-06-17T07:45:26", "2010-06-17T11:45:26", 1),
    (108, None, 1, "Melissa Lande", "melissa@leaderhuntress.example.com", "http://leaderhuntress.example.com/",
     "24.90.131.18", "2010-06-17T12:10:03", "2010-06-17T16:10:03", None),
    (109, None, 1, "James Jefferson", "jjefferson@consulting.example.com", "http://jamesjefferson.example.com/",
     "81.103.56.140", "2010-06-21T16:58:45", "2010-06-21T20:58:45", None),
]


def test_seed_comments_rows_whole() -> None:
    db, _ = import_path(SEED)
    _, texts = exported_texts(SEED)
    # Plain text is the comment itself but for 106, whose link markup it drops.
    plain = {**texts, 106: "1096178fd5e97231"}
    expected = [{"id": i, "post_id": 1024, "parent_id": parent, "depth": depth, "author": author,
                 "author_email": email, "author_url": url, "author_ip": ip, "date": date, "date_gmt": gmt,
                 "content": texts[i], "approved": "1", "type": "comment", "user_id": user, "thread_order": order,
                 "export_id": None, "plain_text": plain[i]}
                for order, (i, parent, depth, author, email, url, ip, date, gmt, user) in enumerate(SEED_COMMENTS)]
    found = [{**r, "plain_text": digest(r["plain_text"]) if r["id"] == 106 else r["plain_text"]}
             for r in db["comments"].rows_where(order_by="id")]
    assert found == expected


def test_seed_small_tables_rows_whole() -> None:
    db, _ = import_path(SEED)
    found = {t: rows(db, f"SELECT * FROM [{t}] ORDER BY 1, 2") for t in
             ("site", "authors", "terms", "post_terms", "postmeta", "commentmeta", "termmeta", "warnings")}
    assert found == {
        "site": [("http://socialsteve.example.com", "Social Steve",
                  "Social media, collaboration and getting things done", "en-US", "1.2",
                  "http://socialsteve.example.com", "http://socialsteve.example.com",
                  "https://wordpress.org/?v=6.4.3", "2024-03-10T18:41:07+00:00", None)],
        # The last is authors.name, generated: the display name, or the login when there is none.
        "authors": [("socialsteve", 1, "steve@socialsteve.example.com", "Social Steve", "Steve", "",
                     "Social Steve")],
        "terms": [(5, "category", "social-media", "social media", "", "", None),
                  (9, "category", "social-steve", "Social Steve", "", "", None),
                  (12, "category", "change-management", "change management", "", "", None),
                  (31, "post_tag", "socialmedia", "socialmedia", "", "", None),
                  (44, "post_tag", "socialsteve", "SocialSteve", "", "", None)],
        "post_terms": [(1024, 5), (1024, 9), (1024, 12), (1024, 31), (1024, 44)],
        "postmeta": [(1024, "_edit_last", "1", None), (1024, "_edit_lock", "1276827304:1", None)],
        "commentmeta": [(102, "akismet_result", "false", None), (106, "akismet_result", "false", None)],
        "termmeta": [], "warnings": []}

