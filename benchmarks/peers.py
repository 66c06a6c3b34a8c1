"""wxr2db markdown beside the two converters people use most, on the same synthetic export.

``python -m benchmarks.peers [--size 23MB] [--install] [--peers DIR] [--repeat N] [--wxr2db CMD]``

The peers are wordpress-export-to-markdown 2.2.2 (npm) and ``pelican-import`` (PyPI, which needs
pandoc). ``--install`` puts them into ``--peers`` (a cache folder, default
``~/.cache/wxr2db-peers``); without it, a peer that is not there is reported as skipped. Each
converter runs with image downloads off, so no run touches the network. The script also checks
that wxr2db's output with its worker pool is byte-identical to a single-process run.
"""

from __future__ import annotations

import argparse
import filecmp
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.run import Result, best_of, default_wxr2db, ensure_input, machine_line
from benchmarks.synth import parse_size

W2M_VERSION = "2.2.2"
DEFAULT_PEERS = Path.home() / ".cache" / "wxr2db-peers"


@dataclass(frozen=True)
class Peer:
    name: str
    command: list[str]
    output: Path


def w2m_script(peers: Path) -> Path:
    return peers / "w2m" / "node_modules" / "wordpress-export-to-markdown" / "index.js"


def pelican_import(peers: Path) -> Path:
    return peers / "pelican" / "bin" / "pelican-import"


def install(peers: Path) -> None:
    """npm and pip installs into the cache folder; pandoc (for pelican-import) from Debian if missing."""
    peers.mkdir(parents=True, exist_ok=True)
    if not w2m_script(peers).exists():
        subprocess.run(["npm", "install", "--prefix", str(peers / "w2m"), "--no-audit", "--no-fund",
                        f"wordpress-export-to-markdown@{W2M_VERSION}"], check=True)
    if not pelican_import(peers).exists():
        subprocess.run([sys.executable, "-m", "venv", str(peers / "pelican")], check=True)
        # pelican-import reads WordPress XML with BeautifulSoup and lxml, which pelican does not require.
        subprocess.run([str(peers / "pelican" / "bin" / "pip"), "install", "-q", "pelican", "beautifulsoup4",
                        "lxml"], check=True)
    if shutil.which("pandoc") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "pandoc"], check=True)


def peers_for(source: Path, peers: Path, out: Path) -> list[Peer | str]:
    """Each peer's command, or why it is skipped."""
    found: list[Peer | str] = []
    if w2m_script(peers).exists() and shutil.which("node"):
        target = out / "w2m"
        found.append(Peer("wordpress-export-to-markdown", [
            "node", str(w2m_script(peers)), "--wizard=false", f"--input={source}", f"--output={target}",
            "--save-attached-images=false", "--save-scraped-images=false"], target))
    else:
        found.append(f"wordpress-export-to-markdown {W2M_VERSION}: not installed (use --install)")
    if pelican_import(peers).exists() and shutil.which("pandoc"):
        target = out / "pelican"
        found.append(Peer("pelican-import", [
            str(pelican_import(peers)), "--wpfile", "-m", "markdown", "-o", str(target), str(source)], target))
    else:
        found.append("pelican-import: not installed, or pandoc missing (use --install)")
    return found


def single_process_command(db: Path, out: Path) -> list[str]:
    code = ("import sys; from pathlib import Path; from sqlite_utils import Database; "
            "from wxr2db import MarkdownOptions, export_markdown; "
            "export_markdown(Database(sys.argv[1]), Path(sys.argv[2]), MarkdownOptions(workers=1))")
    return [sys.executable, "-c", code, str(db), str(out)]


def same_tree(a: Path, b: Path) -> bool:
    """Every file under a and b, byte for byte (the manifest included)."""
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if files_a != files_b:
        return False
    return all(filecmp.cmp(a / name, b / name, shallow=False) for name in files_a)


def report(results: list[Result], skipped: list[str]) -> None:
    ours = results[0].seconds
    print(f"{'converter':<30} {'seconds':>9} {'x wxr2db':>9} {'peak RSS MB':>12}")
    for result in results:
        if not result.ok:
            print(f"{result.step:<30} failed: exit {result.returncode}\n{result.stderr_tail()}")
            continue
        print(f"{result.step:<30} {result.seconds:>9.2f} {result.seconds / ours:>9.1f} "
              f"{result.peak_rss_kb / 1024:>12.1f}")
    for reason in skipped:
        print(f"skipped: {reason}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers", description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="23MB", help="synthetic export size (23MB gives ~2,000 posts)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--install", action="store_true", help="install the peers into --peers first")
    parser.add_argument("--peers", type=Path, default=DEFAULT_PEERS, help="where the peers are installed")
    parser.add_argument("--workdir", type=Path, default=Path(__file__).resolve().parent / ".data")
    parser.add_argument("--repeat", type=int, default=1, help="runs per converter; the fastest is reported")
    parser.add_argument("--wxr2db", default=default_wxr2db(), help="command to run (default: %(default)s)")
    options = parser.parse_args(argv)
    if options.install:
        install(options.peers)
    options.workdir.mkdir(parents=True, exist_ok=True)
    source = ensure_input(options.workdir, parse_size(options.size), options.seed)
    print(machine_line())
    with tempfile.TemporaryDirectory(dir=options.workdir) as scratch:
        out = Path(scratch)
        ours = out / "wxr2db"
        results = [best_of(options.repeat, "wxr2db markdown", [
            *shlex.split(options.wxr2db), "markdown", str(source), str(ours), "--quiet"], ours)]
        skipped = []
        for peer in peers_for(source, options.peers, out):
            if isinstance(peer, str):
                skipped.append(peer)
            else:
                results.append(best_of(options.repeat, peer.name, peer.command, peer.output))
        posts = sum(1 for _ in ours.rglob("*.md"))
        print(f"\n== {source.name}: {source.stat().st_size:,} bytes, {posts:,} Markdown files from wxr2db ==")
        report(results, skipped)
        db, single = out / "single.db", out / "single"
        imported = best_of(1, "import", [*shlex.split(options.wxr2db), "import", str(source), "--db", str(db),
                                         "--quiet"])
        check = best_of(1, "single process", single_process_command(db, single), single)
        identical = imported.ok and check.ok and same_tree(ours, single)
        print(f"pool output byte-identical to a single-process run: {'yes' if identical else 'NO'}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
