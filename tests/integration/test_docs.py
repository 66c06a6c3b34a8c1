"""The documentation stays true: every module in the architecture doc, the examples run, one version."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

import wxr2db
from tests.helpers import ROOT, cli, console_examples

PACKAGE = ROOT / "wxr2db"
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
# The docs this branch writes; a relative link in them must point at a file that exists.
OWN_DOCS = ("CHANGELOG.md", "CONTRIBUTING.md", "docs/ARCHITECTURE.md", "docs/PERFORMANCE.md", "docs/MARKDOWN.md",
            "docs/DATABASE.md")
# Docs that work in parallel with this branch adds: linked from the README, checked once they exist.
COMING_DOCS = {"docs/PUBLIC.md", "docs/MEDIA.md", "docs/SECURITY.md", "docs/LIMITS.md", "docs/BROWSE.md",
               "docs/SITES.md", "docs/CONTENT.md"}


def package_modules() -> set[str]:
    """Every module under wxr2db/, as the doc names it: `site/render.py`, and a package as `site/`."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if path.name == "__init__.py" and path.parent != PACKAGE:
            relative = relative.removesuffix("__init__.py")
        names.add(relative)
    return names


def documented_modules() -> set[str]:
    """The backticked names in the doc's "## Modules" section."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("\n## Modules\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\s*- `([\w/]+(?:\.py|/))`", section, re.M))


def first_line(module: str) -> str:
    path = PACKAGE / (module + "__init__.py" if module.endswith("/") else module)
    docstring = re.match(r'\s*(?:"""|\'\'\')(.*)', path.read_text(encoding="utf-8"))
    return docstring.group(1).strip().rstrip('"') if docstring else "what it does"


def test_every_module_has_its_line_in_the_architecture_doc() -> None:
    missing = sorted(package_modules() - documented_modules())
    hints = [f"  - `{name}` — {first_line(name)}" for name in missing]
    paths = ", ".join(f"wxr2db/{name}" for name in missing)
    assert not missing, (f"docs/ARCHITECTURE.md, section Modules, does not name {paths}; "
                         "add a line for each to its folder's list, in this form:\n" + "\n".join(hints))


def test_the_architecture_doc_names_no_module_that_is_gone() -> None:
    gone = sorted(documented_modules() - package_modules())
    assert not gone, ("docs/ARCHITECTURE.md, section Modules, names modules that are not under wxr2db/ "
                      f"(moved or removed? rename or remove their lines): {', '.join(gone)}")


def test_the_module_list_check_finds_a_new_module(tmp_path: Path) -> None:
    """The check above reads real files: a module added to a package shows up, named by its path."""
    assert {"__init__.py", "cli/", "cli/commands.py", "site/", "site/render.py", "sources/wxr.py"} <= package_modules()
    assert "site/__init__.py" not in package_modules()
    assert {"site/render.py", "sqlite/"} <= documented_modules()


def test_the_version_has_one_source() -> None:
    assert wxr2db.__version__ == version("wxr2db")
    assert cli("--version").output.strip() == f"wxr2db {version('wxr2db')}"
    assert "__version__ =" not in (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = re.findall(r"^## (\d+\.\d+\.\d+)", changelog, re.M)
    assert released and released[0] == version("wxr2db"), "CHANGELOG.md's newest version is not pyproject's"


def test_the_readme_is_short_and_keeps_its_ci_blocks() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    for marker in ("<!-- ci: main -->", "<!-- ci: test -->"):
        assert text.count(marker) == 1 and text.split(marker, 1)[1].lstrip().startswith("```bash")


@pytest.mark.parametrize("doc", ["README.md", *OWN_DOCS])
def test_relative_links_point_at_files_that_exist(doc: str) -> None:
    """Links to the docs other work adds (COMING_DOCS) are checked once they are in the tree."""
    path = ROOT / doc
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
        if "://" in target:
            continue
        resolved = (path.parent / target).resolve()
        if target in COMING_DOCS and not resolved.exists():
            continue
        assert resolved.exists(), f"{doc} links to {target}, which does not exist"


@pytest.mark.slow
def test_the_readme_python_example_runs(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    [example] = re.findall(r"```python\n(.*?)```", text, re.S)
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    done = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["Sharing and Collaboration 9", "1 post; 9 comments, 5 terms, 1 author; 0 warnings"]
    assert lines[2] == "---" and "title: Sharing and Collaboration" in lines
    assert (tmp_path / "blog.db").exists() and (tmp_path / "site" / "content" / "posts").is_dir()


def test_the_markdown_docs_examples_print_what_they_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    monkeypatch.chdir(tmp_path)
    examples = [(c, o) for c, o in console_examples(ROOT / "docs" / "MARKDOWN.md") if c.startswith("wxr2db ")]
    assert len(examples) >= 2
    for command, expected in examples:
        result = cli(*shlex.split(command)[1:])
        assert result.exit_code == 0, result.output
        assert result.output.strip("\n") == expected, command
