"""The exports tests share, and the one WXR builder (benchmarks/wxrbuild.py, re-exported here so that
tests import builders from tests.wxrbuild only; it lives in benchmarks so that the benchmarks build
their crafted exports with it without depending on the tests).

    export(item(1, "Hello", comments=[comment(10), comment(11, parent=10)]))
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.crafted import controls, latin1, zeros
from benchmarks.synth import write_export
from benchmarks.wxrbuild import SITE, WP, category, cdata, comment, export, export_bytes, header, item, split_items

__all__ = ["ATTACHMENT", "BODY", "SITE", "THREE_POSTS", "UPLOADS", "WP", "category", "cdata", "comment", "controls",
           "crafted", "export", "export_bytes", "header", "item", "latin1", "split_items", "write_export", "zeros"]


# --- shared exports ------------------------------------------------------------------------------

# Three posts, the second with the seed post's id, for tests that cut, compress or break a small export.
THREE_POSTS = export_bytes(
    item(1, "First", comments=[comment(11)]),
    item(1207, "Sharing and Collaboration", comments=[comment(12)]),
    item(3, "Third"),
)

UPLOADS = f"{SITE}/wp-content/uploads/2020/01"
BODY = (f'<a href="{SITE}/post-2/#part">two</a> <a href="{SITE}/?p=2">by id</a> '
        f'<a href="{SITE}/?attachment_id=5">page of a file</a> <a href="{SITE}/category/cat-a/">archive</a> '
        f'<a href="{SITE}/gone/">gone</a> <a href="https://elsewhere.example/">out</a>\n\n'
        f'<img src="{UPLOADS}/a.jpg" srcset="{UPLOADS}/a.jpg 1x, {UPLOADS}/a-300x200.jpg 300w" alt="A">')
ATTACHMENT = item(5, "A", "", post_type="attachment", extra=f"<wp:attachment_url>{UPLOADS}/a.jpg</wp:attachment_url>")


def crafted(tmp_path: Path) -> Path:
    """site.xml in tmp_path: two posts, a category and an attachment, the first post linking to each of
    them, to an address the export does not have and to another host, with an image and its size variant."""
    path = tmp_path / "site.xml"
    head = header(terms=category(7, "cat-a", "Cat A"))
    path.write_text(export(item(1, "One", BODY, categories=[("cat-a", "Cat A")], meta=[("_thumbnail_id", "5")]),
                           item(2, "Two", "Second"), ATTACHMENT, head=head), encoding="utf-8")
    return path
