"""links.diskmap: a dict in a SQLite file, read by forked and spawned processes alike."""

from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path
from typing import Any

import pytest

from wxr2db.links.diskmap import DiskMap


def test_it_answers_as_a_dict_does(tmp_path: Path) -> None:
    disk: DiskMap[Any, str] = DiskMap(tmp_path / "map.db", "things", str, str)
    plain: dict[Any, str] = {}
    pairs: list[tuple[Any, str]] = [("b", "1"), (2, "2"), ("2", "3"), ("b", "4"), ("a", "5")]
    for key, value in pairs:
        assert disk.setdefault(key, value) == plain.setdefault(key, value)
    disk["a"] = plain["a"] = "6"
    disk["c"] = plain["c"] = "7"
    assert list(disk.items()) == list(plain.items()) == [("b", "1"), (2, "2"), ("2", "3"), ("a", "6"), ("c", "7")]
    assert [disk.get(k) for k in ("b", 2, "2", "x", 3)] == [plain.get(k) for k in ("b", 2, "2", "x", 3)]
    assert ("a" in disk, "x" in disk, 2 in disk, None in disk) == (True, False, True, False)
    assert len(disk) == 5 and bool(disk) and not bool(DiskMap(tmp_path / "other.db", "t", str, str))
    with pytest.raises(KeyError):
        disk["x"]


def read_back(disk: DiskMap[str, str], key: str) -> str | None:
    return disk.get(key)


def test_other_processes_read_it_forked_or_spawned(tmp_path: Path) -> None:
    disk: DiskMap[str, str] = DiskMap(tmp_path / "map.db", "things", str, str)
    disk["key"] = "value"
    assert pickle.loads(pickle.dumps(disk)).get("key") == "value"
    for method in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context(method).Pool(1) as pool:
            assert pool.apply(read_back, (disk, "key")) == "value", method
    assert disk.get("key") == "value"  # this process's own connection still works after the forks
