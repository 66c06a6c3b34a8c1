from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.helpers import SEED, import_path
from wxr2db.errors import WxrError
from wxr2db.sqlite.metadata import COLUMN_DESCRIPTIONS, datasette_metadata, save_metadata


def seed_db(path: Path) -> Path:
    db = Database(path)
    import_path(SEED, db)
    db.close()
    return path


def test_every_column_of_every_table_and_view_is_described() -> None:
    db, _ = import_path(SEED)
    tables = datasette_metadata(db, "x")["databases"]["x"]["tables"]
    names = [*db.table_names(), *db.view_names()]
    assert sorted(tables) == sorted(names)
    missing = [f"{t}.{c}" for t in names if not tables[t].get("hidden")
               for c in db[t].columns_dict if not tables[t]["columns"].get(c)]
    assert missing == []


def test_tables_carry_labels_facets_sorting_and_search() -> None:
    db, _ = import_path(SEED)
    tables = datasette_metadata(db, "x")["databases"]["x"]["tables"]
    picked = {t: {k: v for k, v in m.items() if k not in ("columns", "description")} for t, m in tables.items()
              if t in ("authors", "posts", "terms", "comments", "published_posts", "posts_fts", "posts_fts_data")}
    assert picked == {
        "authors": {"label_column": "display_name"},
        "posts": {"label_column": "title", "facets": ["post_type", "status", "year"], "sort_desc": "date",
                  "fts_table": "posts_fts", "fts_pk": "id"},
        "terms": {"label_column": "name", "facets": ["taxonomy"]},
        "comments": {"label_column": "author", "facets": ["approved", "type"], "sort_desc": "date",
                     "fts_table": "comments_fts", "fts_pk": "id"},
        "published_posts": {"facets": ["post_type", "year"], "sort_desc": "date",
                            "fts_table": "published_posts_fts", "fts_pk": "id"},
        "posts_fts": {"hidden": True},
        "posts_fts_data": {"hidden": True},
    }


def test_site_title_and_description_lead() -> None:
    db, _ = import_path(SEED)
    title, description, link = db.execute("SELECT title, description, link FROM site").fetchone()
    meta = datasette_metadata(db, "x")
    top = {k: v for k, v in meta.items() if k != "databases"}
    assert top == {"title": title, "description": description, "source_url": link,
                   "source": "WordPress export, imported by wxr2db"}


def test_save_metadata_writes_beside_the_database_and_replaces(tmp_path: Path) -> None:
    db_path = seed_db(tmp_path / "my site.db")
    (tmp_path / "my site.metadata.json").write_text("old")
    written = save_metadata(db_path)
    assert written == tmp_path / "my site.metadata.json"
    assert json.loads(written.read_text())["databases"].keys() == {"my site"}
    assert sorted(os.listdir(tmp_path)) == ["my site.db", "my site.metadata.json"]


def test_save_metadata_without_a_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(WxrError, match="no such database"):
        save_metadata(tmp_path / "none.db")
    assert list(tmp_path.iterdir()) == []



def test_posts_facet_by_year() -> None:
    db, _ = import_path(SEED)
    assert datasette_metadata(db, "x")["databases"]["x"]["tables"]["posts"]["facets"] == \
        ["post_type", "status", "year"]



def test_search_indexes_plain_text_not_html() -> None:
    db, _ = import_path(SEED)
    assert "plain_text" in db["posts"].columns_dict
    assert "plain_text" in db["posts_fts"].columns_dict
    assert "content" not in db["posts_fts"].columns_dict
    assert COLUMN_DESCRIPTIONS["posts"]["plain_text"]
