"""The `wxr2db` command: paths in, progress and one summary line out, errors as one line each."""

from __future__ import annotations

import errno
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from sqlite_utils import Database
from tqdm import tqdm

from .. import __version__
from ..errors import DiskFullError, NoSuchDatabaseError, SiteMismatchError, WxrError
from ..normalize import plural
from ..site.layouts import LAYOUTS
from ..sources.files import STDIN, iter_export_parts, source_size
from ..sources.wxr import iter_records
from ..sqlite.census import Census, census
from ..sqlite.metadata import save_metadata
from ..sqlite.public import publish, redactions
from ..sqlite.save import ImportStats, Saver
from ..sqlite.schema import FOR_MARKDOWN, FOR_READING, Shape, check_database
from ..sqlite.staging import staged_database

if TYPE_CHECKING:
    from ..media.fetch import FetchOptions, MediaSource
    from ..site.options import MarkdownStats

app = typer.Typer(
    help="Turn a WordPress export (WXR) into a SQLite database and Markdown files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

Exports = Annotated[list[str], typer.Argument(help="WXR files (.xml, .xml.gz, .xml.bz2, .xml.xz, .zip), or - "
                                              "for stdin.",
                                              show_default=False, metavar="EXPORT")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")]
Recover = Annotated[bool, typer.Option(
    "--recover", help="Keep going past broken XML, reporting what was skipped, instead of stopping.")]
Strict = Annotated[bool, typer.Option(
    "--strict", help="Refuse an export that is not well-formed XML instead of repairing what WordPress's own "
    "importer reads (bare &, HTML entities, a second document ...).")]


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
    except sqlite3.Error as error:
        # A disk that is full or read-only, a database locked by another program: still one line.
        raise fail(f"{unchanged or 'the database'}: {error}") from None
    except OSError as error:
        # Disk full, permission denied, a folder where a file should be: the system's words suffice.
        where = f"{error.filename}: " if error.filename else ""
        raise fail(f"{where}{error.strerror or error}") from None
    except KeyboardInterrupt:
        kept = f"; {unchanged} is as it was" if unchanged else ""
        typer.echo(f"Interrupted{kept}.", err=True)
        raise typer.Exit(130) from None


def bar_hidden(quiet: bool) -> bool:
    """Progress bars are for people watching a terminal; logs and pipes get only the summary."""
    return quiet or not sys.stderr.isatty()


def progress_bar(exports: list[str], quiet: bool) -> tqdm[Any]:
    sizes = [source_size(name) for name in exports]
    total = None if None in sizes else sum(s or 0 for s in sizes)
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, disable=bar_hidden(quiet),
                file=sys.stderr, desc="Reading", dynamic_ncols=True)


def read_into(saver: Saver, exports: list[str], quiet: bool, recover: bool, strict: bool = False) -> ImportStats:
    try:
        with progress_bar(exports, quiet) as bar:
            for name in exports:
                save_export(saver, name, bar, recover, strict)
    except SiteMismatchError as error:
        saver.abort()
        raise SiteMismatchError(f"{name}: {error}") from None
    except BaseException:
        saver.abort()
        raise
    return saver.finish()


def save_export(saver: Saver, name: str, bar: tqdm[Any], recover: bool, strict: bool) -> None:
    """One export's records into the saver. A function of its own so that its last record (maybe a
    50 MB post) is let go when it returns, not held while the database is shaped."""
    for part, source in iter_export_parts(name, bar.update):
        for record in iter_records(source, name=part, recover=recover, strict=strict):
            saver.save(record)


def worth_a_second_process(exports: list[str]) -> bool:
    """Starting the writer process costs a fraction of a second: worth it from a few megabytes."""
    sizes = [source_size(name) for name in exports]
    return None in sizes or sum(s or 0 for s in sizes) > 4_000_000


def default_db(exports: list[str], public: bool = False) -> Path:
    first = exports[0]
    ending = ".public.db" if public else ".db"
    if first == STDIN:
        return Path("export" + ending)
    name = Path(first).name
    for suffix in (".gz", ".bz2", ".xz", ".zip", ".xml"):
        if name.lower().endswith(suffix):  # `export.XML.GZ` too
            name = name[: -len(suffix)]
    return Path(name + ending)


@app.command("import")
def import_(
    exports: Exports,
    db: Annotated[Path | None, typer.Option("--db", help="Database to write (default: the export's name "
                                            "with .db, in the current folder).", dir_okay=False)] = None,
    merge_sites: Annotated[bool, typer.Option(
        "--merge-sites", help="Allow exports of a different site into a database that already has one.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Add wxr2db's tables to a SQLite database that another program made.")] = False,
    public: Annotated[bool, typer.Option(
        "--public", help="Keep only what readers saw (published posts and pages, what they use, approved "
        "comments, authors by display name), redact emails and IPs (default database: NAME.public.db).")] = False,
    recover: Recover = False,
    strict: Strict = False,
    quiet: Quiet = False,
) -> None:
    """Import WordPress exports into a SQLite database, with NAME.metadata.json for Datasette beside it.

    Several exports (the numbered parts of a split export) go into one database; importing the
    same export again replaces its rows instead of doubling them. The database is written only
    when the whole import succeeds.
    """
    path = db or default_db(exports, public)
    with reported_errors(unchanged=path), staged_database(path, force=force) as database:
        saver = Saver(database, merge_sites=merge_sites, background=worth_a_second_process(exports))
        stats = read_into(saver, exports, quiet, recover, strict)
        # After --public, the summary counts what the public file holds (publish says what went).
        stats, work = publish(database) if public else (stats, None)
    with reported_errors():
        written = save_metadata(path)
    if not quiet:
        typer.echo(f"{path}: {stats.summary()}", err=True)
        if work is not None:
            typer.echo(f"Public: {redactions(work)}", err=True)
        if stats.warnings:
            typer.echo(f"See the warnings: sqlite-utils rows {path} warnings", err=True)
        typer.echo(f"Browse it: wxr2db browse {path}  (or: datasette {path} -m {written})", err=True)


@app.command()
def browse(
    db: Annotated[Path, typer.Argument(help="A database made by `wxr2db import`.", show_default=False,
                                       metavar="DB")],
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 shows the archive to your network.")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8001,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the overview in a web browser.")] = False,
) -> None:
    """Read the archive in Datasette: an overview of the blog first, posts as posts (needs the datasette extra)."""
    from ..sqlite.browse import browse as serve

    with reported_errors():
        status = serve(db, host, port, open_browser, lambda line: typer.echo(line, err=True))
    if status:
        raise typer.Exit(status)


@app.command()
def info(
    source: Annotated[str, typer.Argument(help="A WXR export, or a database made by `wxr2db import`.",
                                          show_default=False, metavar="EXPORT")],
    recover: Recover = False,
    strict: Strict = False,
) -> None:
    """Count what an export or database holds, without writing anything."""
    with reported_errors(), opened_source(source, quiet=True, recover=recover, strict=strict) as database:
        typer.echo(render_census(census(database)))


def render_census(counts: Census) -> str:
    """What a database holds, as the lines `wxr2db info` prints."""
    lines = [("site", f"{s.title} <{s.link}> (WXR {s.wxr_version or '?'}, exported {s.exported_at or '?'})")
             for s in counts.sites]
    lines.append(("posts", render_post_counts(counts.posts)))
    lines.append(("comments", render_counts(counts.comments, {"1": "approved", "0": "pending"})))
    lines.append(("authors", str(counts.authors)))
    lines.append(("terms", render_counts(counts.terms)))
    for table, meta in counts.meta.items():
        top = f" (most used: {', '.join(f'{k} {n}' for k, n in meta.top_keys)})" if meta.top_keys else ""
        lines.append((table, f"{plural(meta.values, 'value')}, {plural(meta.keys, 'key')}{top}"))
    if counts.builders:
        lines.append(("builders", ", ".join(f"{name} ({plural(n, 'post')})" for name, n in counts.builders)))
    if counts.shortcodes:
        more = f" and {len(counts.shortcodes) - 12} more" if len(counts.shortcodes) > 12 else ""
        lines.append(("shortcodes", ", ".join(f"[{name}] {n}" for name, n in counts.shortcodes[:12]) + more))
    if counts.custom_fields:
        more = f" and {len(counts.custom_fields) - 12} more" if len(counts.custom_fields) > 12 else ""
        fields = ", ".join(f"{name} {n}" for name, n in counts.custom_fields[:12])
        lines.append(("fields", f"{fields}{more} (copy with --meta KEY)"))
    lines.append(("dates", f"{counts.first_date or '-'} to {counts.last_date or '-'}"))
    lines.append(("warnings", render_counts(counts.warnings)))
    return "\n".join(f"{label + ':':<13}{value}" for label, value in lines)


def render_counts(rows: list[tuple[Any, int]], names: dict[str, str] | None = None) -> str:
    """`12 (approved 10, pending 2)`: the total, then each group under its name."""
    if not rows:
        return "0"
    parts = ", ".join(f"{(names or {}).get(str(k), k)} {n}" for k, n in rows)
    return f"{sum(n for _, n in rows)} ({parts})"


def render_post_counts(rows: list[tuple[str, str | None, int]]) -> str:
    """`page: publish 2; post: publish 7, draft 1`: each post type with its statuses."""
    by_type: dict[str, list[str]] = {}
    for post_type, status, n in rows:
        by_type.setdefault(post_type, []).append(f"{status or 'no status'} {n}")
    return "; ".join(f"{t}: {', '.join(s)}" for t, s in by_type.items()) or "0"


@contextmanager
def opened_source(source: str, quiet: bool, recover: bool, strict: bool = False,
                  shape: Shape = FOR_READING) -> Iterator[Database]:
    """A database made by `wxr2db import` as it is, or an export imported into a temporary one
    with what `shape` says the command reads."""
    if source.endswith(".db"):
        if not Path(source).is_file():
            raise NoSuchDatabaseError(f"{source}: no such database")
        database = Database(source)
        check_database(database.conn, source)
        yield database
        return
    with tempfile.TemporaryDirectory(prefix="wxr2db-") as tmp:
        database = Database(Path(tmp) / "export.db")
        # A throwaway database: nothing is lost if a crash leaves it half written.
        database.conn.execute("PRAGMA journal_mode = OFF")
        database.conn.execute("PRAGMA synchronous = OFF")
        try:
            try:
                saver = Saver(database, background=worth_a_second_process([source]), shape=shape)
                read_into(saver, [source], quiet=quiet, recover=recover, strict=strict)
            except (WxrError, sqlite3.Error, OSError) as error:
                if is_disk_full(error):
                    raise temporary_full(error, tmp) from None
                raise
            yield database
        finally:
            database.conn.close()


def is_disk_full(error: Exception) -> bool:
    return (isinstance(error, OSError) and error.errno == errno.ENOSPC) or "disk is full" in str(error)


def temporary_full(error: Exception, tmp: str) -> DiskFullError:
    return DiskFullError(f"the temporary database in {tmp} ran out of space ({error})",
                         "Set TMPDIR to a folder with more room, or run `wxr2db import` first and give the .db.")


class ListFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def media(
    source: Annotated[str, typer.Argument(help="A WXR export, or a database made by `wxr2db import`.",
                                          show_default=False, metavar="EXPORT")],
    format_: Annotated[ListFormat, typer.Option("--format", help="table, csv or json.")] = ListFormat.table,
    recover: Recover = False,
    strict: Strict = False,
) -> None:
    """List every file the site uses (attachments, their sizes, files posts name) and the posts using each."""
    from ..sqlite.media import LISTING_COLUMNS, media_listing
    from .output import render_csv, render_json, render_table

    with reported_errors(), opened_source(source, quiet=True, recover=recover, strict=strict) as database:
        listing = media_listing(database, source)
    if format_ is ListFormat.json:
        typer.echo(render_json(listing))
    elif format_ is ListFormat.csv:
        typer.echo(render_csv(listing, LISTING_COLUMNS))
    else:
        typer.echo(render_table(listing, LISTING_COLUMNS))


# The choices of --layout, one per generator the layouts registry knows.
Layout = Enum("Layout", [(name, name) for name in LAYOUTS], type=str)  # type: ignore[misc]
PLAIN = Layout("plain")


class CommentChoice(str, Enum):
    none = "none"
    approved = "approved"
    all = "all"


class MediaChoice(str, Enum):
    offline = "offline"
    download = "download"


def post_types(text: str) -> tuple[str, ...]:
    types = tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    if not types:
        raise WxrError("--types names no post type", "Give names separated by commas, like post,page.")
    return types


def echo_some(lines: list[str], what: str, most: int = 20) -> None:
    for line in lines[:most]:
        typer.echo(line, err=True)
    if len(lines) > most:
        typer.echo(f"... and {len(lines) - most} more {what}", err=True)


def echo_report(outdir: Path, stats: MarkdownStats, quiet: bool) -> None:
    """Warnings and the summary (unless quiet), then every file that could not be written."""
    if not quiet:
        echo_some([f"warning: {w}" for w in stats.warnings], "warnings", most=10)
        echo_some([f"kept your {outdir / rel}; see README for the line that shows the comments"
                   for rel in stats.templates_kept], "templates kept")
        typer.echo(f"{outdir}: {stats.summary()}", err=True)
    if stats.failed:
        echo_some([f"not written: {outdir / rel}: {why}" for rel, why in stats.failed], "files not written")
        raise fail(f"{plural(len(stats.failed), 'file')} could not be written into {outdir}")


@app.command()
def markdown(
    source: Annotated[str, typer.Argument(help="A WXR export (.xml, .xml.gz, .xml.bz2, .zip, or - for stdin), or a "
                                          "database made by `wxr2db import` (.db).", show_default=False)],
    outdir: Annotated[Path, typer.Argument(help="The site folder to write into.", file_okay=False,
                                           show_default=False)],
    layout: Annotated[Layout, typer.Option(help="Where files go and which front matter keys they get.")
                      ] = PLAIN,
    types: Annotated[str, typer.Option(help="Post types to write, separated by commas (custom types by "
                                       "name).")] = "post,page",
    drafts: Annotated[bool, typer.Option(help="Also write drafts, pending and scheduled posts.")] = False,
    private: Annotated[bool, typer.Option(help="Also write private and password-protected posts.")] = False,
    comments: Annotated[CommentChoice, typer.Option(
        help="Comments to put in the front matter: none, approved, or all (with an approved field)."
    )] = CommentChoice.approved,
    overwrite: Annotated[bool, typer.Option(
        help="Replace files even if you edited them since wxr2db wrote them.")] = False,
    keep_permalinks: Annotated[bool, typer.Option(
        help="Publish posts at their old WordPress paths (permalink/url) instead of redirecting from them."
    )] = False,
    templates: Annotated[bool, typer.Option(
        "--starter/--no-starter", "--templates/--no-templates",
        help="Also write a complete starter site (config, layouts, home, term, author and archive pages, feed; "
             "hugo, jekyll, eleventy, astro; see docs/SITES.md), never over your files.")] = False,
    rewrite_links: Annotated[bool, typer.Option(
        help="Point links to the old site's posts, pages, attachments and archives at the new pages.")] = True,
    media: Annotated[MediaChoice, typer.Option(
        help="download: fetch every file the written posts use into the site (the default is offline).")
    ] = MediaChoice.offline,
    media_from: Annotated[str | None, typer.Option(
        "--media-from", metavar="PATH|URL", help="Take the files from a copy of wp-content/uploads (a folder, or "
        "the URL it is served from) instead of the old site; implies fetching.", show_default=False)] = None,
    media_allow_host: Annotated[list[str] | None, typer.Option(
        "--media-allow-host", metavar="HOST", help="A host a file's URL may redirect to besides its own (and its "
        "www. twin); repeat for more. Other redirects are reported, not followed.", show_default=False)] = None,
    media_timeout: Annotated[float, typer.Option(
        "--media-timeout", metavar="SECONDS", min=1, help="Most time one media file may take, retries included.")
    ] = 300.0,
    redirects: Annotated[str, typer.Option(
        metavar="FORMATS", help="Redirect files to write from the old URLs: netlify, nginx, apache, separated by "
        "commas.", show_default=False)] = "",
    meta: Annotated[list[str] | None, typer.Option(
        "--meta", metavar="KEY[=NAME]", help="Copy a custom field (postmeta) into the front matter, as NAME if "
        "given; repeat it, or use a pattern such as 'acf_*'. See `wxr2db info` for the fields.",
        show_default=False)] = None,
    recover: Recover = False,
    strict: Strict = False,
    quiet: Quiet = False,
) -> None:
    """Write posts and pages as Markdown files with YAML front matter for a static site generator.

    Files you edited since wxr2db wrote them are left alone (see .wxr2db-manifest.json in OUTDIR)
    unless you pass --overwrite.
    """
    # The Markdown side is imported only here: `import` and its writer process start faster without it.
    from ..site.export import export_markdown
    from ..site.extras import parse_meta_option
    from ..site.links import SiteOptions
    from ..site.options import MarkdownOptions

    with reported_errors():
        site = SiteOptions(rewrite_links=rewrite_links, redirects=redirect_formats(redirects),
                           media=media_source(media, media_from),
                           fetch=fetch_options(media_allow_host or [], media_timeout))
        options = MarkdownOptions(layout=layout.value, types=post_types(types), drafts=drafts,
                                  private=private, comments=comments.value, overwrite=overwrite,
                                  keep_permalinks=keep_permalinks, templates=templates, site=site,
                                  meta=parse_meta_option(meta or []))
        read = opened_source(source, quiet=quiet, recover=recover, strict=strict, shape=FOR_MARKDOWN)
        with (read as database, writing_bar(quiet) as bar,
              media_bar(quiet or site.media is None) as fetched):
            stats = export_markdown(database, outdir, options, progress=bar, media_progress=fetched)
    echo_report(outdir, stats, quiet)
    echo_media_failures(outdir, stats)


def media_source(choice: MediaChoice, media_from: str | None) -> MediaSource | None:
    from ..media.fetch import MediaSource

    if media_from is not None and not media_from.strip():
        raise WxrError("--media-from is empty", "Give the folder holding YYYY/MM/name, or the URL serving it.")
    if media_from is None and choice is MediaChoice.offline:
        return None
    if media_from is not None and "://" in media_from and not media_from.lower().startswith(("http://", "https://")):
        raise WxrError(f"--media-from {media_from}: not an http(s) URL",
                       "Give a folder, or an http:// or https:// URL.")
    if media_from is not None and "://" not in media_from and not Path(media_from).is_dir():
        raise WxrError(f"--media-from {media_from}: no such folder",
                       "Give the uploads folder (the one holding YYYY/MM/name), or an http(s) URL.")
    return MediaSource.from_options(media_from, choice is MediaChoice.download)


def fetch_options(hosts: list[str], timeout: float) -> FetchOptions:
    """`--media-allow-host` (host names, not URLs) and `--media-timeout`."""
    from ..media.fetch import FetchOptions

    names = tuple(dict.fromkeys(h.strip().lower().rstrip(".") for h in hosts))
    bad = next((h for h in names if not h or any(c in h for c in "/:@ ")), None)
    if bad is not None:
        raise WxrError(f"--media-allow-host {bad!r}: not a host name", "Give a name like cdn.example.com, no "
                       "scheme, port or path.")
    return FetchOptions(allow_hosts=names, total_timeout=timeout)


def redirect_formats(text: str) -> tuple[str, ...]:
    from ..links.redirects import FORMATS

    names = tuple(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise WxrError(f"--redirects: unknown format {unknown[0]!r}", f"Choose from {', '.join(FORMATS)}.")
    return names


def echo_media_failures(outdir: Path, stats: MarkdownStats) -> None:
    """Every asked-for file that is not in the site; the run still wrote everything else."""
    from ..media.fetch import FAILURES_NAME

    report = stats.site.report
    if report is None or not report.failures():
        return
    failures = report.failures()
    echo_some([f"not fetched: {o.url}: {o.reason}" for o in failures], "files not fetched")
    raise fail(f"{plural(len(failures), 'media file')} could not be fetched; listed in {outdir / FAILURES_NAME}")


class ProgressBar:
    """A tqdm bar on stderr whose total is known only once the files are planned."""

    def __init__(self, quiet: bool) -> None:
        self.bar = tqdm(disable=bar_hidden(quiet), file=sys.stderr, desc="Writing",
                        unit=" files", dynamic_ncols=True)

    def __call__(self, done: int, total: int) -> None:
        self.bar.total = total
        self.bar.update(done - self.bar.n)


@contextmanager
def media_bar(quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A bar by files (the bytes received in its postfix), fed from the fetch's worker threads."""
    bar = tqdm(disable=bar_hidden(quiet), file=sys.stderr, desc="Media", unit=" files", dynamic_ncols=True)
    received = [0]

    def progress(files: int, size: int) -> None:
        received[0] += size
        bar.update(files)
        if size:
            bar.set_postfix_str(f"{received[0] / 1048576:.1f} MiB", refresh=False)

    try:
        yield progress
    finally:
        bar.close()


@contextmanager
def writing_bar(quiet: bool) -> Iterator[ProgressBar]:
    progress = ProgressBar(quiet)
    try:
        yield progress
    finally:
        progress.bar.close()
