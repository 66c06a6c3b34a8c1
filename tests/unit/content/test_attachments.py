"""The attachments a body names by id."""

from __future__ import annotations

import pytest

from wxr2db.content import attachments
from wxr2db.content.attachments import builder_image_ids, gallery_ids, named_attachments
from wxr2db.content.shortcodes import shortcode_attributes


def test_galleries_and_builder_images_are_named_in_order() -> None:
    body = ('[gallery ids="3, 4"][vc_single_image image="7" img_size="large"]'
            '<!-- wp:gallery --><img data-id="9" class="wp-image-9"/><!-- /wp:gallery -->'
            "[vc_single_image image=' 8 '][vc_single_image img_size=full]")
    assert gallery_ids(body) == [3, 4, 9, 9]
    assert builder_image_ids(body) == [7, 8]
    assert named_attachments(body) == [3, 4, 9, 9, 7, 8]


def test_block_image_ids_count_only_inside_a_gallery_block() -> None:
    assert named_attachments('<img class="wp-image-9"/>') == []


@pytest.mark.parametrize("body", [
    "[vc_single_image " * 20_000,  # never closed
    "[vc_single_image " * 20_000 + 'image="5"]',  # one close after many openings
])
def test_each_stretch_of_a_body_is_read_once(body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each opening scanned to the next `]`: 20,000 openings before one `]` were 20,000 reads of the
    rest of the body."""
    read: list[int] = []
    parse = shortcode_attributes

    def counted(text: str) -> dict[str, str]:
        read.append(len(text))
        return parse(text)

    monkeypatch.setattr(attachments, "shortcode_attributes", counted)
    found = builder_image_ids(body)
    assert sum(read) <= len(body)
    assert found == ([5] if body.endswith("]") else [])
