"""What every command pays before its first row: Python starting with wxr2db's command line, and the
database writer process starting beside it.

``python -m benchmarks.startup [--repeat N]``

The writer is a spawned process (sqlite/executor.py), and a spawned process imports the main module
again. Each run here is a fresh interpreter whose main module starts the way the ``wxr2db`` script
does (``from wxr2db.__main__ import main``), then times a ProcessWriter from its start to its first
answer. Prints the median and the range of each figure.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# The main module of each run: the `wxr2db` script's first line, then the timing.
PROBE = """\
from wxr2db.__main__ import main

if __name__ == "__main__":
    import sqlite3, sys, time
    from wxr2db.sqlite.executor import ProcessWriter

    sqlite3.connect(sys.argv[1]).execute("CREATE TABLE IF NOT EXISTS probe (x)")
    started = time.perf_counter()
    writer = ProcessWriter(sys.argv[1])
    writer.query("SELECT count(*) FROM probe")
    print(time.perf_counter() - started)
    writer.close()
"""
IMPORT_CLI = "import time; t = time.perf_counter(); import wxr2db.cli.commands; print(time.perf_counter() - t)"


def timed(command: list[str]) -> float:
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def line(label: str, seconds: list[float]) -> str:
    return (f"{label:<40} median {statistics.median(seconds):.3f} s  "
            f"(range {min(seconds):.3f}-{max(seconds):.3f} s, {len(seconds)} runs)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each figure (default 5)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wxr2db-startup-") as tmp:
        probe = Path(tmp) / "probe.py"
        probe.write_text(PROBE, encoding="utf-8")
        database = str(Path(tmp) / "probe.db")
        imports = [timed([sys.executable, "-c", IMPORT_CLI]) for _ in range(args.repeat)]
        writer = [timed([sys.executable, str(probe), database]) for _ in range(args.repeat)]
    print(line("import the command line", imports))
    print(line("writer process: start to first answer", writer))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
