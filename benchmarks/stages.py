"""Where `wxr2db markdown` spends its CPU, by stage, from a py-spy profile of all its processes.

    py-spy record --subprocesses --format raw -o markdown.txt -- wxr2db markdown export.xml site --quiet
    python -m benchmarks.stages markdown.txt

py-spy samples Python stacks (libxml2's and SQLite's C time counts for the Python line that called
them), of threads it does not find idle: a pool's threads waiting on a pipe can count too. Each
sample goes to the stage of the innermost frame that names one (see STAGES), so the YAML written for
a comment counts as front matter YAML and the HTML converted for it as html2text.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

# (stage, pattern on one frame "function (path:line)"), innermost frame first; the first match wins.
STAGES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((stage, re.compile(pattern)) for stage, pattern in (
    ("render: front matter YAML", r"\(yaml/|\(wxr2db/site/yaml_writer\.py|^(_represent_\w+|strings_in|"
                                  r"translated|yaml_text|(dump|pyyaml)_front_matter|stand_ins_suffice|\w+Dumper\.\w+)"
                                  r" \(wxr2db/site/front_"),
    ("render: autop", r"\(wxr2db/content/autop\.py"),
    ("render: shortcodes", r"\(wxr2db/content/shortcodes\.py"),
    ("render: html2text", r"\(html2text/|\(wxr2db/content/html2md\.py"),
    ("render: other content (blocks, tables, plain text...)", r"\(wxr2db/content/"),
    ("render: front matter entries", r"\(wxr2db/site/(front_matter|layouts)\.py"),
    ("render: links and media", r"\(wxr2db/(links/|site/(urls|links|redirects)\.py)"),
    ("read the database (plan and render)", r"\(wxr2db/(site/views|sqlite/store)\.py"),
    ("render: rest", r"\(wxr2db/site/(render|pool)\.py"),
    ("write files and manifest", r"\(wxr2db/site/(files|manifest)\.py|^write_posts "),
    ("parse the export (lxml)", r"\(wxr2db/sources/"),
    ("import into the throwaway database", r"\(wxr2db/sqlite/|\(sqlite_utils/"),
    ("plan paths and link index", r"\(wxr2db/site/"),
    ("pool transport (pickle, pipes)", r"\(multiprocessing/"),
    ("command line and wiring", r"\(wxr2db/cli[./]"),  # cli.py, or the cli/ package on main
    ("start-up and imports", r"^<module> |importlib"),
))
SAMPLE = re.compile(r"^(.*) (\d+)$")


def stage_of(frames: list[str]) -> str:
    for frame in reversed(frames):
        for stage, pattern in STAGES:
            if pattern.search(frame):
                return stage
    return "other"


def tally(lines: Iterable[str]) -> Counter[str]:
    """Samples by stage; the `process N` frame py-spy puts first with --subprocesses is skipped."""
    stages: Counter[str] = Counter()
    for line in lines:
        found = SAMPLE.match(line.rstrip("\n"))
        if found is None:
            continue
        frames, count = found.group(1).split(";"), int(found.group(2))
        stages[stage_of(frames[1:] if frames[0].startswith("process ") else frames)] += count
    return stages


def report(stages: Counter[str], rate: float) -> str:
    """Seconds of samples: CPU time on a quiet machine; on a busy one they also count the time a
    process was ready to run but waiting for a core, so compare the shares."""
    total = sum(stages.values()) or 1
    rows = [f"{'stage':<56} {'sampled s':>9} {'share':>6}"]
    for stage, count in stages.most_common():
        rows.append(f"{stage:<56} {count / rate:9.2f} {100 * count / total:5.1f}%")
    rows.append(f"{'all':<56} {total / rate:9.2f} 100.0%")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stages", description=__doc__.split("\n")[0])
    parser.add_argument("profile", type=Path, help="py-spy record --format raw output")
    parser.add_argument("--rate", type=float, default=100.0, help="py-spy's samples per second (-r, default 100)")
    options = parser.parse_args(argv)
    with options.profile.open(encoding="utf-8", errors="replace") as lines:
        stages = tally(lines)
    print(report(stages, options.rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
