"""Ready templates that show the comment thread (front matter `comments`) in each generator.

Writes package data from wxr2db/site/templates/<layout>/ into a site, never over a file the user has.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import PurePosixPath

from wxr2db.errors import WxrError
from wxr2db.outdir import SiteFolder

LAYOUTS = ("hugo", "jekyll", "eleventy", "astro")

ROUTE_NAMES = ("[...slug]", "[...path]", "[slug]", "[id]")
# A file that is only written when none of these exist either: Hugo and Eleventy read the first config file
# it finds, so a second one next to the user's would be ignored or would replace theirs.
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "hugo.toml": ("hugo.yaml", "hugo.json", "config.toml", "config.yaml", "config.json", "config"),
    "eleventy.config.mjs": (".eleventy.js", "eleventy.config.js", "eleventy.config.cjs"),
    "astro.config.mjs": ("astro.config.js", "astro.config.ts", "astro.config.mts", "astro.config.cjs"),
    # Astro reads the first of these it finds (src/content/config.* before Astro 5).
    "src/content.config.ts": ("src/content.config.mjs", "src/content.config.js", "src/content.config.mts",
                              *(f"src/content/config.{ext}" for ext in ("mjs", "js", "mts", "ts"))),
    # A route of the user's for the same URLs: two catch-all routes in one folder clash, and Astro would
    # take ours first (it orders them by name).
    **{f"{folder}/[...id].astro": tuple(f"{folder}/{name}.astro" for name in ROUTE_NAMES)
       for folder in ("src/pages", "src/pages/posts")},
}


def template_files(layout: str) -> dict[str, str]:
    """Relative path (POSIX) -> text of every ready template for a layout."""
    if layout not in LAYOUTS:
        raise WxrError(f"no templates for layout {layout!r}", f"Choose {', '.join(LAYOUTS)}.")
    found: dict[str, str] = {}
    pending: list[tuple[Traversable, PurePosixPath]] = [(files("wxr2db.site") / "templates" / layout,
                                                         PurePosixPath())]
    while pending:
        folder, relative = pending.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                pending.append((entry, relative / entry.name))
            else:
                found[str(relative / entry.name)] = entry.read_text(encoding="utf-8")
    return dict(sorted(found.items()))


def write_templates(folder: SiteFolder, layout: str) -> list[str]:
    """Write the layout's templates into the site where no file (or alternative config) exists yet.

    Returns the relative paths that were skipped because something is already there; a path that
    passes through a symlink or a file inside the site is refused (RefusedPath) like any other.
    """
    skipped = []
    for relative, text in template_files(layout).items():
        names = (relative, *ALTERNATIVES.get(relative, ()))
        if any(folder.exists(name) for name in names) or not folder.create(relative, text.encode("utf-8")):
            skipped.append(relative)
    return skipped
