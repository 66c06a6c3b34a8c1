"""What wxr2db promises when an export is hostile, damaged or odd, checked through the CLI.

Every test builds its own small export (tests/wxrbuild.py) except where a fixture is the point.
A failing import must print exactly one `Error:` line (file name, line and column for XML
errors, what was being read, a hint) and never a traceback; the database is all or nothing.
"""

from __future__ import annotations

import gzip
import http.server
import os
import re
import resource
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import ClassVar

import pytest
from sqlite_utils import Database
from typer.testing import Result

from tests.helpers import (
    SEED,
    assert_ok,
    cli,
    dump,
    error_line,
    imported,
    serving,
    sha256,
    start_wxr2db,
    synthetic_export,
    warnings,
)
from tests.wxrbuild import THREE_POSTS, category, comment, export, export_bytes, header, item

# --- 1. entities are never resolved ---------------------------------------------------------------


def test_external_file_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-4f1c")
    doctype = f'<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>\n'
    result, db = imported(
        tmp_path, export_bytes(item(1, "before &x; after", raw_title=True), doctype=doctype)
    )
    if result.exit_code:
        error_line(result, "export.xml")
        assert not db.exists()
    else:
        assert_ok(result)
        assert b"TOPSECRET" not in db.read_bytes()
        assert "TOPSECRET" not in repr(dump(db))
        # The reference is kept as written, and the text after it is not lost.
        assert Database(db).execute("SELECT title FROM posts").fetchone()[0] == "before &x; after"
    assert "TOPSECRET" not in result.output


class Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Recorder.requests.append(self.path)
        body = b'<!ENTITY x "FETCHED">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def loopback_server() -> Iterator[str]:
    Recorder.requests = []
    with serving(Recorder) as url:
        yield url


def assert_nothing_fetched(result: Result, db: Path) -> None:
    """Either a clean import or one clear error; the entity's text is nowhere either way."""
    assert "FETCHED" not in result.output
    if result.exit_code:
        error_line(result, "export.xml")
    else:
        assert_ok(result)
        assert b"FETCHED" not in db.read_bytes()


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss SYSTEM "{url}/external.dtd">\n',
        '<!DOCTYPE rss [<!ENTITY % p SYSTEM "{url}/parameter.dtd"> %p;]>\n',
        '<!DOCTYPE rss [<!ENTITY x SYSTEM "{url}/general.txt">]>\n',
    ],
    ids=["external-dtd", "parameter-entity", "general-entity"],
)
def test_network_dtd_and_entities_are_never_fetched(
    tmp_path: Path, loopback_server: str, doctype: str
) -> None:
    # The sanity check below proves the server answers, so zero requests means "never asked".
    data = export_bytes(item(1, "t &x; t", raw_title=True), doctype=doctype.format(url=loopback_server))
    result, db = imported(tmp_path, data)
    assert Recorder.requests == []
    assert_nothing_fetched(result, db)
    import urllib.request

    with urllib.request.urlopen(loopback_server + "/sanity") as answer:
        assert answer.read() == b'<!ENTITY x "FETCHED">'
    assert Recorder.requests == ["/sanity"]


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss SYSTEM "file://{path}">\n',
        '<!DOCTYPE rss [<!ENTITY % p SYSTEM "file://{path}"> %p;]>\n',
        '<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{path}">]>\n',
    ],
    ids=["external-dtd", "parameter-entity", "general-entity"],
)
def test_local_dtd_and_entities_are_never_opened(tmp_path: Path, doctype: str) -> None:
    # libxml2 may be built without HTTP, which would make the loopback test pass whatever the
    # options; a FIFO shows any attempt to open a local file: our writer's open() returns then.
    fifo = tmp_path / "probe.dtd"
    os.mkfifo(fifo)
    opened = threading.Event()

    def writer() -> None:
        with open(fifo, "wb") as pipe:
            opened.set()
            pipe.write(b'<!ENTITY x "FETCHED">')

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    data = export_bytes(item(1, "t &x; t", raw_title=True), doctype=doctype.format(path=fifo))
    result, db = imported(tmp_path, data)
    try:
        assert not opened.is_set()
        assert_nothing_fetched(result, db)
    finally:
        # Release the writer: open the FIFO for reading ourselves.
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        thread.join(5)
        os.close(reader)


def test_billion_laughs_is_not_expanded(tmp_path: Path) -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 11)
    )
    data = export_bytes(
        item(1, "boom &lol10; boom", raw_title=True), doctype=f"<!DOCTYPE rss [{entities}]>\n"
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result, db = imported(tmp_path, data)
    assert time.perf_counter() - start < 3
    # ru_maxrss is in KiB on Linux; 10**10 "lol"s would be 30 GB.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 200_000
    if result.exit_code:
        error_line(result, "export.xml", "entit")
    else:
        assert_ok(result)
        (title,) = Database(db).execute("SELECT title FROM posts").fetchone()
        assert len(title) < 100 and "lollol" not in title


# --- 2. characters XML 1.0 forbids ----------------------------------------------------------------


def test_forbidden_characters_are_removed_and_reported(tmp_path: Path) -> None:
    bad = "\x01\x08\x0b\x0c\x0e\x1f\ufffe\uffff"
    data = export_bytes(
        item(
            1,
            f"Ti{bad}tle &#1;&#x1F;",
            raw_title=True,
            content=f"Con{bad}tent",
            comments=[comment(10, content=f"Com{bad}ment")],
        ),
        item(2, "Clean", comments=[comment(20)]),
        item(3, "Third\x02", content="ok"),
    )
    result, db = imported(tmp_path, data)
    assert_ok(result)
    rows = Database(db).execute("SELECT id, title, content FROM posts ORDER BY id").fetchall()
    assert rows == [(1, "Title ", "Content"), (2, "Clean", "Some content"), (3, "Third", "ok")]
    comments = Database(db).execute("SELECT id, content FROM comments ORDER BY id").fetchall()
    assert comments == [(10, "Comment"), (20, "A comment")]
    found = {w[1]: w[2] for w in warnings(db) if w[0] == "invalid-character"}
    assert set(found) == {1, 3}
    assert "removed 26 character(s)" in found[1] and "item 1 'Title '" in found[1] and "line " in found[1]
    assert "removed 1 character(s)" in found[3]
    assert "2 invalid-character" in result.stderr


def test_character_reference_cut_by_a_read_boundary_is_removed(tmp_path: Path) -> None:
    # CleanStream reads 64 KiB at a time; put `&#` at the end of one chunk and `1;` in the next.
    from wxr2db.sources.repair import CHUNK

    probe = export(item(1, "MARK", raw_title=True))
    pad = CHUNK - 2 - probe.index("MARK")
    data = export_bytes(item(1, "x" * pad + "&#1;end", raw_title=True))
    assert data[CHUNK - 2 : CHUNK + 2] == b"&#1;"
    result, db = imported(tmp_path, data)
    assert_ok(result)
    assert Database(db).execute("SELECT title FROM posts").fetchone()[0] == "x" * pad + "end"
    assert [w[0] for w in warnings(db)] == ["invalid-character"]


# --- 3. encodings ---------------------------------------------------------------------------------


def test_latin1_export(tmp_path: Path) -> None:
    data = export_bytes(item(1, "café", content="naïve crème"), encoding="ISO-8859-1")
    assert b"caf\xe9" in data
    result, db = imported(tmp_path, data)
    assert_ok(result)
    assert Database(db).execute("SELECT title, content FROM posts").fetchone() == ("café", "naïve crème")
    assert warnings(db) == []


def test_utf16_export_with_bom(tmp_path: Path) -> None:
    data = export(item(1, "café 日本語", content="naïve")).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    raw = data.encode("utf-16")
    assert raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    result, db = imported(tmp_path, raw)
    assert_ok(result)
    assert Database(db).execute("SELECT title, content FROM posts").fetchone() == ("café 日本語", "naïve")


def test_stray_bytes_in_utf8_are_read_as_windows_1252(tmp_path: Path) -> None:
    data = export_bytes(item(1, "cafQ", content="price: Z5 ok"), item(2, "fine"))
    data = data.replace(b"cafQ", b"caf\xe9").replace(b"Z5", b"\x805 \xff")
    result, db = imported(tmp_path, data)
    assert_ok(result)
    rows = Database(db).execute("SELECT id, title, content FROM posts ORDER BY id").fetchall()
    assert rows == [(1, "café", "price: €5 ÿ ok"), (2, "fine", "Some content")]
    ((kind, post, detail),) = warnings(db)
    assert kind == "invalid-bytes" and post == 1 and "Windows-1252" in detail
    assert "invalid-bytes" in result.stderr


# --- 4. broken structure --------------------------------------------------------------------------

FULL = THREE_POSTS
# Cut in item 2, after its title and wp:post_id.
TRUNCATED = FULL[: FULL.index(b"</wp:post_id>", FULL.index(b"1207")) + len(b"</wp:post_id>\n")]
MISMATCHED = FULL.replace(b"<wp:post_name>post-1207</wp:post_name>", b"<wp:post_name>post-1207</wp:status>")
XML_WHERE = re.compile(r"line \d+, column \d+")


@pytest.mark.parametrize(
    ("name", "data", "needles", "xml_error"),
    [
        ("truncated.xml", TRUNCATED, ["in item 1207 'Sharing and Collaboration'", "--recover"], True),
        ("notes.txt", b"Dear diary,\nthis is not XML.\n", ["not XML", "Export the site again"], True),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", ["not XML"], True),
        ("data.json", b'{"posts": [{"id": 1}]}\n', ["not XML"], True),
        (
            "atom.xml",
            b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            b"<entry><title>e</title></entry></feed>",
            ["not a WordPress export", "<feed>"],
            False,
        ),
        (
            "feed.xml",
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            b"<item><title>i</title></item></channel></rss>",
            ["not a WordPress export"],
            False,
        ),
        ("empty.xml", b"", ["empty"], False),
        ("cut.xml.gz", gzip.compress(FULL)[:150], ["cannot read"], False),
        (
            "corrupt.xml.gz",
            gzip.compress(FULL)[:40] + b"\xff" * 30 + gzip.compress(FULL)[70:],
            ["cannot read"],
            False,
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and v.endswith(("xml", "txt", "png", "json", "gz")) else "",
)
def test_broken_export_is_one_error_line(
    tmp_path: Path, name: str, data: bytes, needles: list[str], xml_error: bool
) -> None:
    result, db = imported(tmp_path, data, name)
    line = error_line(result, name, *needles)
    if xml_error:
        assert XML_WHERE.search(line), line
    assert result.exit_code == 1
    assert not db.exists()
    assert list(tmp_path.glob("*.wxr2db-partial")) == []


def test_mismatched_tags_are_one_error_line_with_strict(tmp_path: Path) -> None:
    result, db = imported(tmp_path, MISMATCHED, "mismatched.xml", "--strict")
    line = error_line(result, "mismatched.xml", "in item 1207 'Sharing and Collaboration'", "mismatch")
    assert XML_WHERE.search(line), line
    assert not db.exists()


def test_mismatched_tags_cost_at_most_their_item(tmp_path: Path) -> None:
    result, db = imported(tmp_path, MISMATCHED, "mismatched.xml")
    assert_ok(result)
    assert "1 item-recovered" in result.stderr
    assert {r[0] for r in Database(db).execute("SELECT id FROM posts")} == {1, 1207, 3}
    (warning,) = warnings(db)
    assert warning[0] == "item-recovered" and warning[1] == 1207 and XML_WHERE.search(warning[2])


def test_missing_file_is_one_error_line(tmp_path: Path) -> None:
    result = cli("import", tmp_path / "nowhere.xml", "--db", tmp_path / "out.db")
    error_line(result, "nowhere.xml", "cannot open")
    assert not (tmp_path / "out.db").exists()


@pytest.mark.parametrize("data", [TRUNCATED, MISMATCHED], ids=["truncated", "mismatched"])
def test_recover_keeps_what_came_before_the_damage(tmp_path: Path, data: bytes) -> None:
    result, db = imported(tmp_path, data, "damaged.xml", "--recover")
    assert_ok(result)
    ids = {r[0] for r in Database(db).execute("SELECT id FROM posts")}
    assert 1 in ids
    assert Database(db).execute("SELECT id FROM comments WHERE post_id = 1").fetchall() == [(11,)]
    recovered = [w for w in warnings(db) if w[0] == "xml-recovered"]
    assert recovered and all(XML_WHERE.search(w[2]) for w in recovered)
    assert "xml-recovered" in result.stderr


# --- 5. all or nothing ----------------------------------------------------------------------------


@pytest.fixture
def seeded_db(tmp_path: Path) -> Path:
    db = tmp_path / "existing.db"
    assert_ok(cli("import", SEED, "--db", db, "-q"))
    return db


def test_failed_import_leaves_existing_db_untouched(tmp_path: Path, seeded_db: Path) -> None:
    before = sha256(seeded_db)
    seed = SEED.read_bytes()
    broken = tmp_path / "broken.xml"
    broken.write_bytes(seed[: seed.index(b"</wp:post_id>") + 20])  # the seed itself, cut mid-item
    error_line(
        cli("import", broken, "--db", seeded_db), "broken.xml", "in item 1024 'Sharing and Collaboration'"
    )
    assert sha256(seeded_db) == before
    assert list(tmp_path.glob("*.wxr2db-partial")) == []


def test_failed_import_creates_no_new_db(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_bytes(MISMATCHED)
    error_line(cli("import", broken, "--db", tmp_path / "new.db", "--strict"), "broken.xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.xml"]


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_export(tmp_path_factory, 30_000_000, seed=1)[0]


def start_import(export_path: Path, db: Path) -> subprocess.Popen[str]:
    # The synthetic site is not the seed's site, hence --merge-sites.
    return start_wxr2db("import", export_path, "--db", db, "--merge-sites")


def staging_copies(db: Path) -> list[Path]:
    """The import's staging copies beside db (each import names its own)."""
    return sorted(db.parent.glob(db.name + ".*.wxr2db-partial"))


def wait_for_growth(process: subprocess.Popen[str], db: Path, beyond: int) -> Path:
    """Poll until the staging copy holds the old db and then some: the import is under way."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the import ended before it could be stopped: {process.communicate()}")
        for staging in staging_copies(db):
            with suppress(FileNotFoundError):
                if staging.stat().st_size > beyond + 2_000_000:
                    return staging
        time.sleep(0.005)
    raise AssertionError("the staging database never grew")


def seed_state(db: Path) -> tuple[str, list[tuple[object, ...]]]:
    return sha256(db), Database(db).execute("SELECT id, title FROM posts ORDER BY id").fetchall()


def assert_seed_intact(db: Path, state: tuple[str, list[tuple[object, ...]]]) -> None:
    digest, posts = state
    assert sha256(db) == digest
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT id, title FROM posts ORDER BY id").fetchall() == posts


def interrupted_import(db: Path, export_path: Path, sig: signal.Signals) -> tuple[int, str, Path]:
    """Start a real import into db, send it `sig` once it is under way; its exit status, stderr and
    staging file."""
    process = start_import(export_path, db)
    try:
        staging = wait_for_growth(process, db, db.stat().st_size)
        process.send_signal(sig)
    finally:
        _, err = process.communicate(timeout=30)
    return process.returncode, err, staging


@pytest.mark.slow
def test_killed_import_leaves_db_untouched_and_rerun_works(seeded_db: Path, big_export: Path) -> None:
    state = seed_state(seeded_db)
    returncode, _, staging = interrupted_import(seeded_db, big_export, signal.SIGKILL)
    assert returncode == -signal.SIGKILL
    assert staging.exists()  # what a real crash leaves behind
    assert_seed_intact(seeded_db, state)

    rerun = start_import(big_export, seeded_db)
    _, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err
    assert staging_copies(seeded_db) == []  # the killed run's copy is cleaned up by the next one
    with sqlite3.connect(seeded_db) as conn:
        assert conn.execute("SELECT count(*) FROM posts").fetchone()[0] > 1000
        # Both sites are there: the seed's, kept, and the synthetic one, now complete.
        assert conn.execute("SELECT count(*) FROM site").fetchone() == (2,)


@pytest.mark.slow
def test_ctrl_c_exits_130_and_leaves_db_untouched(seeded_db: Path, big_export: Path) -> None:
    state = seed_state(seeded_db)
    returncode, err, staging = interrupted_import(seeded_db, big_export, signal.SIGINT)
    assert returncode == 130, err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.strip()] == [f"Interrupted; {seeded_db} is as it was."]
    assert not staging.exists()
    assert_seed_intact(seeded_db, state)


# --- 6. nothing lost silently ---------------------------------------------------------------------


def test_odd_threads_duplicates_and_missing_ids_are_kept_and_reported(tmp_path: Path) -> None:
    data = export_bytes(
        item(
            1,
            "One",
            comments=[
                comment(10, parent=99),  # orphan
                comment(11, parent=11),  # its own parent
                comment(12, parent=13),
                comment(13, parent=12),  # a cycle
                comment(14, parent=13),
                comment(15, parent=14),  # replies under the cycle
            ],
        ),
        item(1, "One again", comments=[comment(10, content="same id as before"), comment(20, parent=10)]),
        item(None, "No id"),
    )
    result, db = imported(tmp_path, data)
    assert_ok(result)
    d = Database(db)
    titles = sorted(r[0] for r in d.execute("SELECT title FROM posts"))
    assert titles == ["No id", "One", "One again"]
    threads = {r[0]: r[1:] for r in d.execute("SELECT id, post_id, parent_id, depth FROM comments")}
    assert threads[10] == (1, None, 1)
    assert threads[11] == (1, None, 1)
    # The cycle is cut at its first comment; the rest hangs below it at the right depth.
    assert threads[12] == (1, None, 1)
    assert threads[13] == (1, 12, 2)
    assert threads[14] == (1, 13, 3)
    assert threads[15] == (1, 14, 4)
    (again,) = [r[0] for r in d.execute("SELECT id FROM posts WHERE title = 'One again'")]
    renamed = [c for c, v in threads.items() if v[0] == again and v[1] is None]
    assert len(renamed) == 1 and renamed[0] != 10  # the second comment 10 got its own id ...
    assert threads[20] == (again, renamed[0], 2)  # ... and its reply still points at it
    kinds = sorted(w[0] for w in warnings(db))
    assert kinds == [
        "comment-cycle",
        "comment-orphan",
        "comment-self-parent",
        "duplicate-id",
        "duplicate-id",
        "item-without-id",
    ]
    for _kind, post, detail in warnings(db):
        assert post is not None and detail
    summary = result.stderr.splitlines()[0]
    assert "6 warnings" in summary and "2 duplicate-id" in summary and "1 comment-cycle" in summary


def test_term_with_unknown_parent_is_kept_at_top_level(tmp_path: Path) -> None:
    head = header(
        terms=category(5, "kid", "Kid", parent="ghost")
        + category(6, "top", "Top")
        + category(7, "child", "Child", parent="top")
    )
    result, db = imported(tmp_path, export_bytes(item(1, "p", categories=[("kid", "Kid")]), head=head))
    assert_ok(result)
    terms = {r[0]: r[1:] for r in Database(db).execute("SELECT slug, id, parent_id FROM terms")}
    assert terms == {"kid": (5, None), "top": (6, None), "child": (7, 6)}
    assert warnings(db) == [
        (
            "term-parent-unknown",
            5,
            "category 'kid' names parent 'ghost', which is not in the export; stored at top level",
        )
    ]


def test_summary_counts_unknown_term_parents(tmp_path: Path) -> None:
    head = header(terms=category(5, "kid", "Kid", parent="ghost"))
    result, _ = imported(tmp_path, export_bytes(item(1, "p"), head=head))
    assert_ok(result)
    assert "1 term-parent-unknown" in result.stderr


# --- 8. re-running is safe ------------------------------------------------------------------------

SPLIT_HEAD = header(
    authors=("admin", "editor"),
    terms=category(1, "news", "News") + category(2, "local", "Local", parent="news"),
)
SPLIT_ITEMS = [
    item(
        n,
        f"Post {n}",
        content=f"Unique word zebra{n}",
        categories=[("local", "Local"), ("news", "News")],
        meta=[("views", str(n))],
        comments=[comment(n * 10), comment(n * 10 + 1, parent=n * 10)],
    )
    for n in range(1, 9)
]


def test_importing_twice_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "twice.db"
    assert_ok(cli("import", SEED, "--db", db))
    first = dump(db)
    assert_ok(cli("import", SEED, "--db", db))
    assert dump(db) == first
    d = Database(db)
    assert d.execute("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'collaboration'").fetchone() == (
        1,
    )
    for (post_id,) in d.execute("SELECT id FROM posts").fetchall():
        assert d.execute("SELECT count(*) FROM posts_fts WHERE rowid = ?", (post_id,)).fetchone() == (1,)


def test_split_export_gives_the_same_rows_as_the_whole(tmp_path: Path) -> None:
    whole, part1, part2 = tmp_path / "whole.xml", tmp_path / "part1.xml", tmp_path / "part2.xml"
    whole.write_bytes(export_bytes(*SPLIT_ITEMS, head=SPLIT_HEAD))
    part1.write_bytes(export_bytes(*SPLIT_ITEMS[:4], head=SPLIT_HEAD))
    part2.write_bytes(export_bytes(*SPLIT_ITEMS[4:], head=SPLIT_HEAD))
    assert_ok(cli("import", whole, "--db", tmp_path / "whole.db"))
    assert_ok(cli("import", part1, "--db", tmp_path / "two-runs.db"))
    assert_ok(cli("import", part2, "--db", tmp_path / "two-runs.db"))
    assert_ok(cli("import", part1, part2, "--db", tmp_path / "one-run.db"))
    expected = dump(tmp_path / "whole.db")
    assert (
        len(expected["posts"]) == 8 and len(expected["comments"]) == 16 and len(expected["post_terms"]) == 16
    )
    assert dump(tmp_path / "two-runs.db") == expected
    assert dump(tmp_path / "one-run.db") == expected
    d = Database(tmp_path / "two-runs.db")
    assert d.execute("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'zebra5'").fetchone() == (1,)


def test_reimported_post_has_comments_and_meta_replaced(tmp_path: Path) -> None:
    db = tmp_path / "out.db"
    old, new = tmp_path / "old.xml", tmp_path / "new.xml"
    old.write_bytes(
        export_bytes(
            item(
                1,
                "P",
                meta=[("k", "v1"), ("gone", "x")],
                categories=[("a", "A")],
                comments=[comment(10), comment(11, parent=10)],
            )
        )
    )
    new.write_bytes(
        export_bytes(
            item(
                1, "P", meta=[("k", "v2")], categories=[("b", "B")], comments=[comment(10, content="edited")]
            )
        )
    )
    assert_ok(cli("import", old, "--db", db))
    assert_ok(cli("import", new, "--db", db))
    d = Database(db)
    assert d.execute("SELECT id, content FROM comments").fetchall() == [(10, "edited")]
    assert d.execute("SELECT key, value FROM postmeta").fetchall() == [("k", "v2")]
    assert d.execute("SELECT t.slug FROM post_terms JOIN terms t ON t.id = term_id").fetchall() == [("b",)]
    assert d.execute("SELECT count(*) FROM comments_fts WHERE comments_fts MATCH 'edited'").fetchone() == (1,)


def test_other_site_is_refused_unless_merging(tmp_path: Path, seeded_db: Path) -> None:
    before = sha256(seeded_db)
    other = tmp_path / "other.xml"
    other.write_bytes(export_bytes(item(1, "Elsewhere"), head=header(link="http://other.example.net")))
    result = cli("import", other, "--db", seeded_db)
    error_line(result, "http://socialsteve.example.com", "http://other.example.net", "--merge-sites")
    assert result.exit_code == 1
    assert sha256(seeded_db) == before
    assert_ok(cli("import", other, "--db", seeded_db, "--merge-sites"))
    assert Database(seeded_db).execute("SELECT count(*) FROM site").fetchone() == (2,)
