"""The site side of `wxr2db markdown` on small crafted exports: links rewritten or kept, media from a
folder, redirect files placed where each generator publishes static files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.helpers import cli, uploads_copy
from tests.wxrbuild import SITE, UPLOADS, crafted, export, item
from wxr2db.site.layouts import public_url


def run(*args: str) -> tuple[int, str]:
    result = cli("markdown", *args)
    return result.exit_code, result.stderr


def body_of(path: Path) -> tuple[dict[str, object], str]:
    _, matter, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(matter), body


def test_links_to_the_old_site_point_at_the_new_pages(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, err = run(str(crafted(tmp_path)), str(out), "--layout", "hugo")
    assert code == 0, err
    _, body = body_of(out / "content/posts/post-1/index.md")
    assert body == (
        "\n[two](/posts/post-2/#part) [by id](/posts/post-2/) [page of a file]"
        f"({UPLOADS}/a.jpg) [archive](/categories/cat-a/) [gone]({SITE}/gone/)"
        " [out](https://elsewhere.example/)\n\n"
        f"![A]({UPLOADS}/a.jpg)\n")
    # Offline, the size variant in the srcset is a file of the site that the export does not list.
    assert "links rewritten 4, unresolved 2 (listed in .wxr2db-unresolved-links.tsv)" in err
    assert (out / ".wxr2db-unresolved-links.tsv").read_text() == (
        f"link\ttimes\n{SITE}/gone/\t1\n{UPLOADS}/a-300x200.jpg\t1\n")
    assert not (out / "static").exists()  # offline: nothing fetched, no folder made


def test_no_rewrite_links_keeps_every_link(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, err = run(str(crafted(tmp_path)), str(out), "--layout", "hugo", "--no-rewrite-links")
    assert code == 0, err
    _, body = body_of(out / "content/posts/post-1/index.md")
    assert body.startswith(f"\n[two]({SITE}/post-2/#part) [by id]({SITE}/?p=2) "
                           f"[page of a file]({SITE}/?attachment_id=5) [archive]({SITE}/category/cat-a/)")
    assert "links rewritten" not in err
    assert not (out / ".wxr2db-unresolved-links.tsv").exists()


def test_media_from_a_folder_places_and_rewrites_every_reference(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, err = run(str(crafted(tmp_path)), str(out), "--layout", "hugo", "--media-from",
                    str(uploads_copy(tmp_path)))
    assert code == 0, err
    static = out / "static/wp-content/uploads/2020/01"
    assert sorted(p.name for p in static.iterdir()) == ["a-300x200.jpg", "a.jpg"]
    assert (static / "a.jpg").read_bytes() == b"image a.jpg"
    matter, body = body_of(out / "content/posts/post-1/index.md")
    assert matter["image"] == "/wp-content/uploads/2020/01/a.jpg"
    assert "[page of a file](/wp-content/uploads/2020/01/a.jpg)" in body
    assert body.endswith("![A](/wp-content/uploads/2020/01/a.jpg)\n")
    assert "media: 0 downloaded, 0 reused, 2 copied, 0 failed" in err


def test_srcset_variants_are_fetched_and_no_reference_to_the_old_host_is_left(tmp_path: Path) -> None:
    path = tmp_path / "raw.xml"
    html = f'<figure><img src="{UPLOADS}/a.jpg" srcset="{UPLOADS}/a.jpg 1x, {UPLOADS}/a-300x200.jpg 300w"></figure>'
    path.write_text(export(item(1, "One", f"<!-- wp:html -->{html}<!-- /wp:html -->")), encoding="utf-8")
    out = tmp_path / "out"
    code, err = run(str(path), str(out), "--layout", "hugo", "--media-from", str(uploads_copy(tmp_path)))
    assert code == 0, err
    assert (out / "static/wp-content/uploads/2020/01/a-300x200.jpg").read_bytes() == b"image a-300x200.jpg"
    assert body_of(out / "content/posts/post-1/index.md")[1] == "\n![](/wp-content/uploads/2020/01/a.jpg)\n"


def test_a_file_missing_from_the_copy_is_left_as_it_was_and_fails_the_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, err = run(str(crafted(tmp_path)), str(out), "--layout", "hugo", "--media-from",
                    str(uploads_copy(tmp_path, ("a.jpg",))))
    assert code == 1
    assert f"not fetched: {UPLOADS}/a-300x200.jpg: not-in-copy" in err
    failures = (out / ".wxr2db-media-failures.tsv").read_text().splitlines()
    assert failures[1].split("\t")[:3] == [f"{UPLOADS}/a-300x200.jpg", "wp-content/uploads/2020/01/a-300x200.jpg",
                                           "not-in-copy"]
    assert len(failures) == 2
    matter, _ = body_of(out / "content/posts/post-1/index.md")  # everything else was still written
    assert matter["image"] == "/wp-content/uploads/2020/01/a.jpg"
    assert (out / "content/posts/post-2/index.md").is_file()


@pytest.mark.parametrize(("layout", "root"), [("hugo", "static/"), ("jekyll", ""), ("eleventy", ""),
                                              ("astro", "public/"), ("plain", "")])
def test_redirect_files_go_where_the_generator_publishes_static_files(layout: str, root: str,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, err = run(str(crafted(tmp_path)), str(out), "--layout", layout, "--redirects", "netlify,nginx,apache")
    assert code == 0, err
    names = ("_redirects", ".htaccess", "wxr2db-redirects.http.conf", "wxr2db-redirects.server.conf")
    assert all((out / f"{root}{name}").is_file() for name in names)
    rules = (out / f"{root}_redirects").read_text().splitlines()
    new = {"hugo": "/posts/post-1/", "jekyll": "/2020/01/01/post-1/", "eleventy": "/posts/post-1/",
           "astro": "/posts/post-1/", "plain": "/posts/post-1/"}[layout]
    assert f"/post-1/ {new} 301" in rules
    assert f"/ p=1 {new} 301!" in rules
    assert "redirect rules" in err


def test_unknown_redirect_format_is_one_line(tmp_path: Path) -> None:
    code, err = run(str(crafted(tmp_path)), str(tmp_path / "out"), "--redirects", "iis")
    assert code == 1
    assert err == "Error: --redirects: unknown format 'iis'. Choose from netlify, nginx, apache.\n"


@pytest.mark.parametrize(("layout", "path", "url"), [
    ("hugo", "content/posts/a/index.md", "/posts/a/"),
    ("hugo", "content/about/team/_index.md", "/about/team/"),
    ("jekyll", "_posts/2010-06-14-a.md", "/2010/06/14/a/"),
    ("jekyll", "about/team.md", "/about/team/"),
    ("jekyll", "_product/a.md", "/product/a/"),
    ("eleventy", "posts/a.md", "/posts/a/"),
    ("eleventy", "about.md", "/about/"),
    ("astro", "src/content/posts/a.md", "/posts/a/"),
    ("astro", "src/content/pages/about/team.md", "/about/team/"),
    ("plain", "pages/about.md", "/pages/about/"),
])
def test_public_url_per_layout(layout: str, path: str, url: str) -> None:
    assert public_url(layout, path) == url


def test_an_alias_never_equals_the_pages_own_url(tmp_path: Path) -> None:
    path = tmp_path / "dated.xml"
    path.write_text(export(item(1, "One").replace(f"<link>{SITE}/post-1/</link>",
                                                  f"<link>{SITE}/2020/01/01/post-1/</link>")), encoding="utf-8")
    for layout, key, expected in (("jekyll", "redirect_from", None), ("hugo", "aliases", ["/2020/01/01/post-1/"])):
        out = tmp_path / layout
        code, err = run(str(path), str(out), "--layout", layout)
        assert code == 0, err
        (written,) = [p for p in out.rglob("*.md")]
        assert body_of(written)[0].get(key) == expected


def test_another_sites_uploads_are_never_fetched(tmp_path: Path) -> None:
    path = tmp_path / "links.xml"
    other = "https://other.example/wp-content/uploads/2020/01/a.jpg"
    path.write_text(export(item(1, "One", f'<img src="{UPLOADS}/a.jpg"> <a href="{other}">theirs</a>')),
                    encoding="utf-8")
    out = tmp_path / "out"
    code, err = run(str(path), str(out), "--layout", "hugo", "--media-from", str(uploads_copy(tmp_path)))
    assert code == 0, err
    assert body_of(out / "content/posts/post-1/index.md")[1] == (
        f"\n![](/wp-content/uploads/2020/01/a.jpg) [theirs]({other})\n")
    assert "media: 0 downloaded, 0 reused, 1 copied, 0 failed" in err


@pytest.mark.parametrize(("given", "message"), [
    ("no-such-folder", "Error: --media-from no-such-folder: no such folder. Give the uploads folder (the one "
                       "holding YYYY/MM/name), or an http(s) URL.\n"),
    ("ftp://example.com/up", "Error: --media-from ftp://example.com/up: not an http(s) URL. Give a folder, or an "
                             "http:// or https:// URL.\n"),
])
def test_a_bad_media_from_is_one_line_and_writes_nothing(given: str, message: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = run(str(crafted(tmp_path)), str(tmp_path / "out"), "--media-from", given)
    assert (code, err) == (1, message)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("layout", "root"), [("hugo", "static/"), ("jekyll", ""), ("eleventy", ""),
                                              ("astro", "public/"), ("plain", "")])
def test_media_go_where_the_generator_publishes_static_files(layout: str, root: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, err = run(str(crafted(tmp_path)), str(out), "--layout", layout, "--media-from", str(uploads_copy(tmp_path)))
    assert code == 0, err
    placed = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.jpg"))
    assert placed == [f"{root}wp-content/uploads/2020/01/a-300x200.jpg", f"{root}wp-content/uploads/2020/01/a.jpg"]
