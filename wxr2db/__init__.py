"""wxr2db: turn a WordPress export (WXR) into a SQLite database and Markdown files."""

from .errors import BrokenExportError, NotAnExportError, SiteMismatchError, WxrError
from .reader import iter_records
from .records import Author, Comment, Meta, Post, PostTerm, Problem, Record, Site, Term

__version__ = "0.1.0"

__all__ = [
    "Author",
    "BrokenExportError",
    "Comment",
    "Meta",
    "NotAnExportError",
    "Post",
    "PostTerm",
    "Problem",
    "Record",
    "Site",
    "SiteMismatchError",
    "Term",
    "WxrError",
    "__version__",
    "iter_records",
]
