"""write_templates puts the ready templates into a site and never touches a file the user has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wxr2db.errors import WxrError
from wxr2db.outdir import RefusedPath, SiteFolder
from wxr2db.site.starter import SiteFacts
from wxr2db.site.templates import LAYOUTS, starter_files
from wxr2db.site.templates import template_files as package_files
from wxr2db.site.templates import write_templates as write_into


def template_files(layout: str) -> dict[str, str]:
    """Everything the starter writes for an export that says nothing (no title, menus or posts)."""
    return {**package_files(layout), **starter_files(layout, SiteFacts())}


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
    assert write_templates(tmp_path, "hugo") == ["hugo.yaml", "layouts/_default/single.html"]
    kept = ("hugo.yaml", "layouts/_default/single.html")
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


# --- the links a starter site relies on -------------------------------------------------------------


def test_a_plain_permalink_in_a_subfolder_gives_no_alias() -> None:
    from wxr2db.site.plan import old_path
    # WordPress's default permalinks: the path is the old blog's home, the query names the post.
    assert old_path("http://example.se/blog/?p=1") == ""
    assert old_path("http://example.se/blog/2010/06/x/") == "/blog/2010/06/x/"


def test_redirects_never_lead_to_another_host() -> None:
    from wxr2db.links.redirects import plan_redirects
    plan = plan_redirects([("/?attachment_id=5", "https://old.example.com/wp-content/uploads/a.jpg"),
                           ("/2010/06/x/", "/posts/x/")])
    assert [(r.path, r.target) for r in plan.redirects] == [("/2010/06/x/", "/posts/x/")]
    assert plan.dropped["target on another host"] == 1


def test_starter_config_takes_the_export_facts() -> None:
    from wxr2db.site.starter import MenuItem
    facts = SiteFacts(title='Hugo "quoted": title', tagline="A: b", language="sv", timezone="Europe/Stockholm",
                      menus={"main": [MenuItem("7", "About", "/about/", 1)]}, months=["2012/03"])
    import yaml
    config = yaml.safe_load(starter_files("hugo", facts)["hugo.yaml"])
    assert (config["title"], config["params"]["description"], config["languageCode"], config["timeZone"]) == (
        'Hugo "quoted": title', "A: b", "sv", "Europe/Stockholm")
    assert config["menus"]["main"] == [{"identifier": "7", "name": "About", "url": "/about/", "weight": 1}]
    archive = starter_files("hugo", facts)["content/archives.md"]
    assert yaml.safe_load(archive.split("---\n")[1])["aliases"] == ["/2012/", "/2012/03/"]


def test_starter_is_the_clearer_name_for_templates(tmp_path: Path) -> None:
    from tests.helpers import SEED, cli
    for flag in ("--starter", "--templates"):
        result = cli("markdown", str(SEED), str(tmp_path / flag), "--layout", "hugo", flag, "--quiet")
        assert result.exit_code == 0, result.output
        assert "title: Social Steve\n" in (tmp_path / flag / "hugo.yaml").read_text(encoding="utf-8")
        assert (tmp_path / flag / "layouts" / "index.html").is_file()


def test_one_stylesheet_for_all_four_starters() -> None:
    sheets = {layout: text for layout in LAYOUTS for name, text in package_files(layout).items()
              if name.endswith("wxr2db.css")}
    assert sorted(sheets) == sorted(LAYOUTS)
    assert len(set(sheets.values())) == 1  # one file, written where each generator publishes it
    assert ".wp-gallery" in sheets["hugo"] and "max-width: 100%" in sheets["hugo"]


def test_no_cat_redirect_for_a_term_id_the_export_never_had(tmp_path: Path) -> None:
    from tests.helpers import cli
    from tests.wxrbuild import category, export, header, item
    path = tmp_path / "site.xml"
    # cat-a is declared with its id 7; cat-b only appears on the post, so wxr2db made up an id for it.
    path.write_text(export(item(1, "One", "Body", categories=[("cat-a", "Cat A"), ("cat-b", "Cat B")]),
                           head=header(terms=category(7, "cat-a", "Cat A"))), encoding="utf-8")
    result = cli("markdown", str(path), str(tmp_path / "out"), "--layout", "hugo", "--redirects", "netlify", "-q")
    assert result.exit_code == 0, result.output
    rules = (tmp_path / "out" / "static" / "_redirects").read_text(encoding="utf-8")
    assert re.findall(r"cat=\S+", rules) == ["cat=7", "cat=7"]  # `/` and `/index.php`
    assert "/category/cat-b/ /categories/cat-b/" in rules


def test_menus_become_hugo_menus_with_links_rewritten(tmp_path: Path) -> None:
    import yaml

    from tests.helpers import FIXTURES, cli
    result = cli("markdown", str(FIXTURES / "nav-menu.xml"), str(tmp_path), "--layout", "hugo", "--starter", "-q")
    assert result.exit_code == 0, result.output
    menus = yaml.safe_load((tmp_path / "hugo.yaml").read_text(encoding="utf-8"))["menus"]
    # Custom links to the old site (https://bikekitchen.example.org/visit-us/#hours) point at the new pages.
    assert [(m["name"], m["url"], m.get("parent")) for m in menus["main"]] == [
        ("Home", "/", None), ("Visit us", "/visit-us/", None), ("Opening hours", "/visit-us/#hours", "21")]
    assert menus["main-menu"] == menus["main"]
