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


class NotAWxrDatabaseError(WxrError):
    """A file given as a database that is not one `wxr2db import` made (or not SQLite at all)."""


class ForeignDatabaseError(NotAWxrDatabaseError):
    """The --db file is another program's SQLite database; --force adds wxr2db's tables to it."""


class NoSuchDatabaseError(WxrError):
    """A database named on the command line does not exist."""


class DatabaseBusyError(WxrError):
    """Another wxr2db import, or another program, holds a lock on the database."""


class DatabaseChangedError(WxrError):
    """Another program wrote to the database while the import ran; the import was not swapped in."""


class DiskFullError(WxrError):
    """The disk filled up while the database was copied or built."""


class WriterError(WxrError):
    """The background process that writes the database failed or stopped."""


class DatasetteMissingError(WxrError):
    """`wxr2db browse` needs Datasette, an optional extra."""

    hint = "Install it with: pip install 'wxr2db[datasette]'"


class PortInUseError(WxrError):
    """`wxr2db browse` cannot listen where it was asked to."""

    hint = "Give another with --port."


class ManifestError(WxrError):
    """A manifest wxr2db keeps in OUTDIR (`.wxr2db-media.json`, `.wxr2db-manifest.json`) that cannot be
    read or is not one wxr2db wrote."""
