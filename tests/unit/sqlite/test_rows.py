"""Raw and stored rows line up with the schema's columns by name, so a new column cannot silently shift
what the writer process computes from them (rows.py builds them by position for speed)."""

from __future__ import annotations

from wxr2db.records import Comment, Post
from wxr2db.sqlite.executor import META_VALUE, with_json
from wxr2db.sqlite.rows import SEARCH_SOURCE, comment_row, post_row, stored_comment, stored_post
from wxr2db.sqlite.schema import TABLES

POST = Post(id=7, post_type="page", status="publish", title="T", slug="caf%c3%a9", link="L", guid="G",
            author="a", date="2020-01-02 03:04:05", content="<p>Body</p>", excerpt="E", parent_id=3,
            menu_order=2, comment_status="open", ping_status="closed", password="pw", sticky=True,
            attachment_url="U", pub_date="Thu, 02 Jan 2020 03:04:05 +0000", description="D")
COMMENT = Comment(id=5, author="R", author_email="r@example.com", author_url="http://r.example",
                  author_ip="192.0.2.1", date="2020-01-02 03:04:05", content="<b>Hi</b>", approved="1",
                  type="comment", user_id=9, depth=2)


def test_a_stored_post_names_each_value_in_its_column() -> None:
    raw = post_row(POST, export_id=70)
    assert raw[SEARCH_SOURCE] == POST.content and len(raw) == len(TABLES["posts"][0])
    stored = dict(zip(TABLES["posts"][0], stored_post(raw, "Body"), strict=True))
    assert stored == {
        "id": 7, "post_type": "page", "status": "publish", "title": "T", "slug": "café", "link": "L",
        "guid": "G", "author": "a", "date": "2020-01-02T03:04:05", "date_gmt": None, "modified": None,
        "modified_gmt": None, "content": "<p>Body</p>", "excerpt": "E", "parent_id": 3, "menu_order": 2,
        "comment_status": "open", "ping_status": "closed", "password": "pw", "sticky": 1,
        "attachment_url": "U", "pub_date": "2020-01-02T03:04:05+00:00", "description": "D", "extra": None,
        "year": 2020, "export_id": 70, "plain_text": "Body"}


def test_a_stored_comment_names_each_value_in_its_column() -> None:
    raw = comment_row(COMMENT, post_id=7, comment_id=5, parent_id=4, thread_order=1)
    assert raw[SEARCH_SOURCE] == COMMENT.content and len(raw) == len(TABLES["comments"][0])
    stored = dict(zip(TABLES["comments"][0], stored_comment(raw, "Hi"), strict=True))
    assert stored == {
        "id": 5, "post_id": 7, "parent_id": 4, "depth": 2, "author": "R", "author_email": "r@example.com",
        "author_url": "http://r.example", "author_ip": "192.0.2.1", "date": "2020-01-02T03:04:05",
        "date_gmt": None, "content": "<b>Hi</b>", "approved": "1", "type": "comment", "user_id": 9,
        "thread_order": 1, "export_id": None, "plain_text": "Hi"}


def test_meta_rows_get_their_json_beside_the_value() -> None:
    for table in ("postmeta", "commentmeta", "termmeta"):
        assert list(TABLES[table][0]).index("value") == META_VALUE
    ((owner, key, value, value_json),) = with_json([(1, "k", 'a:1:{s:1:"x";i:2;}')])
    assert (owner, key, value, value_json) == (1, "k", 'a:1:{s:1:"x";i:2;}', '{"x": 2}')
