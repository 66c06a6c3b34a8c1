from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED = FIXTURES / "sharing-and-collaboration.xml"
# The shared corpus sits beside the checkout for developers and CI; users do not have it.
CORPUS = ROOT.parent / "shared" / "corpus"


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.xml")) if CORPUS.is_dir() else []


def need_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"no WordPress corpus at {CORPUS} (it ships beside the checkout for developers only)")
