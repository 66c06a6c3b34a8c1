"""Benchmark wxr2db against a bare lxml scan on synthetic exports.

``python -m benchmarks [--sizes 10MB,100MB,1GB] [--workdir DIR] [--keep] [--profile]
[--repeat N] [--seed N] [--wxr2db CMD]``

For each size: generate (or reuse) a synthetic export, then time three child
processes on it: the bare lxml scan (the floor), ``wxr2db import`` and
``wxr2db markdown``. Each figure is wall time, CPU time and peak memory summed over the child
and every process it starts (RSS and PSS; the memory targets are judged on PSS). Generation
time is never part of a figure. Inputs are read warm
from the page cache, since the generator has just written them or the scan has
just read them.
"""

from __future__ import annotations

import argparse
import os
import platform
import pstats
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from benchmarks.scaling import tree_memory_kb
from benchmarks.synth import parse_size, write_export

HERE = Path(__file__).resolve().parent
SCAN_SCRIPT = HERE / "scan.py"
FORMAT_VERSION = 3  # bump when the generator's output changes, to invalidate cached inputs
MB = 1_000_000
DESCRIPTION = "Benchmark wxr2db against a bare lxml scan on synthetic exports."


@dataclass(frozen=True)
class Result:
    step: str
    seconds: float
    peak_rss_kb: int
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0  # user + system, over the child and every process it waited for
    peak_pss_kb: int = 0  # the proportional set size, summed likewise: pages forked workers share count once
    problem: str = ""  # what the output lacked, when the command exited 0 without doing its work

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.problem

    def stderr_tail(self, lines: int = 15) -> str:
        return "\n".join(self.stderr.rstrip().splitlines()[-lines:])


def measure(step: str, command: list[str]) -> Result:
    """Run one child to completion; wall time, the peak RSS and PSS summed over it and its children
    (the SQL writer, the render pool), sampled every 20 ms, and the CPU time they used. On a shared machine
    the CPU time varies less than the wall time, and tells work done from time spent waiting."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        try:
            proc = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        except OSError as exc:
            return Result(step, 0.0, 0, 127, "", f"cannot start {command[0]}: {exc}")
        peak = peak_pss = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            rss, pss = tree_memory_kb(proc.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Result(step, seconds, max(peak, usage.ru_maxrss), proc.returncode, read_text(out), read_text(err),
                      usage.ru_utime + usage.ru_stime, peak_pss)


def read_text(handle: IO[bytes]) -> str:
    return handle.read().decode("utf-8", "replace")


def best_of(repeat: int, step: str, command: list[str], output: Path | None = None,
            check: Callable[[], str] | None = None) -> Result:
    """The fastest of ``repeat`` runs (stops at the first failure); each run starts without the
    output, the last run's being set aside (see set_aside). `check` says what a run's output lacks
    ("" when it is whole): a run that exits 0 without doing its work is a failure, never a time."""
    best: Result | None = None
    for _ in range(max(repeat, 1)):
        if output is not None:
            set_aside(output)
        result = measure(step, command)
        if result.ok and check is not None:
            result = replace(result, problem=check())
        if not result.ok:
            return result
        if best is None or result.seconds < best.seconds:
            best = result
    assert best is not None
    return best


TRASH = ".set-aside"


def output_files(path: Path) -> list[Path]:
    """A step's output and what comes with it: SQLite's journal files, and the NAME.metadata.json
    for Datasette that `wxr2db import` writes beside NAME.db."""
    files = [path, *(Path(f"{path}{suffix}") for suffix in ("-journal", "-wal", "-shm"))]
    return [*files, path.with_suffix(".metadata.json")] if path.suffix == ".db" else files


def set_aside(path: Path) -> None:
    """Move an earlier run's output into a folder beside it, emptied when the benchmark ends
    (empty_trash). Deleting it here would time the disk instead of wxr2db: on an ext4 mounted with
    `discard`, creating files right after deleting thousands was measured 8x slower (25,090 os.open
    calls of one `markdown` run: 0.53 s into a fresh folder, 4.43 s after removing the last tree)."""
    for candidate in output_files(path):
        if candidate.exists():
            trash = candidate.parent / TRASH
            trash.mkdir(exist_ok=True)
            candidate.rename(trash / f"{candidate.name}.{time.monotonic_ns()}")


def empty_trash(folder: Path) -> None:
    shutil.rmtree(folder / TRASH, ignore_errors=True)


# ----- machine description ----------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def lxml_versions() -> str:
    from lxml import etree  # type: ignore[import-untyped, unused-ignore]

    lxml_version = ".".join(str(part) for part in etree.LXML_VERSION[:3])
    libxml2 = ".".join(str(part) for part in etree.LIBXML_VERSION)
    return f"lxml {lxml_version} (libxml2 {libxml2})"


def machine_line() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"machine: nproc={cpus}, {cpu_model()}, {ram_gib():.1f} GiB RAM; "
        f"Python {platform.python_version()}; {lxml_versions()}"
    )


# ----- inputs and commands --------------------------------------------------------


def human(size: int) -> str:
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size}B"


def ensure_input(workdir: Path, size: int, seed: int) -> Path:
    """Generate the export once per (size, seed, format version); reuse it afterwards."""
    path = workdir / f"synth-v{FORMAT_VERSION}-{human(size)}-seed{seed}.xml"
    if path.exists():
        print(f"using cached {path}")
        return path
    partial = path.with_suffix(".xml.partial")
    started = time.perf_counter()
    counts = write_export(partial, target_bytes=size, seed=seed)
    seconds = time.perf_counter() - started
    os.replace(partial, path)
    rate = counts.bytes_written / MB / seconds
    print(f"generated {path} in {seconds:.1f}s ({rate:.0f} MB/s, {counts.items:,} items) [not timed below]")
    return path


def default_wxr2db() -> str:
    beside_python = Path(sys.executable).parent / "wxr2db"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("wxr2db") or "wxr2db"


def scan_command(source: Path) -> list[str]:
    return [sys.executable, str(SCAN_SCRIPT), str(source)]


def import_command(wxr2db: list[str], source: Path, db: Path) -> list[str]:
    return [*wxr2db, "import", str(source), "--db", str(db), "--quiet"]


def markdown_command(wxr2db: list[str], source: Path, outdir: Path) -> list[str]:
    return [*wxr2db, "markdown", str(source), str(outdir), "--quiet"]


def clear_outputs(*paths: Path) -> None:
    for path in paths:
        for found in output_files(path):
            if found.is_dir():
                shutil.rmtree(found)
            else:
                found.unlink(missing_ok=True)


def imported_problem(db: Path, items: int) -> str:
    """What the import lacks: a row in `posts` for each <item> the scan counted."""
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            posts = int(conn.execute("SELECT count(*) FROM posts").fetchone()[0])
    except sqlite3.Error as error:
        return f"{db} cannot be read: {error}"
    return "" if posts == items > 0 else f"{posts} posts stored for {items} items"


def markdown_problem(db: Path, outdir: Path) -> str:
    """What the Markdown tree lacks: a file for each post wxr2db's own plan (default options) writes,
    read from the database the import step made."""
    from wxr2db.site.options import MarkdownOptions, MarkdownStats
    from wxr2db.site.plan import plan_site

    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            planned = len(plan_site(conn, MarkdownOptions(), MarkdownStats()).targets)
    except sqlite3.Error as error:
        return f"{db} cannot be read to count the planned files: {error}"
    written = sum(1 for _ in outdir.rglob("*.md"))
    return "" if written == planned > 0 else f"{written} .md files written for {planned} planned"


# ----- reporting ----------------------------------------------------------------------


def table(source: Path, results: list[Result]) -> str:
    size = source.stat().st_size
    floor = results[0].seconds if results and results[0].ok else 0.0
    rows = [f"{'step':<10} {'seconds':>9} {'MB/s':>8} {'x scan':>8} {'CPU s':>7} {'peak MB (all processes): RSS':>29}"
            f" {'PSS':>7}"]
    for result in results:
        if not result.ok:
            rows.append(f"{result.step:<10} skipped: exit {result.returncode} (see note below)")
            continue
        rate = size / MB / result.seconds if result.seconds else 0.0
        ratio = f"{result.seconds / floor:.2f}" if floor else "-"
        rss = result.peak_rss_kb / 1024
        rows.append(f"{result.step:<10} {result.seconds:>9.2f} {rate:>8.1f} {ratio:>8} {result.cpu_seconds:>7.2f} "
                    f"{rss:>29.1f} {result.peak_pss_kb / 1024:>7.1f}")
    return "\n".join(rows)


# The speed goals, as ratios to the bare scan of the same run (markdown's from issue 24), and the
# memory goal of each step, its PSS summed over its processes.
TARGETS = {"import": 3.5, "markdown": 8.0}
MEMORY_MB = 150.0


def targets(results: list[Result]) -> str:
    """One line per goal: the goal, the figure, and whether it is met."""
    floor = results[0].seconds if results and results[0].ok else 0.0
    lines = []
    for result in results[1:]:
        if result.step not in TARGETS or not result.ok or not floor:
            continue
        ratio = result.seconds / floor
        lines.append(goal(f"{result.step} <= {TARGETS[result.step]}x scan", f"{ratio:.2f}x",
                          ratio <= TARGETS[result.step]))
        pss = result.peak_pss_kb / 1024
        lines.append(goal(f"{result.step} <= {MEMORY_MB:.0f} MB (PSS)", f"{pss:.1f} MB", pss <= MEMORY_MB))
    return "\n".join(["targets:", *lines]) if lines else ""


def goal(what: str, figure: str, met: bool) -> str:
    return f"  {what:<26} {figure:>10}  {'met' if met else 'NOT met'}"


def report_failures(results: list[Result]) -> None:
    for result in results:
        if not result.ok:
            if result.problem:
                print(f"\nnote: {result.step} exited 0 but did not do its work: {result.problem}")
                continue
            print(f"\nnote: {result.step} skipped/failed (exit {result.returncode}); stderr tail:")
            print(result.stderr_tail() or "(empty)")


# ----- profile -------------------------------------------------------------------------


def profiled(wxr2db: list[str], args: list[str], profile_path: Path) -> list[str]:
    """The same command under ``python -m cProfile -o``: a console script or ``python -m module``."""
    if len(wxr2db) >= 3 and wxr2db[1] == "-m":
        return [wxr2db[0], "-m", "cProfile", "-o", str(profile_path), "-m", *wxr2db[2:], *args]
    script = shutil.which(wxr2db[0]) or wxr2db[0]
    return [sys.executable, "-m", "cProfile", "-o", str(profile_path), script, *wxr2db[1:], *args]


def run_profile(wxr2db: list[str], source: Path, outdir: Path) -> None:
    db = outdir / "profile.db"
    profile_path = outdir / "import.prof"
    clear_outputs(db, profile_path)
    args = ["import", str(source), "--db", str(db), "--quiet"]
    result = measure("profile", profiled(wxr2db, args, profile_path))
    print(f"\nprofile of import ({result.seconds:.2f}s under cProfile), top 25 by cumulative time:")
    if not result.ok or not profile_path.exists():
        print(f"profile run failed (exit {result.returncode}):\n{result.stderr_tail()}")
        return
    pstats.Stats(str(profile_path), stream=sys.stdout).sort_stats("cumulative").print_stats(25)
    clear_outputs(db)


# ----- main ------------------------------------------------------------------------------


def bench_size(size: int, options: argparse.Namespace, wxr2db: list[str]) -> None:
    workdir: Path = options.workdir
    source = ensure_input(workdir, size, options.seed)
    outdir = workdir / "out"
    outdir.mkdir(exist_ok=True)
    db = outdir / f"{source.stem}.db"
    markdown_dir = outdir / f"{source.stem}-md"
    set_aside(db)
    set_aside(markdown_dir)
    repeat = options.repeat
    scan = best_of(repeat, "bare scan", scan_command(source))
    items = int(scan.stdout.strip()) if scan.ok else 0
    results = [
        scan,
        best_of(repeat, "import", import_command(wxr2db, source, db), db, lambda: imported_problem(db, items)),
        best_of(repeat, "markdown", markdown_command(wxr2db, source, markdown_dir), markdown_dir,
                lambda: markdown_problem(db, markdown_dir)),
    ]
    print(f"\n== {human(size)}: {source.name}, {source.stat().st_size:,} bytes, {items or '?'} items ==")
    print(table(source, results))
    report_failures(results)
    if options.profile:
        run_profile(wxr2db, source, outdir)
    print(targets(results))
    if not options.keep:
        set_aside(db)
        set_aside(markdown_dir)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=DESCRIPTION)
    parser.add_argument("--sizes", default="10MB,100MB", help="comma-separated sizes (default 10MB,100MB)")
    parser.add_argument("--workdir", type=Path, default=HERE / ".data", help="inputs cache and outputs")
    parser.add_argument("--keep", action="store_true", help="keep the databases and Markdown trees")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="runs per step; the fastest is reported")
    parser.add_argument("--profile", action="store_true", help="also run the import under cProfile")
    parser.add_argument("--wxr2db", default=default_wxr2db(), help="command to run (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    sizes = [parse_size(text) for text in options.sizes.split(",") if text.strip()]
    options.workdir.mkdir(parents=True, exist_ok=True)
    wxr2db = shlex.split(options.wxr2db)
    print(machine_line())
    print(f"wxr2db command: {shlex.join(wxr2db)}")
    try:
        for size in sizes:
            bench_size(size, options, wxr2db)
    finally:
        empty_trash(options.workdir / "out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
