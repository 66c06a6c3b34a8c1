"""What media/filetypes accepts as the format a file's name promises: every checked extension, real
first bytes of each format, and the pages and junk a failing server sends instead."""

from __future__ import annotations

import pytest

from wxr2db.media.filetypes import CHECKED_EXTENSIONS, bytes_problem, kind_of, type_problem

JPEG, PNG, GIF = b"\xff\xd8\xff\xe0\x00\x10JFIF", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"GIF89a\x01\x00"
SAMPLES = {
    "jpg": JPEG, "jpeg": JPEG, "jpe": JPEG, "jfif": JPEG, "png": PNG, "gif": GIF,
    "webp": b"RIFF\x24\x00\x00\x00WEBPVP8 ", "avif": b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf",
    "heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    "heif": b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic",
    "svg": b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "bmp": b"BM\x36\x00\x00\x00",
    "ico": b"\x00\x00\x01\x00\x01\x00", "tif": b"II*\x00\x08\x00", "tiff": b"MM\x00*\x00\x00",
    "mp3": b"ID3\x04\x00\x00", "m4a": b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42",
    "m4b": b"\x00\x00\x00\x20ftypM4B ",
    "ogg": b"OggS\x00\x02", "oga": b"OggS\x00\x02", "opus": b"OggS\x00\x02", "wav": b"RIFF\x24\x00\x00\x00WAVEfmt ",
    "flac": b"fLaC\x00\x00", "wma": bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c"),
    "mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", "m4v": b"\x00\x00\x00\x18ftypM4V ",
    "3gp": b"\x00\x00\x00\x14ftyp3gp5",
    "3g2": b"\x00\x00\x00\x14ftyp3g2a", "mov": b"\x00\x00\x00\x14ftypqt  ", "webm": b"\x1a\x45\xdf\xa3\x9f",
    "mkv": b"\x1a\x45\xdf\xa3\x9f", "ogv": b"OggS\x00\x02", "avi": b"RIFF\x24\x00\x00\x00AVI LIST",
    "wmv": bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c"), "flv": b"FLV\x01\x05", "pdf": b"%PDF-1.7\n",
}
JUNK = [b"", b"<!DOCTYPE html><html><body>Not found</body></html>", b"<html><svg></svg></html>",
        b'{"error": "not found"}', b"Account suspended", b"PK\x03\x04zip", b"\x00" * 64]


def test_every_checked_extension_has_a_sample() -> None:
    assert set(SAMPLES) == CHECKED_EXTENSIONS


@pytest.mark.parametrize("extension", sorted(SAMPLES))
def test_real_bytes_pass_and_junk_does_not(extension: str) -> None:
    name = f"2020/01/file.{extension.upper() if extension == 'jpg' else extension}"
    assert bytes_problem(name, SAMPLES[extension]) is None
    for junk in JUNK:
        problem = bytes_problem(name, junk)
        assert problem is not None and problem.startswith("not "), (extension, junk)


def test_a_raster_image_under_another_raster_extension_is_still_an_image() -> None:
    assert bytes_problem("a.jpg", PNG) is None and bytes_problem("a.png", GIF) is None
    assert bytes_problem("a.jpg", SAMPLES["svg"]) is not None  # never sniffed by browsers
    assert bytes_problem("a.svg", PNG) is not None and bytes_problem("a.mp3", SAMPLES["pdf"]) is not None


@pytest.mark.parametrize(("name", "content_type", "ok"), [
    ("a.jpg", "image/jpeg", True), ("a.jpg", "IMAGE/JPEG; charset=binary", True), ("a.jpg", None, True),
    ("a.jpg", "application/octet-stream", True), ("a.avif", "binary/octet-stream", True),
    ("a.jpg", "text/html; charset=utf-8", False), ("a.png", "text/plain", False), ("a.gif", "application/json", False),
    ("a.svg", "image/svg+xml", True), ("a.svg", "text/xml", True), ("a.svg", "text/html", False),
    ("a.mp3", "audio/mpeg", True), ("a.mp3", "image/png", False), ("a.ogg", "application/ogg", True),
    ("a.mp4", "video/mp4", True), ("a.mp4", "image/jpeg", False), ("a.pdf", "application/pdf", True),
    ("a.pdf", "text/html", False), ("a.zip", "text/html", True), ("noextension", "text/html", True),
])
def test_content_types(name: str, content_type: str | None, ok: bool) -> None:
    assert (type_problem(name, content_type) is None) == ok


def test_only_the_last_segment_names_the_format() -> None:
    assert kind_of("2020.jpg/readme") is None and kind_of(".jpg") is None and kind_of("a.b.JPG") is not None
