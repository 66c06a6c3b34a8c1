"""The manifest of the files wxr2db wrote into OUTDIR, and the writer that keeps the user's edits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..errors import ManifestError
from ..outdir import RefusedPath, SiteFolder, read_manifest, write_manifest
from .options import MarkdownStats

MANIFEST = ".wxr2db-manifest.json"
ABOUT = "Files wxr2db wrote, with their sha256; unedited ones may be rewritten."


def load_manifest(folder: SiteFolder, stats: MarkdownStats) -> dict[str, str]:
    """The sha256 of every file wxr2db wrote into OUTDIR before, by relative path. A manifest that
    cannot be read costs only a warning: every existing file is then kept as edited."""
    try:
        files = read_manifest(folder, MANIFEST, "manifest")
    except ManifestError:
        stats.warnings.append(f"{folder.root / MANIFEST} is unreadable; every existing file counts as edited")
        return {}
    return {str(k): str(v) for k, v in files.items()}


def save_manifest(folder: SiteFolder, manifest: dict[str, str], stats: MarkdownStats) -> None:
    try:
        write_manifest(folder, MANIFEST, manifest, ABOUT)
    except (OSError, RefusedPath) as error:
        stats.fail(MANIFEST, reason_of(error))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def reason_of(error: OSError | RefusedPath) -> str:
    return str(error) if isinstance(error, RefusedPath) else error.strerror or str(error)


def existing_reason(current: bytes, rel: str, data: bytes, manifest: dict[str, str],
                    overwrite: bool) -> str | None:
    """Why an existing file must be kept ("" when it already holds exactly this text), or None."""
    if current == data:
        return ""
    if overwrite:
        return None
    if rel not in manifest:
        return "not made by wxr2db"
    return None if manifest[rel] == sha256(current) else "edited by you"


@dataclass
class Writer:
    """Writes site files, counting them in stats, over no file the user made or edited (unless overwrite)."""

    folder: SiteFolder
    manifest: dict[str, str]
    overwrite: bool
    stats: MarkdownStats

    def write(self, rel: str, text: str) -> None:
        try:
            self.write_inside(rel, text.encode("utf-8"))
        except (OSError, RefusedPath) as error:
            self.stats.fail(rel, reason_of(error))

    def write_inside(self, rel: str, data: bytes) -> None:
        current = self.folder.read(rel)
        if current is not None:
            reason = existing_reason(current, rel, data, self.manifest, self.overwrite)
            if reason:
                self.stats.skipped[reason] += 1
                return
            if reason == "":
                self.manifest[rel] = sha256(data)
                self.stats.unchanged += 1
                return
        self.folder.write(rel, data)
        self.manifest[rel] = sha256(data)
        self.stats.written += 1
