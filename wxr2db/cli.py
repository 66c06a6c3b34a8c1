"""The `wxr2db` command: paths in, progress and one summary line out, errors as one line each."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlite_utils import Database
from tqdm import tqdm

from . import __version__
from .db import ImportStats, Saver, census, ensure_db_shape, staged_database
from .errors import WxrError
from .reader import iter_records
from .sources import STDIN, open_export, source_size

app = typer.Typer(
    help="Turn a WordPress export (WXR) into a SQLite database and Markdown files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

Exports = Annotated[list[str], typer.Argument(help="WXR files (.xml, .xml.gz, .xml.bz2), or - for stdin.",
                                              show_default=False, metavar="EXPORT")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")]
Recover = Annotated[bool, typer.Option(
    "--recover", help="Keep going past broken XML, reporting what was skipped, instead of stopping.")]


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"wxr2db {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Turn a WordPress export (WXR) into a SQLite database and Markdown files."""


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def reported_errors(unchanged: Path | None = None) -> Iterator[None]:
    """Turn wxr2db's own errors and Ctrl-C into one line on stderr and an exit status."""
    try:
        yield
    except WxrError as error:
        hint = f" {error.hint}" if error.hint else ""
        raise fail(f"{error}.{hint}" if not str(error).endswith(".") else f"{error}{hint}") from None
    except KeyboardInterrupt:
        kept = f"; {unchanged} is as it was" if unchanged else ""
        typer.echo(f"Interrupted{kept}.", err=True)
        raise typer.Exit(130) from None


def progress_bar(exports: list[str], quiet: bool) -> tqdm[None]:
    sizes = [source_size(name) for name in exports]
    total = None if None in sizes else sum(s or 0 for s in sizes)
    hidden = quiet or not sys.stderr.isatty()
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, disable=hidden,
                file=sys.stderr, desc="Reading", dynamic_ncols=True)


def read_into(saver: Saver, exports: list[str], quiet: bool, recover: bool) -> ImportStats:
    with progress_bar(exports, quiet) as bar:
        for name in exports:
            with open_export(name, bar.update) as source:
                for record in iter_records(source, name=name, recover=recover):
                    saver.save(record)
    return saver.finish()


def default_db(exports: list[str]) -> Path:
    first = exports[0]
    if first == STDIN:
        return Path("export.db")
    name = Path(first).name
    for suffix in (".gz", ".bz2", ".xml"):
        name = name.removesuffix(suffix)
    return Path(name + ".db")


@app.command("import")
def import_(
    exports: Exports,
    db: Annotated[Path | None, typer.Option("--db", help="Database to write (default: the export's name "
                                            "with .db, in the current folder).", dir_okay=False)] = None,
    merge_sites: Annotated[bool, typer.Option(
        "--merge-sites", help="Allow exports of a different site into a database that already has one.")] = False,
    recover: Recover = False,
    quiet: Quiet = False,
) -> None:
    """Import WordPress exports into a SQLite database.

    Several exports (the numbered parts of a split export) go into one database; importing the
    same export again replaces its rows instead of doubling them. The database is written only
    when the whole import succeeds.
    """
    path = db or default_db(exports)
    with reported_errors(unchanged=path), staged_database(path) as database:
        stats = read_into(Saver(database, merge_sites=merge_sites), exports, quiet, recover)
        ensure_db_shape(database)
    if not quiet:
        typer.echo(f"{path}: {stats.summary()}", err=True)
        if stats.warnings:
            typer.echo(f"See the warnings: sqlite-utils rows {path} warnings", err=True)


@app.command()
def info(
    source: Annotated[str, typer.Argument(help="A WXR export, or a database made by `wxr2db import`.",
                                          show_default=False, metavar="EXPORT")],
    recover: Recover = False,
) -> None:
    """Count what an export or database holds, without writing anything."""
    with reported_errors():
        if source.endswith(".db"):
            if not Path(source).is_file():
                raise WxrError(f"{source}: no such database")
            typer.echo(census(Database(source)))
            return
        with tempfile.TemporaryDirectory(prefix="wxr2db-") as tmp:
            database = Database(Path(tmp) / "census.db")
            read_into(Saver(database), [source], quiet=True, recover=recover)
            typer.echo(census(database))
