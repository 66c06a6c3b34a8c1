"""The errors wxr2db raises; the CLI prints each as one line with a hint."""

from __future__ import annotations


class WxrError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    hint: str = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint


class NotAnExportError(WxrError):
    """The file is XML (or not even that) but not a WordPress export."""

    hint = "Export the site again from Tools → Export in WordPress, or with `wp export`."


class BrokenExportError(WxrError):
    """The export stops being well-formed XML part-way through."""

    hint = "Try --recover to keep everything before and after the damage, or export the site again."


class SiteMismatchError(WxrError):
    """The database already holds a different site."""

    hint = "Use another --db, or pass --merge-sites to put both sites in one database."


class DamagedFileError(WxrError):
    """A .gz, .bz2 or .zip file that cannot be decompressed, or that expands beyond the limits."""

    hint = "Download or copy the export again; --recover cannot repair a damaged compressed file."
