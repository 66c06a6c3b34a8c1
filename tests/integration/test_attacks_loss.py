"""Issue 8, "Silent loss": every record of the export is in the database (or the Markdown), or a
warning says what was merged or dropped, with a count. Re-imports change nothing, in every table.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlite_utils import Database

from tests.helpers import (
    FIXTURES,
    THEME_UNIT_TEST,
    assert_ok,
    cli,
    corpus_files,
    corpus_params,
    dump,
    imported,
    query,
    warnings,
)
from tests.wxrbuild import comment, export, export_bytes, header, item, split_items
from wxr2db.resolve.threads import _break_cycles, _depths
from wxr2db.sources import wxr
from wxr2db.sources.wxr import iter_records
from wxr2db.sqlite.schema import ensure_db_shape

# --- comments -------------------------------------------------------------------------------------


def test_same_comment_id_twice_in_one_post_keeps_both(tmp_path: Path) -> None:
    data = export_bytes(item(1, "P", comments=[comment(10, content="first"), comment(10, content="second")]))
    result, db = imported(tmp_path, data)
    assert_ok(result)
    assert sorted(r[0] for r in query(db, "SELECT content FROM comments WHERE post_id = 1")) == ["first", "second"]
    assert [w[0] for w in warnings(db)] == ["duplicate-id"]
    assert "2 comments" in result.stderr


# The second post's comment 10 arrives in the same run, or in a later import into the same database.
@pytest.mark.parametrize("batches", [[[1, 2]], [[1], [2]]], ids=["one-run", "later-import"])
def test_comment_id_reused_on_another_post_is_kept(tmp_path: Path, batches: list[list[int]]) -> None:
    part1, part2 = tmp_path / "part1.xml", tmp_path / "part2.xml"
    part1.write_bytes(export_bytes(item(1, "One", comments=[comment(10, content="on one")])))
    part2.write_bytes(export_bytes(item(2, "Two", comments=[comment(10, content="on two")])))
    parts, db = {1: part1, 2: part2}, tmp_path / "out.db"
    for batch in batches:
        assert_ok(cli("import", *(parts[n] for n in batch), "--db", db))
    assert query(db, "SELECT post_id, content FROM comments ORDER BY post_id") == [(1, "on one"), (2, "on two")]
    assert [w[0] for w in warnings(db)] == ["duplicate-id"]


def test_reimported_post_updates_its_comment_without_a_duplicate(tmp_path: Path) -> None:
    # The same post read again is an update: its comment 10 is replaced, not kept twice or renamed.
    old, new = tmp_path / "old.xml", tmp_path / "new.xml"
    old.write_bytes(export_bytes(item(1, "One", comments=[comment(10, content="before")])))
    new.write_bytes(export_bytes(item(1, "One", comments=[comment(10, content="after")])))
    db = tmp_path / "out.db"
    assert_ok(cli("import", old, "--db", db))
    result = cli("import", new, "--db", db)
    assert_ok(result)
    assert query(db, "SELECT id, post_id, content FROM comments") == [(10, 1, "after")]
    assert warnings(db) == [] and "1 post; 1 comment, " in result.stderr


def test_comment_leading_into_a_reply_cycle_keeps_its_parent(tmp_path: Path) -> None:
    # 20 answers 21; 21 and 22 answer each other. Only 21 and 22 are in the cycle.
    data = export_bytes(item(1, "P", comments=[comment(20, parent=21), comment(21, parent=22),
                                                comment(22, parent=21)]))
    result, db = imported(tmp_path, data)
    assert_ok(result)
    parents = dict(query(db, "SELECT id, parent_id FROM comments"))
    assert parents[20] == 21
    assert sorted([parents[21], parents[22]], key=str) in ([21, None], [22, None])
    found = [w for w in warnings(db) if w[0] == "comment-cycle"]
    assert len(found) == 1 and "comment 20 " not in found[0][2], found


class CountingDict(dict[int, "int | None"]):
    """Counts every look-up, so a quadratic walk shows without timing anything."""

    lookups = 0

    def __getitem__(self, key: int) -> int | None:
        CountingDict.lookups += 1
        return super().__getitem__(key)

    def get(self, key: int, default: Any = None) -> Any:
        CountingDict.lookups += 1
        return super().get(key, default)


def threading_lookups(n: int) -> int:
    parents = CountingDict({1: None, **{i: i - 1 for i in range(2, n + 1)}})
    parents[n + 1] = n + 2  # and a long cycle at the end
    parents.update({i: i + 1 for i in range(n + 2, 2 * n)})
    parents[2 * n] = n + 1
    CountingDict.lookups = 0
    problems = _break_cycles(parents, 1)
    _depths(parents)
    assert len(problems) == 1
    return CountingDict.lookups


def test_threading_work_grows_linearly_with_the_chain() -> None:
    # A reply chain and a reply cycle, n and 4n long: linear work is 4x, the old walk was 16x.
    small, large = threading_lookups(2000), threading_lookups(8000)
    assert large <= 5 * small, (small, large)


def nested_chain(levels: int) -> list[str]:
    return [comment(100 + n, parent=100 + n - 1 if n else 0, content=f"level {n + 1}") for n in range(levels)]


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text.split("---\n")[1])
    return loaded


def comment_depth(comments: list[dict[str, Any]]) -> int:
    depth, level = 0, comments
    while level:
        depth += 1
        level = level[0].get("replies", [])
    return depth


def test_seventy_nested_comment_levels_are_all_in_the_front_matter(tmp_path: Path) -> None:
    _, db = imported(tmp_path, export_bytes(item(1, "Deep", comments=nested_chain(70))))
    result = cli("markdown", db, tmp_path / "out")
    entries = front_matter(tmp_path / "out" / "posts" / "post-1.md")
    depth = comment_depth(entries["comments"])
    if depth < 70:
        assert result.exit_code == 0 and f"{70 - depth} comment" in result.stderr, result.stderr
    else:
        assert depth == 70 and result.exit_code == 0, result.output


def all_entries(comments: list[dict[str, Any]]) -> list[str]:
    found, stack = [], list(reversed(comments))
    while stack:
        entry = stack.pop()
        found.append(entry["content"])
        stack += reversed(entry.get("replies", []))
    return found


def test_three_hundred_nested_levels_are_all_written_the_deepest_flattened_with_a_warning(
        tmp_path: Path) -> None:
    _, db = imported(tmp_path, export_bytes(item(1, "Deep", comments=nested_chain(300))))
    result = cli("markdown", db, tmp_path / "out")
    assert_ok(result)
    entries = front_matter(tmp_path / "out" / "posts" / "post-1.md")["comments"]
    assert all_entries(entries) == [f"level {n}" for n in range(1, 301)]
    assert comment_depth(entries) == 48
    assert "post 1: 252 comments nested deeper than 48 levels, written at level 48" in result.stderr


# --- items the reader skips -----------------------------------------------------------------------


def all_items_kept_or_warned(db: Path, ids: set[int]) -> None:
    stored = {r[0] for r in query(db, "SELECT id FROM posts")}
    warned = {w[1] for w in warnings(db)}
    assert ids <= stored | warned, (ids, stored, warned)


def test_item_outside_the_channel_is_kept_or_reported(tmp_path: Path) -> None:
    text = export(item(1, "Inside")).replace("</channel>\n", "</channel>\n" + item(2, "Outside"))
    result, db = imported(tmp_path, text.encode())
    assert_ok(result)
    all_items_kept_or_warned(db, {1, 2})


def test_second_channel_items_are_kept_or_reported(tmp_path: Path) -> None:
    first = export(item(1, "First channel"))
    second = first[first.index("<channel>") : first.index("</channel>") + len("</channel>\n")]
    second = second.replace("post-1", "post-2").replace("<wp:post_id>1<", "<wp:post_id>2<")
    text = first.replace("</rss>", second + "</rss>")
    result, db = imported(tmp_path, text.encode())
    assert_ok(result)
    all_items_kept_or_warned(db, {1, 2})


# --- plugin elements at channel level ------------------------------------------------------------

PLUGIN_NS = 'xmlns:plugin="http://example.com/plugin/"'
PAD = "x" * 20_000  # items long enough that read chunks end in many different places


def plugin(value: str, name: str = "setting") -> str:
    return f"<plugin:{name}>{value}</plugin:{name}>\n"


def with_plugin_ns(text: str) -> str:
    return text.replace('<rss version="2.0"', f'<rss version="2.0" {PLUGIN_NS}', 1)


def plugin_listing() -> str:
    return "<plugin:list>" + "".join(f"<plugin:entry>{n}</plugin:entry>" for n in range(3000)) + "</plugin:list>"


def plugin_export() -> bytes:
    """Plugin elements directly under <channel> before, between and after items (one a long list),
    and directly under <rss> before and after the channel."""
    items = [item(1, content=PAD), plugin("between"), plugin_listing() + "\n", item(2, content=PAD),
             *(plugin(f"n{n}") for n in range(200)), item(3, content=PAD), plugin("after")]
    text = with_plugin_ns(export(*items, head=header() + plugin("before")))
    text = text.replace("<channel>", plugin("top", "rss") + "<channel>", 1)
    return text.replace("</rss>", plugin("bottom", "rss") + "</rss>").encode()


def site_extra(db: Path) -> dict[str, list[str]]:
    (extra,) = query(db, "SELECT extra FROM site")[0]
    return dict(json.loads(extra))


def test_channel_plugin_elements_read_the_same_whatever_the_read_size(monkeypatch: pytest.MonkeyPatch) -> None:
    data = plugin_export()
    seen = set()
    for read_size in (1000, 4096, 32 * 1024, 100_000, 4 << 20):
        monkeypatch.setattr(wxr, "READ_SIZE", read_size)
        seen.add(repr(list(iter_records(io.BytesIO(data), name="t.xml"))))
    assert len(seen) == 1


def test_channel_plugin_elements_before_between_and_after_items_are_all_kept(tmp_path: Path) -> None:
    result, db = imported(tmp_path, plugin_export())
    assert_ok(result)
    extra = site_extra(db)
    (listing,) = extra.pop("plugin:list")
    assert listing.startswith("<plugin:list ") and listing.endswith("<plugin:entry>2999</plugin:entry></plugin:list>")
    assert listing.count("<plugin:entry>") == 3000
    assert extra == {"plugin:rss": ["top", "bottom"],
                     "plugin:setting": ["before", "between", *(f"n{n}" for n in range(200)), "after"]}
    assert query(db, "SELECT count(*) FROM posts") == [(3,)]


def test_second_channel_plugin_elements_and_site_fields_are_kept(tmp_path: Path) -> None:
    first = export(item(1), head=header() + plugin("first"))
    second = f"<channel>\n{header(title='Other')}{plugin('second')}{item(2)}{plugin('late')}</channel>\n"
    text = with_plugin_ns(first.replace("</rss>", second + plugin("bottom", "rss") + "</rss>"))
    result, db = imported(tmp_path, text.encode())
    assert_ok(result)
    assert site_extra(db) == {"plugin:setting": ["first", "second", "late"], "title": ["Other"],
                              "plugin:rss": ["bottom"]}
    assert query(db, "SELECT title FROM site") == [("Example",)]
    assert [w[0] for w in warnings(db)] == ["second-channel"]


# --- split exports and re-imports -----------------------------------------------------------------


@pytest.mark.corpus
def test_theme_unit_test_split_in_two_keeps_every_post(tmp_path: Path) -> None:
    whole = THEME_UNIT_TEST.read_bytes()
    part1, part2 = split_items(whole, 93)
    (tmp_path / "part1.xml").write_bytes(part1)
    (tmp_path / "part2.xml").write_bytes(part2)
    assert_ok(cli("import", THEME_UNIT_TEST, "--db", tmp_path / "whole.db", "-q"))
    assert_ok(cli("import", tmp_path / "part1.xml", "--db", tmp_path / "split.db", "-q"))
    assert_ok(cli("import", tmp_path / "part2.xml", "--db", tmp_path / "split.db", "-q"))
    posts = {name: query(tmp_path / name, "SELECT count(*) FROM posts")[0][0] for name in ("whole.db", "split.db")}
    assert posts["whole.db"] == 186
    merged = posts["whole.db"] - posts["split.db"]
    # Whole, the 9 repeated ids are renamed (and warned about); split, each must be kept or counted.
    reported = len(warnings(tmp_path / "split.db"))
    assert merged == 0 or reported == merged, (posts, reported)


def test_termmeta_reimport_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "out.db"
    counts = []
    for _ in range(3):
        assert_ok(cli("import", FIXTURES / "custom-types.xml", "--db", db, "-q"))
        counts.append(query(db, "SELECT count(*) FROM termmeta")[0][0])
    assert counts == [3, 3, 3]


EXPORTS = sorted(FIXTURES.glob("*.xml"))


def twice(tmp_path: Path, export_path: Path) -> tuple[dict[str, list[str]], dict[str, list[str]],
                                                      dict[str, list[str]]]:
    once, separately, one_run = (tmp_path / f"{n}.db" for n in ("once", "separately", "one-run"))
    assert_ok(cli("import", export_path, "--db", once, "-q"))
    assert_ok(cli("import", export_path, "--db", separately, "-q"))
    assert_ok(cli("import", export_path, "--db", separately, "-q"))
    assert_ok(cli("import", export_path, export_path, "--db", one_run, "-q"))
    return dump(once), dump(separately), dump(one_run)


@pytest.mark.parametrize("export_path", [*EXPORTS, *(pytest.param(p, marks=pytest.mark.corpus)
                                                      for p in corpus_params())], ids=lambda p: p.name)
def test_export_imported_twice_dumps_the_same(tmp_path: Path, export_path: Path) -> None:
    once, separately, one_run = twice(tmp_path, export_path)
    assert separately == once
    assert one_run == once


OLD_COMMENT_THREADS = """
    WITH RECURSIVE thread(id, sort_path) AS (
        SELECT id, printf('%s|%020d', coalesce(date_gmt, date, ''), id)
        FROM comments WHERE parent_id IS NULL
        UNION ALL
        SELECT c.id, thread.sort_path || '/' || printf('%s|%020d', coalesce(c.date_gmt, c.date, ''), c.id)
        FROM comments c JOIN thread ON c.parent_id = thread.id
    )
    SELECT c.post_id, p.title AS post_title, c.id, c.parent_id, c.depth, c.author, c.date,
           c.approved, c.type, c.content, thread.sort_path
    FROM thread JOIN comments c ON c.id = thread.id JOIN posts p ON p.id = c.post_id
    ORDER BY c.post_id, thread.sort_path"""
WITH_COMMENTS = [p for p in [*EXPORTS, *corpus_files()] if b"<wp:comment>" in p.read_bytes()]


@pytest.mark.parametrize("export_path", WITH_COMMENTS, ids=[p.name for p in WITH_COMMENTS])
def test_comment_threads_view_gives_the_rows_the_recursive_sort_gave(tmp_path: Path, export_path: Path) -> None:
    # The view now orders by the thread_order stored at import; on real threads it must give every
    # row, in the order, that sorting the whole path of every comment gave.
    db = tmp_path / "out.db"
    assert_ok(cli("import", export_path, "--db", db, "-q"))
    expected = query(db, OLD_COMMENT_THREADS)
    assert expected and query(db, "SELECT * FROM comment_threads") == expected


def test_a_database_without_thread_order_gets_it(tmp_path: Path) -> None:
    db = tmp_path / "out.db"
    assert_ok(cli("import", FIXTURES / "sharing-and-collaboration.xml", "--db", db, "-q"))
    # An older database lacks the column; it comes back last, so rows are compared by name.
    by_name = "SELECT id, thread_order FROM comments ORDER BY id"
    expected = query(db, "SELECT * FROM comment_threads"), query(db, by_name)
    old = Database(db)
    old["comments"].transform(drop={"thread_order"})  # type: ignore[union-attr]
    ensure_db_shape(old)
    assert (query(db, "SELECT * FROM comment_threads"), query(db, by_name)) == expected


def sort_path_chars(tmp_path: Path, levels: int) -> int:
    (tmp_path / str(levels)).mkdir()
    result, db = imported(tmp_path / str(levels), export_bytes(item(1, "Deep", comments=nested_chain(levels))))
    assert_ok(result)
    rows = query(db, "SELECT id, length(sort_path) FROM comment_threads")
    assert [r[0] for r in rows] == [100 + n for n in range(levels)]
    return sum(r[1] or 0 for r in rows)


def test_comment_threads_view_grows_linearly_on_a_deep_chain(tmp_path: Path) -> None:
    # Every row of a chain spelled its whole path: n rows of up to n keys. The text it builds is
    # what a quadratic view costs; n and 4n levels must stay near 4x.
    small, large = sort_path_chars(tmp_path, 500), sort_path_chars(tmp_path, 2000)
    assert 0 < large <= 5 * small, (small, large)


# --- the summary counts rows stored, with the right plurals --------------------------------------


def test_summary_counts_rows_stored_not_records_read(tmp_path: Path) -> None:
    seed = FIXTURES / "sharing-and-collaboration.xml"
    db = tmp_path / "out.db"
    result = cli("import", seed, seed, "--db", db)
    assert_ok(result)
    assert query(db, "SELECT count(*) FROM posts") == [(1,)]
    assert result.stderr.splitlines()[0].startswith(f"{db}: 1 post; 9 comments, "), result.stderr


def test_summary_says_seven_posts_and_agrees_with_info(tmp_path: Path) -> None:
    data = export_bytes(*(item(n, f"Post {n}") for n in range(1, 8)), item(8, "About", post_type="page"),
                        item(9, "Contact", post_type="page"))
    result, db = imported(tmp_path, data)
    assert_ok(result)
    assert result.stderr.splitlines()[0] == f"{db}: 7 posts, 2 pages; 0 comments, 0 terms, 1 author; 0 warnings"
    census = cli("info", db)
    assert_ok(census)
    assert "posts:       page: publish 2; post: publish 7" in census.stdout.splitlines()
