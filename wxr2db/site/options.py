"""What `wxr2db markdown` is asked to do (MarkdownOptions), and what it did (MarkdownStats)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import WxrError
from ..normalize import plural
from .layouts import LAYOUTS
from .links import SiteLinks, SiteOptions, SiteWork
from .links import summary as site_summary
from .templates import LAYOUTS as TEMPLATE_LAYOUTS

COMMENT_MODES = ("none", "approved", "all")
POOL_THRESHOLD = 200
SUMMARY_NAMES = 12

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class MarkdownOptions:
    layout: str = "plain"  # one of layouts.LAYOUTS
    types: tuple[str, ...] = ("post", "page")
    drafts: bool = False
    private: bool = False
    comments: str = "approved"  # one of COMMENT_MODES
    overwrite: bool = False
    keep_permalinks: bool = False
    pool_threshold: int = POOL_THRESHOLD
    workers: int | None = None
    templates: bool = False  # also write the ready comment templates (never over the user's files)
    meta: tuple[tuple[str, str], ...] = ()  # --meta KEY[=NAME]: custom fields copied to front matter
    site: SiteOptions = field(default_factory=SiteOptions)
    links: SiteLinks | None = None  # set by export_markdown once media is fetched and the URLs known


@dataclass
class MarkdownStats:
    written: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    renamed: int = 0
    unknown_shortcodes: Counter[str] = field(default_factory=Counter)
    converted: Counter[str] = field(default_factory=Counter)  # embeds, galleries, page builder parts
    warnings: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, why) of files not written
    templates_kept: list[str] = field(default_factory=list)  # templates not written: the user has them
    processes: int = 1  # that rendered the posts
    site: SiteWork = field(default_factory=SiteWork)
    redirect_rules: int | None = None
    unsafe_urls: int = 0  # dropped by links.safe's rule, each post's named in a warning

    def fail(self, rel: str, why: str) -> None:
        self.failed.append((rel, why))

    def summary(self) -> str:
        skipped = sum(self.skipped.values())
        reasons = f" ({', '.join(f'{n} {why}' for why, n in sorted_counts(self.skipped))})" if skipped else ""
        parts = [f"wrote {plural(self.written, 'file')}", f"{self.unchanged} unchanged", f"skipped {skipped}{reasons}"]
        if self.failed:
            parts.append(f"{len(self.failed)} could not be written")
        if self.renamed:
            parts.append(f"{self.renamed} renamed for clashing slugs")
        if self.unknown_shortcodes:
            counts = sorted_counts(self.unknown_shortcodes)
            codes = ", ".join(f"[{name}] {n}" for name, n in counts[:SUMMARY_NAMES])
            more = f" and {len(counts) - SUMMARY_NAMES} more" if len(counts) > SUMMARY_NAMES else ""
            parts.append(f"unknown shortcodes kept as text: {codes}{more}")
        if self.unsafe_urls:
            parts.append(f"{plural(self.unsafe_urls, 'unsafe URL')} dropped")
        if self.converted:
            counts = sorted_counts(self.converted)
            more = f" and {len(counts) - SUMMARY_NAMES} more" if len(counts) > SUMMARY_NAMES else ""
            parts.append("converted: " + ", ".join(f"{what} {n}" for what, n in counts[:SUMMARY_NAMES]) + more)
        parts.append(plural(len(self.warnings), "warning"))
        site = site_summary(self.site.counts, self.site.report, self.redirect_rules)
        return "; ".join(parts + ([site] if site else []))


def sorted_counts(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def check_options(options: MarkdownOptions) -> None:
    if options.layout not in LAYOUTS:
        raise WxrError(f"unknown layout {options.layout!r}", f"Choose one of {', '.join(LAYOUTS)}.")
    if options.templates and options.layout not in TEMPLATE_LAYOUTS:
        raise WxrError(f"--templates: no ready templates for --layout {options.layout}",
                       f"They exist for {', '.join(TEMPLATE_LAYOUTS)}.")
    if options.comments not in COMMENT_MODES:
        raise WxrError(f"unknown comment choice {options.comments!r}", f"Choose {', '.join(COMMENT_MODES)}.")
