"""Issue 8, "Tracebacks and wrong exit codes" and "Real exports that must work".

Crafted posts that crashed the renderer or the import, files that cannot be written, full disks,
and messages that point the user the wrong way. Each answer is a clean run or one `Error:` line;
`markdown` ends non-zero, naming the files, whenever it could not write one.
"""

from __future__ import annotations

import bz2
import gzip
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from typer.testing import Result

from tests.helpers import assert_ok, cli, error_line, imported, query, start_wxr2db, synthetic_export, wxr2db
from tests.wxrbuild import THREE_POSTS, export, export_bytes, item

HUGE = 1234567890123456789012345  # 25 digits: more than SQLite's 64-bit integers hold


def markdown_of(tmp_path: Path, text: str) -> tuple[Result, Path]:
    """Import an export (it must import cleanly) and write it as Markdown into tmp_path/out."""
    result, db = imported(tmp_path, text.encode("utf-8"))
    assert_ok(result)
    out = tmp_path / "out"
    return cli("markdown", db, out), out


def body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---\n", 2)[2]


def assert_all_written(result: Result, out: Path, *ids: int) -> None:
    assert_ok(result)
    for post_id in ids:
        assert (out / "posts" / f"post-{post_id}.md").is_file(), (post_id, result.output)


# --- tracebacks from the import -------------------------------------------------------------------


def test_25_digit_post_id_is_no_traceback(tmp_path: Path) -> None:
    result, db = imported(tmp_path, export_bytes(item(HUGE, "Big"), item(2, "Small")))
    if result.exit_code:
        error_line(result, "export.xml", str(HUGE))
        assert not db.exists()
    else:
        assert_ok(result)
        assert "Traceback" not in result.output


@pytest.mark.parametrize("slug", ["%2541", "%25", "%2525%2541"])
def test_undeclared_term_with_a_twice_encoded_slug_is_no_traceback(tmp_path: Path, slug: str) -> None:
    """The slug was decoded when the term was made and again when it was saved, so the lookup missed
    (KeyError). Decoded once, it is the same term for both posts naming it."""
    cats = [(slug, "Odd")]
    result, db = imported(tmp_path, export_bytes(item(1, "One", categories=cats), item(2, "Two", categories=cats)))
    assert_ok(result)
    terms = query(db, "SELECT id, taxonomy, slug, name FROM terms")
    assert [t[1:] for t in terms] == [("category", unquote(slug), "Odd")]
    assert query(db, "SELECT post_id, term_id FROM post_terms ORDER BY post_id") == [(1, terms[0][0]), (2, terms[0][0])]


def test_25_digit_comment_id_is_no_traceback(tmp_path: Path) -> None:
    from tests.wxrbuild import comment

    result, db = imported(tmp_path, export_bytes(item(1, "P", comments=[comment(HUGE)])))
    if result.exit_code:
        error_line(result, "export.xml", str(HUGE))
        assert not db.exists()
    else:
        assert_ok(result)


# --- tracebacks from markdown ---------------------------------------------------------------------


def test_unparsable_link_is_no_traceback(tmp_path: Path) -> None:
    text = export(item(1, "Bad link"), item(2, "Good")).replace(
        "<link>http://example.com/post-1/</link>", "<link>http://[x/</link>")
    result, out = markdown_of(tmp_path, text)
    assert_all_written(result, out, 1, 2)


def test_thumbnail_id_that_is_not_ascii_digits_is_no_traceback(tmp_path: Path) -> None:
    text = export(item(1, "P", meta=[("_thumbnail_id", "²")]), item(2, "Q", meta=[("_thumbnail_id", "٤٠١")]))
    result, out = markdown_of(tmp_path, text)
    assert_all_written(result, out, 1, 2)
    assert "image" not in yaml.safe_load((out / "posts" / "post-1.md").read_text().split("---\n")[1])


def test_huge_gallery_id_is_no_traceback(tmp_path: Path) -> None:
    result, out = markdown_of(tmp_path, export(item(1, "G", content=f'[gallery ids="{HUGE},7"]')))
    assert_all_written(result, out, 1)


def test_attachment_with_a_huge_id_is_found_by_gallery_and_thumbnail(tmp_path: Path) -> None:
    url = "http://example.com/wp-content/uploads/big.jpg"
    attachment = item(HUGE, "Big", post_type="attachment").replace(
        "</item>", f"<wp:attachment_url>{url}</wp:attachment_url></item>")
    post = item(1, "G", content=f'[gallery ids="{HUGE}"]', meta=[("_thumbnail_id", str(HUGE))])
    result, out = markdown_of(tmp_path, export(attachment, post))
    assert_all_written(result, out, 1)
    text = (out / "posts" / "post-1.md").read_text(encoding="utf-8")
    assert yaml.safe_load(text.split("---\n")[1])["image"] == url
    # The plain layout keeps raw HTML: the gallery is its block of linked thumbnails (issue 22).
    assert body(out / "posts" / "post-1.md") == (f'\n<div class="wp-gallery"><figure class="wp-gallery-item">'
                                                 f'<a href="{url}"><img src="{url}" alt="" loading="lazy"></a>'
                                                 "</figure></div>\n")


def test_private_use_characters_come_out_as_themselves(tmp_path: Path) -> None:
    content = "[unknowncode] and &#xE000;0&#xE001; end"
    result, out = markdown_of(tmp_path, export(item(1, "P", content=content)))
    assert_all_written(result, out, 1)
    text = body(out / "posts" / "post-1.md")
    assert "[unknowncode] and \ue0000\ue001 end" in text, text
    assert text.count("[unknowncode]") == 1


def nested_shortcodes(depth: int) -> str:
    # Each level has its own name: WordPress's regex takes a shortcode's content up to its own [/name].
    return "".join(f"[n{i}]" for i in range(depth)) + "x" + "".join(f"[/n{i}]" for i in reversed(range(depth)))


def test_shortcodes_nested_5000_deep_are_no_traceback(tmp_path: Path) -> None:
    result, out = markdown_of(tmp_path, export(item(1, "Deep", content=nested_shortcodes(5000)), item(2, "Ok")))
    assert_all_written(result, out, 1, 2)
    assert "[n0][n1]" in body(out / "posts" / "post-1.md")


def test_deeply_nested_manifest_is_a_warning(tmp_path: Path) -> None:
    result, db = imported(tmp_path, export_bytes(item(1, "P")))
    out = tmp_path / "out"
    out.mkdir()
    (out / ".wxr2db-manifest.json").write_text("[" * 200_000 + "]" * 200_000)
    result = cli("markdown", db, out)
    assert_all_written(result, out, 1)
    assert ".wxr2db-manifest.json" in result.stderr and "warning" in result.stderr


def test_one_unrenderable_post_does_not_stop_the_others(tmp_path: Path) -> None:
    good = [item(n, f"Good {n}") for n in range(1, 6)]
    text = export(*good[:2], item(9, "Bad", content="&#xE000;0&#xE001;"), *good[2:])
    result, out = markdown_of(tmp_path, text)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for n in range(1, 6):
        assert (out / "posts" / f"post-{n}.md").is_file()
    assert (out / "posts" / "post-9.md").is_file() or "post-9" in result.stderr


# --- files that cannot be written -----------------------------------------------------------------


def front_matter_ids(out: Path) -> set[int]:
    return {yaml.safe_load(p.read_text(encoding="utf-8").split("---\n")[1])["wordpress_id"]
            for p in out.rglob("*.md")}


def assert_written_or_listed(result: Result, out: Path, ids: set[int]) -> None:
    """Every post is written, or the run ends non-zero and names the ones that are not."""
    assert "Traceback" not in result.output
    missing = ids - front_matter_ids(out)
    if missing:
        assert result.exit_code not in (0, None), result.output
    else:
        assert_ok(result)


def page(post_id: int, slug: str, parent: int = 0) -> str:
    return item(post_id, f"Page {post_id}", post_type="page").replace(
        f"<wp:post_name>post-{post_id}</wp:post_name>", f"<wp:post_name>{slug}</wp:post_name>").replace(
        "<wp:post_parent>0</wp:post_parent>", f"<wp:post_parent>{parent}</wp:post_parent>")


def test_path_too_long_ends_non_zero_with_the_list(tmp_path: Path) -> None:
    # 40 nested pages with 140-byte slugs: the deepest paths pass Linux's 4096-byte PATH_MAX.
    pages = [page(100 + n, f"{n:03d}" + "x" * 137, parent=100 + n - 1 if n else 0) for n in range(40)]
    result, out = markdown_of(tmp_path, export(*pages))
    assert result.exit_code not in (0, None) and "Traceback" not in result.output, result.output
    assert "039" + "x" * 137 in result.output  # the deepest page is named in the list
    assert_written_or_listed(result, out, set(range(100, 140)))


def test_page_file_clashing_with_a_page_folder(tmp_path: Path) -> None:
    # pages/x.md is page 10's file and page 11's folder (its child 12 goes to pages/x.md/c.md).
    text = export(page(10, "x"), page(11, "x.md"), page(12, "c", parent=11))
    result, out = markdown_of(tmp_path, text)
    assert_written_or_listed(result, out, {10, 11, 12})
    assert front_matter_ids(out) == {10, 11, 12}


# --- full disks and misleading messages -----------------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 300 KiB tmpfs at tmp_path/small, unmounted afterwards; skipped where mounting is not allowed."""
    point = tmp_path / "small"
    point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(point)],
                          capture_output=True, check=False)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")
    yield point
    subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)


def test_full_disk_while_copying_the_database_says_so(tmp_path: Path, tmpfs: Path) -> None:
    db = tmpfs / "site.db"
    posts = [item(n, f"Post {n}", content="words " * 300) for n in range(1, 60)]
    (tmp_path / "export.xml").write_bytes(export_bytes(*posts))
    first = cli("import", tmp_path / "export.xml", "--db", db, "-q")
    if first.exit_code:
        pytest.skip("the first import does not fit the tmpfs")
    filler = tmpfs / "filler"
    filler.write_bytes(b"\0" * (300 * 1024 - db.stat().st_size - 40 * 1024))
    again = cli("import", tmp_path / "export.xml", "--db", db)
    line = error_line(again, "site.db")
    assert "not a SQLite database" not in line and "space" in line.lower(), line


@pytest.mark.parametrize(("name", "data"), [
    ("cut.xml.gz", gzip.compress(THREE_POSTS)[:150]),
    ("plain.xml.gz", b"this is not gzip at all\n" * 10),
    ("cut.xml.bz2", bz2.compress(THREE_POSTS)[:200]),
], ids=["truncated-gzip", "non-gzip-named-gz", "truncated-bz2"])
def test_damaged_compressed_file_does_not_suggest_recover(tmp_path: Path, name: str, data: bytes) -> None:
    result, _ = imported(tmp_path, data, name)
    line = error_line(result, name)
    assert "Try --recover" not in line and "cannot repair a damaged compressed file" in line


@pytest.fixture(scope="module")
def synth_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_export(tmp_path_factory, 6_000_000, seed=5)[0]


@pytest.mark.slow
def test_background_writer_on_a_full_disk_says_the_disk_is_full(tmpfs: Path, synth_export: Path) -> None:
    line = error_line(wxr2db("import", synth_export, "--db", tmpfs / "big.db", "-q"), code=1)
    assert "Connection reset" not in line and "full" in line.lower(), line
    assert sorted(p.name for p in tmpfs.iterdir()) == []


def child_pids(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(n) for n in (task / "children").read_text().split()]
    return found


@pytest.mark.slow
def test_background_writer_that_dies_is_one_clear_line(tmp_path: Path, synth_export: Path) -> None:
    if not Path("/proc/self/task").is_dir():
        pytest.skip("needs /proc to find the writer process")
    db = tmp_path / "out.db"
    process = start_wxr2db("import", synth_export, "--db", db, "-q")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
            p.stat().st_size > 200_000 for p in tmp_path.glob("out.db.*.wxr2db-partial")):
        time.sleep(0.005)
    for pid in child_pids(process.pid):  # the writer, as if the kernel's OOM killer chose it
        os.kill(pid, signal.SIGKILL)
    _, err = process.communicate(timeout=60)
    done = subprocess.CompletedProcess(process.args, process.returncode, "", err)
    line = error_line(done, code=1)
    assert "Connection reset" not in line and "Broken pipe" not in line and "writer" in line, line
    assert not db.exists() and list(tmp_path.glob("out.db*")) == []


@pytest.mark.slow
def test_full_temporary_folder_during_info_says_temporary(tmpfs: Path, synth_export: Path) -> None:
    line = error_line(wxr2db("info", synth_export, env={"TMPDIR": str(tmpfs)}), code=1)
    assert "temporary" in line.lower() and "TMPDIR" in line, line


# --- real exports that must work ------------------------------------------------------------------


def test_non_ascii_namespace_uri_is_accepted(tmp_path: Path) -> None:
    text = export(item(1, "Unicode namespace")).replace(
        '<rss version="2.0"', '<rss version="2.0" xmlns:unicode="http://ëxämplë.com/ünïcödë/"')
    result, db = imported(tmp_path, text.encode("utf-8"))
    assert_ok(result)
    from sqlite_utils import Database

    assert Database(db).execute("SELECT id, title FROM posts").fetchall() == [(1, "Unicode namespace")]
