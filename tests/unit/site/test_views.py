"""Reading posts for rendering, a chunk at a time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import CORPUS_REASON, corpus_params, import_path
from tests.wxrbuild import export, item, write_export
from wxr2db.site.links import media_urls
from wxr2db.site.pool import CHUNK
from wxr2db.site.render import render_post
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


# --- a post renders the same beside any other posts ------------------------------------------------

UPLOADS = "http://example.com/wp-content/uploads/2020/01"


def attachment(number: int, parent: int = 0) -> str:
    extra = f"<wp:attachment_url>{UPLOADS}/pic-{number}.jpg</wp:attachment_url>\n"
    return item(number, f"Pic {number}", "", post_type="attachment", slug=f"pic-{number}",
                extra=extra).replace("<wp:post_parent>0</wp:post_parent>", f"<wp:post_parent>{parent}</wp:post_parent>")


NAMING_POSTS = [
    item(1, "Builder", '[vc_row][vc_column][vc_single_image image="50" img_size="large"][/vc_column][/vc_row]'),
    item(2, "Featured", "Text", meta=[("_thumbnail_id", "50"), ("_thumbnail_id", "51")]),
    item(3, "Gallery", '[gallery ids="51,52"]'),
    item(4, "Block gallery", '<!-- wp:gallery --><figure class="wp-block-gallery"><img src="x.jpg" data-id="52" '
         'class="wp-image-52"/></figure><!-- /wp:gallery -->'),
    item(5, "Attached", "[gallery]"),
    item(6, "Odd digits", '[vc_single_image image="²"][vc_single_image image="\u0665\u0660"] <img data-id="²" '
         'class="wp-image-\u0665\u0662"/>'),
]


def rendered_alone_and_together(db_path: Path) -> tuple[list[str], list[str]]:
    db, _ = import_path(db_path)
    ids = [row[0] for row in db.execute("SELECT id FROM posts WHERE post_type IN ('post', 'page') ORDER BY id")]
    wanted = [Wanted(post_id, f"p{post_id}") for post_id in ids]
    together = [render_post(view) for view in read_views(db.conn, wanted, "all")]
    alone = [render_post(read_views(db.conn, [one], "all")[0]) for one in wanted]
    return alone, together


def test_a_post_renders_the_same_alone_as_beside_others(tmp_path: Path) -> None:
    """Each post in a chunk of the render pool got every attachment the chunk's posts named: a
    WPBakery image showed only when another post of its chunk happened to name its attachment."""
    path = tmp_path / "naming.xml"
    path.write_text(export(attachment(50), attachment(51), attachment(52), attachment(53, parent=5),
                           *NAMING_POSTS), encoding="utf-8")
    alone, together = rendered_alone_and_together(path)
    assert alone == together
    builder, _, gallery, block, attached, odd = alone
    assert f"![]({UPLOADS}/pic-50.jpg)" in builder
    assert f"{UPLOADS}/pic-51.jpg" in gallery and f"{UPLOADS}/pic-52.jpg" in gallery
    assert f"{UPLOADS}/pic-52.jpg" in block and f"{UPLOADS}/pic-53.jpg" in attached
    assert "pic-50" not in odd and "could not" not in odd


def test_media_download_fetches_the_pictures_builder_modules_name(tmp_path: Path) -> None:
    """--media download fetches what rendering shows: a WPBakery image's attachment too."""
    path = tmp_path / "naming.xml"
    path.write_text(export(attachment(50), attachment(51), *NAMING_POSTS[:1]), encoding="utf-8")
    db, _ = import_path(path)
    wanted = media_urls(db.conn, [1], "approved")
    assert f"{UPLOADS}/pic-50.jpg" in wanted and f"{UPLOADS}/pic-51.jpg" not in wanted


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params(), ids=lambda p: p.stem)
def test_corpus_posts_render_the_same_alone_as_beside_others(path: Path) -> None:
    if not path.is_file():
        pytest.skip(CORPUS_REASON)
    alone, together = rendered_alone_and_together(path)
    assert len(alone) > 0
    assert alone == together
