"""write_templates puts the ready templates into a site and never touches a file the user has."""

from __future__ import annotations

from pathlib import Path

import pytest

from wxr2db.errors import WxrError
from wxr2db.outdir import RefusedPath, SiteFolder
from wxr2db.site.templates import LAYOUTS, template_files
from wxr2db.site.templates import write_templates as write_into


def write_templates(site: Path, layout: str) -> list[str]:
    with SiteFolder(site) as folder:
        return write_into(folder, layout)


def files_in(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*") if p.is_file()}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_writes_every_template_into_an_empty_site(tmp_path: Path, layout: str) -> None:
    assert write_templates(tmp_path, layout) == []
    assert files_in(tmp_path) == template_files(layout)
    assert write_templates(tmp_path, layout) == sorted(template_files(layout))


def test_keeps_the_users_files_and_reports_them(tmp_path: Path) -> None:
    mine = tmp_path / "layouts" / "_default" / "single.html"
    mine.parent.mkdir(parents=True)
    mine.write_text("my layout", encoding="utf-8")
    (tmp_path / "config.yaml").write_text("baseURL: /", encoding="utf-8")
    assert write_templates(tmp_path, "hugo") == ["hugo.toml", "layouts/_default/single.html"]
    kept = ("hugo.toml", "layouts/_default/single.html")
    expected = {k: v for k, v in template_files("hugo").items() if k not in kept}
    assert files_in(tmp_path) == {**expected, "layouts/_default/single.html": "my layout", "config.yaml": "baseURL: /"}


def test_a_dangling_symlink_is_the_users_file(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").symlink_to(tmp_path / "elsewhere.yml")
    assert write_templates(tmp_path, "jekyll") == ["_config.yml"]
    assert not (tmp_path / "elsewhere.yml").exists()


def test_refuses_a_symlinked_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    site = tmp_path / "site"
    site.mkdir()
    (site / "_includes").symlink_to(outside, target_is_directory=True)
    with pytest.raises(RefusedPath, match="symlink"):
        write_templates(site, "eleventy")
    assert list(outside.iterdir()) == []


def test_unknown_layout_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WxrError, match="no templates for layout 'plain'"):
        write_templates(tmp_path, "plain")
    assert list(tmp_path.iterdir()) == []


def test_astro_leaves_the_users_content_config_and_routes(tmp_path: Path) -> None:
    # Astro reads the first content config it finds, and orders two catch-all routes in one folder by
    # name, so ours would win over the user's `[...slug].astro`.
    mine = {"src/content/config.ts": "legacy config", "src/pages/posts/[...slug].astro": "my route"}
    for rel, text in mine.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    kept = ["src/content.config.ts", "src/pages/posts/[...id].astro"]
    assert write_templates(tmp_path, "astro") == kept
    expected = {k: v for k, v in template_files("astro").items() if k not in kept}
    assert files_in(tmp_path) == {**expected, **mine}
