"""Reading posts for rendering, a chunk at a time."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import import_path
from tests.wxrbuild import write_export
from wxr2db.site.pool import CHUNK
from wxr2db.site.views import Wanted, read_views

WHOLE_TABLE = re.compile(r"\bSCAN (?:posts|postmeta|comments|post_terms|terms|media)\b|idx_postmeta_key")


def test_every_query_of_a_chunk_finds_its_rows_by_the_posts_ids(tmp_path: Path) -> None:
    """Searched by meta key instead (an SEO plugin's key, say), a query read every post's row of that
    key for each chunk of posts: the run grew with posts times chunks."""
    write_export(tmp_path / "synth.xml", target_bytes=900_000, seed=2)
    db, _ = import_path(tmp_path / "synth.xml")
    ids = [row[0] for row in db.execute("SELECT id FROM posts WHERE post_type = 'post' ORDER BY id LIMIT ?",
                                        [CHUNK])]
    assert len(ids) == CHUNK
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    views = read_views(db.conn, [Wanted(post_id, "slug") for post_id in ids], "all", (("lang", "lang"),))
    db.conn.set_trace_callback(None)
    assert [view.id for view in views] == ids
    plans = {sql: " / ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql))
             for sql in statements if sql.lstrip().upper().startswith("SELECT")}
    assert len(plans) >= 12
    assert {sql: plan for sql, plan in plans.items() if WHOLE_TABLE.search(plan)} == {}
