"""wxr2db: turn a WordPress export (WXR) into a SQLite database and Markdown files."""

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    BrokenExportError,
    DamagedFileError,
    DatabaseBusyError,
    DatabaseChangedError,
    DiskFullError,
    ForeignDatabaseError,
    NoSuchDatabaseError,
    NotAnExportError,
    NotAWxrDatabaseError,
    SiteMismatchError,
    WriterError,
    WxrError,
)
from .records import Author, Comment, Meta, Post, PostTerm, Problem, Record, Site, Term

if TYPE_CHECKING:
    from .site.export import export_markdown
    from .site.options import MarkdownOptions
    from .sources.wxr import iter_records
    from .sqlite.save import ImportStats, Saver, save
    from .sqlite.schema import ensure_db_shape

    __version__: str

# Loaded on first use: every process wxr2db starts (the SQL writer, the render pool) imports this
# package first, and the Markdown side alone takes most of a second to import.
_LAZY = {
    "export_markdown": "site.export", "MarkdownOptions": "site.options", "iter_records": "sources.wxr",
    "ImportStats": "sqlite.save", "Saver": "sqlite.save", "save": "sqlite.save", "ensure_db_shape": "sqlite.schema",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return package_version()
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wxr2db' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def package_version() -> str:
    """The one source of the version is pyproject.toml, read back from the installed package's
    metadata (on first use: importlib.metadata costs every render worker ~20 ms to import)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wxr2db")
    except PackageNotFoundError:  # imported from a checkout that was never installed
        return "0+unknown"


__all__ = [
    "Author",
    "BrokenExportError",
    "Comment",
    "DamagedFileError",
    "DatabaseBusyError",
    "DatabaseChangedError",
    "DiskFullError",
    "ForeignDatabaseError",
    "ImportStats",
    "MarkdownOptions",
    "Meta",
    "NoSuchDatabaseError",
    "NotAWxrDatabaseError",
    "NotAnExportError",
    "Post",
    "PostTerm",
    "Problem",
    "Record",
    "Saver",
    "Site",
    "SiteMismatchError",
    "Term",
    "WriterError",
    "WxrError",
    "__version__",
    "ensure_db_shape",
    "export_markdown",
    "iter_records",
    "save",
]
