"""A wxr2db database -> Markdown files with YAML front matter, laid out for a static site generator.

The work happens in three steps: plan every file's path first (plan.py), render each post from the
database (render.py is pure; pool.py runs it in processes when there are many posts), then write
the files, leaving alone any file the user edited since wxr2db last wrote it (manifest.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path

from sqlite_utils import Database

from ..sqlite.schema import check_database, database_file
from .fetch import ProgressCallback
from .files import RefusedPath, SiteFolder
from .links import UNRESOLVED_NAME, prepare_site, redirect_files, render_unresolved
from .manifest import Writer, load_manifest, reason_of, save_manifest
from .options import MarkdownOptions, MarkdownStats, Progress, check_options
from .plan import SitePlan, plan_site
from .pool import process_count, rendered_posts
from .starter import rewrite_url, site_facts
from .templates import starter_redirects, write_templates
from .views import deep_comment_warnings


def export_markdown(db: Database, outdir: Path, options: MarkdownOptions | None = None,
                    progress: Progress | None = None,
                    media_progress: ProgressCallback | None = None) -> MarkdownStats:
    """Write the database's posts into outdir as Markdown files; returns what was written and skipped."""
    options = options or MarkdownOptions()
    check_options(options)
    check_database(db.conn, database_file(db.conn) or "the database")
    stats = MarkdownStats()
    plan = plan_site(db.conn, options, stats)
    stats.warnings += deep_comment_warnings(db.conn, plan.ids, options.comments)
    with SiteFolder(outdir) as folder:
        manifest = load_manifest(folder, stats)
        writer = Writer(folder, manifest, options.overwrite, stats)
        stats.site = prepare_site(db.conn, folder, options.layout, plan.urls, options.comments, options.site,
                                  media_progress)
        options = replace(options, links=stats.site.links)
        if options.templates and stats.site.index is not None:
            for old, new in starter_redirects(db.conn, options.layout, plan.urls, stats.site.index.home).items():
                stats.site.index.redirects.setdefault(old, new)
        try:
            write_posts(db, plan, options, writer, progress)
            write_site_files(writer, options, plan.urls.values())
        finally:
            save_manifest(folder, manifest, stats)
        if options.templates:
            facts = site_facts(db.conn, options.layout, plan.urls, partial(rewrite_url, options.links))
            stats.templates_kept = write_templates(folder, options.layout, facts)
    return stats


def write_posts(db: Database, plan: SitePlan, options: MarkdownOptions, writer: Writer,
                progress: Progress | None) -> None:
    """Render every planned post and write its file, in plan order."""
    stats, targets = writer.stats, plan.targets
    stats.processes = process_count(db.conn, targets, options)
    rendered = rendered_posts(db.conn, targets, options, stats.processes)
    for done, (target, post) in enumerate(zip(targets, rendered, strict=True), 1):
        stats.unknown_shortcodes.update(post.unknown)
        if post.warning:
            stats.warnings.append(post.warning)
        if stats.site.counts is not None:
            stats.site.counts.add(post.links)
        writer.write(target.path, post.text)
        if progress:
            progress(done, len(targets))


def write_site_files(writer: Writer, options: MarkdownOptions, live: Iterable[str]) -> None:
    """The redirect files asked for, and the list of links that point at nothing written."""
    stats = writer.stats
    files, stats.redirect_rules = redirect_files(stats.site, options.layout, options.site.redirects, live)
    for rel, text in files.items():
        writer.write(rel, text)
    if not options.site.redirects:
        stats.redirect_rules = None
    counts = stats.site.counts
    if counts is None:
        return
    # A report of this run, not a page of the site: never counted as written, and emptied (not left
    # stale) when a later run finds nothing unresolved.
    try:
        if counts.unresolved or writer.folder.read(UNRESOLVED_NAME) is not None:
            writer.folder.write(UNRESOLVED_NAME, render_unresolved(counts).encode("utf-8"))
    except (OSError, RefusedPath) as error:
        stats.fail(UNRESOLVED_NAME, reason_of(error))
