"""What the test files share: where the exports are, one way to import one, to run the CLI, to read a db back."""

from __future__ import annotations

import hashlib
import io
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from socketserver import BaseRequestHandler
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from sqlite_utils import Database
from typer.testing import CliRunner, Result

from wxr2db.cli import app
from wxr2db.links.urls import AttachmentUrl, PostUrl, TermUrl, UrlIndex, build_index, site_bases
from wxr2db.records import Post, Record, Site, Term
from wxr2db.site.export import export_markdown
from wxr2db.site.options import MarkdownOptions, MarkdownStats
from wxr2db.sources.wxr import iter_records
from wxr2db.sqlite.save import ImportStats, Saver, save

# --- paths ----------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "sharing-and-collaboration.xml"
GOLDEN = ROOT / "tests" / "golden"
# The shared corpus sits beside the checkout for developers and CI (or where WXR2DB_CORPUS says, for a
# checkout elsewhere, e.g. a git worktree); users do not have it.
CORPUS = Path(os.environ.get("WXR2DB_CORPUS") or ROOT.parent / "shared" / "corpus")
CORPUS_REASON = "needs the shared corpus of real exports in ../shared/corpus, which is not part of the repository"
THEME_UNIT_TEST = CORPUS / "WordPress__theme-test-data__themeunittestdata.wordpress.xml"


def corpus_files() -> list[Path]:
    """The corpus's exports; none where it is absent."""
    return sorted(CORPUS.glob("*.xml")) if CORPUS.is_dir() else []


def corpus_params() -> list[Path]:
    """The corpus's exports for a @pytest.mark.corpus parametrize: one stand-in where it is absent, so
    the test is collected and skipped with the corpus reason rather than as an empty parameter set."""
    return corpus_files() or [CORPUS / "no-corpus.xml"]


# --- importing in the library ---------------------------------------------------------------------


def import_path(path: Path, db: Database | None = None, recover: bool = False) -> tuple[Database, ImportStats]:
    """Import the export at path into db (a new in-memory one by default)."""
    db = db if db is not None else Database(memory=True)
    with path.open("rb") as f:
        stats = save(db, iter_records(f, name=path.name, recover=recover))
    return db, stats


def import_bytes(data: bytes, db: Database | None = None) -> tuple[Database, ImportStats]:
    db = db if db is not None else Database(memory=True)
    return db, save(db, iter_records(io.BytesIO(data), name="test.xml"))


def records_db(records: Iterable[Record], folder: Path, name: str = "made.db") -> Database:
    """What `wxr2db markdown` does with an export: a quick throwaway import (indexed by finish())."""
    db = Database(folder / name)
    db.conn.execute("PRAGMA synchronous = OFF")
    saver = Saver(db)
    for record in records:
        saver.save(record)
    saver.finish()
    return db


def import_export(path: Path, folder: Path) -> Database:
    """The export at path in a database file of its own in folder, as `wxr2db markdown` would read it."""
    with path.open("rb") as source:
        return records_db(iter_records(source, name=str(path)), folder, f"{path.stem}.db")


# --- the CLI --------------------------------------------------------------------------------------

runner = CliRunner()


def cli(*args: str | Path) -> Result:
    """`wxr2db ARGS...` in this process."""
    return runner.invoke(app, [str(a) for a in args])


def imported(tmp_path: Path, data: bytes, name: str = "export.xml", *args: str) -> tuple[Result, Path]:
    """`wxr2db import` of data written to tmp_path/name; the result and the database's path."""
    source = tmp_path / name
    source.write_bytes(data)
    db = tmp_path / (name + ".db")
    return cli("import", source, "--db", db, *args), db


def assert_ok(result: Result) -> None:
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def error_line(result: Result | subprocess.CompletedProcess[str], *needles: str, code: int | None = None) -> str:
    """The failing command's single `Error:` line on stderr (stdout empty), checked for each needle and,
    when given, the exit code."""
    if isinstance(result, Result):
        exit_code, stdout, stderr = result.exit_code, result.stdout, result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    else:
        exit_code, stdout, stderr = result.returncode, result.stdout, result.stderr
    output = stdout + stderr
    assert exit_code not in (0, None) if code is None else exit_code == code, output
    assert "Traceback" not in output and not stdout.strip(), output
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def wxr2db(*args: str | Path, timeout: float = 120, env: dict[str, str] | None = None,
           ) -> subprocess.CompletedProcess[str]:
    """`python -m wxr2db ARGS...` in a subprocess: a hang becomes a test failure, not a stuck suite."""
    try:
        return subprocess.run([sys.executable, "-m", "wxr2db", *map(str, args)], capture_output=True, text=True,
                              env=subprocess_env(env), cwd=ROOT, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"wxr2db {' '.join(map(str, args))} hung for {timeout} s") from None


def start_wxr2db(*args: str | Path) -> subprocess.Popen[str]:
    """`python -m wxr2db ARGS...` started in the background, its output piped."""
    return subprocess.Popen([sys.executable, "-m", "wxr2db", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=subprocess_env(), cwd=ROOT)


def subprocess_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment, with the checkout importable (wxr2db is not installed in the venv)."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **(extra or {})}


def stop(process: subprocess.Popen[Any]) -> None:
    """End a test server: politely, then for sure."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# --- Markdown -------------------------------------------------------------------------------------


def export_site(db: Database, outdir: Path, **options: Any) -> MarkdownStats:
    return export_markdown(db, outdir, MarkdownOptions(**options))


def split(text: str) -> tuple[dict[str, Any], str]:
    """Front matter (parsed) and body of a written file."""
    assert text.startswith("---\n")
    matter, _, body = text[4:].partition("\n---\n")
    data = yaml.safe_load(matter)
    assert isinstance(data, dict)
    return data, body


# --- reading a database back ----------------------------------------------------------------------


def rows(db: Database, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.execute(sql, params).fetchall()]


def query(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    return rows(Database(db_path), sql)


FTS_SHADOW = re.compile(r"_fts(_data|_idx|_docsize|_config)?$")


def table_rows(db: Database, tables: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Every row of each table (by default every table but the full-text indexes' own, whose pages
    differ run to run), in a stable order, for comparing two databases."""
    names = [t for t in db.table_names() if not FTS_SHADOW.search(t)] if tables is None else tables
    return {t: sorted(map(repr, db.execute(f"SELECT * FROM [{t}]").fetchall())) for t in names}


def dump(db_path: Path) -> dict[str, list[str]]:
    return table_rows(Database(db_path))


def warnings(db_path: Path) -> list[tuple[str, int | None, str]]:
    return [tuple(r) for r in Database(db_path).execute("SELECT kind, item, detail FROM warnings ORDER BY kind")]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- generated exports ----------------------------------------------------------------------------


def synthetic_export(factory: pytest.TempPathFactory, target_bytes: int, seed: int) -> tuple[Path, int]:
    """A generated export of about target_bytes (benchmarks/synth.py), and how many items it has."""
    synth = pytest.importorskip("benchmarks.synth")
    path = factory.mktemp("synth") / "synth.xml"
    counts = synth.write_export(path, target_bytes=target_bytes, seed=seed)
    return path, sum(counts.items_by_post_type.values())


def uploads_copy(tmp_path: Path, names: tuple[str, ...] = ("a.jpg", "a-300x200.jpg")) -> Path:
    """A copy of a site's wp-content/uploads with the named files of January 2020, for --media-from."""
    root = tmp_path / "uploads"
    (root / "2020" / "01").mkdir(parents=True)
    for name in names:
        (root / "2020" / "01" / name).write_bytes(b"image " + name.encode())
    return root


class Trickle(io.RawIOBase):
    """A file that returns at most `step` bytes per read, as a pipe or a slow decompressor may."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.pos, self.step = data, 0, step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self.step if size < 0 else min(size, self.step)
        out = self.data[self.pos:self.pos + size]
        self.pos += len(out)
        return out


# --- the theme unit test's URL index ---------------------------------------------------------------

ThemeExport = tuple[Site, list[Post], list[Term]]


def theme_unit_test_records() -> ThemeExport:
    """The theme unit test export's site, posts and terms (a corpus file: mark the test `corpus`)."""
    site, posts, terms = Site(), [], []
    with THEME_UNIT_TEST.open("rb") as f:
        for record in iter_records(f, name=THEME_UNIT_TEST.name):
            if isinstance(record, Site):
                site = record
            elif isinstance(record, Post):
                posts.append(record)
            elif isinstance(record, Term):
                terms.append(record)
    return site, posts, terms


def new_url(post: Post) -> str:
    return f"/new/{post.id}/"


def corpus_index(export: ThemeExport, fetched: bool = False) -> UrlIndex:
    """The URL index of an export whose published posts and pages moved to /new/<id>/."""
    site, posts, terms = export
    written = [PostUrl(p.id, p.post_type, p.link, p.guid, new_url(p)) for p in posts
               if p.post_type in ("post", "page") and p.status == "publish"]
    attachments = [AttachmentUrl(p.id, p.link, p.guid, p.attachment_url,
                                 urlsplit(p.attachment_url).path if fetched else "")
                   for p in posts if p.post_type == "attachment"]
    term_urls = [TermUrl(t.taxonomy, t.slug, t.id, f"/{t.taxonomy}-archive/{t.slug}/", t.parent_slug)
                 for t in terms if t.taxonomy in ("category", "post_tag")]
    return build_index(site_bases(site.link, site.base_site_url, site.base_blog_url), written, attachments,
                       term_urls)


@contextmanager
def serving(handler: Callable[..., BaseRequestHandler]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 (a free port) answering with `handler` for the duration; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def console_examples(doc: Path) -> list[tuple[str, str]]:
    """(command, expected output) for each `$ ...` line in a Markdown file's console examples."""
    text = doc.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        for chunk in re.split(r"\n(?=\$ )", textwrap.dedent(block).strip()):
            command, _, output = chunk.partition("\n")
            out.append((command.removeprefix("$ "), output.strip("\n")))
    return out
