"""Ready templates that show the comment thread (front matter `comments`) in each generator.

Writes package data from wxr2db/site/templates/<layout>/ into a site, never over a file the user has.
"""

from __future__ import annotations

import os
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from wxr2db.errors import WxrError

LAYOUTS = ("hugo", "jekyll", "eleventy")  # Astro: not yet

# A file that is only written when none of these exist either: Hugo and Eleventy read the first config file
# it finds, so a second one next to the user's would be ignored or would replace theirs.
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "hugo.toml": ("hugo.yaml", "hugo.json", "config.toml", "config.yaml", "config.json", "config"),
    "eleventy.config.mjs": (".eleventy.js", "eleventy.config.js", "eleventy.config.cjs"),
    "astro.config.mjs": ("astro.config.js", "astro.config.ts", "astro.config.mts", "astro.config.cjs"),
    "src/content.config.ts": ("src/content/config.ts", "src/content.config.js", "src/content.config.mjs"),
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


def write_templates(outdir: Path, layout: str) -> list[str]:
    """Write the layout's templates into outdir where no file (or alternative config) exists yet.

    Returns the relative paths that were skipped because something is already there. Raises WxrError
    for a path that would pass through a symlink or leave outdir.
    """
    skipped = []
    for relative, text in template_files(layout).items():
        names = (relative, *ALTERNATIVES.get(relative, ()))
        if any(os.path.lexists(outdir / name) for name in names):
            skipped.append(relative)
            continue
        target = safe_target(outdir, relative)
        if not write_new(target, text):
            skipped.append(relative)
    return skipped


def safe_target(outdir: Path, relative: str) -> Path:
    """outdir/relative with its folders made, refusing symlinked folders on the way."""
    parts = PurePosixPath(relative).parts
    if PurePosixPath(relative).is_absolute() or ".." in parts:
        raise WxrError(f"template path {relative!r} leaves {outdir}", "Report this as a wxr2db bug.")
    folder = outdir
    for part in parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            raise WxrError(f"{folder} is a symlink; wxr2db writes templates only into real folders",
                           "Replace the link with a folder, or write the templates elsewhere.")
        folder.mkdir(exist_ok=True)
    return folder / parts[-1]


def write_new(target: Path, text: str) -> bool:
    """Create target exclusively; False when it appeared meanwhile (the user's file wins)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        handle = os.open(target, flags, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
        out.write(text)
    return True
