"""Imports point one way (docs/ARCHITECTURE.md, STYLE.md): the rooms below the site never import the site
or the CLI, and only the CLI imports typer and tqdm. Read from each module's imports with ast, lazy
imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "wxr2db"
# Rooms that any sink or front end may use; they must not reach up into site/ or cli/.
LOWER = ("sources/", "resolve/", "content/", "media/", "links/", "outdir.py")
UPPER = ("wxr2db.site", "wxr2db.cli")
UI_PACKAGES = ("typer", "tqdm")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module path imports, absolute: `from ..site import x` in wxr2db/media/fetch.py is
    wxr2db.site.x (a name imported from a package may be a module, so both are listed)."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def modules(*prefixes: str) -> list[Path]:
    paths = sorted(PACKAGE.rglob("*.py"))
    return [p for p in paths if p.relative_to(PACKAGE).as_posix().startswith(prefixes)] if prefixes else paths


def reaches(names: set[str], targets: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == t or n.startswith(t + ".") for t in targets))


def test_the_import_reader_resolves_relative_imports() -> None:
    fetch = imported(PACKAGE / "media" / "fetch.py")
    assert {"wxr2db.outdir", "wxr2db.errors.ManifestError", "wxr2db.media.paths"} <= fetch
    assert "wxr2db.site.links" in imported(PACKAGE / "site" / "render.py")  # `from .links import SiteLinks`
    assert "wxr2db.sqlite.browse" in imported(PACKAGE / "cli" / "commands.py")  # inside a function
    assert "typer" in imported(PACKAGE / "cli" / "commands.py")


@pytest.mark.parametrize("path", modules(*LOWER), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_lower_rooms_never_import_the_site_or_the_cli(path: Path) -> None:
    assert not reaches(imported(path), UPPER)


NOT_CLI = [p for p in modules() if not p.relative_to(PACKAGE).as_posix().startswith("cli/")]


@pytest.mark.parametrize("path", NOT_CLI, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_only_the_cli_imports_typer_and_tqdm(path: Path) -> None:
    assert not reaches(imported(path), UI_PACKAGES)
