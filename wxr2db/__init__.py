"""wxr2db: turn a WordPress export (WXR) into a SQLite database and Markdown files."""

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
from .site.export import export_markdown
from .site.options import MarkdownOptions
from .sources.wxr import iter_records
from .sqlite.save import ImportStats, Saver, save
from .sqlite.schema import ensure_db_shape

__version__ = "0.1.0"

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
