"""`wxr2db import --public`: the redacted database holds nothing the site did not show its readers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.helpers import FIXTURES, THEME_UNIT_TEST, cli

EXPORTS = [pytest.param(THEME_UNIT_TEST, marks=pytest.mark.corpus), FIXTURES / "wxr-1.1.xml"]
# Deliberately looser than the redaction's own patterns, so a miss there shows here.
EMAIL = re.compile(r"[^\s@<>\"']+@[^\s@<>\"']+\.[A-Za-z]{2,}")
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
                  r"|(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4})?|::1)(?![\w:])")
POST_ID_COLUMNS = {("posts", "id"), ("posts", "parent_id"), ("post_terms", "post_id"), ("postmeta", "post_id"),
                   ("comments", "post_id"), ("published_posts", "id")}


def imported(export: Path, folder: Path, *flags: str) -> Database:
    db_path = folder / ("public.db" if flags else "full.db")
    result = cli("import", str(export), "--db", str(db_path), "-q", *flags)
    assert result.exit_code == 0, result.output
    assert db_path.with_name(db_path.stem + ".metadata.json").is_file()
    return Database(db_path)


def every_value(db: Database) -> list[tuple[str, str, object]]:
    return [(table, column, value) for table in db.table_names()
            for column in db[table].columns_dict
            for (value,) in db.execute(f"SELECT [{column}] FROM [{table}]")]


@pytest.mark.parametrize("export", EXPORTS, ids=lambda p: p.name)
def test_public_database_holds_no_private_data(export: Path, tmp_path: Path) -> None:
    full = imported(export, tmp_path)
    public = imported(export, tmp_path, "--public")
    passwords = {p for (p,) in full.execute("SELECT password FROM posts WHERE password != ''")}
    hidden = {i for (i,) in full.execute(
        "SELECT id FROM posts WHERE post_type IN ('post', 'page') AND (status != 'publish' OR password != '')")}
    found = []
    for table, column, value in every_value(public):
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        if EMAIL.search(text) or IPV4.search(text) or IPV6.search(text) or text in passwords:
            found.append((table, column, text[:80]))
        if (table, column) in POST_ID_COLUMNS and value in hidden:
            found.append((table, column, text))
    assert found == []
    assert public.execute("SELECT count(*) FROM comments WHERE approved != '1'").fetchone()[0] == 0
    published = full.execute("SELECT count(*) FROM posts WHERE post_type IN ('post', 'page') AND status = 'publish' "
                             "AND coalesce(password, '') = ''").fetchone()[0]
    assert public.execute("SELECT count(*) FROM posts WHERE post_type IN ('post', 'page')").fetchone()[0] \
        == published > 0


def test_public_import_keeps_approved_comments_without_contact_data(tmp_path: Path) -> None:
    public = imported(FIXTURES / "wxr-1.1.xml", tmp_path, "--public")
    full = Database(tmp_path / "public.db")
    rows = [tuple(r) for r in full.execute("SELECT author_email, author_ip FROM comments")]
    assert rows and set(rows) == {(None, None)}
    assert public.execute("SELECT count(*) FROM authors WHERE email IS NOT NULL").fetchone()[0] == 0
