"""Fetch media files into the site: from the original URLs, a local uploads copy, or a mirror URL.

Only this module touches the network, and only when `fetch_media` is called. Files are written through
outdir.SiteFolder under one destination root inside OUTDIR, never outside it, never over a file the
manifest does not know, and never half-written under their final name. State per URL lives in a JSON
manifest, so a re-run fetches only what is missing.
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import socket
import stat
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urljoin, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from ..errors import ManifestError, WxrError
from ..normalize import digits
from ..outdir import RefusedPath, SiteFolder, Stream, read_manifest, write_manifest
from .filetypes import HEAD_BYTES, bytes_problem, type_problem
from .paths import clash_key, renamed, uploads_path, uploads_segments

MANIFEST_NAME = ".wxr2db-media.json"
MANIFEST_ABOUT = "Media files wxr2db fetched: URL -> where, sha256, size, and how it went."
MANIFEST_HINT = f"Delete {MANIFEST_NAME} in the output folder to start the media download over."
FAILURES_NAME = ".wxr2db-media-failures.tsv"  # beside MANIFEST_NAME in OUTDIR; the one users are told of
OK_STATUSES = ("downloaded", "copied", "reused")
Status = Literal["downloaded", "copied", "reused", "failed"]
# Called with (files finished, bytes received) deltas, serialized by a lock, from worker threads.
ProgressCallback = Callable[[int, int], None]

_CHUNK = 64 * 1024
_REDIRECTS = frozenset([301, 302, 303, 307, 308])


# ---------------------------------------------------------------- public records


@dataclass(frozen=True)
class MediaJob:
    """Fetch `url` to `dest`, a relative path with `/` separators under the destination root."""

    url: str
    dest: str


@dataclass(frozen=True)
class MediaSource:
    """Where the bytes come from: the URLs themselves, a local uploads folder, or a mirror base URL."""

    kind: Literal["download", "folder", "mirror"] = "download"
    root: str = ""
    fallback_download: bool = False  # files the copy lacks are fetched from the original URL too

    @classmethod
    def from_options(cls, media_from: str | None, download: bool) -> MediaSource:
        """`--media-from PATH|URL` and `--media download` as given on the command line."""
        if not media_from:
            return cls("download")
        is_url = media_from.lower().startswith(("http://", "https://"))
        return cls("mirror" if is_url else "folder", media_from, fallback_download=download)


@dataclass(frozen=True)
class FetchOptions:
    workers: int = 8
    per_host: int = 4
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5
    backoff_cap: float = 30.0
    max_bytes: int = 200 * 1024 * 1024
    max_redirects: int = 5
    manifest_interval: float = 1.0  # seconds between manifest writes; 0 writes after every file
    user_agent: str = "wxr2db media fetch"
    # Seconds one file may take in all, retries and redirects included: a server sending a byte every
    # few seconds never trips read_timeout.
    total_timeout: float = 300.0
    # Hosts a redirect may lead to besides the one fetched (and its www. twin): `--media-allow-host`.
    allow_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    url: str
    dest: str
    status: Status
    reason: str = ""  # for failures: http-404, timeout, too-large, redirect-loop, not-in-copy, ...
    detail: str = ""
    size: int = 0
    sha256: str = ""


@dataclass
class FetchReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Files per status: downloaded, copied, reused, failed."""
        found: Counter[str] = Counter(o.status for o in self.outcomes)
        return {status: found[status] for status in (*OK_STATUSES, "failed")}

    def failures_by_reason(self) -> dict[str, int]:
        return dict(sorted(Counter(o.reason for o in self.failures()).items()))

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def fetched(self) -> dict[str, str]:
        """url -> dest for every file now in place; what the link rewriter may point at."""
        return {o.url: o.dest for o in self.outcomes if o.status != "failed"}


class FetchFailure(Exception):
    """One file could not be placed; `reason` is the short code in the report and the failures list."""

    def __init__(self, reason: str, detail: str = "", retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.retry_after = retry_after


# ---------------------------------------------------------------- manifest


def load_media_manifest(folder: SiteFolder) -> dict[str, dict[str, Any]]:
    """url -> {dest, sha256, size, status, reason}; empty when there is none yet."""
    files = read_manifest(folder, MANIFEST_NAME, "media manifest", MANIFEST_HINT)
    if not all(isinstance(v, dict) for v in files.values()):
        raise ManifestError(f"{folder.root / MANIFEST_NAME}: not a wxr2db media manifest", MANIFEST_HINT)
    return files


def write_failures(report: FetchReport, where: Path | SiteFolder, name: str = FAILURES_NAME) -> Path | None:
    """Write `url<TAB>dest<TAB>reason<TAB>detail` per failed file; remove a stale list when none failed."""
    if isinstance(where, Path):
        with SiteFolder(where) as folder:
            return write_failures(report, folder, name)
    failures = report.failures()
    if not failures:
        where.remove(name)
        return None
    lines = ["url\tdest\treason\tdetail"]
    lines += ["\t".join(_tsv(v) for v in (o.url, o.dest, o.reason, o.detail)) for o in failures]
    where.write(name, ("\n".join(lines) + "\n").encode("utf-8", "backslashreplace"))  # `%FF` paths
    return where.root / name


def _tsv(value: str) -> str:
    return value.replace("\t", " ").replace("\r", " ").replace("\n", " ")


# ---------------------------------------------------------------- safe files


def _check_dest(rel: str) -> None:
    """Refuse `..`, absolute paths and odd segments in a destination before any folder is opened."""
    parts = rel.split("/")
    if not rel or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts) or os.path.isabs(rel):
        raise FetchFailure("unsafe-path", f"destination {rel!r} is not a plain relative path")


class _TempFile:
    """A file streamed into the site (see SiteFolder.stream), hashed and size-capped as it is written;
    `name` (its destination) says which format its bytes must be."""

    def __init__(self, stream: Stream, max_bytes: int, on_bytes: Callable[[int], None], name: str = "") -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.on_bytes = on_bytes
        self.name = name
        self.size = 0
        self.head = b""
        self.digest = hashlib.sha256()

    def reset(self) -> None:
        self.stream.truncate()
        self.size = 0
        self.head = b""
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise FetchFailure("too-large", f"more than {self.max_bytes} bytes")
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]
        self.digest.update(data)
        self.stream.write(data)
        self.on_bytes(len(data))

    def check_bytes(self) -> None:
        problem = bytes_problem(self.name, self.head)
        if problem is not None:
            raise FetchFailure("wrong-bytes", problem)


# ---------------------------------------------------------------- readers


def redirect_target(current: str, location: str) -> str:
    """The next URL of a redirect; https is never downgraded to http."""
    target = urljoin(current, location.strip())
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchFailure("bad-redirect", f"redirect to {target!r}")
    if urlsplit(current).scheme.lower() == "https" and scheme == "http":
        raise FetchFailure("insecure-redirect", f"https redirected to {target}")
    return target


def url_host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def same_host(first: str, second: str) -> bool:
    """One host, or it and its `www.` twin (whoever holds the domain holds both), or a WordPress.com
    blog and the host its files are served from (`NAME.wordpress.com`, `NAME.files.wordpress.com`)."""
    return bool(first) and _site_of(first) == _site_of(second)


def _site_of(host: str) -> str:
    host = host.removeprefix("www.")
    name, _, rest = host.partition(".")
    return f"{name}.wordpress.com" if rest == "files.wordpress.com" else host


def check_redirect_host(origin: str, target: str, allowed: tuple[str, ...]) -> None:
    """A redirect may stay on the host fetched, or go to a host the user named; anything else could
    be a lapsed domain pointing anywhere, so its body is never published as the site's file."""
    host = url_host(target)
    if same_host(url_host(origin), host) or host in allowed:
        return
    raise FetchFailure("off-host-redirect", f"{origin} redirected to {target}; "
                       f"pass --media-allow-host {host or '?'} to follow it")


def _retry_after(value: str | None, cap: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    seconds = digits(value)
    if seconds is not None:
        return min(float(seconds), cap)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when.timestamp() - time.time(), cap))


class Deadline:
    """One file's time budget: when it runs out, the connection in use is shut down, which ends any
    read blocked on it (a drip-feeding server, headers included)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.connection: HTTPConnection | None = None
        self.expired = False
        self.timer = threading.Timer(max(seconds, 0.0), self.expire)
        self.timer.daemon = True
        self.timer.start()

    def left(self) -> float:
        return self.end - time.monotonic()

    def attach(self, connection: HTTPConnection | None) -> None:
        with self.lock:
            self.connection = connection
            if self.expired and connection is not None:
                _shut(connection)

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            if self.connection is not None:
                _shut(self.connection)

    def cancel(self) -> None:
        self.timer.cancel()
        self.attach(None)


def _shut(connection: HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with suppress(OSError):
            # The plain socket's shutdown: SSLSocket.shutdown would also drop its TLS state under the
            # reading thread.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


_WATCH = threading.local()  # the Deadline of the file this worker thread is fetching


def _watch(connection: HTTPConnection) -> None:
    """Put the connection under the budget of the file this thread fetches: from its TLS handshake
    (urllib3 connects https before sending) or its request on, whichever comes first."""
    deadline = getattr(_WATCH, "deadline", None)
    if deadline is not None:
        deadline.attach(connection)


class _Watched(HTTPConnection):
    """A connection the file's deadline can cut, from its connect or its request on."""

    def connect(self) -> None:
        _watch(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self)
        super().request(*args, **kwargs)


class _WatchedHTTP(_Watched):
    pass


class _WatchedHTTPS(_Watched, HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTP


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


class _Http:
    """One urllib3 pool per host (at most `per_host` connections), redirects and retries by hand,
    each file within its time budget."""

    def __init__(self, options: FetchOptions, stop: threading.Event) -> None:
        self.options = options
        self.stop = stop
        self.pool = urllib3.PoolManager(
            num_pools=64,
            maxsize=options.per_host,
            block=True,
            retries=False,
            headers={"User-Agent": options.user_agent},
        )
        self.pool.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        self.lock = threading.Lock()
        self.running: set[Deadline] = set()

    def interrupt(self) -> None:
        """Ctrl-C: end every read in flight now, rather than when its server next sends something."""
        with self.lock:
            running = list(self.running)
        for deadline in running:
            deadline.expire()

    def fetch(self, url: str, temp: _TempFile) -> None:
        deadline = Deadline(self.options.total_timeout)
        with self.lock:
            self.running.add(deadline)
        _WATCH.deadline = deadline
        try:
            self._within(url, temp, deadline)
        finally:
            _WATCH.deadline = None
            deadline.cancel()
            with self.lock:
                self.running.discard(deadline)

    def _within(self, url: str, temp: _TempFile, deadline: Deadline) -> None:
        try:
            self._attempts(url, temp, deadline)
        except FetchFailure:
            if self.stop.is_set():
                raise FetchFailure("interrupted") from None
            if not deadline.expired:
                raise
        # A connection shut at the deadline can look like a body that ended (no Content-Length):
        # whatever came after the deadline, even a success, is not trusted.
        if deadline.expired:
            raise FetchFailure("too-slow", f"not done within {self.options.total_timeout:g} s")

    def _attempts(self, url: str, temp: _TempFile, deadline: Deadline) -> None:
        attempt = 0
        while True:
            try:
                return self._follow(url, temp, deadline)
            except FetchFailure as failure:
                retryable = failure.reason in ("timeout", "network-error", "http-429") or (
                    failure.reason.startswith("http-5") and failure.reason != "http-501"
                )
                if not retryable or attempt >= self.options.retries or self.stop.is_set() or deadline.expired:
                    raise
                delay = min(self.options.backoff * 2**attempt, self.options.backoff_cap)
                if failure.retry_after is not None:
                    delay = failure.retry_after
                attempt += 1
                temp.reset()
                if delay >= deadline.left() or self.stop.wait(delay):
                    raise

    def _follow(self, url: str, temp: _TempFile, deadline: Deadline) -> None:
        origin, seen = url, {url}
        for _ in range(self.options.max_redirects + 1):
            location = self._get(url, temp, deadline)
            if location is None:
                return
            url = redirect_target(url, location)
            check_redirect_host(origin, url, self.options.allow_hosts)
            if url in seen:
                raise FetchFailure("redirect-loop", url)
            seen.add(url)
        raise FetchFailure("too-many-redirects", f"more than {self.options.max_redirects}")

    def _get(self, url: str, temp: _TempFile, deadline: Deadline) -> str | None:
        left = max(deadline.left(), 0.01)
        timeout = urllib3.Timeout(connect=min(self.options.connect_timeout, left),
                                  read=min(self.options.read_timeout, left))
        try:
            response = self.pool.request("GET", url, preload_content=False, redirect=False, timeout=timeout)
        except Urllib3Timeout as exc:
            raise FetchFailure("timeout", str(exc)) from None
        except (Urllib3Error, ValueError, OSError) as exc:
            raise FetchFailure("network-error", str(exc)) from None
        try:
            return self._read(response, url, temp)
        except Urllib3Timeout as exc:
            raise FetchFailure("timeout", str(exc)) from None
        except (Urllib3Error, OSError) as exc:
            raise FetchFailure("network-error", str(exc)) from None
        finally:
            deadline.attach(None)
            response.release_conn()

    def _read(self, response: urllib3.BaseHTTPResponse, url: str, temp: _TempFile) -> str | None:
        status = response.status
        if status in _REDIRECTS and response.headers.get("Location"):
            _drain_small(response)
            return str(response.headers["Location"])
        if status != 200:
            _drain_small(response)
            after = _retry_after(response.headers.get("Retry-After"), self.options.backoff_cap)
            raise FetchFailure(f"http-{status}", url, retry_after=after if status in (429, 503) else None)
        self._check_headers(response, temp)
        for chunk in response.stream(_CHUNK):
            if self.stop.is_set():
                response.close()
                raise FetchFailure("interrupted")
            try:
                temp.write(chunk)
            except FetchFailure:
                response.close()
                raise
        temp.check_bytes()
        return None

    def _check_headers(self, response: urllib3.BaseHTTPResponse, temp: _TempFile) -> None:
        length = response.headers.get("Content-Length", "")
        if (digits(length) or 0) > self.options.max_bytes:
            response.close()
            raise FetchFailure("too-large", f"Content-Length {length} > {self.options.max_bytes}")
        problem = type_problem(temp.name, response.headers.get("Content-Type"))
        if problem is not None:
            response.close()
            raise FetchFailure("wrong-type", problem)


def _drain_small(response: urllib3.BaseHTTPResponse) -> None:
    """Keep the connection for reuse after a short body; close it rather than read a long one."""
    length = digits(response.headers.get("Content-Length", ""))
    if length is not None and length <= _CHUNK:
        response.drain_conn()
    else:
        response.close()


# A FIFO would block open() (and Ctrl-C with it), a device could be read forever: only regular files
# are copied, opened without blocking and without following a link swapped in at the last moment.
_COPY_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC


def _copy_file(folder: str, segments: tuple[str, ...], temp: _TempFile, stop: threading.Event) -> None:
    rel = "/".join(segments)
    if any("/" in s or "\0" in s for s in segments):  # `%2F`, `%00`: no file on disk has that name
        raise FetchFailure("not-in-copy", f"{rel!r} cannot be a file name")
    root = os.path.realpath(folder)
    path = os.path.realpath(os.path.join(root, *segments))
    if os.path.commonpath([root, path]) != root:
        raise FetchFailure("unsafe-path", f"{rel} leads outside {folder}")
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise FetchFailure("not-a-file", f"{path} is not a regular file")
        fd = os.open(path, _COPY_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        raise FetchFailure("not-in-copy", path) from None
    except OSError as exc:
        raise FetchFailure("read-error", f"{path}: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the check
            raise FetchFailure("not-a-file", f"{path} is not a regular file")
        while chunk := os.read(fd, _CHUNK):
            if stop.is_set():
                raise FetchFailure("interrupted")
            temp.write(chunk)
    except OSError as exc:
        raise FetchFailure("read-error", f"{path}: {exc.strerror}") from None
    finally:
        os.close(fd)


# ---------------------------------------------------------------- the engine


class _Engine:
    def __init__(
        self, root: Path, folder: SiteFolder, source: MediaSource, options: FetchOptions,
        progress: ProgressCallback | None
    ) -> None:
        self.root, self.folder, self.source, self.options = root, folder, source, options
        self.prefix = _inside(root, folder.root)
        self.progress = progress
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.http = _Http(options, self.stop) if source.kind != "folder" or source.fallback_download else None
        self.manifest = load_media_manifest(folder)
        self.known: dict[str, set[str]] = {}
        for entry in self.manifest.values():
            if entry.get("status") in OK_STATUSES and isinstance(entry.get("sha256"), str):
                self.known.setdefault(str(entry.get("dest")), set()).add(entry["sha256"])
        self.last_save = 0.0

    def report(self, files: int, size: int) -> None:
        if self.progress is not None:
            with self.lock:
                self.progress(files, size)

    def run_one(self, job: MediaJob) -> Outcome:
        try:
            outcome = self._place(job)
        except FetchFailure as failure:
            outcome = Outcome(job.url, job.dest, "failed", failure.reason, failure.detail)
        except RefusedPath as refused:
            outcome = Outcome(job.url, job.dest, "failed", "unsafe-path", f"{self.root / job.dest}: {refused}")
        except OSError as exc:
            outcome = Outcome(job.url, job.dest, "failed", "write-error", f"{exc.filename}: {exc.strerror}")
        self.record(outcome)
        return outcome

    def _place(self, job: MediaJob) -> Outcome:
        _check_dest(job.dest)
        rel = f"{self.prefix}/{job.dest}" if self.prefix else job.dest
        existing = self.folder.digest(rel)
        if existing is not None and existing[0] in self.known.get(job.dest, ()):
            return Outcome(job.url, job.dest, "reused", size=existing[1], sha256=existing[0])
        with self.folder.stream(rel, 0o644) as stream:
            temp = _TempFile(stream, self.options.max_bytes, lambda n: self.report(0, n), job.dest)
            status = self._fill(job, temp)
            placed = stream.publish()
        sha = temp.digest.hexdigest()
        if not placed:
            there = self.folder.digest(rel)
            if there is None or there[0] != sha:
                raise FetchFailure("exists-different", f"{self.root / job.dest} holds another file; left as it was")
            status = "reused"
        return Outcome(job.url, job.dest, status, size=temp.size, sha256=sha)

    def _fill(self, job: MediaJob, temp: _TempFile) -> Status:
        # The copy holds the file under the name the server gave it, not the safe name it gets here.
        segments = uploads_segments(job.url) if self.source.kind != "download" else None
        if self.source.kind != "download":
            try:
                if segments is None:
                    raise FetchFailure("not-in-copy", "not a wp-content/uploads URL")
                if self.source.kind == "folder":
                    _copy_file(self.source.root, segments, temp, self.stop)
                else:
                    quoted = "/".join(quote(s.encode("utf-8", "surrogateescape"), safe="") for s in segments)
                    self._http().fetch(self.source.root.rstrip("/") + "/" + quoted, temp)
                return "copied"
            except FetchFailure as failure:
                missing = failure.reason in ("not-in-copy", "http-404", "http-410")
                # A mirror may answer a missing file with `200 text/html`: the original may still have it.
                unusable = missing or failure.reason in ("wrong-type", "wrong-bytes")
                if not (unusable and self.source.fallback_download):
                    raise FetchFailure("not-in-copy", failure.detail) if missing else failure from None
                temp.reset()
        self._http().fetch(job.url, temp)
        return "downloaded"

    def _http(self) -> _Http:
        if self.http is None:
            raise FetchFailure("not-in-copy", "downloading was not asked for")
        return self.http

    def record(self, outcome: Outcome) -> None:
        entry = {"dest": outcome.dest, "sha256": outcome.sha256, "size": outcome.size, "status": outcome.status}
        if outcome.reason:
            entry["reason"] = outcome.reason
        with self.lock:
            self.manifest[outcome.url] = entry
            if outcome.status != "failed":
                self.known.setdefault(outcome.dest, set()).add(outcome.sha256)
            if time.monotonic() - self.last_save >= self.options.manifest_interval:
                write_manifest(self.folder, MANIFEST_NAME, self.manifest, MANIFEST_ABOUT)
                self.last_save = time.monotonic()
        self.report(1, 0)


def fetch_media(
    jobs: Iterable[MediaJob],
    dest_root: Path,
    outdir: Path,
    source: MediaSource | None = None,
    options: FetchOptions | None = None,
    progress: ProgressCallback | None = None,
    folder: SiteFolder | None = None,
) -> FetchReport:
    """Fetch every job's file under dest_root, a folder inside OUTDIR, keeping state in OUTDIR's
    manifest; one failure never stops it. `folder` is OUTDIR when the caller holds it open already."""
    if folder is None:
        with SiteFolder(outdir) as opened:
            return fetch_media(jobs, dest_root, outdir, source, options, progress, opened)
    engine = _Engine(dest_root, folder, source or MediaSource(), options or FetchOptions(), progress)
    groups = _group_by_dest(jobs)
    report = FetchReport()
    pool = ThreadPoolExecutor(max_workers=max(1, engine.options.workers))
    try:
        for same, outcome in zip(
            groups.values(), pool.map(engine.run_one, [g[0] for g in groups.values()]), strict=True
        ):
            report.outcomes.append(outcome)
            report.outcomes.extend(_same_file(engine, job, outcome) for job in same[1:])
    except BaseException:
        # Ctrl-C: workers stop between chunks and drop their temp files; the manifest keeps what was done.
        engine.stop.set()
        if engine.http is not None:
            engine.http.interrupt()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        with engine.lock:
            write_manifest(folder, MANIFEST_NAME, engine.manifest, MANIFEST_ABOUT)
    return report


def _inside(root: Path, outdir: Path) -> str:
    """root's path relative to OUTDIR ("" for OUTDIR itself); media never go outside OUTDIR."""
    rel = os.path.relpath(root.absolute(), outdir.absolute())
    if rel == os.curdir:
        return ""
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        raise WxrError(f"{root} is outside {outdir}", "Media go into a folder of the site.")
    return Path(rel).as_posix()


def _group_by_dest(jobs: Iterable[MediaJob]) -> dict[str, list[MediaJob]]:
    """Jobs by destination, each URL once; `http://` and `https://` forms of one file share a destination."""
    groups: dict[str, list[MediaJob]] = {}
    seen: set[str] = set()
    for job in jobs:
        if job.url not in seen:
            seen.add(job.url)
            groups.setdefault(job.dest, []).append(job)
    return groups


def _same_file(engine: _Engine, job: MediaJob, first: Outcome) -> Outcome:
    status: Status = "failed" if first.status == "failed" else "reused"
    outcome = Outcome(job.url, job.dest, status, first.reason, first.detail, first.size, first.sha256)
    engine.record(outcome)
    return outcome


def iter_jobs(urls: Iterable[str], prefix: str = "wp-content/uploads") -> Iterator[MediaJob]:
    """A job per uploads URL, placed at `prefix/YYYY/MM/name`; URLs outside the uploads are skipped.
    Different URLs get different files, also where the file system ignores case (see distinct_paths)."""
    found = [(url, rel) for url in urls if (rel := uploads_path(url)) is not None]
    unique = distinct_paths(rel for _, rel in found)
    base = prefix.strip("/")
    for url, rel in found:
        yield MediaJob(url, f"{base}/{unique[rel]}" if base else unique[rel])


def distinct_paths(paths: Iterable[str]) -> dict[str, str]:
    """Each path -> where its file goes: itself, unless a path that sorts before it is the same file
    on macOS or Windows (`Case.jpg`, `case.jpg`: see paths.clash_key) or a folder there (`2020/a` and
    `2020/A/b.jpg`); then its name gets a stable suffix. Sorting makes the choice independent of the
    order in which posts name their files."""
    unique = sorted(set(paths))
    folders = _Folders()
    for path in unique:
        folders.add(clash_key(path).split("/")[:-1])
    taken: set[str] = set()
    placed: dict[str, str] = {}
    for path in unique:
        final, attempt = path, 0
        while clash_key(final) in taken or folders.has(clash_key(final).split("/")):
            head, slash, name = path.rpartition("/")
            final = head + slash + renamed(name, path, attempt)
            attempt += 1
        taken.add(clash_key(final))
        placed[path] = final
    return placed


class _Folders:
    """Every folder of a set of paths, as a tree of segments: linear in the paths' length however
    deep they go (a set of every prefix would not be)."""

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}

    def add(self, segments: list[str]) -> None:
        node = self.root
        for segment in segments:
            node = node.setdefault(segment, {})

    def has(self, segments: list[str]) -> bool:
        node: dict[str, Any] | None = self.root
        for segment in segments:
            node = node.get(segment) if node is not None else None
        return node is not None
