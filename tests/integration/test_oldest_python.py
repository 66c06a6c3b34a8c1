"""wxr2db on the oldest Python pyproject.toml accepts. Every command stopped at its first import on
Python 3.10 (possessive quantifiers in a regular expression, importlib.resources.abc), while the
suite ran on 3.11 only."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, ROOT

CLAIMED = re.search(r'^requires-python = ">=(\d+)\.(\d+)"$', (ROOT / "pyproject.toml").read_text(encoding="utf-8"),
                    re.M)
EVERY_MODULE = ("import pkgutil, importlib, wxr2db\n"
                "for info in pkgutil.walk_packages(wxr2db.__path__, 'wxr2db.'):\n"
                "    importlib.import_module(info.name)\n")


def oldest_python() -> str | None:
    """An interpreter of the oldest version claimed: on PATH, or one pyenv installed."""
    assert CLAIMED is not None
    version = f"{CLAIMED.group(1)}.{CLAIMED.group(2)}"
    found = shutil.which(f"python{version}")
    candidates = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")))
    return found if found and "shims" not in found else (candidates[-1] if candidates else None)


@pytest.fixture(scope="module")
def old_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    python = oldest_python()
    if python is None:
        pytest.skip("no interpreter of the oldest Python pyproject.toml claims on this machine (PATH or pyenv)")
    env = tmp_path_factory.mktemp("oldest") / "venv"
    subprocess.run([python, "-m", "venv", str(env)], check=True, capture_output=True)
    installed = subprocess.run([str(env / "bin" / "pip"), "install", "-q", str(ROOT)], capture_output=True,
                               text=True, timeout=900, check=False)
    if installed.returncode != 0:
        pytest.skip(f"could not install wxr2db's dependencies for {python} (no package index?): "
                    f"{installed.stderr.strip().splitlines()[-1:]}")
    return env


@pytest.mark.slow
def test_every_module_imports_on_the_oldest_python(old_env: Path) -> None:
    done = subprocess.run([str(old_env / "bin" / "python"), "-c", EVERY_MODULE], capture_output=True, text=True,
                          cwd=old_env, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_commands_run_on_the_oldest_python(old_env: Path, tmp_path: Path) -> None:
    command = str(old_env / "bin" / "wxr2db")
    export = FIXTURES / "nav-menu.xml"
    runs = [[command, "import", str(export), "--db", str(tmp_path / "site.db")],
            [command, "import", str(export), "--db", str(tmp_path / "public.db"), "--public"],
            [command, "info", str(tmp_path / "site.db")],
            [command, "markdown", str(export), str(tmp_path / "hugo"), "--layout", "hugo", "--starter"],
            [command, "markdown", str(tmp_path / "site.db"), str(tmp_path / "jekyll"), "--layout", "jekyll",
             "--starter"]]
    for run in runs:
        done = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False)
        assert done.returncode == 0, (run[1:], done.stderr)
    assert list((tmp_path / "hugo").rglob("*.md")) and list((tmp_path / "jekyll").rglob("*.md"))
