"""Opening exports (wxr2db/sources.py): .zip input, damaged compressed files, and bombs."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, cast

import pytest
from sqlite_utils import Database

from tests.helpers import SEED, cli, error_line, runner
from tests.wxrbuild import export, export_bytes, item
from wxr2db import iter_records
from wxr2db.cli import app
from wxr2db.errors import DamagedFileError, NotAnExportError
from wxr2db.records import Post
from wxr2db.sources.files import HEAD_SIZE, CountingReader, Limits, Rewound, iter_export_parts, open_export

PART_1 = export_bytes(item(1, "First"), item(2, "Second"))
PART_2 = export_bytes(item(3, "Third"))


def zipped(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def titles(db: Path) -> list[tuple[int, str]]:
    return [(r[0], r[1]) for r in Database(db).execute("SELECT id, title FROM posts ORDER BY id")]


def test_a_zip_of_several_exports_imports_as_one_split_export(tmp_path: Path) -> None:
    # Named so that name order differs from the order they were added in.
    archive = zipped(tmp_path / "site.wordpress.2024-01-01.zip",
                     {"site.002.xml": PART_2, "notes.txt": b"not an export", "site.001.xml": PART_1})
    result = cli("import", archive, "--db", tmp_path / "zip.db")
    assert result.exit_code == 0, result.output
    (tmp_path / "one.xml").write_bytes(PART_1)
    (tmp_path / "two.xml").write_bytes(PART_2)
    assert cli("import", tmp_path / "one.xml", tmp_path / "two.xml", "--db", tmp_path / "xml.db").exit_code == 0
    assert titles(tmp_path / "zip.db") == titles(tmp_path / "xml.db") == [(1, "First"), (2, "Second"), (3, "Third")]


def test_a_zip_gets_a_database_named_after_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    zipped(tmp_path / "blog.zip", {"blog.xml": SEED.read_bytes()})
    assert cli("import", "blog.zip").exit_code == 0
    assert cli("import", str(SEED), "--db", "seed.db").exit_code == 0
    assert titles(tmp_path / "blog.db") == titles(tmp_path / "seed.db") == [(1024, "Sharing and Collaboration")]


def test_zip_parts_come_in_name_order_and_are_named_in_messages(tmp_path: Path) -> None:
    archive = zipped(tmp_path / "x.zip", {"b.xml": PART_2, "dir/": b"", "a.xml": PART_1,
                                          "__MACOSX/._a.xml": b"\0\5\26\7"})
    parts = []
    for name, source in iter_export_parts(str(archive)):
        parts.append((name, [r.id for r in iter_records(source, name=name) if isinstance(r, Post)]))
    assert parts == [(f"{archive}:a.xml", [1, 2]), (f"{archive}:b.xml", [3])]
    broken = zipped(tmp_path / "broken.zip", {"a.xml": PART_1, "b.xml": PART_2[:-30]})
    error_line(cli("import", broken, "--db", tmp_path / "b.db"), "broken.zip:b.xml", "line", code=1)
    assert not (tmp_path / "b.db").exists()


def test_zip_progress_ends_at_the_compressed_sizes(tmp_path: Path) -> None:
    archive = zipped(tmp_path / "x.zip", {"a.xml": PART_1, "b.xml": PART_2})
    counted: list[int] = []
    for _, source in iter_export_parts(str(archive), counted.append):
        list(iter_records(source))
    assert sum(counted) == sum(m.compress_size for m in zipfile.ZipFile(archive).infolist())


def test_a_zip_without_xml_says_so(tmp_path: Path) -> None:
    archive = zipped(tmp_path / "photos.zip", {"a.jpg": b"\xff\xd8"})
    error_line(cli("import", archive, "--db", tmp_path / "x.db"), "photos.zip", "no .xml file", code=1)
    with pytest.raises(NotAnExportError):
        list(iter_export_parts(str(archive)))


@pytest.mark.parametrize(("name", "data"), [
    ("cut.xml.gz", gzip.compress(PART_1)[:-60]),
    ("corrupt.xml.gz", gzip.compress(PART_1)[:30] + b"\xff" * 40 + gzip.compress(PART_1)[70:]),
    ("cut.xml.bz2", bz2.compress(PART_1)[:-40]),
    ("cut.xml.xz", lzma.compress(PART_1)[:-40]),
    ("cut.zip", b""),
    # Named compressed, but neither that nor XML: a download cut or overwritten.
    ("garbage.xml.gz", b"\x00\x01garbage" * 10),
    ("empty.xml.BZ2", b""),
    ("garbage.zip", b"\x00PK" * 10),
])
def test_a_damaged_compressed_file_says_so_and_never_suggests_recover(tmp_path: Path, name: str,
                                                                       data: bytes) -> None:
    (tmp_path / name).write_bytes(data)
    for recover in ((), ("--recover",)):
        result = cli("import", tmp_path / name, "--db", tmp_path / "x.db", *recover)
        line = error_line(result, name, "damaged", "--recover cannot repair", code=1)
        assert "Try --recover" not in line
        assert not (tmp_path / "x.db").exists()


def test_a_zip_cut_in_its_data_says_damaged(tmp_path: Path) -> None:
    archive = zipped(tmp_path / "x.zip", {"a.xml": export_bytes(*(item(n, "T" * 50) for n in range(300)))})
    data = bytearray(archive.read_bytes())
    data[200:260] = b"\0" * 60  # inside the deflated data: a CRC or inflate error on reading
    archive.write_bytes(bytes(data))
    error_line(cli("import", archive, "--db", tmp_path / "x.db"), "x.zip:a.xml", "damaged", code=1)


def bomb(size: int) -> bytes:
    """Zeros after an export's start: gzip packs them about 1000 to 1."""
    head = export(item(1, "Bomb", content="MARK")).split("MARK")[0].encode()
    return head + b"\0" * size


SMALL = Limits(max_size=2_000_000, max_ratio=50, ratio_floor=100_000)


def read_all(name: str, limits: Limits) -> None:
    for _, source in iter_export_parts(name, limits=limits):
        while source.read(1 << 16):
            pass


def test_a_gzip_bomb_stops_at_the_ratio_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml.gz"
    path.write_bytes(gzip.compress(bomb(10_000_000)))
    with pytest.raises(DamagedFileError, match=r"bomb.xml.gz: expands more than 50 times"):
        read_all(str(path), SMALL)
    # A real export is far from the limits.
    packed = tmp_path / "seed.xml.gz"
    packed.write_bytes(gzip.compress(SEED.read_bytes()))
    read_all(str(packed), Limits(max_size=10_000_000, max_ratio=20, ratio_floor=100_000))


def test_a_bz2_bomb_stops_at_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml.bz2"
    path.write_bytes(bz2.compress(bomb(10_000_000)))
    with pytest.raises(DamagedFileError, match=r"expands to more than 2,000,000 bytes"):
        read_all(str(path), Limits(max_size=2_000_000, max_ratio=10**9, ratio_floor=0))


def test_zip_bombs_stop_at_the_declared_and_the_real_sizes(tmp_path: Path) -> None:
    path = zipped(tmp_path / "bomb.zip", {"a.xml": bomb(3_000_000)})
    with pytest.raises(DamagedFileError, match=r"would expand to 3,\d{3},\d{3} bytes"):
        read_all(str(path), SMALL)
    with pytest.raises(DamagedFileError, match=r"bomb.zip:a.xml: expands more than 50 times"):
        read_all(str(path), Limits(max_size=10**9, max_ratio=50, ratio_floor=100_000))
    # Several parts count together against the size limit.
    parts = zipped(tmp_path / "parts.zip", {f"{n}.xml": bomb(600_000) for n in range(4)})
    with pytest.raises(DamagedFileError, match=r"parts.zip: its files would expand to 2,\d{3},\d{3} bytes"):
        read_all(str(parts), SMALL)
    read_all(str(parts), Limits(max_size=3_000_000, max_ratio=10**9, ratio_floor=0))


def test_the_cli_refuses_a_bomb_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("wxr2db.sources.files.LIMITS", SMALL)
    path = tmp_path / "bomb.xml.gz"
    path.write_bytes(gzip.compress(bomb(10_000_000)))
    error_line(cli("import", path, "--db", tmp_path / "x.db"), "bomb.xml.gz", "zip bomb", "--recover cannot", code=1)
    assert not (tmp_path / "x.db").exists()


def test_open_export_reads_plain_gzip_bzip2_and_xz_alike(tmp_path: Path) -> None:
    data = SEED.read_bytes()
    for name, packed in (("a.xml", data), ("a.xml.gz", gzip.compress(data)), ("a.xml.bz2", bz2.compress(data)),
                         ("a.xml.xz", lzma.compress(data))):
        (tmp_path / name).write_bytes(packed)
        with open_export(str(tmp_path / name)) as source:
            assert source.read() == data
    assert io.BytesIO(data).read() == data


PACKERS: dict[str, Callable[[bytes], bytes]] = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress,
                                                "plain": bytes}


@pytest.mark.parametrize(("name", "packing"), [
    ("export.xml.GZ", "gzip"), ("export.Xml.Gz", "gzip"), ("export.xml.BZ2", "bzip2"), ("export.XML.XZ", "xz"),
    # The bytes decide, whatever the name says: a gzip without .gz, a bzip2 named .gz, and a plain
    # export whose .gz a browser kept after undoing the server's compression.
    ("export.xml", "gzip"), ("export", "bzip2"), ("export.xml.gz", "bzip2"), ("export.xml.gz", "plain"),
    ("export.xml.bz2", "plain"), ("export.xml.xz", "gzip"),
])
def test_compression_is_read_from_the_first_bytes_whatever_the_name(tmp_path: Path, name: str,
                                                                    packing: str) -> None:
    path = tmp_path / name
    path.write_bytes(PACKERS[packing](PART_1))
    result = cli("import", path, "--db", tmp_path / "x.db")
    assert result.exit_code == 0, result.output
    assert titles(tmp_path / "x.db") == [(1, "First"), (2, "Second")]


@pytest.mark.parametrize("name", ["export.ZIP", "export.xml", "export"])
def test_a_zip_is_a_zip_whatever_its_name(tmp_path: Path, name: str) -> None:
    zipped(tmp_path / name, {"a.xml": PART_1, "b.xml": PART_2})
    assert [part for part, _ in iter_export_parts(str(tmp_path / name))] == [
        f"{tmp_path / name}:a.xml", f"{tmp_path / name}:b.xml"]
    result = cli("import", tmp_path / name, "--db", tmp_path / "x.db")
    assert result.exit_code == 0, result.output
    assert titles(tmp_path / "x.db") == [(1, "First"), (2, "Second"), (3, "Third")]


@pytest.mark.parametrize(("magic", "kind", "command"), [
    (b"\x28\xb5\x2f\xfd" + b"\x00" * 20, "zstd", "zstd -d"),
    (b"7z\xbc\xaf\x27\x1c" + b"\x00" * 20, "7z", "7z x"),
    (b"Rar!\x1a\x07\x00" + b"\x00" * 20, "rar", "unrar x"),
])
def test_an_archive_python_cannot_read_says_how_to_unpack_it(tmp_path: Path, magic: bytes, kind: str,
                                                              command: str) -> None:
    (tmp_path / "export.xml.zst").write_bytes(magic)
    result = cli("import", tmp_path / "export.xml.zst", "--db", tmp_path / "x.db")
    line = error_line(result, "export.xml.zst", f"is a {kind} archive", code=1)
    assert "Traceback" not in result.output
    assert command in result.output, line
    assert not (tmp_path / "x.db").exists()


@pytest.mark.slow
def test_standard_input_is_sniffed_too(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "-", "--db", str(tmp_path / "x.db")], input=gzip.compress(PART_1))
    assert result.exit_code == 0, result.output
    assert titles(tmp_path / "x.db") == [(1, "First"), (2, "Second")]
    archive = zipped(tmp_path / "x.zip", {"a.xml": PART_1})
    result = runner.invoke(app, ["import", "-", "--db", str(tmp_path / "y.db")], input=archive.read_bytes())
    error_line(result, "-", "zip file", "standard input", code=1)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_named_pipe_loses_no_bytes_to_sniffing(tmp_path: Path) -> None:
    """`wxr2db import <(zcat x.gz)` gives a pipe: its first bytes are read once, and kept."""
    fifo = tmp_path / "export.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(gzip.compress(PART_1)))
    writer.start()
    result = cli("import", fifo, "--db", tmp_path / "x.db")
    writer.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert titles(tmp_path / "x.db") == [(1, "First"), (2, "Second")]


def test_the_default_database_name_drops_suffixes_in_any_case(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Blog.XML.GZ").write_bytes(gzip.compress(PART_1))
    assert cli("import", "Blog.XML.GZ").exit_code == 0
    assert (tmp_path / "Blog.db").exists()


def test_a_pipe_giving_one_byte_at_a_time_still_gives_every_byte() -> None:
    class Trickle(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            return super().read(size if size is None or size < 0 else min(size, 1))

    packed = gzip.compress(PART_1)
    counted = CountingReader(Trickle(packed), None)
    head = counted.head()
    assert head == packed[:HEAD_SIZE]
    rewound = Rewound(head, cast(BinaryIO, counted))
    assert rewound.read(2) + rewound.read(10) + rewound.read() == packed
