"""Front matter alone: every front matter `markdown` writes for a database, dumped by PyYAML (with
libyaml) and by site/yaml_writer.py in turn, in one process, with the CPU time of each.

    wxr2db import export.xml --db export.db
    python -m benchmarks.front_matter export.db [--layout hugo] [--rounds 3]

The site is written once (drafts, private posts and every comment included) into a temporary folder
to collect the front matters; only the dumps are timed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from sqlite_utils import Database

import wxr2db.site.render as render
from wxr2db.site.export import export_markdown
from wxr2db.site.front_matter import dump_front_matter, pyyaml_front_matter
from wxr2db.site.options import MarkdownOptions

Dump = Callable[[dict[str, Any]], str]


def collect(db: Path, layout: str) -> list[dict[str, Any]]:
    """The entries of every front matter the site's posts get, rendering in this process."""
    options = MarkdownOptions(layout=layout, drafts=True, private=True, comments="all", workers=1)
    with (tempfile.TemporaryDirectory(prefix="wxr2db-front-matter-") as out,
          mock.patch.object(render, "dump_front_matter", wraps=dump_front_matter) as spy):
        export_markdown(Database(db), Path(out), options)
    return [call.args[0] for call in spy.call_args_list]


def cpu_seconds(dump: Dump, everything: list[dict[str, Any]]) -> float:
    started = time.process_time()
    for entries in everything:
        dump(entries)
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.front_matter", description=__doc__.split("\n")[0])
    parser.add_argument("db", type=Path, help="a database made by `wxr2db import`")
    parser.add_argument("--layout", default="hugo")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args(argv)
    everything = collect(options.db, options.layout)
    if not everything:
        print("no posts to write")
        return 1
    size = sum(len(pyyaml_front_matter(entries)) for entries in everything)
    same = all(dump_front_matter(entries) == pyyaml_front_matter(entries) for entries in everything)
    print(f"{len(everything):,} front matters, {size:,} characters of YAML; identical: {'yes' if same else 'NO'}")
    for number in range(1, options.rounds + 1):
        for name, dump in (("PyYAML (libyaml)", pyyaml_front_matter), ("yaml_writer", dump_front_matter)):
            seconds = cpu_seconds(dump, everything)
            per_post = 1e6 * seconds / len(everything)
            print(f"round {number}  {name:<17} {seconds:6.3f} CPU-s  {per_post:6.1f} µs per post")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
