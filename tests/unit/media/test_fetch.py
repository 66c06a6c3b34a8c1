"""Media fetch against a real HTTP server on 127.0.0.1: failures, retries, resume after SIGKILL, copies."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import cli, subprocess_env
from tests.wxrbuild import export, header, item
from wxr2db.errors import ManifestError
from wxr2db.media.fetch import (
    FAILURES_NAME,
    MANIFEST_NAME,
    FetchFailure,
    FetchOptions,
    MediaJob,
    MediaSource,
    Outcome,
    check_redirect_host,
    fetch_media,
    iter_jobs,
    redirect_target,
    write_failures,
)
from wxr2db.media.paths import uploads_path
from wxr2db.outdir import SiteFolder
from wxr2db.site.manifest import MANIFEST as SITE_MANIFEST
from wxr2db.site.manifest import load_manifest
from wxr2db.site.options import MarkdownStats

JPEG, PNG, GIF = b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"GIF89a"  # what the files' first bytes must be
FILES = {
    "/wp-content/uploads/2008/06/a.jpg": JPEG + b"A" * 3000,
    "/wp-content/uploads/2008/06/b.png": PNG + b"B" * 70000,
    "/wp-content/uploads/2011/07/c.gif": GIF + b"C" * 10,
}
RECOVERED, PATIENT = JPEG + b"recovered", JPEG + b"patient"
ERROR_PAGE = b"<!DOCTYPE html><html><body>Account suspended</body></html>"
BIG = b"Z" * 400_000
FAST = FetchOptions(connect_timeout=1, read_timeout=0.3, retries=2, backoff=0.01, backoff_cap=0.3, max_bytes=100_000)


class Server:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[str] = []
        self.hits: dict[str, int] = {}
        self.active = 0
        self.peak = 0
        self.trickled = 0
        handler = _handler(self)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def seen(self, path: str) -> int:
        with self.lock:
            self.requests.append(path)
            self.hits[path] = self.hits.get(path, 0) + 1
            return self.hits[path]


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def send(self, status: int, body: bytes = b"", **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path
            count = server.seen(path)
            with server.lock:
                server.active += 1
                server.peak = max(server.peak, server.active)
            try:
                self.route(path, count)
            finally:
                with server.lock:
                    server.active -= 1

        def route(self, path: str, count: int) -> None:
            plain = path.removeprefix("/mirror").removeprefix("/old")
            if plain.startswith("/wp-content/uploads/par/"):
                time.sleep(0.15)
                self.send(200, JPEG + plain.encode())
            elif plain in FILES:
                self.send(200, FILES[plain], Content_Type="image/jpeg")
            elif path == "/slow.jpg":
                time.sleep(1.0)
                self.send(200, JPEG + b"late")
            elif path == "/redirect.jpg":
                self.send(302, Location="/wp-content/uploads/2008/06/a.jpg")
            elif path in ("/loop1", "/loop2"):
                self.send(301, Location="/loop2" if path == "/loop1" else "/loop1")
            elif path == "/big-length.bin":
                self.send(200, BIG)
            elif path == "/big-stream.bin":
                self.stream(BIG, 0.0)
            elif path == "/flaky.jpg":
                self.send(500) if count == 1 else self.send(200, RECOVERED)
            elif path == "/busy.jpg":
                self.send(429, Retry_After="5") if count == 1 else self.send(200, PATIENT)
            elif path == "/trickle.bin":
                self.stream(BIG, 0.05)
            elif plain.startswith("/wp-content/uploads/names/"):  # every name its own bytes
                self.send(200, JPEG + path.encode(), Content_Type="image/jpeg")
            elif path == "/wp-content/uploads/off/x.jpg":
                port = server.httpd.server_address[1]
                self.send(301, Location=f"http://localhost:{port}/wp-content/uploads/names/moved.jpg")
            elif path == "/elsewhere.jpg":  # 127.0.0.1 sends the client on to another host name
                port = server.httpd.server_address[1]
                self.send(302, Location=f"http://localhost:{port}/wp-content/uploads/2008/06/a.jpg")
            elif path == "/html-page.jpg" or path.startswith("/mirror-of/html-page.jpg"):
                self.send(200, ERROR_PAGE, Content_Type="text/html; charset=utf-8")
            elif path == "/lying.jpg":
                self.send(200, ERROR_PAGE, Content_Type="image/jpeg")
            elif path == "/octet.png":
                self.send(200, PNG + b"x" * 100, Content_Type="application/octet-stream")
            elif path == "/drip.jpg":
                self.drip(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + JPEG, b"x" * 1000)
            elif path == "/drip-headers.jpg":
                self.drip(b"", b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 1000)
            else:
                self.send(404, b"no")

        def drip(self, start: bytes, slowly: bytes) -> None:
            """A byte every 50 ms: never long enough apart for a read timeout, never done."""
            try:
                self.wfile.write(start)
                for byte in slowly:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    with server.lock:
                        server.trickled += 1
                    time.sleep(0.05)
            except OSError:
                self.close_connection = True

        def stream(self, body: bytes, pause: float) -> None:
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for at in range(0, len(body), 20_000):
                piece = body[at : at + 20_000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                with server.lock:
                    server.trickled += len(piece)
                time.sleep(pause)
            self.wfile.write(b"0\r\n\r\n")

    return Handler


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def strip(outcome: Outcome) -> tuple[str, str, str]:
    return outcome.dest, outcome.status, outcome.reason


# ---------------------------------------------------------------- uploads_path


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/wp-content/uploads/2008/06/a.jpg", "2008/06/a.jpg"),
        ("https://example.files.wordpress.com/2008/06/a.jpg?w=300#x", "2008/06/a.jpg"),
        ("http://example.com/blog/wp-content/uploads/sites/2/2020/01/%C3%A9t%C3%A9.jpg", "sites/2/2020/01/été.jpg"),
        ("/wp-content/uploads/2008/06/a%20b.jpg", "2008/06/a b.jpg"),
        ("https://example.com/wp-content/uploads/2008/../2009/./x.jpg", "2009/x.jpg"),
        ("https://example.com/wp-content/uploads/%2e%2e/%2e%2e/etc/passwd", None),
        ("https://example.com/wp-content/uploads//2008//a.jpg", "2008/a.jpg"),
        ("https://example.com/wp-content/uploads/", None),
        ("https://example.com/2008/06/a.jpg", None),
        ("ftp://example.com/wp-content/uploads/a.jpg", None),
        ("http://[x/wp-content/uploads/a.jpg", None),
    ],
)
def test_uploads_path(url: str, expected: str | None) -> None:
    assert uploads_path(url) == expected


@pytest.mark.parametrize(
    ("tail", "pattern"),
    [
        ("2008/06/a%00b%0a.jpg", r"2008/06/a_b_~[0-9a-f]{16}\.jpg"),
        ("2008/06/con.jpg", r"2008/06/con~[0-9a-f]{16}\.jpg"),
        ("2008/06/a%5c..%5cb%3a.jpg.", r"2008/06/a_\.\._b_~[0-9a-f]{16}\.jpg"),
        ("2008/06/.htaccess", r"2008/06/htaccess~[0-9a-f]{16}"),  # never a hidden Apache config in the site
        ("2008/06/a%E2%80%AEgpj.exe", r"2008/06/a_gpj~[0-9a-f]{16}\.exe"),  # no right-to-left override
    ],
)
def test_uploads_path_cleans_and_marks(tail: str, pattern: str) -> None:
    got = uploads_path("https://example.com/wp-content/uploads/" + tail)
    assert got is not None and re.fullmatch(pattern, got), got


def test_uploads_path_caps_long_names() -> None:
    got = uploads_path("https://e.com/wp-content/uploads/" + "é" * 300 + ".jpeg")
    assert got is not None and got.endswith(".jpeg") and len(got.encode()) <= 200


@given(st.text(max_size=200))
def test_uploads_path_never_escapes(tail: str) -> None:
    got = uploads_path("https://e.com/wp-content/uploads/" + tail)
    if got is not None:
        parts = got.split("/")
        assert all(p not in ("", ".", "..") and not any(ord(c) < 32 or c in '\\:*?"<>|' for c in p) for p in parts)
        assert not got.startswith("/")


def test_redirect_never_downgrades_https() -> None:
    assert redirect_target("http://a/x", "https://b/y") == "https://b/y"
    assert redirect_target("https://a/x/y", "../z") == "https://a/z"
    with pytest.raises(FetchFailure) as caught:
        redirect_target("https://a/x", "http://a/x")
    assert caught.value.reason == "insecure-redirect"


# ---------------------------------------------------------------- downloads


@pytest.mark.slow
def test_download_outcomes_and_failures_file(server: Server, tmp_path: Path) -> None:
    names = ["wp-content/uploads/2008/06/a.jpg", "missing.jpg", "slow.jpg", "redirect.jpg", "loop1"]
    names += ["big-length.bin", "big-stream.bin", "flaky.jpg", "busy.jpg"]
    jobs = [MediaJob(f"{server.base}/{n}", f"static/{n}") for n in names]
    seen: list[tuple[int, int]] = []
    started = time.monotonic()
    report = fetch_media(jobs, tmp_path, tmp_path, options=FAST, progress=lambda f, b: seen.append((f, b)))
    assert time.monotonic() - started < 5
    assert [strip(o) for o in report.outcomes] == [
        ("static/wp-content/uploads/2008/06/a.jpg", "downloaded", ""),
        ("static/missing.jpg", "failed", "http-404"),
        ("static/slow.jpg", "failed", "timeout"),
        ("static/redirect.jpg", "downloaded", ""),
        ("static/loop1", "failed", "redirect-loop"),
        ("static/big-length.bin", "failed", "too-large"),
        ("static/big-stream.bin", "failed", "too-large"),
        ("static/flaky.jpg", "downloaded", ""),
        ("static/busy.jpg", "downloaded", ""),
    ]
    assert report.counts() == {"downloaded": 4, "copied": 0, "reused": 0, "failed": 5}
    assert report.failures_by_reason() == {"http-404": 1, "redirect-loop": 1, "timeout": 1, "too-large": 2}
    assert (tmp_path / "static/redirect.jpg").read_bytes() == FILES["/wp-content/uploads/2008/06/a.jpg"]
    assert (tmp_path / "static/flaky.jpg").read_bytes() == RECOVERED
    assert server.hits["/slow.jpg"] == 3 and server.hits["/flaky.jpg"] == 2 and server.hits["/missing.jpg"] == 1
    assert sorted(p.name for p in (tmp_path / "static").iterdir()) == [
        "busy.jpg", "flaky.jpg", "redirect.jpg", "wp-content"]  # fmt: skip
    assert sum(f for f, _ in seen) == len(jobs)
    assert sum(b for _, b in seen) >= len(FILES["/wp-content/uploads/2008/06/a.jpg"]) * 2 + len(RECOVERED + PATIENT)
    failures = write_failures(report, tmp_path)
    assert failures is not None
    lines = failures.read_text().splitlines()
    assert lines[0] == "url\tdest\treason\tdetail"
    assert [line.split("\t")[:3] for line in lines[1:]] == [
        [o.url, o.dest, o.reason] for o in report.outcomes if o.status == "failed"
    ]


@pytest.mark.slow
def test_retry_after_is_capped(server: Server, tmp_path: Path) -> None:
    started = time.monotonic()
    report = fetch_media([MediaJob(f"{server.base}/busy.jpg", "b.jpg")], tmp_path, tmp_path, options=FAST)
    elapsed = time.monotonic() - started
    assert report.counts()["downloaded"] == 1
    assert 0.3 <= elapsed < 2  # Retry-After: 5, capped at backoff_cap 0.3


@pytest.mark.slow
def test_rerun_reuses_and_manifest_records(server: Server, tmp_path: Path) -> None:
    jobs = list(iter_jobs(f"{server.base}{p}" for p in [*FILES, "/wp-content/uploads/gone.jpg"]))
    first = fetch_media(jobs, tmp_path, tmp_path, options=FAST)
    assert first.counts() == {"downloaded": 3, "copied": 0, "reused": 0, "failed": 1}
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
    assert manifest == {
        **{
            f"{server.base}{p}": {"dest": p.lstrip("/"), "sha256": sha(b), "size": len(b), "status": "downloaded"}
            for p, b in FILES.items()
        },
        f"{server.base}/wp-content/uploads/gone.jpg": {
            "dest": "wp-content/uploads/gone.jpg", "sha256": "", "size": 0, "status": "failed", "reason": "http-404"},
    }  # fmt: skip
    server.requests.clear()
    second = fetch_media(jobs, tmp_path, tmp_path, options=FAST)
    assert second.counts() == {"downloaded": 0, "copied": 0, "reused": 3, "failed": 1}
    assert server.requests == ["/wp-content/uploads/gone.jpg"]
    assert write_failures(second, tmp_path) is not None
    third = fetch_media(jobs[:3], tmp_path, tmp_path, options=FAST)
    assert write_failures(third, tmp_path) is None and not (tmp_path / FAILURES_NAME).exists()


@pytest.mark.slow
def test_concurrency_is_used(server: Server, tmp_path: Path) -> None:
    jobs = [MediaJob(f"{server.base}/wp-content/uploads/par/{i}.jpg", f"p/{i}.jpg") for i in range(8)]
    started = time.monotonic()
    report = fetch_media(jobs, tmp_path, tmp_path, options=FetchOptions(workers=8, per_host=4))
    assert report.counts()["downloaded"] == 8
    assert 2 <= server.peak <= 4  # really overlapping, and bounded by per_host
    assert time.monotonic() - started < 8 * 0.15


@pytest.mark.slow
def test_unknown_files_are_never_overwritten(server: Server, tmp_path: Path) -> None:
    a = f"{server.base}/wp-content/uploads/2008/06/a.jpg"
    c = f"{server.base}/wp-content/uploads/2011/07/c.gif"
    (tmp_path / "x").mkdir()
    (tmp_path / "x/a.jpg").write_bytes(b"mine")
    (tmp_path / "x/c.gif").write_bytes(FILES["/wp-content/uploads/2011/07/c.gif"])
    report = fetch_media([MediaJob(a, "x/a.jpg"), MediaJob(c, "x/c.gif")], tmp_path, tmp_path, options=FAST)
    assert [strip(o) for o in report.outcomes] == [("x/a.jpg", "failed", "exists-different"), ("x/c.gif", "reused", "")]
    assert (tmp_path / "x/a.jpg").read_bytes() == b"mine"
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["a.jpg", "c.gif"]


@pytest.mark.slow
def test_symlink_out_of_the_root_is_refused(server: Server, tmp_path: Path) -> None:
    root, outside = tmp_path / "site", tmp_path / "outside"
    (root / "static").mkdir(parents=True)
    outside.mkdir()
    (root / "static/wp-content").symlink_to(outside, target_is_directory=True)
    (root / "static/top.jpg").symlink_to(outside / "top.jpg")
    jobs = [
        MediaJob(f"{server.base}/wp-content/uploads/2008/06/a.jpg", "static/wp-content/uploads/2008/06/a.jpg"),
        MediaJob(f"{server.base}/wp-content/uploads/2011/07/c.gif", "static/top.jpg"),
        MediaJob(f"{server.base}/wp-content/uploads/2011/07/c.gif?2", "../escape.gif"),
    ]
    report = fetch_media(jobs, root, tmp_path, options=FAST)
    assert [o.reason for o in report.outcomes] == ["unsafe-path"] * 3
    assert list(outside.iterdir()) == [] and not (tmp_path / "escape.gif").exists()
    assert server.requests == []


# ---------------------------------------------------------------- trust the bytes, not the server


def temporaries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".wxr2db-tmp")]


@pytest.mark.slow
def test_a_redirect_to_another_host_is_reported_not_published(server: Server, tmp_path: Path) -> None:
    job = MediaJob(f"{server.base}/elsewhere.jpg", "x/elsewhere.jpg")
    report = fetch_media([job], tmp_path, tmp_path, options=FAST)
    assert [strip(o) for o in report.outcomes] == [("x/elsewhere.jpg", "failed", "off-host-redirect")]
    assert "--media-allow-host localhost" in report.outcomes[0].detail
    assert not (tmp_path / "x/elsewhere.jpg").exists() and temporaries(tmp_path) == []
    assert server.requests == ["/elsewhere.jpg"]  # the other host was never asked
    lines = (write_failures(report, tmp_path) or tmp_path).read_text().splitlines()
    assert lines[1].split("\t")[2] == "off-host-redirect"


@pytest.mark.slow
def test_a_host_the_user_names_may_be_redirected_to(server: Server, tmp_path: Path) -> None:
    options = replace(FAST, allow_hosts=("localhost",))
    report = fetch_media([MediaJob(f"{server.base}/elsewhere.jpg", "e.jpg")], tmp_path, tmp_path, options=options)
    assert report.counts()["downloaded"] == 1
    assert (tmp_path / "e.jpg").read_bytes() == FILES["/wp-content/uploads/2008/06/a.jpg"]


@pytest.mark.parametrize(
    ("origin", "target", "allowed", "ok"),
    [
        ("https://example.com/a.jpg", "https://example.com/b.jpg", (), True),
        ("http://example.com/a.jpg", "https://EXAMPLE.com./b.jpg", (), True),
        ("https://example.com/a.jpg", "https://www.example.com/a.jpg", (), True),
        ("https://www.example.com/a.jpg", "https://example.com/a.jpg", (), True),
        ("https://example.com/a.jpg", "https://cdn.example.com/a.jpg", (), False),
        ("https://example.com/a.jpg", "https://cdn.example.com/a.jpg", ("cdn.example.com",), True),
        ("https://example.com/a.jpg", "https://example.com.evil.test/a.jpg", (), False),
        ("https://example.com/a.jpg", "https://evil.test/example.com/a.jpg", (), False),
        ("https://example.com/a.jpg", "https://example.com@evil.test/a.jpg", (), False),
        ("https://example.com/a.jpg", "https://www.www.example.com/a.jpg", (), False),
        ("https://ex.files.wordpress.com/a.jpg", "https://ex.wordpress.com/wp-content/uploads/a.jpg", (), True),
        ("https://ex.wordpress.com/wp-content/uploads/a.jpg", "https://ex.files.wordpress.com/a.jpg", (), True),
        ("https://ex.files.wordpress.com/a.jpg", "https://other.wordpress.com/a.jpg", (), False),
        ("https://ex.files.wordpress.com/a.jpg", "https://i0.wp.com/ex.files.wordpress.com/a.jpg", (), False),
    ],
)
def test_redirect_hosts(origin: str, target: str, allowed: tuple[str, ...], ok: bool) -> None:
    if ok:
        check_redirect_host(origin, target, allowed)
    else:
        with pytest.raises(FetchFailure) as caught:
            check_redirect_host(origin, target, allowed)
        assert caught.value.reason == "off-host-redirect"


@pytest.mark.slow
def test_error_pages_are_not_saved_as_images(server: Server, tmp_path: Path) -> None:
    names = ["html-page.jpg", "lying.jpg", "octet.png"]
    jobs = [MediaJob(f"{server.base}/{n}", f"m/{n}") for n in names]
    report = fetch_media(jobs, tmp_path, tmp_path, options=FAST)
    assert [strip(o) for o in report.outcomes] == [
        ("m/html-page.jpg", "failed", "wrong-type"),
        ("m/lying.jpg", "failed", "wrong-bytes"),
        ("m/octet.png", "downloaded", ""),  # "some bytes" is no lie; the bytes are a PNG
    ]
    assert "text/html" in report.outcomes[0].detail and "not a JPEG image" in report.outcomes[1].detail
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["octet.png"]
    assert report.counts() == {"downloaded": 1, "copied": 0, "reused": 0, "failed": 2}


@pytest.mark.parametrize("name", ["drip.jpg", "drip-headers.jpg"])
@pytest.mark.slow
def test_a_dripping_server_is_cut_off_at_the_time_budget(name: str, server: Server, tmp_path: Path) -> None:
    options = replace(FAST, read_timeout=5, total_timeout=0.6)
    started = time.monotonic()
    report = fetch_media([MediaJob(f"{server.base}/{name}", name)], tmp_path, tmp_path, options=options)
    assert time.monotonic() - started < 3
    assert [strip(o) for o in report.outcomes] == [(name, "failed", "too-slow")]
    assert server.trickled > 3  # it was sending, just never finishing
    assert not (tmp_path / name).exists() and temporaries(tmp_path) == []


@pytest.mark.slow
def test_a_tls_handshake_dripped_byte_by_byte_is_cut_off_too(tmp_path: Path) -> None:
    """urllib3 connects https before sending the request: the budget must hold from the handshake on."""
    listener = socket.create_server(("127.0.0.1", 0))
    dripped = threading.Event()

    def serve() -> None:
        peer, _ = listener.accept()
        with suppress(OSError), peer:
            peer.sendall(b"\x16\x03\x03\x40\x00")  # a TLS handshake record of 16 KB, sent a byte at a time
            for _ in range(400):
                peer.sendall(b"\x02")
                dripped.set()
                time.sleep(0.05)

    threading.Thread(target=serve, daemon=True).start()
    url = f"https://127.0.0.1:{listener.getsockname()[1]}/a.jpg"
    options = replace(FAST, read_timeout=5, connect_timeout=5, total_timeout=0.6)
    started = time.monotonic()
    try:
        report = fetch_media([MediaJob(url, "a.jpg")], tmp_path, tmp_path, options=options)
    finally:
        listener.close()
    assert dripped.is_set() and time.monotonic() - started < 3
    assert [strip(o) for o in report.outcomes] == [("a.jpg", "failed", "too-slow")]


INTERRUPTED = """
import sys
from pathlib import Path
from wxr2db.media.fetch import FetchOptions, MediaJob, fetch_media
base, out = sys.argv[1], Path(sys.argv[2])
print("started", flush=True)
try:
    fetch_media([MediaJob(base + "/drip.jpg", "d/drip.jpg")], out, out, options=FetchOptions(read_timeout=60))
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


@pytest.mark.slow
def test_ctrl_c_stops_a_stalled_download_at_once_and_leaves_no_temporary(server: Server, tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", INTERRUPTED, server.base, str(tmp_path)],
                             env=subprocess_env(), stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline() == "started\n"
    deadline = time.monotonic() + 10
    while server.trickled < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert temporaries(tmp_path) != []  # the file is being written
    child.send_signal(signal.SIGINT)
    started = time.monotonic()
    out, _ = child.communicate(timeout=10)
    assert time.monotonic() - started < 2  # not the 60 s read timeout, nor the drip's end
    assert out == "interrupted\n"
    assert temporaries(tmp_path) == [] and not (tmp_path / "d/drip.jpg").exists()


# ---------------------------------------------------------------- copies


@pytest.mark.slow
def test_media_from_folder_reads_the_copy_only(server: Server, tmp_path: Path) -> None:
    copy = tmp_path / "uploads"
    (copy / "2008/06").mkdir(parents=True)
    (copy / "2008/06/a.jpg").write_bytes(JPEG + b"from backup")
    old = f"{server.base}/old/wp-content/uploads"
    jobs = list(iter_jobs([f"{old}/2008/06/a.jpg", f"{old}/2011/07/c.gif"], "static/wp-content/uploads"))
    out = tmp_path / "out"
    out.mkdir()
    source = MediaSource.from_options(str(copy), download=False)
    report = fetch_media(jobs, out, out, source=source, options=FAST)
    assert [strip(o) for o in report.outcomes] == [
        ("static/wp-content/uploads/2008/06/a.jpg", "copied", ""),
        ("static/wp-content/uploads/2011/07/c.gif", "failed", "not-in-copy"),
    ]
    assert (out / "static/wp-content/uploads/2008/06/a.jpg").read_bytes() == JPEG + b"from backup"
    assert server.requests == []  # files the copy lacks are reported, not fetched
    fallback = MediaSource.from_options(str(copy), download=True)
    again = fetch_media(jobs, out, out, source=fallback, options=FAST)
    assert [o.status for o in again.outcomes] == ["reused", "downloaded"]
    assert server.requests == ["/old/wp-content/uploads/2011/07/c.gif"]


def test_media_from_folder_never_opens_fifos_sockets_or_links_out(tmp_path: Path) -> None:
    copy, out = tmp_path / "uploads", tmp_path / "out"
    (copy / "2008/06").mkdir(parents=True)
    os.mkfifo(copy / "2008/06/fifo.jpg")
    (copy / "2008/06/link.jpg").symlink_to(copy / "2008/06/fifo.jpg")
    (copy / "2008/06/zero.jpg").symlink_to("/dev/zero")
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(copy / "2008/06/sock.jpg"))
    (copy / "2008/06/ok.jpg").write_bytes(JPEG + b"ok")
    old = "https://old.example/wp-content/uploads/2008/06"
    names = ["fifo.jpg", "link.jpg", "zero.jpg", "sock.jpg", "ok.jpg"]
    jobs = list(iter_jobs([f"{old}/{n}" for n in names]))
    started = time.monotonic()
    try:
        report = fetch_media(jobs, out, out, source=MediaSource.from_options(str(copy), download=False))
    finally:
        listening.close()
    assert time.monotonic() - started < 5
    assert [(o.status, o.reason) for o in report.outcomes] == [
        ("failed", "not-a-file"), ("failed", "not-a-file"), ("failed", "unsafe-path"), ("failed", "not-a-file"),
        ("copied", "")]  # fmt: skip
    assert sorted(p.name for p in (out / "wp-content/uploads/2008/06").iterdir()) == ["ok.jpg"]
    assert temporaries(out) == []


COPY_NAMES = {"a%3Cb.jpg": b"a<b.jpg", "a%3Ab.jpg": b"a:b.jpg", "a_b.jpg": b"a_b.jpg", "a%FF.jpg": b"a\xff.jpg",
              "cafe%CC%81.jpg": "cafe\u0301.jpg".encode(), "%2Ehtaccess": b".htaccess"}


def test_media_from_folder_finds_each_file_by_its_own_name(tmp_path: Path) -> None:
    copy, out = tmp_path / "uploads", tmp_path / "out"
    (copy / "names").mkdir(parents=True)
    for on_disk in COPY_NAMES.values():
        (copy / "names" / os.fsdecode(on_disk)).write_bytes(JPEG + on_disk)
    jobs = list(iter_jobs(f"https://old.example/wp-content/uploads/names/{n}" for n in COPY_NAMES))
    report = fetch_media(jobs, out, out, source=MediaSource.from_options(str(copy), download=False))
    assert report.counts() == {"downloaded": 0, "copied": len(COPY_NAMES), "reused": 0, "failed": 0}
    for job, on_disk in zip(jobs, COPY_NAMES.values(), strict=True):
        assert (out / job.dest).read_bytes() == JPEG + on_disk
    assert len({job.dest for job in jobs}) == len(COPY_NAMES)


@pytest.mark.slow
def test_media_from_mirror_asks_for_each_file_by_its_own_name(server: Server, tmp_path: Path) -> None:
    jobs = list(iter_jobs(f"https://old.example/wp-content/uploads/names/{n}" for n in COPY_NAMES))
    source = MediaSource.from_options(server.base + "/mirror/wp-content/uploads", download=False)
    report = fetch_media(jobs, tmp_path, tmp_path, source=source, options=FAST)
    assert report.counts()["copied"] == len(COPY_NAMES)
    asked = ["a%3Cb.jpg", "a%3Ab.jpg", "a_b.jpg", "a%FF.jpg", "cafe%CC%81.jpg", ".htaccess"]  # as sent, decoded once
    assert sorted(server.requests) == sorted(f"/mirror/wp-content/uploads/names/{n}" for n in asked)


@pytest.mark.slow
def test_an_error_page_from_a_mirror_falls_back_to_the_original_when_asked(server: Server, tmp_path: Path) -> None:
    jobs = [MediaJob(f"{server.base}/wp-content/uploads/2008/06/a.jpg", "a.jpg")]
    mirror = server.base + "/mirror-of/html-page.jpg?"  # every file the mirror serves is an error page
    only = fetch_media(jobs, tmp_path, tmp_path, MediaSource("mirror", mirror), FAST)
    assert [strip(o) for o in only.outcomes] == [("a.jpg", "failed", "wrong-type")]
    both = fetch_media(jobs, tmp_path, tmp_path, MediaSource("mirror", mirror, fallback_download=True), FAST)
    assert [strip(o) for o in both.outcomes] == [("a.jpg", "downloaded", "")]
    assert (tmp_path / "a.jpg").read_bytes() == FILES["/wp-content/uploads/2008/06/a.jpg"]


@pytest.mark.slow
def test_media_from_mirror_url(server: Server, tmp_path: Path) -> None:
    jobs = list(iter_jobs(["https://old.example/wp-content/uploads/2008/06/a.jpg",
                           "https://old.example.files.wordpress.com/2011/07/c.gif",
                           "https://old.example/wp-content/uploads/2099/01/none.jpg"]))  # fmt: skip
    source = MediaSource.from_options(server.base + "/mirror/wp-content/uploads/", download=False)
    assert source.kind == "mirror"
    report = fetch_media(jobs, tmp_path, tmp_path, source=source, options=FAST)
    assert [strip(o) for o in report.outcomes] == [
        ("wp-content/uploads/2008/06/a.jpg", "copied", ""),
        ("wp-content/uploads/2011/07/c.gif", "copied", ""),
        ("wp-content/uploads/2099/01/none.jpg", "failed", "not-in-copy"),
    ]
    assert (tmp_path / "wp-content/uploads/2011/07/c.gif").read_bytes() == FILES["/wp-content/uploads/2011/07/c.gif"]
    assert sorted(server.requests) == [
        "/mirror/wp-content/uploads/2008/06/a.jpg",
        "/mirror/wp-content/uploads/2011/07/c.gif",
        "/mirror/wp-content/uploads/2099/01/none.jpg",
    ]


# ---------------------------------------------------------------- kill and resume

CHILD = """
import sys
from pathlib import Path
from wxr2db.media.fetch import FetchOptions, MediaJob, fetch_media
base, out = sys.argv[1], Path(sys.argv[2])
jobs = [MediaJob(base + p, p.lstrip("/")) for p in sys.argv[3:]]
fetch_media(jobs, out, out, options=FetchOptions(workers=1, manifest_interval=0, max_bytes=10**7))
"""


@pytest.mark.slow
def test_killed_download_resumes_with_only_the_missing_file(server: Server, tmp_path: Path) -> None:
    paths = [*FILES, "/trickle.bin"]
    child = subprocess.Popen([sys.executable, "-c", CHILD, server.base, str(tmp_path), *paths], env=subprocess_env())
    deadline = time.monotonic() + 10
    while server.trickled < 100_000 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert 0 < server.trickled < len(BIG)
    assert not (tmp_path / "trickle.bin").exists()  # never half a file under its final name
    assert len(list(tmp_path.glob(".trickle.bin.*.wxr2db-tmp"))) == 1
    assert sorted(json.loads((tmp_path / MANIFEST_NAME).read_text())["files"]) == [server.base + p for p in FILES]
    server.requests.clear()
    jobs = [MediaJob(server.base + p, p.lstrip("/")) for p in paths]
    report = fetch_media(jobs, tmp_path, tmp_path, options=FetchOptions(max_bytes=10**7))
    assert report.counts() == {"downloaded": 1, "copied": 0, "reused": 3, "failed": 0}
    assert server.requests == ["/trickle.bin"]
    assert (tmp_path / "trickle.bin").read_bytes() == BIG
    assert not list(tmp_path.glob(".trickle.bin.*.wxr2db-tmp"))  # the killed run's temporary is gone
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
    assert manifest[server.base + "/trickle.bin"]["sha256"] == sha(BIG)


def test_a_foreign_manifest_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text('{"files": [1, 2]}')
    with pytest.raises(ManifestError, match=r"\.wxr2db-media\.json: not a wxr2db media manifest") as caught:
        fetch_media([MediaJob("http://127.0.0.1:9/a.jpg", "a.jpg")], tmp_path, tmp_path)
    assert "Delete .wxr2db-media.json" in caught.value.hint
    assert not (tmp_path / "a.jpg").exists()


BAD_MANIFESTS = {"deep": b"[" * 200_000 + b"]" * 200_000, "not-utf8": b'{"files": {"\xff": 1}}',
                 "not-json": b"{files", "no-files": b'{"version": 1}', "a-list": b"[1, 2]"}


@pytest.mark.parametrize("content", BAD_MANIFESTS.values(), ids=BAD_MANIFESTS.keys())
def test_one_rule_for_both_manifests(tmp_path: Path, content: bytes) -> None:
    """outdir.read_manifest is the one reader: the fetcher stops with one ManifestError and its hint,
    the site writer warns and keeps every existing file as edited; neither shows a traceback."""
    (tmp_path / MANIFEST_NAME).write_bytes(content)
    (tmp_path / SITE_MANIFEST).write_bytes(content)
    with pytest.raises(ManifestError, match=r"\.wxr2db-media\.json: ") as caught:
        fetch_media([MediaJob("http://127.0.0.1:9/a.jpg", "a.jpg")], tmp_path, tmp_path)
    assert "Delete .wxr2db-media.json" in caught.value.hint
    stats = MarkdownStats()
    with SiteFolder(tmp_path) as folder:
        assert load_manifest(folder, stats) == {}
    assert stats.warnings == [f"{tmp_path / SITE_MANIFEST} is unreadable; every existing file counts as edited"]


# ---------------------------------------------------------------- the command

TRICKY_NAMES = ["a%3Cb.jpg", "a%3Eb.jpg", "a_b.jpg", "a%2Fb.jpg", "Case.jpg", "case.jpg", "CASE.JPG",
                "caf%C3%A9.jpg", "cafe%CC%81.jpg", "a%FF.jpg", "a%FE.jpg", "x", "X/y.jpg", "con.jpg", ".htaccess"]


def site_export(tmp_path: Path, base: str, body: str) -> Path:
    path = tmp_path / "site.xml"
    path.write_text(export(item(1, "One", body), head=header(link=base)), encoding="utf-8")
    return path


@pytest.mark.slow
def test_every_reference_gets_its_own_file(server: Server, tmp_path: Path) -> None:
    urls = [f"{server.base}/wp-content/uploads/names/{n}" for n in TRICKY_NAMES]
    body = "\n\n".join(f'<img src="{u}" alt="{n}">' for n, u in zip(TRICKY_NAMES, urls, strict=True))
    out = tmp_path / "out"
    result = cli("markdown", str(site_export(tmp_path, server.base, body)), str(out), "--media", "download")
    assert result.exit_code == 0, result.stderr
    assert f"media: {len(TRICKY_NAMES)} downloaded, 0 reused, 0 copied, 0 failed" in result.stderr
    written = (out / "posts/post-1.md").read_text(encoding="utf-8")
    targets = re.findall(r"!\[[^\]]*\]\((/wp-content/uploads/names/[^)\s]+)\)", written)
    assert len(targets) == len(TRICKY_NAMES) and len(set(targets)) == len(TRICKY_NAMES)
    for target, url in zip(targets, urls, strict=True):
        assert (out / unquote(target).lstrip("/")).read_bytes() == JPEG + url.removeprefix(server.base).encode()
    names = [p.name for p in (out / "wp-content/uploads/names").rglob("*") if p.is_file()]
    assert len({name.casefold() for name in names}) == len(names) == len(TRICKY_NAMES)
    assert not any(name.startswith(".") for name in names)


@pytest.mark.slow
def test_links_featured_images_and_shortcodes_point_at_their_own_file_too(server: Server, tmp_path: Path) -> None:
    up = f"{server.base}/wp-content/uploads/names"
    body = f'<img src="{up}/Case.jpg" alt="x">\n\n<a href="{up}/case.jpg">link</a> [video src="{up}/CASE.JPG"]'
    attachment = item(9, "att", "", post_type="attachment",
                      extra=f"<wp:attachment_url>{up}/case.jpg</wp:attachment_url>")
    source = tmp_path / "site.xml"
    source.write_text(export(item(1, "One", body, meta=[("_thumbnail_id", "9")]), attachment,
                             head=header(link=server.base)), encoding="utf-8")
    out = tmp_path / "out"
    result = cli("markdown", str(source), str(out), "--media", "download")
    assert result.exit_code == 0, result.stderr
    written = (out / "posts/post-1.md").read_text(encoding="utf-8")
    found = re.findall(r"(?:image: |\]\(|<)(/wp-content/uploads/names/[^)>\s]+)", written)
    assert len(found) == 4, written  # the featured image, the image, the link, the shortcode's file
    served = [b"/wp-content/uploads/names/" + n for n in (b"case.jpg", b"Case.jpg", b"case.jpg", b"CASE.JPG")]
    assert [(out / unquote(f).lstrip("/")).read_bytes() for f in found] == [JPEG + s for s in served]


@pytest.mark.slow
def test_the_command_reports_off_host_redirects_unless_the_host_is_allowed(server: Server, tmp_path: Path) -> None:
    source = site_export(tmp_path, server.base, f'<img src="{server.base}/wp-content/uploads/off/x.jpg">')
    out = tmp_path / "out"
    result = cli("markdown", str(source), str(out), "--media", "download", "--media-timeout", "20")
    assert result.exit_code == 1
    assert f"not fetched: {server.base}/wp-content/uploads/off/x.jpg: off-host-redirect" in result.stderr
    failures = (out / FAILURES_NAME).read_text().splitlines()
    assert failures[1].split("\t")[2:3] == ["off-host-redirect"]
    assert not (out / "wp-content/uploads/off/x.jpg").exists()
    again = cli("markdown", str(source), str(out), "--media", "download", "--media-allow-host", "LOCALHOST")
    assert again.exit_code == 0, again.stderr
    assert (out / "wp-content/uploads/off/x.jpg").read_bytes() == JPEG + b"/wp-content/uploads/names/moved.jpg"
    assert not (out / FAILURES_NAME).exists()


@pytest.mark.parametrize(("option", "value"), [("--media-allow-host", "https://cdn.example.com/"),
                                               ("--media-allow-host", " "), ("--media-timeout", "0")])
def test_bad_media_options_are_one_line(option: str, value: str, tmp_path: Path) -> None:
    source = site_export(tmp_path, "http://127.0.0.1:9", "x")
    result = cli("markdown", str(source), str(tmp_path / "out"), "--media", "download", option, value)
    assert result.exit_code != 0 and "Traceback" not in result.stderr
    assert option in result.stderr and len(result.stderr.strip().splitlines()) <= 4
