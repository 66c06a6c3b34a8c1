"""Issue 8, first part: nothing written outside OUTDIR or over the user's database.

Planted symlinks, FIFOs and device nodes in OUTDIR and at --db, concurrent runs, full and read-only
disks. Every test goes through the CLI only; the files outside OUTDIR are checked byte for byte.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import Result

from tests.helpers import assert_ok, cli, error_line, sha256, start_wxr2db, synthetic_export, wxr2db
from tests.wxrbuild import export_bytes, item

TIMEOUT = 20


def run(*args: str | Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    return wxr2db(*args, timeout=timeout)


def small_db(tmp_path: Path) -> Path:
    source = tmp_path / "site.xml"
    source.write_bytes(export_bytes(item(1, "Hello"), item(2, "About", post_type="page")))
    db = tmp_path / "site.db"
    assert_ok(cli("import", source, "--db", db, "-q"))
    return db


def assert_reported(result: Result | subprocess.CompletedProcess[str], *names: str) -> None:
    """Non-zero exit, no traceback, and every name that was not written appears in the output."""
    code = result.exit_code if isinstance(result, Result) else result.returncode
    output = result.output if isinstance(result, Result) else result.stdout + result.stderr
    assert code not in (0, None), output
    assert "Traceback" not in output
    for name in names:
        assert name in output, (name, output)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file the user can write, outside OUTDIR, that no markdown run may touch."""
    victim = tmp_path / "elsewhere" / "precious.txt"
    victim.parent.mkdir()
    victim.write_text("keep me\n")
    return victim


# --- planted symlinks -----------------------------------------------------------------------------


@pytest.mark.parametrize("exists", [True, False], ids=["existing-file", "new-file"])
def test_symlink_at_a_temporary_name_writes_nothing_outside(
    tmp_path: Path, outside: Path, exists: bool
) -> None:
    db, out = small_db(tmp_path), tmp_path / "out"
    (out / "posts").mkdir(parents=True)
    if not exists:
        outside.unlink()
    planted = out / "posts" / ".post-1.md.wxr2db-tmp"
    planted.symlink_to(outside)
    result = cli("markdown", db, out)
    assert (outside.read_text() == "keep me\n") if exists else not outside.exists()
    # Temporary names are random and created exclusively: the planted link is never used, so the
    # post is written as asked and the link stays as it was.
    assert_ok(result)
    assert (out / "posts" / "post-1.md").is_file() and planted.is_symlink()


def test_symlink_at_the_manifest_temporary_name_writes_nothing_outside(tmp_path: Path, outside: Path) -> None:
    db, out = small_db(tmp_path), tmp_path / "out"
    out.mkdir()
    # The manifest's name starts with a dot already: its temporary name is `..wxr2db-manifest.json.wxr2db-tmp`.
    (out / "..wxr2db-manifest.json.wxr2db-tmp").symlink_to(outside)
    result = cli("markdown", db, out)
    assert outside.read_text() == "keep me\n"
    assert_ok(result)
    assert json.loads((out / ".wxr2db-manifest.json").read_text(encoding="utf-8"))["files"]


def test_symlinked_folder_inside_outdir_is_not_followed(tmp_path: Path, outside: Path) -> None:
    db, out = small_db(tmp_path), tmp_path / "out"
    out.mkdir()
    (out / "posts").symlink_to(outside.parent, target_is_directory=True)
    result = cli("markdown", db, out)
    assert sorted(p.name for p in outside.parent.iterdir()) == ["precious.txt"]
    assert outside.read_text() == "keep me\n"
    assert (out / "pages" / "post-2.md").is_file()
    assert_reported(result, "post-1.md")


def test_symlink_loop_at_a_target_is_reported(tmp_path: Path) -> None:
    db, out = small_db(tmp_path), tmp_path / "out"
    (out / "posts").mkdir(parents=True)
    (out / "posts" / "post-1.md").symlink_to("post-1.md")
    result = cli("markdown", db, out)
    assert (out / "pages" / "post-2.md").is_file()
    assert (out / "posts" / "post-1.md").is_symlink()
    assert_reported(result, "post-1.md")


# --- FIFOs and devices in OUTDIR ------------------------------------------------------------------


def make_null_device(path: Path) -> None:
    """A character device like /dev/null (1, 3): writing to it loses everything silently."""
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))


def special_file(path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    else:
        try:
            make_null_device(path)
        except PermissionError:
            pytest.skip("creating a device node needs root")


def file_kind(path: Path) -> str:
    if not os.path.lexists(path):
        return "missing"
    mode = path.lstat().st_mode
    return "fifo" if stat.S_ISFIFO(mode) else "device" if stat.S_ISCHR(mode) else "file"


@pytest.mark.parametrize("kind", ["fifo", "device"])
@pytest.mark.parametrize("name", ["post-1.md", ".post-1.md.wxr2db-tmp"], ids=["target", "temporary"])
@pytest.mark.slow
def test_fifo_or_device_in_outdir_is_not_opened(tmp_path: Path, kind: str, name: str) -> None:
    db, out = small_db(tmp_path), tmp_path / "out"
    (out / "posts").mkdir(parents=True)
    planted = out / "posts" / name
    special_file(planted, kind)
    result = run("markdown", db, out, timeout=5)
    assert (out / "pages" / "post-2.md").is_file()
    # The special file is left where it was, and the post is never replaced by it.
    assert file_kind(planted) == kind
    if name == "post-1.md":
        assert_reported(result, "post-1.md")
    else:  # a random temporary name never meets the planted file
        assert file_kind(out / "posts" / "post-1.md") == "file"
        assert result.returncode == 0, result.stderr


# --- --db that is not a plain database wxr2db made ------------------------------------------------


def test_db_symlink_updates_the_real_file_or_is_refused(tmp_path: Path) -> None:
    real = small_db(tmp_path)
    link = tmp_path / "link.db"
    link.symlink_to(real)
    before = sha256(real)
    more = tmp_path / "more.xml"
    more.write_bytes(export_bytes(item(3, "Three")))
    result = cli("import", more, "--db", link)
    assert link.is_symlink()
    if result.exit_code == 0:
        with sqlite3.connect(real) as conn:
            assert conn.execute("SELECT id FROM posts ORDER BY id").fetchall() == [(1,), (2,), (3,)]
    else:
        error_line(result, "link.db")
        assert sha256(real) == before


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_db_that_is_a_device_or_fifo_is_refused(tmp_path: Path, kind: str) -> None:
    db = tmp_path / "special.db"
    special_file(db, kind)
    source = tmp_path / "site.xml"
    source.write_bytes(export_bytes(item(1, "Hello")))
    result = run("import", source, "--db", db, timeout=5)
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "special.db" in lines[0], lines
    assert file_kind(db) == kind


def unrelated_database(tmp_path: Path) -> Path:
    db = tmp_path / "accounts.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices VALUES (1, 99.5)")
    conn.close()
    return db


def test_unrelated_sqlite_database_is_refused(tmp_path: Path) -> None:
    db = unrelated_database(tmp_path)
    before = sha256(db)
    source = tmp_path / "site.xml"
    source.write_bytes(export_bytes(item(1, "Hello")))
    error_line(cli("import", source, "--db", db), "accounts.db", "--force")
    assert sha256(db) == before


def test_unrelated_sqlite_database_is_used_with_force(tmp_path: Path) -> None:
    db = unrelated_database(tmp_path)
    source = tmp_path / "site.xml"
    source.write_bytes(export_bytes(item(1, "Hello")))
    assert_ok(cli("import", source, "--db", db, "--force", "-q"))
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT * FROM invoices").fetchall() == [(1, 99.5)]
        assert conn.execute("SELECT id, title FROM posts").fetchall() == [(1, "Hello")]


# --- concurrent runs ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synth_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    return synthetic_export(tmp_path_factory, 12_000_000, seed=3)


def finished(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str]:
    _, err = process.communicate(timeout=timeout)
    return process.returncode, err


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.005)
    raise AssertionError(f"never saw {what}")


def staging_files(db: Path) -> Iterator[Path]:
    return (p for p in db.parent.iterdir() if p.name.startswith(db.name) and p != db)


@pytest.mark.slow
def test_two_concurrent_imports_leave_one_whole_database(tmp_path: Path, synth_export: tuple[Path, int]) -> None:
    export_path, items = synth_export
    db = tmp_path / "shared.db"
    first = start_wxr2db("import", export_path, "--db", db, "-q")
    # The second starts once the first is under way (its staging file exists beside the database).
    wait_until(lambda: any(staging_files(db)) or first.poll() is not None, "the first import start")
    second = start_wxr2db("import", export_path, "--db", db, "-q")
    results = [finished(first), finished(second)]
    assert any(code == 0 for code, _ in results), results
    for code, err in results:
        assert "Traceback" not in err
        if code:
            lines = [line for line in err.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("Error: ") and "lock" in lines[0].lower(), lines
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM posts").fetchone() == (items,)
    assert list(staging_files(db)) == []


@pytest.mark.slow
def test_a_write_committed_during_the_import_is_not_lost(tmp_path: Path, synth_export: tuple[Path, int]) -> None:
    export_path, _ = synth_export
    db = small_db(tmp_path)
    importing = start_wxr2db("import", export_path, "--db", db, "-q", "--merge-sites")
    wait_until(lambda: any(staging_files(db)) or importing.poll() is not None, "the import start")
    with sqlite3.connect(db, timeout=30) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('written by another program')")
    conn.close()
    code, err = finished(importing)
    assert "Traceback" not in err
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT text FROM notes").fetchall() == [("written by another program",)]
    if code:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: ") and "changed" in lines[0], lines


def many_posts_db(tmp_path: Path, name: str, body: str, n: int = 1500) -> Path:
    source = tmp_path / f"{name}.xml"
    source.write_bytes(export_bytes(*(item(i, f"Post {i}", content=f"{body} {i}") for i in range(1, n + 1))))
    db = tmp_path / f"{name}.db"
    assert_ok(cli("import", source, "--db", db, "-q"))
    return db


@pytest.mark.slow
def test_two_concurrent_markdown_runs_keep_the_manifest_true(tmp_path: Path) -> None:
    old, new = many_posts_db(tmp_path, "old", "Old text"), many_posts_db(tmp_path, "new", "New text")
    out = tmp_path / "out"
    runs = [start_wxr2db("markdown", old, out), start_wxr2db("markdown", new, out)]
    results = [finished(p) for p in runs]
    for code, err in results:
        assert "Traceback" not in err
        if code:
            assert "lock" in err.lower(), err
    manifest = json.loads((out / ".wxr2db-manifest.json").read_text(encoding="utf-8"))["files"]
    assert len(manifest) == 1500
    # A third run of the newer database must find every file as some run wrote it: none "edited by you".
    third = run("markdown", new, out, timeout=120)
    assert third.returncode == 0, third.stderr
    assert "edited by you" not in third.stderr and "skipped 0;" in third.stderr, third.stderr
    assert (out / "posts" / "post-7.md").read_text(encoding="utf-8").rstrip().endswith("New text 7")


# --- files that cannot be written -----------------------------------------------------------------


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A mount point for a small tmpfs; the test mounts it with its own options."""
    point = tmp_path / "mnt"
    point.mkdir()
    yield point, "" if os.geteuid() == 0 else "mounting a tmpfs needs root"
    subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)


def mount_tmpfs(point: Path, options: str) -> None:
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True,
                          check=False)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")


def test_read_only_subfolder_ends_non_zero_with_the_list(tmp_path: Path, mounted: tuple[Path, str]) -> None:
    point, why = mounted
    if why:
        pytest.skip(why)
    db = small_db(tmp_path)
    out = point
    mount_tmpfs(point, "size=1m")
    (out / "posts").mkdir()
    mount_tmpfs(out / "posts", "ro,size=64k")  # as root, only a read-only mount stops a write
    try:
        result = cli("markdown", db, out)
        assert (out / "pages" / "post-2.md").is_file()
        assert_reported(result, "posts/post-1.md")
    finally:
        subprocess.run(["umount", "-l", str(out / "posts")], capture_output=True, check=False)


def test_file_where_a_folder_must_go_ends_non_zero(tmp_path: Path) -> None:
    db, out = small_db(tmp_path), tmp_path / "out"
    out.mkdir()
    (out / "posts").write_text("a file, not a folder\n")
    result = cli("markdown", db, out)
    assert (out / "posts").read_text() == "a file, not a folder\n"
    assert (out / "pages" / "post-2.md").is_file()
    assert_reported(result, "posts/post-1.md")


def test_disk_full_names_the_file_keeps_the_summary_and_cleans_up(
    tmp_path: Path, mounted: tuple[Path, str]
) -> None:
    point, why = mounted
    if why:
        pytest.skip(why)
    body = "Lorem ipsum dolor sit amet. " * 400  # about 11 KB per post
    source = tmp_path / "big.xml"
    source.write_bytes(export_bytes(*(item(i, f"Post {i}", content=body) for i in range(1, 60))))
    db = tmp_path / "big.db"
    assert_ok(cli("import", source, "--db", db, "-q"))
    mount_tmpfs(point, "size=200k")
    result = cli("markdown", db, point)
    assert_reported(result, "No space left")
    assert any(f"post-{i}.md" in result.output for i in range(1, 60)), result.output
    assert "wrote " in result.stderr  # the summary line is still there
    hidden = [p for p in point.rglob(".*") if p.name != ".wxr2db-manifest.json"]
    assert hidden == []
