"""wxr2db: turn a WordPress export (WXR) into a SQLite database and Markdown files."""

from .errors import BrokenExportError, NotAnExportError, SiteMismatchError, WxrError
from .records import Author, Comment, Meta, Post, PostTerm, Problem, Record, Site, Term
from .sources.wxr import iter_records

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
