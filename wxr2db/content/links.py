"""The Links protocol: what the renderer asks its caller about attachments and link targets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@runtime_checkable
class Links(Protocol):
    """The seam where media and internal links plug into the renderer.

    `url_for` and `attached_images` resolve `[gallery]` (by ids, or the post's attached images when it
    names none); `rewrite` is asked for every link and image address the Markdown gets."""

    def url_for(self, attachment_id: int) -> str | None: ...

    def attached_images(self) -> list[str]: ...

    def rewrite(self, href: str) -> str: ...


class Media(Protocol):
    """The older, narrower seam: attachments only. Still accepted by render_body, as MediaLinks."""

    def url(self, attachment_id: int) -> str | None: ...

    def attached_images(self) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class MediaLinks:
    """Links for a caller that knows only attachments: every address stays as it is."""

    media: Media

    def url_for(self, attachment_id: int) -> str | None:
        return self.media.url(attachment_id)

    def attached_images(self) -> list[str]:
        return self.media.attached_images()

    def rewrite(self, href: str) -> str:
        return href


def as_links(given: Links | Media | None) -> Links | None:
    if given is None or isinstance(given, Links):
        return given
    return MediaLinks(given)
