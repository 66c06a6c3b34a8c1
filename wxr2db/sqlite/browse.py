"""`wxr2db browse DB`: Datasette on a wxr2db database, set up for reading the blog.

Datasette runs as `python -m datasette` of this interpreter, with metadata made fresh from the database
(written to a temporary folder: the database's own folder may be read-only), wxr2db's row template, and
settings that keep tables readable.
"""

from __future__ import annotations

import importlib.util
import json
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from sqlite_utils import Database

from ..errors import DatasetteMissingError, NoSuchDatabaseError, PortInUseError
from .metadata import datasette_metadata
from .overview import tilde_encode
from .schema import check_database

TEMPLATES = Path(__file__).parent / "datasette_templates"
PLUGINS = Path(__file__).parent / "datasette_plugins"
# Cells cut at 160 characters keep a row one or two lines high; 50 rows fill a few screens.
# Queries over every post's text (shortcodes, links) take about a second on a 100 MB export: 5 s leaves room.
SETTINGS = {"truncate_cells_html": 160, "default_page_size": 50, "suggest_facets": "off", "default_facet_size": 10,
            "sql_time_limit_ms": 5000, "facet_time_limit_ms": 1000}


def require_datasette() -> None:
    if importlib.util.find_spec("datasette") is None:
        raise DatasetteMissingError("Datasette is not installed")


def require_free_port(host: str, port: int) -> None:
    """Refuse in one line rather than let Datasette fail with a traceback on a port already taken."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise PortInUseError(f"cannot listen on {host}:{port} ({error.strerror or error})") from None


def write_metadata(db_path: Path, folder: Path) -> Path:
    """Metadata for the database as it is now, from a read-only connection."""
    if not db_path.is_file():
        raise NoSuchDatabaseError(f"{db_path}: no such database", "Run `wxr2db import` first.")
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        check_database(conn, str(db_path))
        meta = datasette_metadata(Database(conn), db_path.stem)
    finally:
        conn.close()
    target = folder / "metadata.json"
    target.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return target


def overview_url(host: str, port: int, db_path: Path) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/{tilde_encode(db_path.stem)}"


def datasette_command(db_path: Path, metadata: Path, host: str, port: int) -> list[str]:
    settings = [arg for key, value in SETTINGS.items() for arg in ("--setting", key, str(value))]
    return [sys.executable, "-m", "datasette", "serve", str(db_path), "--metadata", str(metadata),
            "--template-dir", str(TEMPLATES), "--plugins-dir", str(PLUGINS), "--host", host, "--port", str(port),
            *settings]


def wait_until_up(process: subprocess.Popen[bytes], url: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    return False


@contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM ends us as Ctrl-C does, so the finally below stops Datasette too (a service manager, a test)."""
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def browse(db_path: Path, host: str, port: int, open_browser: bool, say: Callable[[str], None]) -> int:
    """Serve db_path until Datasette stops or Ctrl-C; return Datasette's exit status."""
    require_datasette()
    with tempfile.TemporaryDirectory(prefix="wxr2db-browse-") as folder, stopped_by_sigterm():
        # The database first: a wrong file is the user's mistake to hear of, whatever holds the port.
        metadata = write_metadata(db_path, Path(folder))
        require_free_port(host, port)
        url = overview_url(host, port, db_path)
        process = subprocess.Popen(datasette_command(db_path, metadata, host, port))
        try:
            if wait_until_up(process, url):
                say(f"Browse {db_path} at {url} (Ctrl+C to stop)")
                if open_browser:
                    webbrowser.open(url)
            return process.wait()
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait()
