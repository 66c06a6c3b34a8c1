"""The theme unit test export read once per module, for the URL index and redirect tests."""

from __future__ import annotations

import pytest

from tests.helpers import ThemeExport, theme_unit_test_records


@pytest.fixture(scope="module")
def export() -> ThemeExport:
    return theme_unit_test_records()
