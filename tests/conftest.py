"""The suite's switches: --update-goldens, the golden fixture, the `corpus` mark on tests/corpus/, and the
skipping of corpus tests where the corpus is absent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CORPUS, CORPUS_REASON

CORPUS_FOLDER = Path(__file__).parent / "corpus"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="write what the golden tests produce into tests/golden instead of comparing")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Everything under tests/corpus/ reads the corpus: marked here rather than in each file.
    for item in items:
        if CORPUS_FOLDER in item.path.parents:
            item.add_marker(pytest.mark.corpus)
    if CORPUS.is_dir():
        return
    # Put first, so this reason wins over "got empty parameter set" and the like.
    skip = pytest.mark.skip(reason=CORPUS_REASON)
    for item in items:
        if item.get_closest_marker("corpus"):
            item.add_marker(skip, append=False)


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[Path, str], None]:
    """check(path, text): text must equal the golden file at path; with --update-goldens it becomes it."""
    update = bool(request.config.getoption("--update-goldens"))

    def check(path: Path, text: str) -> None:
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8"), f"rerun with pytest --update-goldens to accept {path}"

    return check
