"""Small helpers the test files share."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from wxr2db.sources.wxr import iter_records
from wxr2db.sqlite.save import ImportStats, save


def import_path(path: Path, db: Database | None = None, recover: bool = False) -> tuple[Database, ImportStats]:
    db = db if db is not None else Database(memory=True)
    with path.open("rb") as f:
        stats = save(db, iter_records(f, name=path.name, recover=recover))
    return db, stats


def import_bytes(data: bytes, db: Database | None = None) -> tuple[Database, ImportStats]:
    db = db if db is not None else Database(memory=True)
    return db, save(db, iter_records(io.BytesIO(data), name="test.xml"))


def rows(db: Database, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.execute(sql, params).fetchall()]


def synthetic_export(factory: pytest.TempPathFactory, target_bytes: int, seed: int) -> tuple[Path, int]:
    """A generated export of about target_bytes (benchmarks/synth.py), and how many items it has."""
    synth = pytest.importorskip("benchmarks.synth")
    path = factory.mktemp("synth") / "synth.xml"
    counts = synth.write_export(path, target_bytes=target_bytes, seed=seed)
    return path, sum(counts.items_by_post_type.values())


def stop(process: subprocess.Popen[Any]) -> None:
    """End a test server: politely, then for sure."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
