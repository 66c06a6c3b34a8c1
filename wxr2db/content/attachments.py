"""The attachments a body names by id: what rendering it asks the site for (content.links), and
what `--media download` fetches for it.

Each post gets only the attachments it names: a post rendered beside others (a chunk of the
render pool) must come out as it does alone.
"""

from __future__ import annotations

import re

from ..normalize import digits
from ..resolve.limits import id_list
from .shortcodes import shortcode_attributes

# [gallery ids="1,2"] or include=; like WordPress, the attribute is read wherever it is written.
GALLERY_IDS = re.compile(r"\b(?:ids|include)\s*=\s*[\"']?([0-9,\s]+)", re.IGNORECASE)
# The attachment id of each image in a block-editor gallery: `<img ... data-id="12" class="wp-image-12">`.
BLOCK_IMAGE_ID = re.compile(r"\b(?:data-id=[\"']|wp-image-)([0-9]{1,18})\b")
BLOCK_GALLERY = "<!-- wp:gallery"
# WPBakery's image module names its picture by attachment id: [vc_single_image image="12"].
BUILDER_IMAGE = "[vc_single_image"


def gallery_ids(content: str) -> list[int]:
    """The attachments the body's galleries show by id: [gallery ids=...], and wp:gallery blocks' images."""
    found = [n for ids in GALLERY_IDS.findall(content) for n in id_list(ids)]
    if BLOCK_GALLERY in content:
        found += [int(n) for n in BLOCK_IMAGE_ID.findall(content)]
    return found


def builder_image_ids(content: str) -> list[int]:
    """The attachments WPBakery's [vc_single_image image=N] modules show."""
    found: list[int] = []
    start = content.find(BUILDER_IMAGE)
    while start >= 0:
        end = content.find("]", start)
        if end < 0:
            break
        number = digits(shortcode_attributes(content[start + len(BUILDER_IMAGE) : end]).get("image", "").strip())
        if number is not None:
            found.append(number)
        # The next module starts after this one's `]`: the scan never reads a stretch twice.
        start = content.find(BUILDER_IMAGE, end)
    return found


def named_attachments(content: str) -> list[int]:
    """Every attachment the body names by id: its galleries' first, then its builder images'."""
    return gallery_ids(content) + builder_image_ids(content)
