"""Does each step stay linear on crafted input? Time the real CLI at sizes n, 2n and 4n.

``python -m benchmarks.scaling [--only TEXT] [--timeout SECONDS] [--scale K] [--wxr2db CMD]``

For every case in benchmarks/crafted.py: write the export at n, 2n and 4n (n times --scale), run
``python -m wxr2db import`` or ``markdown`` on it in a child process (so the harness does not care
how the package is laid out inside), and print wall time, peak RSS and the ratio
t(4n)/t(n), after taking off the time of the same command on a tiny export (interpreter start-up).
A linear step gives about 4, a quadratic one about 16; above 5.5, or a timeout, is SUPERLINEAR.
Peak RSS is summed over the child and its own children (`import` runs SQL in a second process),
sampled from /proc every 20 ms, or the child's own peak where there is no /proc. Memory is "grows"
when peak RSS rises by more than half the growth of the input (and 8 MB).
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.crafted import CASES, Case, one_post

LINEAR_RATIO = 5.5
FLOOR = 0.05  # seconds: below this, a difference is noise
MEMORY_NOISE = 8_000_000  # bytes of peak RSS that vary from run to run anyway
THREADS_QUERY = ("import sqlite3, sys; "
                 "sqlite3.connect(sys.argv[1]).execute('select count(*) from comment_threads').fetchall()")


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants now, in KiB (0 where /proc is missing)."""
    return tree_memory_kb(pid)[0]


def tree_memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process and all its descendants now, in KiB (0 where /proc is missing). RSS
    counts a page that forked processes share once in each of them; PSS (proportional set size)
    splits it among them, so summed over processes it is the memory they occupy together."""
    rss = pss = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            rss += proc_field(f"/proc/{current}/status", "VmRSS:")
            pss += proc_field(f"/proc/{current}/smaps_rollup", "Pss:")
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending += [int(child) for child in children.read().split()]
        except (OSError, ValueError):
            continue  # it ended between two reads
    return rss, pss


def proc_field(path: str, name: str) -> int:
    with open(path) as lines:
        return next((int(line.split()[1]) for line in lines if line.startswith(name)), 0)


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_kb: int
    timed_out: bool
    failed: str = ""


def run_child(command: list[str], timeout: float) -> Run:
    """One child to the end or the timeout; wall time and the peak RSS of the child and its children."""
    started = time.perf_counter()
    peak = 0
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_rss_kb(proc.pid))
            if time.perf_counter() - started > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                return Run(timeout, max(peak, usage.ru_maxrss), True)
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        failed = "" if proc.returncode == 0 else err.read().decode("utf-8", "replace").strip()[-200:]
        return Run(seconds, max(peak, usage.ru_maxrss), False, failed)


def run_step(wxr2db: list[str], step: str, export: Path, work: Path, timeout: float) -> Run:
    db, out = work / "out.db", work / "site"
    db.unlink(missing_ok=True)
    if step == "markdown":
        return run_child([*wxr2db, "markdown", str(export), str(out), "--overwrite"], timeout)
    result = run_child([*wxr2db, "import", "-q", str(export), "--db", str(db)], timeout)
    if step == "import" or result.timed_out or result.failed:
        return result
    return run_child([sys.executable, "-c", THREADS_QUERY, str(db)], timeout)


def measure_case(case: Case, scale: float, wxr2db: list[str], work: Path, timeout: float) -> list[Run]:
    runs: list[Run] = []
    for factor in (1, 2, 4):
        export = work / "export.xml"
        export.write_bytes(case.build(max(1, int(case.n * scale * factor))))
        runs.append(run_step(wxr2db, case.step, export, work, timeout))
        if runs[-1].timed_out or runs[-1].failed:
            break  # a bigger size can only take longer
    return runs


def verdict(runs: list[Run], base: float) -> str:
    if any(r.failed for r in runs):
        return "FAILED: " + next(r.failed for r in runs if r.failed).splitlines()[-1]
    if len(runs) < 3 or runs[-1].timed_out:
        return "SUPERLINEAR (timeout)"
    ratio = max(runs[2].seconds - base, FLOOR) / max(runs[0].seconds - base, FLOOR)
    return f"{ratio:5.1f}  " + ("linear" if ratio <= LINEAR_RATIO else "SUPERLINEAR")


def memory(runs: list[Run], sizes: list[int]) -> str:
    if len(runs) < 3 or any(r.timed_out for r in runs):
        return "?"
    grown = (runs[2].peak_kb - runs[0].peak_kb) * 1024
    return "grows" if grown > max((sizes[2] - sizes[0]) / 2, MEMORY_NOISE) else "flat"


def row(case: Case, scale: float, runs: list[Run], base: float) -> str:
    sizes = [len(case.build(max(1, int(case.n * scale * f)))) for f in (1, 2, 4)]
    times = " ".join(f"{'>' if r.timed_out else ''}{r.seconds:6.2f}" for r in runs).ljust(23)
    rss = "/".join(str(r.peak_kb // 1024) for r in runs)
    return (f"{case.name:34} {sizes[0] / 1e6:6.2f}MB x1,2,4  {times} {rss:>14} MB  "
            f"{memory(runs, sizes):6} {verdict(runs, base)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time each crafted case at n, 2n and 4n.")
    parser.add_argument("--only", default="", help="Run only cases whose name contains this text.")
    parser.add_argument("--timeout", type=float, default=15.0, help="Seconds per run (default 15).")
    parser.add_argument("--scale", type=float, default=1.0, help="Multiply every n by this.")
    parser.add_argument("--wxr2db", default=f"{shlex.quote(sys.executable)} -m wxr2db",
                        help="Command that runs wxr2db (default: this Python, -m wxr2db).")
    args = parser.parse_args(argv)
    wxr2db = shlex.split(args.wxr2db)
    with tempfile.TemporaryDirectory(prefix="wxr2db-scaling-") as tmp:
        work = Path(tmp)
        tiny = work / "tiny.xml"
        tiny.write_bytes(one_post("tiny"))
        base = {step: min(run_step(wxr2db, step, tiny, work, args.timeout).seconds for _ in range(2))
                for step in ("import", "markdown")}
        base["threads"] = run_child([sys.executable, "-c", "pass"], args.timeout).seconds
        print(f"start-up taken off: import {base['import']:.2f}s, markdown {base['markdown']:.2f}s; "
              f"timeout {args.timeout:.0f}s per run")
        print(f"{'case':34} {'input n':>8}         {'seconds n 2n 4n':23} {'peak RSS':>14}     "
              f"{'memory':6} t(4n)/t(n)")
        for case in CASES:
            if args.only.lower() in case.name.lower():
                runs = measure_case(case, args.scale, wxr2db, work, args.timeout)
                print(row(case, args.scale, runs, base[case.step]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
