"""The one comment thread order (wxr2db.resolve.threads): the import's stored order, the SQL view's and
the Markdown site's are the same, on the fixtures, the corpus and crafted threads."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlite_utils import Database

from tests.helpers import FIXTURES, corpus_params, import_bytes, import_path
from tests.wxrbuild import comment, export_bytes, item
from wxr2db.resolve.threads import sibling_key, thread_positions, thread_walk
from wxr2db.site.views import CommentView, comment_tree
from wxr2db.sqlite import store

# Comments without ids at one time, replies to them and to each other, a reply cycle and an orphan:
# every tie the order must break the same way in SQL and in Python.
CRAFTED = export_bytes(
    item(1, "Ties", comments=[comment(None), comment(None), comment(None, date="2020-01-01 09:00:00"),
                              comment(7), comment(8, parent=7), comment(9, parent=7), comment(3, parent=8),
                              comment(20, parent=21), comment(21, parent=20), comment(30, parent=99)]),
    item(2, "No dates", comments=[comment(n, parent=n - 1 if n % 3 else 0, date="") for n in range(40, 60)]),
)


def flattened(views: tuple[CommentView, ...]) -> list[int]:
    order: list[int] = []
    stack = list(reversed(views))
    while stack:
        view = stack.pop()
        order.append(view.id)
        stack += reversed(view.replies)
    return order


def assert_one_order(db: Database) -> int:
    """For every post: the view's rows in its own order == thread_walk over the stored rows == the
    site's comment tree; and the view's sort_path ends in each comment's sibling_key. Returns the
    number of comments compared."""
    view: dict[int, list[int]] = {}
    for post_id, comment_id, sort_path in db.execute("SELECT post_id, id, sort_path FROM comment_threads"):
        view.setdefault(post_id, []).append(comment_id)
        if sort_path is not None:
            date, date_gmt = db.execute("SELECT date, date_gmt FROM comments WHERE id = ?", [comment_id]).fetchone()
            assert sort_path.rsplit("/", 1)[-1] == sibling_key(comment_id, date_gmt, date)
    rows = store.post_comments(db.conn, list(view))
    for post_id, ids in view.items():
        walked = [n for n, _ in thread_walk((r.id, r.parent_id, sibling_key(r.id, r.date_gmt, r.date))
                                            for r in rows[post_id])]
        assert ids == walked, f"post {post_id}"
        assert flattened(comment_tree(rows[post_id], everything=True)) == ids, f"post {post_id}"
    return sum(len(ids) for ids in view.values())


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.xml")), ids=lambda p: p.name)
def test_sql_view_and_python_agree_on_the_fixtures(path: Path) -> None:
    db, _ = import_path(path)
    assert_one_order(db)


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params(), ids=lambda p: p.name)
def test_sql_view_and_python_agree_on_the_corpus(path: Path) -> None:
    db, _ = import_path(path)
    assert_one_order(db)


def test_sql_view_and_python_agree_on_ties_cycles_and_orphans() -> None:
    db, _ = import_bytes(CRAFTED)
    assert assert_one_order(db) == 30
    first = [row[0] for row in db.execute("SELECT id FROM comment_threads WHERE post_id = 1")]
    # The earliest first; the id-less ones at one time (-1, -2, numbered in export order) keep that
    # order; replies under their parent; the cycle's first comment (20) at the top, the orphan too.
    assert first == [-3, -1, -2, 7, 8, 3, 9, 20, 21, 30]


forests = st.lists(st.tuples(st.integers(-5, 30), st.integers(-5, 30), st.sampled_from(["", "2020-01-01", "2021"])),
                   max_size=40)


@given(forests)
def test_every_parent_comes_before_its_replies(found: list[tuple[int, int, str]]) -> None:
    comments = list({n: (n, parent if parent != n else None, sibling_key(n, date, None))
                     for n, parent, date in found}.values())
    positions = thread_positions(comments)
    assert sorted(positions.values()) == list(range(len(comments)))
    walked = dict(thread_walk(comments))
    ids = set(positions)
    for n, parent, _ in comments:
        if n in walked and parent in ids:
            assert positions[parent] < positions[n] and walked[n] == walked[parent] + 1
    # Siblings come in sibling_key order.
    siblings: dict[int | None, list[tuple[int, str]]] = {}
    for n, parent, key in comments:
        if n in walked:
            siblings.setdefault(parent if parent in ids else None, []).append((positions[n], key))
    for group in siblings.values():
        assert [key for _, key in sorted(group)] == sorted(key for _, key in group)
