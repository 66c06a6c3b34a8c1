"""Whether fetched bytes are the kind of file their name says: images, audio, video and PDF.

A server that answers `200 text/html` with an error or parking page for `photo.jpg` must not get that
page published as the site's image. Two checks, both from what the server sent, never from the name
alone: the Content-Type header must fit the extension's family (or say nothing more than "bytes"), and
the file's first bytes must be the extension's format. Extensions not listed here (zip, docx, ...) are
not checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

HEAD_BYTES = 4096  # how much of a file the checks look at


def _at(offset: int, *prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda head: any(head[offset : offset + len(p)] == p for p in prefixes)


def _riff(kind: bytes) -> Callable[[bytes], bool]:
    return lambda head: head[:4] == b"RIFF" and head[8:12] == kind


def _ftyp(*brands: bytes) -> Callable[[bytes], bool]:
    """ISO base media (MP4, HEIF, AVIF): an `ftyp` box first, naming the brands the file follows."""

    def check(head: bytes) -> bool:
        if head[4:8] != b"ftyp":
            return False
        size = int.from_bytes(head[:4], "big")
        box = head[8 : min(max(size, 16), 256)]
        listed = {box[i : i + 4] for i in range(0, len(box) - 3, 4)}  # major brand, version, compatible
        return not brands or bool(listed & set(brands))

    return check


_QUICKTIME_ATOMS = (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot")
_HTML_START = re.compile(rb"\s*(<!doctype\s+html|<html|<head|<body)", re.IGNORECASE)


def _mp3(head: bytes) -> bool:
    return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _quicktime(head: bytes) -> bool:
    return head[4:8] in _QUICKTIME_ATOMS


def _svg(head: bytes) -> bool:
    """XML text with an `<svg` element near the start, and not an HTML page that happens to hold one."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    return not _HTML_START.match(text) and text.lstrip()[:1] == b"<" and b"<svg" in text.lower()


def _pdf(head: bytes) -> bool:
    return b"%PDF-" in head[:1024]  # readers accept junk before the header


_ASF = _at(0, bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c"))
_OGG = _at(0, b"OggS")
_MKV = _at(0, b"\x1a\x45\xdf\xa3")
_HEIF = _ftyp(b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")


@dataclass(frozen=True)
class Kind:
    family: str  # image, audio, video, pdf
    name: str  # for messages: "a JPEG image"
    check: Callable[[bytes], bool]


_KINDS: dict[str, Kind] = {}


def _add(family: str, name: str, check: Callable[[bytes], bool], *extensions: str) -> None:
    for extension in extensions:
        _KINDS[extension] = Kind(family, name, check)


_add("image", "a JPEG image", _at(0, b"\xff\xd8\xff"), "jpg", "jpeg", "jpe", "jfif")
_add("image", "a PNG image", _at(0, b"\x89PNG\r\n\x1a\n"), "png")
_add("image", "a GIF image", _at(0, b"GIF87a", b"GIF89a"), "gif")
_add("image", "a WebP image", _riff(b"WEBP"), "webp")
_add("image", "an AVIF image", _ftyp(b"avif", b"avis"), "avif")
_add("image", "a HEIF image", _HEIF, "heic", "heif")
_add("image", "an SVG image", _svg, "svg")
_add("image", "a BMP image", _at(0, b"BM"), "bmp")
_add("image", "an icon", _at(0, b"\x00\x00\x01\x00", b"\x00\x00\x02\x00", b"\x89PNG\r\n\x1a\n"), "ico")
_add("image", "a TIFF image", _at(0, b"II*\x00", b"MM\x00*"), "tif", "tiff")
_add("audio", "an MP3 file", _mp3, "mp3")
_add("audio", "an MPEG-4 audio file", _ftyp(), "m4a", "m4b")
_add("audio", "an Ogg file", _OGG, "ogg", "oga", "opus")
_add("audio", "a WAV file", _riff(b"WAVE"), "wav")
_add("audio", "a FLAC file", _at(0, b"fLaC"), "flac")
_add("audio", "a Windows Media file", _ASF, "wma")
_add("video", "an MPEG-4 video", _ftyp(), "mp4", "m4v", "3gp", "3g2")
_add("video", "a QuickTime video", _quicktime, "mov")
_add("video", "a WebM or Matroska video", _MKV, "webm", "mkv")
_add("video", "an Ogg video", _OGG, "ogv")
_add("video", "an AVI video", _riff(b"AVI "), "avi")
_add("video", "a Windows Media video", _ASF, "wmv")
_add("video", "a Flash video", _at(0, b"FLV"), "flv")
_add("pdf", "a PDF document", _pdf, "pdf")

CHECKED_EXTENSIONS = frozenset(_KINDS)
# Browsers sniff raster images whatever the name says, so a PNG saved as `a.jpg` shows on the old site
# and will on the new one: any raster format passes for a raster extension. SVG is never sniffed.
_RASTER = tuple({id(k.check): k.check for k in _KINDS.values() if k.family == "image" and k.name != "an SVG image"}
                .values())
# Content-Types that say only "some bytes": servers send them for types they do not know (avif, heic).
_GENERIC_TYPES = frozenset(["", "application/octet-stream", "binary/octet-stream", "application/x-download",
                            "application/download", "application/force-download", "application/unknown"])
_FAMILY_TYPES = {
    "image": ("image/",),
    "audio": ("audio/", "application/ogg", "video/ogg", "video/mp4", "application/mp4"),
    "video": ("video/", "application/ogg", "application/mp4", "application/x-matroska"),
    "pdf": ("application/pdf", "application/x-pdf"),
}
_SVG_TYPES = ("text/xml", "application/xml")  # what servers without an svg entry send


def kind_of(name: str) -> Kind | None:
    """The format a file name promises, None for extensions that are not checked."""
    stem, dot, extension = name.rpartition("/")[2].rpartition(".")
    return _KINDS.get(extension.lower()) if dot and stem else None


def type_problem(name: str, content_type: str | None) -> str | None:
    """Why the Content-Type does not fit the name's extension (None when it fits, or is not checked)."""
    kind = kind_of(name)
    if kind is None:
        return None
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type in _GENERIC_TYPES or media_type.startswith(_FAMILY_TYPES[kind.family]):
        return None
    if kind.name == "an SVG image" and media_type in _SVG_TYPES:
        return None
    return f"Content-Type {media_type} for {kind.name}"


def bytes_problem(name: str, head: bytes) -> str | None:
    """Why the file's first bytes are not the format its extension names (None when they are)."""
    kind = kind_of(name)
    if kind is None or kind.check(head):
        return None
    if kind.check in _RASTER and any(check(head) for check in _RASTER):
        return None
    return f"not {kind.name}: it starts with {head[:16]!r}"
