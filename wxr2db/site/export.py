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

from ..media.fetch import ProgressCallback
from ..normalize import plural
from ..outdir import RefusedPath, SiteFolder
from ..sqlite.schema import check_database, database_file
from .links import UNRESOLVED_NAME, prepare_site, redirect_files, render_unresolved
from .manifest import Writer, load_manifest, reason_of, save_manifest
from .options import MarkdownOptions, MarkdownStats, Progress, check_options
from .plan import SitePlan, long_path_warnings, plan_site
from .pool import process_count, rendered_posts
from .starter import rewrite_url, site_facts
from .templates import starter_redirects, template_files, write_templates
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
    stats.warnings += long_path_warnings(db.conn, plan.ids, options.keep_permalinks)
    with SiteFolder(outdir) as folder:
        manifest = load_manifest(folder, stats)
        writer = Writer(folder, manifest, options.overwrite, stats)
        stats.site = prepare_site(db.conn, folder, options.layout, plan.urls, options.comments, options.site,
                                  media_progress)
        options = replace(options, links=stats.site.links)
        if stats.site.index is not None and stats.site.index.unsafe_files:
            stats.unsafe_urls += stats.site.index.unsafe_files
            stats.warnings.append(f"{plural(stats.site.index.unsafe_files, 'attachment')} with a file URL not on "
                                  "the site's own hosts: never a link or redirect target")
        if options.templates and stats.site.index is not None:
            for old, new in starter_redirects(db.conn, options.layout, plan.urls, stats.site.index.home).items():
                stats.site.index.redirects.setdefault(old, new)
        try:
            write_posts(db, plan, options, writer, progress)
            write_site_files(writer, options, plan.urls.values())
            if options.layout == "hugo" and stats.converted.get("gallery") and not options.templates:
                # Hugo stops the build at a shortcode it has no template for: galleries bring theirs.
                writer.write(HUGO_GALLERY, template_files("hugo")[HUGO_GALLERY])
        finally:
            save_manifest(folder, manifest, stats)
        if options.templates:
            facts = site_facts(db.conn, options.layout, plan.urls, partial(rewrite_url, options.links))
            stats.templates_kept = write_templates(folder, options.layout, facts)
    return stats


HUGO_GALLERY = "layouts/shortcodes/gallery.html"


def write_posts(db: Database, plan: SitePlan, options: MarkdownOptions, writer: Writer,
                progress: Progress | None) -> None:
    """Render every planned post and write its file, in plan order."""
    stats, targets = writer.stats, plan.targets
    stats.processes = process_count(db.conn, targets, options)
    rendered = rendered_posts(db.conn, targets, options, stats.processes)
    for done, (target, post) in enumerate(zip(targets, rendered, strict=True), 1):
        stats.unknown_shortcodes.update(post.unknown)
        stats.converted.update(post.converted)
        if post.warning:
            stats.warnings.append(post.warning)
        if post.unsafe:
            stats.unsafe_urls += post.unsafe
            stats.warnings.append(f"post {target.post_id}: {plural(post.unsafe, 'unsafe URL')} dropped "
                                  "(only http, https, mailto and relative links are written)")
        if stats.site.counts is not None:
            stats.site.counts.add(post.links)
        writer.write(target.path, post.text)
        if progress:
            progress(done, len(targets))


def write_site_files(writer: Writer, options: MarkdownOptions, live: Iterable[str]) -> None:
    """The redirect files asked for, and the list of links that point at nothing written."""
    stats = writer.stats
    files, stats.redirect_rules, dropped = redirect_files(stats.site, options.layout, options.site.redirects, live)
    stats.warnings += dropped
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
