"""The benchmark itself: it prints whether each target is met, and it times wxr2db, not the disk."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks.run import TRASH, Result, best_of, clear_outputs, empty_trash, main, measure, set_aside, targets


def result(step: str, seconds: float, rss_mb: float = 50.0) -> Result:
    return Result(step, seconds, int(rss_mb * 1024), 0, "", "")


def test_targets_say_met_or_not_from_the_ratios_of_the_same_run() -> None:
    text = targets([result("bare scan", 2.0), result("import", 6.0, 120.0), result("markdown", 30.0)])
    assert text.splitlines() == [
        "targets:",
        "  import <= 3.5x scan             3.00x  met",
        "  import <= 150 MB             120.0 MB  met",
        "  markdown <= 10.0x scan         15.00x  NOT met",
    ]
    slow = targets([result("bare scan", 1.0), result("import", 3.6, 151.0)])
    assert slow.count("NOT met") == 2


def test_targets_are_left_out_without_a_scan_to_compare_with() -> None:
    failed_scan = Result("bare scan", 0.0, 0, 1, "", "boom")
    assert targets([failed_scan, result("import", 3.0)]) == ""


def test_an_earlier_output_is_set_aside_not_deleted_until_the_end(tmp_path: Path) -> None:
    tree = tmp_path / "site"
    (tree / "posts").mkdir(parents=True)
    (tree / "posts" / "a.md").write_text("x")
    db = tmp_path / "x.db"
    db.write_text("db")
    Path(f"{db}-journal").write_text("j")
    (tmp_path / "x.metadata.json").write_text("{}")
    set_aside(tree)
    set_aside(db)
    assert sorted(p.name for p in tmp_path.iterdir()) == [TRASH]
    kept = sorted(p.name.split(".")[0] for p in (tmp_path / TRASH).iterdir())
    assert kept == ["site", "x", "x", "x"]
    empty_trash(tmp_path)
    assert not (tmp_path / TRASH).exists()


def test_clearing_a_database_takes_its_journal_and_datasette_metadata(tmp_path: Path) -> None:
    db = tmp_path / "profile.db"
    for name in ("profile.db", "profile.db-wal", "profile.metadata.json", "other.metadata.json"):
        (tmp_path / name).write_text("x")
    clear_outputs(db)
    assert [p.name for p in tmp_path.iterdir()] == ["other.metadata.json"]


def test_each_run_starts_without_the_last_runs_output(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    # The command fails when its output is already there, as a second run would without set_aside.
    command = [sys.executable, "-c", "import pathlib, sys; p = pathlib.Path(sys.argv[1]); "
               "sys.exit(1 if p.exists() else p.write_text('x') and 0)", str(out)]
    assert best_of(3, "step", command, out).ok
    assert len(list((tmp_path / TRASH).iterdir())) == 2


def test_a_small_run_prints_its_table_and_targets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sizes", "1MB", "--workdir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "bare scan" in printed and "skipped" not in printed and "CPU s" in printed
    assert "targets:" in printed and "import <= 3.5x scan" in printed and "markdown <= 10.0x scan" in printed
    assert not (tmp_path / "out" / TRASH).exists()
    assert list((tmp_path / "out").iterdir()) == []


def test_cpu_time_counts_the_processes_a_step_starts() -> None:
    """The SQL writer and the render pool are children of the command: their CPU time counts."""
    burn = "import time; end = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {burn!r}])"
    result = measure("step", [sys.executable, "-c", parent])
    assert result.ok and result.cpu_seconds >= 0.3
