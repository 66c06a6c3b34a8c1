"""Issue 12 on crafted exports: small ids, ISO dates, plain text, consistency warnings and the new views."""

from __future__ import annotations

import io
import json
from itertools import chain
from pathlib import Path

from sqlite_utils import Database

from tests.helpers import FIXTURES, cli, import_bytes, rows
from tests.wxrbuild import category, comment, export_bytes, header, item
from wxr2db.normalize import link_id, rfc822_date
from wxr2db.sources.wxr import iter_records
from wxr2db.sqlite.save import save


def no_guid(xml: str) -> str:
    return xml.replace("<guid isPermaLink=\"false\">http://example.com/?p=None</guid>\n", "")


def test_link_ids_and_rfc822_dates() -> None:
    assert [link_id(u) for u in ("http://x.org/?p=19", "http://x.org/?page_id=7&x=1", "http://x.org/?attachment_id=3",
                                 "http://x.org/?p=0", "http://x.org/?pp=5", "http://x.org/2020/post/")] == \
        [19, 7, 3, None, None, None]
    assert [rfc822_date(t) for t in ("Sun, 10 Mar 2024 18:41:07 +0000", "Tue, 02 Jan 2024 09:00:00 +0530",
                                     "Mon, 30 Nov -0001 00:00:00 +0000", "nonsense", "")] == \
        ["2024-03-10T18:41:07+00:00", "2024-01-02T09:00:00+05:30", None, None, None]


def test_items_without_ids_take_their_link_id_or_a_small_one_stable_on_reimport() -> None:
    data = export_bytes(
        item(5, "Five"),
        item(None, "From guid").replace("?p=None", "?p=19"),
        item(None, "Guid taken").replace("?p=None", "?p=5"),
        no_guid(item(None, "Nothing")),
        item(5, "Five again"),
    )
    db, _ = import_bytes(data)
    expected = [(-3, 5, "Five again"), (-2, None, "Nothing"), (-1, None, "Guid taken"), (5, None, "Five"),
                (19, None, "From guid")]
    assert rows(db, "SELECT id, export_id, title FROM posts ORDER BY id") == expected
    assert rows(db, "SELECT kind, item FROM warnings ORDER BY kind, item") == [
        ("duplicate-id", 5), ("item-without-id", -2), ("item-without-id", -1), ("item-without-id", 19)]
    again, _ = import_bytes(data, db)
    assert rows(again, "SELECT id, export_id, title FROM posts ORDER BY id") == expected
    fresh, _ = import_bytes(data)
    assert rows(fresh, "SELECT id, export_id, title FROM posts ORDER BY id") == expected


def test_repeated_comment_id_gets_a_small_id_and_keeps_the_exported_one() -> None:
    data = export_bytes(item(1, comments=[comment(7)]), item(2, comments=[comment(7), comment(8, parent=7)]))
    db, _ = import_bytes(data)
    assert rows(db, "SELECT id, post_id, parent_id, export_id FROM comments ORDER BY id") == [
        (-1, 2, None, 7), (7, 1, None, None), (8, 2, -1, None)]


def test_plain_text_year_and_dates_are_stored() -> None:
    head = header() + "<pubDate>Sun, 10 Mar 2024 18:41:07 +0000</pubDate>\n"
    post = item(1, "Hello", '<!-- wp:paragraph --><p class="x">Big <b>news</b></p><!-- /wp:paragraph -->')
    post = post.replace("<wp:post_id>", "<pubDate>Wed, 01 Jan 2020 10:00:00 +0100</pubDate>\n<wp:post_id>")
    bad = item(2, "Bad date").replace("<wp:post_id>", "<pubDate>Someday</pubDate>\n<wp:post_id>")
    db, _ = import_bytes(export_bytes(post, bad, head=head))
    assert rows(db, "SELECT id, year, pub_date, plain_text FROM posts ORDER BY id") == [
        (1, 2020, "2020-01-01T10:00:00+01:00", "Big news"), (2, 2020, None, "Some content")]
    assert rows(db, "SELECT exported_at FROM site") == [("2024-03-10T18:41:07+00:00",)]
    assert rows(db, "SELECT kind, item, detail FROM warnings") == [
        ("bad-date", 2, "item at line 34: pubDate 'Someday' is not a date; pub_date left empty")]
    assert rows(db, "SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'class'") == []
    assert [r["id"] for r in db.table("published_posts").search("news")] == [1]


def test_quiet_inconsistencies_are_counted() -> None:
    bob = item(1).replace("<![CDATA[admin]]>", "<![CDATA[bob]]>")
    odd = item(2).replace("<![CDATA[admin]]>", "<![CDATA[>carol]]>")
    broken = item(3, meta=[("_cfg", 'a:1:{s:5:"key";s:9:"too short";}'), ("_ok", 'a:1:{i:0;s:2:"ok";}')])
    db, stats = import_bytes(export_bytes(bob, odd, broken, head=header(authors=("admin", "Bob"))))
    assert sorted(rows(db, "SELECT kind, item, detail FROM warnings")) == [
        ("author-case-mismatch", None, "logins Bob, bob differ only in case; WordPress treats them as one user"),
        ("author-not-listed", None, "author '>carol' of 1 post is not in the export's author list"),
        ("author-not-listed", None, "author 'bob' of 1 post is not in the export's author list"),
        ("login-odd-characters", None, "login '>carol' has characters WordPress does not allow in a login"),
        ("php-serialized-broken", 3, "postmeta '_cfg' of post 3 looks PHP-serialized but does not decode; "
                                     "kept as text"),
    ]
    assert stats.warnings == {"author-not-listed": 2, "author-case-mismatch": 1, "login-odd-characters": 1,
                              "php-serialized-broken": 1}


def test_views_featured_image_seo_and_categories_by_year() -> None:
    head = header(terms=category(10, "food", "Food") + category(11, "fruit", "Fruit", parent="food")
                  + category(12, "apples", "Apples", parent="fruit"))
    photo = item(50, "Photo", post_type="attachment").replace(
        "<wp:post_type>", "<wp:attachment_url>http://example.com/a.jpg</wp:attachment_url>\n<wp:post_type>")
    posts = [
        item(1, "Pie", categories=[("apples", "Apples")],
             meta=[("_thumbnail_id", "50"), ("_yoast_wpseo_metadesc", "All about pie")]),
        item(2, "Bowl", categories=[("fruit", "Fruit"), ("apples", "Apples")],
             meta=[("rank_math_description", "A bowl")]),
        item(3, "Soup", categories=[("food", "Food")], meta=[("_aioseop_description", " ")]),
    ]
    db, _ = import_bytes(export_bytes(photo, *posts, head=head))
    assert rows(db, "SELECT * FROM featured_images") == [(1, "Pie", 50, "Photo", "http://example.com/a.jpg")]
    assert rows(db, "SELECT * FROM seo_descriptions ORDER BY post_id") == [
        (1, "Pie", "Yoast SEO", "All about pie"), (2, "Bowl", "Rank Math", "A bowl")]
    assert rows(db, "SELECT * FROM category_posts_by_year") == [
        (12, "Apples", "apples", 2020, 2), (10, "Food", "food", 2020, 3), (11, "Fruit", "fruit", 2020, 2)]


def test_parent_cycle_in_categories_ends() -> None:
    head = header(terms=category(10, "a", "A", parent="b") + category(11, "b", "B", parent="a"))
    db, _ = import_bytes(export_bytes(item(1, categories=[("a", "A")]), head=head))
    assert rows(db, "SELECT category, posts FROM category_posts_by_year") == [("A", 1), ("B", 1)]


def test_old_database_gains_the_new_columns() -> None:
    db = Database(memory=True)
    db["posts"].create({"id": int, "title": str, "content": str, "date": str}, pk="id")  # type: ignore[union-attr]
    db["posts"].insert({"id": 4, "title": "Old", "content": "<p>Old <i>text</i></p>",  # type: ignore[union-attr]
                        "date": "2011-05-01T00:00:00"})
    import_bytes(export_bytes(item(1, "New")), db)
    assert rows(db, "SELECT id, year, plain_text FROM posts ORDER BY id") == [(1, 2020, "Some content"),
                                                                            (4, 2011, "Old text")]


def test_import_writes_metadata_beside_any_db_path_and_rewrites_it(tmp_path: Path) -> None:
    target = tmp_path / "sub folder" / "my site.db"
    target.parent.mkdir()
    command = ["import", str(FIXTURES / "wxr-1.1.xml"), "--db", str(target), "-q"]
    assert cli(*command).exit_code == 0
    meta = target.with_name("my site.metadata.json")
    first = json.loads(meta.read_text())
    assert list(first["databases"]) == ["my site"]
    assert "search_published_posts" in first["databases"]["my site"]["queries"]
    meta.write_text("stale")
    assert cli(*command).exit_code == 0
    assert json.loads(meta.read_text()) == first
    assert sorted(p.name for p in target.parent.iterdir()) == ["my site.db", "my site.metadata.json"]


def test_public_import_keeps_exactly_the_posts_readers_saw(tmp_path: Path) -> None:
    full, public = tmp_path / "full.db", tmp_path / "public.db"
    for path, flags in ((full, []), (public, ["--public"])):
        result = cli("import", str(FIXTURES / "wxr-1.1.xml"), "--db", str(path), "-q", *flags)
        assert result.exit_code == 0, result.output
    expected = rows(Database(full), "SELECT id, post_type, title FROM posts WHERE status = 'publish' "
                    "AND password = '' AND post_type IN ('post', 'page') ORDER BY id")
    assert rows(Database(public), "SELECT id, post_type, title FROM posts WHERE post_type IN ('post', 'page') "
                "ORDER BY id") == expected
    assert rows(Database(public), "SELECT count(*) FROM posts WHERE password IS NOT NULL") == [(0,)]
    kept_comments = rows(Database(full), "SELECT id FROM comments WHERE approved = '1' AND post_id IN "
                         f"({', '.join(str(r[0]) for r in expected)}) ORDER BY id")
    assert rows(Database(public), "SELECT id FROM comments ORDER BY id") == kept_comments


def test_link_id_taken_in_an_earlier_part_of_a_split_export_is_not_reused() -> None:
    first = export_bytes(item(19, "Nineteen"))
    second = export_bytes(item(None, "Borrower").replace("?p=None", "?p=19"))
    db = Database(memory=True)
    save(db, chain(iter_records(io.BytesIO(first), name="1.xml"), iter_records(io.BytesIO(second), name="2.xml")))
    assert rows(db, "SELECT id, title FROM posts ORDER BY id") == [(-1, "Borrower"), (19, "Nineteen")]
