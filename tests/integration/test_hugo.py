"""The seed post, written with --layout hugo, builds with a real Hugo into the same HTML WordPress shows."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.generators import make_hugo_site
from tests.helpers import SEED, cli

HUGO = shutil.which("hugo")
pytestmark = [pytest.mark.generators,
              pytest.mark.skipif(HUGO is None, reason="hugo not installed; .ci/run installs it with apt-get")]

@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hugo-site")
    make_hugo_site(root)
    result = cli("markdown", str(SEED), str(root), "--layout", "hugo", "--quiet")
    assert result.exit_code == 0, result.output
    assert HUGO is not None
    subprocess.run([HUGO, "--quiet", "--source", str(root)], check=True, timeout=120, capture_output=True)
    return root / "public"


@pytest.mark.generators
def test_hugo_renders_the_seed_body(built_site: Path) -> None:
    page = (built_site / "posts" / "sharing-and-collaboration" / "index.html").read_text(encoding="utf-8")
    found = re.search(r'<div class="content">(.*)</div>\s*<footer>', page, re.S)
    assert found, page
    content = found.group(1)
    assert content.count("<p>") == 14
    assert len(re.findall(r"<br\s*/?>", content)) == 2
    assert 'href="http://socialsteve.example.com/2010/05/delivering-happiness-review/"' in content
    assert ('href="http://socialsteve.example.com/2010/04/'
            'how-social-media-has-prepared-us-for-collaborative-business/"') in content
    assert "<ol" not in content and "1) What are you doing" in content
    assert '<h1 class="title">Sharing and Collaboration</h1>' in page
    assert page.count("<li>") == 6  # the top-level comments reached the template through the front matter


@pytest.mark.generators
def test_hugo_redirects_the_old_permalink(built_site: Path) -> None:
    alias = built_site / "2010" / "06" / "14" / "sharing-and-collaboration" / "index.html"
    assert "/posts/sharing-and-collaboration/" in alias.read_text(encoding="utf-8")
