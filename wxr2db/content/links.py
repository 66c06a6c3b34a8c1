"""The Links protocol: what the renderer asks its caller about attachments and link targets."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Links(Protocol):
    """The seam where media and internal links plug into the renderer.

    `url_for` and `attached_images` resolve `[gallery]` (by ids, or the post's attached images when it
    names none). Links to the old site are rewritten before the body is rendered (links.rewrite)."""

    def url_for(self, attachment_id: int) -> str | None: ...

    def attached_images(self) -> list[str]: ...


@runtime_checkable
class GalleryLinks(Protocol):
    """What a gallery asks beyond Links: each image's (original URL, thumbnail URL, caption, alt), and
    the ids of the images attached to the post (a [gallery] without ids shows them)."""

    def gallery_image(self, attachment_id: int) -> tuple[str, str, str, str] | None: ...

    def attached_ids(self) -> list[int]: ...
