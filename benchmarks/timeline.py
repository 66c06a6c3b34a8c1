"""Where a command spends the machine's cores over time: the CPU of each of its processes, sampled.

``python -m benchmarks.timeline [--step 0.1] -- wxr2db markdown EXPORT OUT``

Runs the command, reads the CPU time of every process in its tree from ``/proc`` every 20 ms, and
prints one line per step: the seconds since the start, the cores in use, and each process's share
(p0 is the command; the others are numbered as they appear: the writer, the render workers). Linux only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
SAMPLE = 0.02


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as listing:
                found += [int(n) for n in listing.read().split()]
    except OSError:  # the process ended between two reads
        pass
    return found


def process_tree(pid: int) -> list[int]:
    tree, todo = [], [pid]
    while todo:
        one = todo.pop()
        tree.append(one)
        todo += children(one)
    return tree


def cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            text = stat.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


@dataclass
class Timeline:
    """CPU seconds used by each process within each step of `step` seconds."""

    step: float
    numbers: dict[int, int] = field(default_factory=dict)  # pid -> p0, p1, ... in order of appearance
    last: dict[int, float] = field(default_factory=dict)
    steps: list[dict[int, float]] = field(default_factory=list)

    def add(self, at: float, used: dict[int, float]) -> None:
        index = int(at / self.step)
        while len(self.steps) <= index:
            self.steps.append({})
        for pid, seconds in used.items():
            number = self.numbers.setdefault(pid, len(self.numbers))
            spent = seconds - self.last.get(pid, 0.0)
            self.last[pid] = seconds
            self.steps[index][number] = self.steps[index].get(number, 0.0) + spent

    def lines(self) -> list[str]:
        found = []
        for n, used in enumerate(self.steps):
            shares = " ".join(f"p{p}:{s / self.step:.2f}" for p, s in sorted(used.items()) if s > 0)
            found.append(f"{n * self.step:6.1f} s  {sum(used.values()) / self.step:4.2f} cores  {shares}")
        return found


def record(command: list[str], step: float) -> tuple[int, float, Timeline]:
    timeline = Timeline(step)
    started = time.perf_counter()
    child = subprocess.Popen(command)
    while child.poll() is None:
        used = {pid: seconds for pid in process_tree(child.pid) if (seconds := cpu_seconds(pid)) is not None}
        timeline.add(time.perf_counter() - started, used)
        time.sleep(SAMPLE)
    return child.returncode, time.perf_counter() - started, timeline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.timeline", description=__doc__.split("\n")[0])
    parser.add_argument("--step", type=float, default=0.1, help="seconds per printed line (default 0.1)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    code, wall, timeline = record(command, args.step)
    print("\n".join(timeline.lines()))
    print(f"wall {wall:.2f} s, exit status {code}")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
