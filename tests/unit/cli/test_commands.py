"""The command line: the README's own examples, --help everywhere, --version, default paths."""

from __future__ import annotations

import bz2
import gzip
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, SEED, cli, console_examples, runner
from wxr2db import __version__
from wxr2db.cli import app
from wxr2db.cli.commands import progress_bar
from wxr2db.records import Post
from wxr2db.sources.files import open_export
from wxr2db.sources.wxr import iter_records

COMMANDS = ["import", "info", "markdown", "media", "browse"]


def readme_console_blocks() -> list[tuple[str, str]]:
    """(command, expected output) for each `$ wxr2db ...` line in the README's console examples."""
    return console_examples(ROOT / "README.md")


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh current folder with the fixtures in it, as a user's checkout would have."""
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_head(command: str) -> None:
    """The README's `head -c N FILE > OUT`, done in Python."""
    _, _, size, source, _, target = shlex.split(command)
    Path(target).write_bytes(Path(source).read_bytes()[: int(size)])


def test_readme_examples_print_what_the_readme_shows(in_tmp: Path) -> None:
    examples = [(c, o) for c, o in readme_console_blocks() if c.startswith(("wxr2db ", "head "))]
    assert {c.split()[1] for c, _ in examples if c.startswith("wxr2db")} >= {"import", "info", "markdown"}
    for command, expected in examples:
        if command.startswith("head "):
            run_head(command)
            continue
        result = cli(*shlex.split(command)[1:])
        assert result.exit_code == (1 if expected.startswith("Error:") else 0), result.output
        assert result.output.strip("\n") == expected, command


def test_readme_first_command_names_the_bundled_fixture() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "wxr2db import fixtures/sharing-and-collaboration.xml" in text.split("## ", 1)[0]
    assert "pytest" in text.split("## ", 1)[0]


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_help(command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_version() -> None:
    result = cli("--version")
    assert result.exit_code == 0 and result.output.strip() == f"wxr2db {__version__}"


def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "wxr2db", "--version"], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert done.returncode == 0 and __version__ in done.stdout


def test_import_gzip_to_chosen_db_and_summary(tmp_path: Path) -> None:
    packed = tmp_path / "site.xml.gz"
    packed.write_bytes(gzip.compress(SEED.read_bytes()))
    db = tmp_path / "out.db"
    result = cli("import", str(packed), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "1 post; 9 comments, 5 terms" in result.output
    assert db.exists()


def test_default_db_name_from_export(in_tmp: Path) -> None:
    result = cli("import", "fixtures/wxr-1.1.xml", "--quiet")
    assert result.exit_code == 0 and result.output == ""
    assert (in_tmp / "wxr-1.1.db").exists()


def test_stdin(tmp_path: Path) -> None:
    db = tmp_path / "in.db"
    result = runner.invoke(app, ["import", "-", "--db", str(db)], input=SEED.read_bytes())
    assert result.exit_code == 0, result.output
    info = cli("info", str(db))
    assert "comments:    9 (approved 9)" in info.output


def test_two_parts_into_one_db(tmp_path: Path) -> None:
    db = tmp_path / "both.db"
    result = cli("import", str(SEED), str(SEED), "--db", str(db))
    assert result.exit_code == 0, result.output
    info = cli("info", str(db))
    assert "posts:       post: publish 1" in info.output


def test_info_on_export_writes_nothing(in_tmp: Path) -> None:
    result = cli("info", "fixtures/wxr-1.1.xml")
    assert result.exit_code == 0
    assert "posts:       post: publish 3, draft 1, private 1" in result.output
    assert "comments:    2" in result.output
    assert list(in_tmp.glob("*.db")) == []


def test_warnings_are_summarised(tmp_path: Path) -> None:
    result = cli("import", str(ROOT / "fixtures" / "wxr-1.0.xml"), "--db", str(tmp_path / "a.db"))
    assert result.exit_code == 0
    assert "1 warning (1 item-without-id)" in result.output
    assert "sqlite-utils rows" in result.output


def test_missing_file_is_one_line_error(tmp_path: Path) -> None:
    result = cli("import", str(tmp_path / "nope.xml"), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "nope.xml" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("suffix", [".xml", ".xml.gz", ".xml.bz2"])
def test_progress_counts_the_bytes_of_the_file_itself(tmp_path: Path, suffix: str) -> None:
    """The bar counts bytes read from disk: compressed bytes for .gz/.bz2, so it ends at the file size."""
    path = tmp_path / f"seed{suffix}"
    data = SEED.read_bytes()
    path.write_bytes({".xml": data, ".xml.gz": gzip.compress(data), ".xml.bz2": bz2.compress(data)}[suffix])
    counted: list[int] = []
    with open_export(str(path), counted.append) as source:
        records = list(iter_records(source, name=path.name))
    assert sum(counted) == path.stat().st_size
    assert sum(isinstance(r, Post) for r in records) == 1


def test_progress_bar_shows_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with progress_bar([str(SEED)], quiet=False) as bar:
        assert not bar.disable and bar.total == SEED.stat().st_size
    with progress_bar([str(SEED)], quiet=True) as bar:
        assert bar.disable
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with progress_bar([str(SEED)], quiet=False) as bar:
        assert bar.disable


def test_db_in_a_missing_folder_is_one_line_error(tmp_path: Path) -> None:
    result = cli("import", str(SEED), "--db", str(tmp_path / "nowhere" / "x.db"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "does not exist" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["info", "markdown"])
def test_a_db_not_made_by_wxr2db_is_refused(tmp_path: Path, command: str) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not sqlite at all")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (id INTEGER)").connection.commit()
    for db, expected in ((garbage, "not a SQLite database"), (other, "not a database made by `wxr2db import`")):
        args = [command, str(db)] + ([str(tmp_path / "out")] if command == "markdown" else [])
        result = cli(*args)
        assert result.exit_code == 1, result.output
        assert result.output.startswith(f"Error: {db}: {expected}") and "Traceback" not in result.output


def test_unwritable_output_is_reported_not_a_traceback(tmp_path: Path) -> None:
    """A file standing where a post's folder must go: that file is named and the run fails."""
    out = tmp_path / "site"
    (out / "content").mkdir(parents=True)
    (out / "content" / "posts").write_text("a file, not a folder")
    result = cli("markdown", str(SEED), str(out), "--layout", "hugo")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.splitlines()[-2:] == [
        f"not written: {out}/content/posts/sharing-and-collaboration/index.md: posts: a file stands where a "
        "folder must go",
        f"Error: 1 file could not be written into {out}",
    ]


def test_disk_full_is_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", str(tmp_path / "x.db"))

    monkeypatch.setattr("wxr2db.cli.commands.staged_database", full)
    result = cli("import", str(SEED), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'x.db'}: No space left on device\n"


def test_the_writer_process_starts_without_the_command_line() -> None:
    """The database writer is a spawned process, and a spawned process imports the main module (the
    `wxr2db` script, or wxr2db.__main__) again: it spent a third of a second importing typer, the
    Markdown side and sqlite-utils before it wrote a row."""
    script = re.search(r'^wxr2db = "([\w.]+):(\w+)"$', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    assert script is not None
    module, function = script.groups()
    code = (f"import sys, {module}, wxr2db.sqlite.executor; assert callable({module}.{function}); "
            "print(sorted(m for m in ('typer', 'click', 'sqlite_utils', 'html2text', 'yaml', 'wxr2db.cli', "
            "'wxr2db.site', 'wxr2db.content.body') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
