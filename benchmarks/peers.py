"""wxr2db markdown beside the converters people use most, on the same synthetic export, in one run.

``python -m benchmarks.peers [--size 23MB] [--install] [--peers DIR] [--repeat N] [--wxr2db CMD]``

The peers, each with image downloads off (so no run touches the network), each into a fresh folder:

- wordpress-export-to-markdown 2.2.2 (the newest on npm), as shipped and as its engine: it waits
  25 ms before writing each file (``markdown_file_write_delay`` in its ``src/settings.js``); the
  engine figure runs a copy of the package with that setting at 0.
- wordpress-export-to-markdown 3.0.6 (GitHub only): as shipped, and with ``--write-delay=0``. npm
  cannot give it: put ``git archive v3.0.6`` of lonekorean/wordpress-export-to-markdown into
  ``PEERS/w2m-3.0.6``; ``--install`` then runs ``npm ci`` there.
- ``pelican-import`` (PyPI ``pelican``; it runs pandoc, from Debian, once per post).

``--install`` puts them into ``--peers`` (a cache folder, default ``~/.cache/wxr2db-peers``); a
peer that is not there is reported as skipped. A peer counts only if it exits 0, says nothing of a
failure in its output ("Something went wrong", "URIError", a traceback: wordpress-export-to-markdown
exits 0 after those) and wrote at least one file; otherwise it is reported FAILED and not timed.
The script also checks that wxr2db's output with its worker pool is byte-identical to a
single-process run.
"""

from __future__ import annotations

import argparse
import filecmp
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.run import Result, default_wxr2db, ensure_input, machine_line, measure, set_aside
from benchmarks.synth import parse_size

W2M_VERSION = "2.2.2"
W2M3_VERSION = "3.0.6"
W2M3_REPOSITORY = "lonekorean/wordpress-export-to-markdown"
DEFAULT_PEERS = Path.home() / ".cache" / "wxr2db-peers"
# What the peers print, exit status 0 all the same, when they stop early or lose files.
FAILURE_MARKERS = ("Something went wrong", "URIError", "Traceback (most recent call last)", "Done, but with")
WRITE_DELAY = re.compile(r"(markdown_file_write_delay\s*=\s*)\d+")
WXR2DB_OPTIONS = ["--drafts", "--private"]  # every post and page, as wordpress-export-to-markdown 3 writes


@dataclass(frozen=True)
class Peer:
    name: str
    command: list[str]
    output: Path


@dataclass(frozen=True)
class PeerRun:
    """The fastest good run of a peer, or why it failed (then it has no time)."""

    peer: Peer
    result: Result
    files: int
    failure: str | None

    @property
    def ok(self) -> bool:
        return self.failure is None


# ----- where the peers live ----------------------------------------------------------


def w2m_package(peers: Path) -> Path:
    return peers / "w2m" / "node_modules" / "wordpress-export-to-markdown"


def w2m_no_wait_package(peers: Path) -> Path:
    """A copy beside the original, so Node finds the same dependencies, with the wait set to 0."""
    return peers / "w2m" / "node_modules" / "wordpress-export-to-markdown-no-wait"


def w2m3_folder(peers: Path) -> Path:
    return peers / f"w2m-{W2M3_VERSION}"


def pelican_import(peers: Path) -> Path:
    return peers / "pelican" / "bin" / "pelican-import"


def install(peers: Path) -> None:
    """npm and pip installs into the cache folder; pandoc (for pelican-import) from Debian if missing."""
    peers.mkdir(parents=True, exist_ok=True)
    if not (w2m_package(peers) / "index.js").exists():
        subprocess.run(["npm", "install", "--prefix", str(peers / "w2m"), "--no-audit", "--no-fund",
                        f"wordpress-export-to-markdown@{W2M_VERSION}"], check=True)
    make_no_wait_copy(w2m_package(peers), w2m_no_wait_package(peers))
    folder = w2m3_folder(peers)
    if (folder / "package-lock.json").exists() and not (folder / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=folder, check=True)
    if not pelican_import(peers).exists():
        subprocess.run([sys.executable, "-m", "venv", str(peers / "pelican")], check=True)
        # pelican-import reads WordPress XML with BeautifulSoup and lxml, which pelican does not require.
        subprocess.run([str(peers / "pelican" / "bin" / "pip"), "install", "-q", "pelican", "beautifulsoup4",
                        "lxml"], check=True)
    if shutil.which("pandoc") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "pandoc"], check=True)


def make_no_wait_copy(package: Path, copy: Path) -> None:
    """Copy wordpress-export-to-markdown 2.2.2 with ``markdown_file_write_delay`` set to 0.
    Raises ValueError when the setting is not where 2.2.2 has it, rather than time the wait."""
    if not (package / "index.js").exists():
        return
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(package, copy)
    settings = copy / "src" / "settings.js"
    text, count = WRITE_DELAY.subn(r"\g<1>0", settings.read_text(encoding="utf-8"))
    if count != 1:
        shutil.rmtree(copy)
        raise ValueError(f"{settings}: no single markdown_file_write_delay to set to 0")
    settings.write_text(text, encoding="utf-8")


# ----- the commands -------------------------------------------------------------------------


def w2m2_peers(source: Path, peers: Path, out: Path) -> list[Peer | str]:
    if not (w2m_package(peers) / "index.js").exists():
        return [f"wordpress-export-to-markdown {W2M_VERSION}: not installed (use --install)"]
    found: list[Peer | str] = []
    for label, package in (("as shipped", w2m_package(peers)), ("wait 0 in settings.js", w2m_no_wait_package(peers))):
        if not (package / "index.js").exists():
            found.append(f"wordpress-export-to-markdown {W2M_VERSION} {label}: no copy (use --install)")
            continue
        target = out / f"w2m-{W2M_VERSION}-{'shipped' if package == w2m_package(peers) else 'no-wait'}"
        found.append(Peer(f"w2m {W2M_VERSION} {label}", [
            "node", str(package / "index.js"), "--wizard=false", f"--input={source}", f"--output={target}",
            "--save-attached-images=false", "--save-scraped-images=false"], target))
    return found


def w2m3_peers(source: Path, peers: Path, out: Path) -> list[Peer | str]:
    app = w2m3_folder(peers) / "app.js"
    if not app.exists() or not (w2m3_folder(peers) / "node_modules").exists():
        return [f"wordpress-export-to-markdown {W2M3_VERSION}: not in {w2m3_folder(peers)} (npm has only "
                f"{W2M_VERSION}: put `git archive v{W2M3_VERSION}` of {W2M3_REPOSITORY} there, then --install)"]
    found: list[Peer | str] = []
    for label, delay in (("as shipped", None), ("--write-delay=0", "0")):
        target = out / f"w2m-{W2M3_VERSION}-{'shipped' if delay is None else 'no-wait'}"
        command = ["node", str(app), "--wizard=false", f"--input={source}", f"--output={target}",
                   "--save-images=none"]
        found.append(Peer(f"w2m {W2M3_VERSION} {label}", command + ([f"--write-delay={delay}"] if delay else []),
                          target))
    return found


def pelican_peers(source: Path, peers: Path, out: Path) -> list[Peer | str]:
    if not pelican_import(peers).exists() or shutil.which("pandoc") is None:
        return ["pelican-import: not installed, or pandoc missing (use --install)"]
    target = out / "pelican"
    return [Peer("pelican-import", [str(pelican_import(peers)), "--wpfile", "-m", "markdown", "-o", str(target),
                                    str(source)], target)]


def peers_for(source: Path, peers: Path, out: Path) -> list[Peer | str]:
    """Each peer's command, or why it is skipped."""
    return [*w2m2_peers(source, peers, out), *w2m3_peers(source, peers, out), *pelican_peers(source, peers, out)]


def wxr2db_peer(wxr2db: str, source: Path, out: Path) -> Peer:
    target = out / "wxr2db"
    return Peer(f"wxr2db markdown {' '.join(WXR2DB_OPTIONS)}",
                [*shlex.split(wxr2db), "markdown", str(source), str(target), "--quiet", *WXR2DB_OPTIONS], target)


# ----- running and checking ------------------------------------------------------------------


def count_files(folder: Path) -> int:
    """The Markdown files a converter wrote (wxr2db's manifest and link report are not counted)."""
    return sum(1 for path in folder.rglob("*.md") if path.is_file()) if folder.is_dir() else 0


def failure_of(result: Result, files: int) -> str | None:
    """Why a run does not count, or None: a peer that exits 0 may still have stopped early."""
    if not result.ok:
        return f"exit {result.returncode}"
    log = result.stdout + result.stderr
    for marker in FAILURE_MARKERS:
        if marker in log:
            return f"its output says {marker!r}"
    if files == 0:
        return "wrote no Markdown file"
    return None


def run_peer(peer: Peer, repeat: int) -> PeerRun:
    """The fastest of ``repeat`` runs, each into a fresh folder (the last run's set aside); the first
    failed run ends it, and a failed run is never timed."""
    best: PeerRun | None = None
    for _ in range(max(repeat, 1)):
        set_aside(peer.output)
        result = measure(peer.name, peer.command)
        files = count_files(peer.output)
        failure = failure_of(result, files)
        if failure is not None:
            return PeerRun(peer, result, files, failure)
        if best is None or result.seconds < best.result.seconds:
            best = PeerRun(peer, result, files, None)
    assert best is not None
    return best


def log_excerpt(result: Result, lines: int = 6) -> str:
    text = (result.stdout + "\n" + result.stderr).strip()
    return "\n".join(f"    {line}" for line in text.splitlines()[:lines]) or "    (no output)"


def speed_target(runs: list[PeerRun]) -> list[str]:
    """Issue 24's goal: wxr2db (the first run) in at most half the time of the fastest other converter."""
    others = [run for run in runs[1:] if run.ok]
    if not runs or not runs[0].ok or not others:
        return []
    fastest = min(others, key=lambda run: run.result.seconds)
    needed, taken = fastest.result.seconds / 2, runs[0].result.seconds
    return [f"target: wxr2db in at most half the time of the fastest other converter ({fastest.peer.name}, "
            f"{fastest.result.seconds:.2f} s): {needed:.2f} s, took {taken:.2f} s: "
            f"{'met' if taken <= needed else 'NOT met'}"]


def report(runs: list[PeerRun], skipped: list[str]) -> str:
    """The table: files, wall and CPU seconds, the ratio to wxr2db (the first run); failures below."""
    ours = runs[0].result.seconds if runs and runs[0].ok else 0.0
    rows = [f"{'converter':<36} {'.md files':>9} {'seconds':>9} {'CPU s':>7} {'x wxr2db':>9} {'peak RSS MB':>12}"
            f" {'PSS MB':>7}"]
    for run in runs:
        if not run.ok:
            rows.append(f"{run.peer.name:<36} {run.files:>9} {'FAILED':>9}  ({run.failure}; not timed)")
            continue
        seconds = run.result.seconds
        ratio = f"{seconds / ours:.1f}" if ours else "-"
        rows.append(f"{run.peer.name:<36} {run.files:>9} {seconds:>9.2f} {run.result.cpu_seconds:>7.2f} "
                    f"{ratio:>9} {run.result.peak_rss_kb / 1024:>12.1f} {run.result.peak_pss_kb / 1024:>7.1f}")
    rows += speed_target(runs)
    for run in runs:
        if not run.ok:
            rows.append(f"FAILED: {run.peer.name}: {run.failure}; the start of its output:\n{log_excerpt(run.result)}")
    rows.extend(f"skipped: {reason}" for reason in skipped)
    return "\n".join(rows)


# ----- wxr2db's own check ---------------------------------------------------------------------


def single_process_command(db: Path, out: Path) -> list[str]:
    code = ("import sys; from pathlib import Path; from sqlite_utils import Database; "
            "from wxr2db import MarkdownOptions, export_markdown; "
            "export_markdown(Database(sys.argv[1]), Path(sys.argv[2]), "
            "MarkdownOptions(workers=1, drafts=True, private=True))")
    return [sys.executable, "-c", code, str(db), str(out)]


def same_tree(a: Path, b: Path) -> bool:
    """Every file under a and b, byte for byte (the manifest included)."""
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if files_a != files_b:
        return False
    return all(filecmp.cmp(a / name, b / name, shallow=False) for name in files_a)


def pool_matches_single_process(wxr2db: str, source: Path, pooled: Path, out: Path) -> bool:
    db, single = out / "single.db", out / "single"
    imported = measure("import", [*shlex.split(wxr2db), "import", str(source), "--db", str(db), "--quiet"])
    check = measure("single process", single_process_command(db, single))
    return imported.ok and check.ok and same_tree(pooled, single)


# ----- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers", description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="23MB", help="synthetic export size (23MB gives ~2,000 posts)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--install", action="store_true", help="install the peers into --peers first")
    parser.add_argument("--peers", type=Path, default=DEFAULT_PEERS, help="where the peers are installed")
    parser.add_argument("--workdir", type=Path, default=Path(__file__).resolve().parent / ".data")
    parser.add_argument("--repeat", type=int, default=1, help="runs per converter; the fastest is reported")
    parser.add_argument("--wxr2db", default=default_wxr2db(), help="command to run (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if options.install:
        install(options.peers)
    options.workdir.mkdir(parents=True, exist_ok=True)
    source = ensure_input(options.workdir, parse_size(options.size), options.seed)
    print(machine_line())
    with tempfile.TemporaryDirectory(dir=options.workdir) as scratch:
        out = Path(scratch)
        ours = wxr2db_peer(options.wxr2db, source, out)
        found = peers_for(source, options.peers, out)
        runs = [run_peer(peer, options.repeat) for peer in [ours, *found] if isinstance(peer, Peer)]
        print(f"\n== {source.name}: {source.stat().st_size:,} bytes; each converter into a fresh folder, "
              f"best of {max(options.repeat, 1)} ==")
        print(report(runs, [reason for reason in found if isinstance(reason, str)]))
        identical = runs[0].ok and pool_matches_single_process(options.wxr2db, source, ours.output, out)
        print(f"pool output byte-identical to a single-process run: {'yes' if identical else 'NO'}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
