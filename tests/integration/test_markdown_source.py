"""`wxr2db markdown EXPORT` writes what `wxr2db import EXPORT` then `wxr2db markdown DB` writes, byte
for byte: the database `markdown` makes for itself from an export leaves out what rendering never
reads (search text, the files each body names), and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import CORPUS_REASON, ROOT, assert_ok, cli, corpus_params, synthetic_export

OPTIONS = ("--drafts", "--private", "--comments", "all", "--redirects", "netlify,nginx,apache")
FIXTURES = sorted((ROOT / "fixtures").glob("*.xml"))


def tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def both_ways(export: Path, tmp_path: Path, layout: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The tree written from the export, and the one written from its imported database."""
    options = ("--layout", layout, *OPTIONS, *(("--starter",) if layout != "plain" else ()))
    assert_ok(cli("markdown", export, tmp_path / "direct", *options, "--quiet"))
    db = tmp_path / "export.db"
    assert_ok(cli("import", export, "--db", db, "--quiet"))
    assert_ok(cli("markdown", db, tmp_path / "imported", *options, "--quiet"))
    return tree(tmp_path / "direct"), tree(tmp_path / "imported")


@pytest.mark.parametrize("export", FIXTURES, ids=lambda p: p.stem)
def test_an_export_is_written_as_its_database_is(export: Path, tmp_path: Path) -> None:
    direct, imported = both_ways(export, tmp_path, "hugo")
    assert any(name.endswith(".md") for name in direct)
    assert direct == imported


@pytest.mark.corpus
@pytest.mark.parametrize("export", corpus_params(), ids=lambda p: p.stem)
@pytest.mark.parametrize("layout", ["hugo", "eleventy"])
def test_a_real_export_is_written_as_its_database_is(export: Path, layout: str, tmp_path: Path) -> None:
    if not export.exists():
        pytest.skip(CORPUS_REASON)
    direct, imported = both_ways(export, tmp_path, layout)
    assert sum(name.endswith(".md") for name in direct) >= 5
    assert direct == imported


@pytest.mark.slow
def test_a_large_export_is_written_as_its_database_is(tmp_path_factory: pytest.TempPathFactory,
                                                      tmp_path: Path) -> None:
    """Past 4 MB the database is written by a second process, and the posts rendered by a pool."""
    export, items = synthetic_export(tmp_path_factory, 5_000_000, seed=11)
    direct, imported = both_ways(export, tmp_path, "jekyll")
    assert sum(name.endswith(".md") for name in direct) > 300 and items > 600
    assert direct == imported
