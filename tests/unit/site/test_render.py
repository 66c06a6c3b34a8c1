"""`wxr2db markdown`: front matter, layouts, what is skipped, safe paths, the manifest, the pool, the CLI."""

from __future__ import annotations

import gc
import multiprocessing
import re
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt
from sqlite_utils import Database

from tests.helpers import (
    FIXTURES,
    GOLDEN,
    SEED,
    cli,
    corpus_files,
    export_site,
    import_export,
    records_db,
    split,
)
from wxr2db.links.rewrite import LinkCounts
from wxr2db.records import Comment, Post, PostTerm
from wxr2db.site.front_matter import PureDumper, dump_front_matter, yaml_text
from wxr2db.site.layouts import LAYOUTS
from wxr2db.site.links import SiteOptions
from wxr2db.site.names import WINDOWS_RESERVED, safe_segment
from wxr2db.site.options import MarkdownOptions
from wxr2db.site.plan import Target
from wxr2db.site.pool import START_METHOD, rendered_posts
from wxr2db.site.render import RenderedPost, render_post
from wxr2db.site.views import PostView, Style

GOLDEN_MARKDOWN = GOLDEN / "markdown"
SEED_LINKS = (
    "http://socialsteve.example.com/2010/05/delivering-happiness-review/",
    "http://socialsteve.example.com/2010/04/how-social-media-has-prepared-us-for-collaborative-business/",
)


# --- helpers --------------------------------------------------------------------------------------


def written(outdir: Path) -> dict[str, str]:
    return {p.relative_to(outdir).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(outdir.rglob("*.md"))}


def html_of(markdown: str) -> str:
    html: str = MarkdownIt("commonmark", {"html": False}).render(markdown)
    return html


def comment_ids(comments: list[dict[str, Any]]) -> list[int]:
    return [c["id"] for c in comments]


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return import_export(SEED, tmp_path_factory.mktemp("seed"))


@pytest.fixture(scope="module")
def seed_file(seed_db: Database, tmp_path_factory: pytest.TempPathFactory) -> str:
    outdir = tmp_path_factory.mktemp("seed-out")
    export_site(seed_db, outdir)
    return (outdir / "posts" / "sharing-and-collaboration.md").read_text(encoding="utf-8")


# --- the seed post --------------------------------------------------------------------------------


def test_seed_body_renders_to_the_same_paragraphs_breaks_and_links(seed_file: str) -> None:
    _, body = split(seed_file)
    page = html_of(body)
    assert page.count("<p>") == 14
    assert page.count("<br />") == 2
    for link in SEED_LINKS:
        assert f'<a href="{link}">' in page
    assert "<ol" not in page
    assert "1) What are you doing" in page


def test_seed_front_matter(seed_file: str) -> None:
    matter, _ = split(seed_file)
    assert "\ndate: 2010-06-14T09:30:00-04:00\n" in seed_file
    assert isinstance(matter["date"], datetime)
    assert matter["date"].isoformat() == "2010-06-14T09:30:00-04:00"
    assert matter["lastmod"].isoformat() == "2010-06-17T22:15:04-04:00"
    assert matter["title"] == "Sharing and Collaboration"
    assert matter["slug"] == "sharing-and-collaboration"
    assert matter["author"] == "Social Steve"
    assert matter["categories"] == ["change management", "social media", "Social Steve"]
    assert matter["tags"] == ["socialmedia", "SocialSteve"]
    assert matter["aliases"] == ["/2010/06/14/sharing-and-collaboration/"]
    assert matter["wordpress_id"] == 1024
    assert "draft" not in matter


def test_seed_comments_are_nested_as_threads(seed_file: str) -> None:
    comments = split(seed_file)[0]["comments"]
    assert comment_ids(comments) == [101, 102, 103, 106, 108, 109]
    melissa = comments[2]
    assert melissa["author"] == "Melissa Lande"
    assert comment_ids(melissa["replies"]) == [104]
    assert comment_ids(melissa["replies"][0]["replies"]) == [105]
    assert "replies" not in melissa["replies"][0]["replies"][0]
    jan = comments[3]
    assert jan["author"] == "Jan" and comment_ids(jan["replies"]) == [107]
    assert "author_url" not in comments[0]  # Dana left no URL
    assert comments[1]["author_url"] == "http://jamessnider.example.org/"
    assert comments[0]["date"].isoformat() == "2010-06-14T11:02:37-04:00"
    assert "approved" not in comments[0]  # only with --comments all
    assert "[here](http://shropshirejelly.example.co.uk/about-jelly/)" in jan["content"]

    def count(items: list[dict[str, Any]]) -> int:
        return sum(1 + count(c.get("replies", [])) for c in items)

    assert count(comments) == 9


@pytest.mark.parametrize("layout", LAYOUTS)
def test_golden_file_per_layout(layout: str, seed_db: Database, tmp_path: Path,
                                golden: Callable[[Path, str], None]) -> None:
    export_site(seed_db, tmp_path, layout=layout)
    (text,) = written(tmp_path).values()
    golden(GOLDEN_MARKDOWN / f"{layout}.md", text)


@pytest.mark.parametrize(("layout", "path", "keys"), [
    ("hugo", "content/posts/sharing-and-collaboration/index.md", {"date", "lastmod", "aliases", "summary"}),
    ("jekyll", "_posts/2010-06-14-sharing-and-collaboration.md",
     {"date", "last_modified_at"}),  # published at its old /2010/06/14/… URL: no redirect_from
    ("eleventy", "posts/sharing-and-collaboration.md", {"date", "aliases"}),
    ("astro", "src/content/posts/sharing-and-collaboration.md", {"pubDate", "updatedDate", "aliases"}),
    ("plain", "posts/sharing-and-collaboration.md", {"date", "lastmod", "aliases"}),
])
def test_each_layout_puts_the_post_where_its_generator_looks(
    layout: str, path: str, keys: set[str], seed_db: Database, tmp_path: Path
) -> None:
    export_site(seed_db, tmp_path, layout=layout)
    files = written(tmp_path)
    assert list(files) == [path]
    matter, _ = split(files[path])
    assert keys - {"summary"} <= set(matter)  # the seed post has no excerpt, so no summary
    assert matter["title"] == "Sharing and Collaboration"


def test_keep_permalinks_publishes_at_the_old_path(seed_db: Database, tmp_path: Path) -> None:
    for layout, key in (("hugo", "url"), ("jekyll", "permalink"), ("eleventy", "permalink")):
        export_site(seed_db, tmp_path / layout, layout=layout, keep_permalinks=True)
        matter, _ = split(next(iter(written(tmp_path / layout).values())))
        assert matter[key] == "/2010/06/14/sharing-and-collaboration/"
        assert "aliases" not in matter and "redirect_from" not in matter


# --- render_post on its own -----------------------------------------------------------------------


@pytest.mark.parametrize("title", ["yes", "null", "- a list?", "key: value", "#hash", '"quoted"', "3.14",
                                   "Fish &amp; <em>Chips</em>", "2010-06-14", "line\nbreak", "'single'"])
def test_titles_survive_yaml(title: str) -> None:
    matter, _ = split(render_post(PostView(1, title=title, slug="x")))
    expected = " ".join(title.replace("&amp;", "&").replace("<em>", "").replace("</em>", "").split())
    assert matter["title"] == expected


def test_render_post_is_pure_and_keeps_offsets_per_post() -> None:
    post = PostView(7, title="T", slug="t", date="2010-01-14T09:30:00", date_gmt="2010-01-14T14:30:00",
                    excerpt="<p>Short &amp; sweet</p>", terms={"post_format": ["aside"], "genre": ["Crime"]})
    text = render_post(post, Style("hugo"))
    assert text == render_post(post, Style("hugo"))
    matter, body = split(text)
    assert matter["date"].isoformat() == "2010-01-14T09:30:00-05:00"  # EST in winter
    assert matter["summary"] == "Short & sweet"
    assert matter["format"] == "aside" and matter["genre"] == ["Crime"]
    assert body == ""


def test_render_post_takes_a_record_without_a_database(tmp_path: Path) -> None:
    """A record as iter_records yields it renders as the database's copy of it does (no attachments)."""
    post = Post(5, status="publish", slug="five", title="Five &amp; more", author="ann", link="http://x.test/five/",
                date="2010-01-14 09:30:00", date_gmt="2010-01-14 14:30:00", content="<p>Hi <b>there</b></p>",
                terms=(PostTerm("post_tag", "b", "Bee"), PostTerm("category", "a", "Ay")),
                comments=(Comment(2, content="late", date="2010-01-16 10:00:00"),
                          Comment(1, content="early", date="2010-01-15 10:00:00"),
                          Comment(3, parent_id=1, content="reply", date="2010-01-17 10:00:00")))
    export_site(records_db([post], tmp_path), tmp_path / "out", layout="hugo", site=SiteOptions(rewrite_links=False))
    written = (tmp_path / "out" / "content/posts/five/index.md").read_text(encoding="utf-8")
    assert render_post(post, Style("hugo")) == written
    assert [c["content"] for c in split(written)[0]["comments"]] == ["early", "late"]


def test_dates_without_gmt_have_no_offset_and_drafts_without_dates_have_none() -> None:
    local_only = split(render_post(PostView(1, slug="a", status="draft", date="2011-09-10T16:48:02")))[0]
    assert local_only["date"] == datetime(2011, 9, 10, 16, 48, 2) and local_only["draft"] is True
    assert "date" not in split(render_post(PostView(2, slug="b", status="draft")))[0]


@pytest.mark.parametrize("text", ["🀄 mahjong", "\U0001D518\U0001D52B and \ue000 private use",
                                  "emoji 😀\nin a block",
                                  "\ue000\ue001" + "".join(chr(0x1F600 + n) for n in range(40))])
def test_front_matter_bytes_do_not_depend_on_libyaml(text: str) -> None:
    entries = {"title": text, "comments": [{"content": text + "\n\nmore", "replies": [{"author": text}]}]}
    assert dump_front_matter(entries) == yaml_text(entries, PureDumper)
    assert yaml.safe_load(dump_front_matter(entries)) == entries
    assert "\\U" not in dump_front_matter(entries)


def test_a_plugin_taxonomy_cannot_replace_a_front_matter_key() -> None:
    matter, _ = split(render_post(PostView(1, title="Real", slug="a", terms={"title": ["Fake"]})))
    assert matter["title"] == "Real" and matter["taxonomy_title"] == ["Fake"]


# --- what gets written ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wxr11_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return import_export(FIXTURES / "wxr-1.1.xml", tmp_path_factory.mktemp("wxr11"))


def ids_in(outdir: Path) -> set[int]:
    return {split(text)[0]["wordpress_id"] for text in written(outdir).values()}


def test_drafts_private_and_password_posts_are_not_written_by_default(wxr11_db: Database,
                                                                      tmp_path: Path) -> None:
    stats = export_site(wxr11_db, tmp_path)
    assert 63 not in ids_in(tmp_path) and 51 not in ids_in(tmp_path) and 44 not in ids_in(tmp_path)
    assert stats.skipped == {"draft": 1, "private": 1, "password": 1}
    assert "skipped 3 (1 draft, 1 password, 1 private)" in stats.summary()


def test_drafts_private_and_password_posts_are_written_when_asked(wxr11_db: Database, tmp_path: Path) -> None:
    export_site(wxr11_db, tmp_path / "drafts", drafts=True)
    assert 63 in ids_in(tmp_path / "drafts") and 51 not in ids_in(tmp_path / "drafts")
    stats = export_site(wxr11_db, tmp_path / "all", drafts=True, private=True, layout="jekyll")
    assert {44, 51, 63} <= ids_in(tmp_path / "all") and not stats.skipped
    draft = (tmp_path / "all" / "_drafts" / "rye-crackers-unfinished.md").read_text(encoding="utf-8")
    matter, _ = split(draft)
    assert matter["wordpress_id"] == 63 and "draft" not in matter  # Jekyll knows drafts by their folder
    assert matter["date"] == datetime(2011, 9, 10, 16, 48, 2)  # post_date_gmt is 0000-00-00: no offset


def test_jekyll_draft_pages_are_unpublished(tmp_path: Path) -> None:
    db = records_db([Post(1, post_type="page", slug="soon", status="draft", title="Soon")], tmp_path)
    export_site(db, tmp_path / "out", layout="jekyll", drafts=True)
    assert split((tmp_path / "out/soon.md").read_text(encoding="utf-8"))[0]["published"] is False


def test_hugo_drafts_say_draft(wxr11_db: Database, tmp_path: Path) -> None:
    export_site(wxr11_db, tmp_path, drafts=True, layout="hugo")
    draft = tmp_path / "content/posts/rye-crackers-unfinished/index.md"
    matter, _ = split(draft.read_text(encoding="utf-8"))
    assert matter["draft"] is True


def test_types_chooses_custom_post_types(tmp_path: Path) -> None:
    db = import_export(FIXTURES / "custom-types.xml", tmp_path)
    stats = export_site(db, tmp_path / "out", types=("book",), layout="hugo")
    files = written(tmp_path / "out")
    assert sorted(files) == ["content/book/murder-at-the-allotment/index.md",
                             "content/book/the-long-orbit/index.md"]
    assert stats.skipped["type not chosen"] == 2  # the post and the event
    genres = [split(text)[0].get("genre") for text in files.values()]
    assert any(genres), "the custom taxonomy goes under its own key"


def test_post_format_is_a_word(tmp_path: Path) -> None:
    db = import_export(FIXTURES / "custom-types.xml", tmp_path)
    export_site(db, tmp_path / "out", types=("post",))
    (text,) = written(tmp_path / "out").values()
    assert split(text)[0]["format"] == "gallery"


def test_comments_none_and_all(tmp_path: Path) -> None:
    post = Post(1, slug="p", status="publish", title="P", comments=(
        Comment(10, approved="1", content="ok"),
        Comment(11, approved="0", content="held"),
        Comment(12, parent_id=11, approved="1", content="reply to held"),
        Comment(13, approved="spam", content="buy"),
        Comment(14, approved="1", type="pingback", content="ping"),
    ))
    db = records_db([post], tmp_path)
    for mode in ("none", "approved", "all"):
        export_site(db, tmp_path / mode, comments=mode)
    none = split((tmp_path / "none/posts/p.md").read_text(encoding="utf-8"))[0]
    assert "comments" not in none
    approved = split((tmp_path / "approved/posts/p.md").read_text(encoding="utf-8"))[0]["comments"]
    assert comment_ids(approved) == [10, 14]  # 12 answers a held comment, so it is not shown either
    assert approved[1]["type"] == "pingback"
    everything = split((tmp_path / "all/posts/p.md").read_text(encoding="utf-8"))[0]["comments"]
    assert comment_ids(everything) == [10, 11, 13, 14]
    assert comment_ids(everything[1]["replies"]) == [12]
    assert [c["approved"] for c in everything] == [True, False, "spam", True]


def test_featured_image_and_gallery_from_attachments(tmp_path: Path) -> None:
    db = import_export(FIXTURES / "attachments.xml", tmp_path)
    stats = export_site(db, tmp_path / "out")
    (text,) = written(tmp_path / "out").values()
    matter, body = split(text)
    url = db.execute("SELECT attachment_url FROM posts WHERE id = 401").fetchone()[0]
    assert url and matter["image"] == url
    for attachment in (402, 403):
        gallery_url = db.execute("SELECT attachment_url FROM posts WHERE id = ?", [attachment]).fetchone()[0]
        # Issue 22: plain Markdown keeps raw HTML, so the gallery is one block of linked thumbnails.
        assert f'<a href="{gallery_url}"><img src="{gallery_url.rsplit(".", 1)[0]}-150x150.jpg"' in body
    assert body.count('<div class="wp-gallery">') == 1
    assert not stats.unknown_shortcodes and stats.converted["gallery"] == 1


def pages() -> list[Post]:
    return [Post(1, post_type="page", status="publish", slug="about", title="About"),
            Post(2, post_type="page", status="publish", slug="team", title="Team", parent_id=1),
            Post(3, post_type="page", status="publish", slug="alice", title="Alice", parent_id=2),
            Post(4, post_type="post", status="publish", slug="hello", title="Hello",
                 link="https://example.com/hello/")]


@pytest.mark.parametrize(("layout", "expected"), [
    ("plain", ["pages/about.md", "pages/about/team.md", "pages/about/team/alice.md", "posts/hello.md"]),
    ("hugo", ["content/about/_index.md", "content/about/team/_index.md", "content/about/team/alice/index.md",
              "content/posts/hello/index.md"]),
    ("jekyll", ["_posts/1970-01-01-hello.md", "about.md", "about/team.md", "about/team/alice.md"]),
    ("astro", ["src/content/pages/about.md", "src/content/pages/about/team.md",
               "src/content/pages/about/team/alice.md", "src/content/posts/hello.md"]),
])
def test_pages_go_by_their_parents_path(layout: str, expected: list[str], tmp_path: Path) -> None:
    export_site(records_db(pages(), tmp_path), tmp_path / "out", layout=layout)
    assert sorted(written(tmp_path / "out")) == expected


def test_hugo_drops_an_alias_that_is_the_page_itself(tmp_path: Path) -> None:
    about = Post(1, post_type="page", status="publish", slug="about", link="https://example.com/about/")
    export_site(records_db([about], tmp_path), tmp_path / "out", layout="hugo")
    assert "aliases" not in split((tmp_path / "out/content/about/index.md").read_text(encoding="utf-8"))[0]


# --- safe paths -----------------------------------------------------------------------------------

NASTY_SLUGS = ["../../etc/passwd", "../../../../../../outside", "a/../../b",
               "/abs", "CON", "con.txt", "a\x00b", "é" * 300, "", "..", " dots... ",
               "%2e%2e%2fescape", "a\\b", "LPT9", "x" * 400, "\x7f"]


def nasty_posts() -> list[Post]:
    posts = [Post(i + 1, slug=slug, status="publish", title="" if i % 2 else "Title here")
             for i, slug in enumerate(NASTY_SLUGS)]
    posts.append(Post(90, post_type="../evil", slug="../x", status="publish", title="evil type"))
    posts.append(Post(91, post_type="page", slug="..", status="publish", parent_id=92))
    posts.append(Post(92, post_type="page", slug="/etc", status="publish"))
    return posts


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_file_stays_inside_outdir_with_a_portable_name(layout: str, tmp_path: Path) -> None:
    db = records_db(nasty_posts(), tmp_path)
    outdir = tmp_path / "site"
    stats = export_site(db, outdir, layout=layout, types=("post", "page", "../evil"))
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix == ".md")
    assert len(files) == len(NASTY_SLUGS) + 3 == stats.written and not stats.skipped
    depth = {"hugo": 4, "jekyll": 2, "eleventy": 2, "astro": 4, "plain": 2}[layout]  # where posts go
    posts = [p for p in files if split(p.read_text(encoding="utf-8"))[0]["wordpress_id"] <= len(NASTY_SLUGS)]
    assert {len(p.relative_to(outdir).parts) for p in posts} == {depth}
    for path in files:
        assert path.resolve().is_relative_to(outdir.resolve())
        for part in path.relative_to(outdir).parts:
            assert part not in ("", ".", "..") and not part.endswith((".", " "))
            assert not re.search(r"[\x00-\x1f\x7f\\:]", part)
            assert len(part.encode("utf-8")) <= 180  # slug ≤ 150 bytes, plus date, suffix, .md
            assert part.split(".")[0].rstrip(" ").casefold() not in WINDOWS_RESERVED  # lower case, as paths keeps it


def test_empty_slug_falls_back_to_title_then_id() -> None:
    # The one safe-name rule (wxr2db.media.paths, property-tested in tests/unit/media/test_paths.py): a name that needed
    # cleaning gets a hash of the original, so two slugs never share a file.
    assert safe_segment("") == "" and safe_segment("..") == "" and safe_segment(" . ") == ""
    assert re.fullmatch(r"_\.\._etc~[0-9a-f]{16}", safe_segment("../../etc"))
    assert re.fullmatch(r"CON~[0-9a-f]{16}", safe_segment("CON"))
    assert re.fullmatch(r"nul~[0-9a-f]{16}\.md", safe_segment("nul.md"))
    long = safe_segment("日" * 100)
    assert len(long.encode("utf-8")) <= 150 and long.startswith("日" * 40) and long != safe_segment("日" * 99)


def test_fallback_slugs(tmp_path: Path) -> None:
    db = records_db([Post(5, slug="", title="Hello, World!", status="publish"),
                     Post(6, slug="", title="", status="publish")], tmp_path)
    export_site(db, tmp_path / "out")
    assert sorted(written(tmp_path / "out")) == ["posts/6.md", "posts/hello-world.md"]


def test_a_symlink_out_of_outdir_is_refused(tmp_path: Path) -> None:
    db = records_db(pages(), tmp_path)
    outdir, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    outdir.mkdir()
    elsewhere.mkdir()
    (outdir / "posts").symlink_to(elsewhere, target_is_directory=True)
    stats = export_site(db, outdir)
    assert list(elsewhere.iterdir()) == []
    assert stats.written == 3
    assert stats.failed == [("posts/hello.md", "posts: a symlink stands where a folder must go; not followed")]


def test_clashing_slugs_get_numbers(tmp_path: Path) -> None:
    posts = [Post(1, slug="same", status="publish"), Post(2, slug="same", status="publish"),
             Post(3, slug="Same", status="publish"), Post(4, slug="same-2", status="publish")]
    db = records_db(posts, tmp_path)
    stats = export_site(db, tmp_path / "out")
    files = written(tmp_path / "out")
    by_id = {split(text)[0]["wordpress_id"]: (path, split(text)[0]["slug"]) for path, text in files.items()}
    assert by_id[1] == ("posts/same.md", "same")
    assert by_id[2] == ("posts/same-2.md", "same-2")
    assert by_id[3] == ("posts/Same-3.md", "Same-3")  # one file on macOS and Windows otherwise
    assert by_id[4] == ("posts/same-2-2.md", "same-2-2")
    assert stats.renamed == 3 and "3 renamed for clashing slugs" in stats.summary()


# --- never clobbering the user's edits ------------------------------------------------------------


def test_edited_files_are_kept_and_unedited_ones_rewritten(seed_db: Database, wxr11_db: Database,
                                                            tmp_path: Path) -> None:
    export_site(wxr11_db, tmp_path)
    edited, unedited = tmp_path / "posts/start-here.md", tmp_path / "posts/feeding-a-starter-on-a-schedule.md"
    edited.write_text("my own words\n", encoding="utf-8")
    (tmp_path / "posts/mine.md").write_text("not from wxr2db\n", encoding="utf-8")
    before = unedited.read_text(encoding="utf-8")
    stats = export_site(wxr11_db, tmp_path, comments="none")
    assert edited.read_text(encoding="utf-8") == "my own words\n"
    assert unedited.read_text(encoding="utf-8") != before  # rewritten without its comments
    assert stats.skipped["edited by you"] == 1 and stats.written == 1
    again = export_site(wxr11_db, tmp_path, comments="none")
    assert again.unchanged == 1 and again.written == 0 and again.skipped["edited by you"] == 1
    forced = export_site(wxr11_db, tmp_path, overwrite=True)
    assert forced.written == 2 and edited.read_text(encoding="utf-8").startswith("---\n")
    assert (tmp_path / "posts/mine.md").read_text(encoding="utf-8") == "not from wxr2db\n"


def test_a_file_wxr2db_did_not_write_is_kept(seed_db: Database, tmp_path: Path) -> None:
    target = tmp_path / "posts/sharing-and-collaboration.md"
    target.parent.mkdir(parents=True)
    target.write_text("hand made\n", encoding="utf-8")
    stats = export_site(seed_db, tmp_path)
    assert target.read_text(encoding="utf-8") == "hand made\n"
    assert stats.skipped == {"not made by wxr2db": 1}


# --- the pool -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_parallel_output_is_byte_identical(tmp_path: Path) -> None:
    from tests.wxrbuild import write_export

    export_path = tmp_path / "synth.xml"
    write_export(export_path, target_bytes=400_000, seed=3)
    db = import_export(export_path, tmp_path)
    common: dict[str, Any] = {"layout": "hugo", "drafts": True, "private": True, "comments": "all"}
    single = export_site(db, tmp_path / "single", pool_threshold=10**9, **common)
    pooled = export_site(db, tmp_path / "pooled", pool_threshold=0, workers=3, **common)
    assert single.written == pooled.written > 30
    assert (single.processes, pooled.processes) == (1, 3)
    assert written(tmp_path / "single") == written(tmp_path / "pooled")
    assert single.unknown_shortcodes == pooled.unknown_shortcodes


def linking_posts(count: int) -> bytes:
    """Posts that link to each other every way WordPress answers: permalink, ?p=, guid, archive."""
    from tests.wxrbuild import SITE, export_bytes, item

    def body(n: int) -> str:
        return (f'<p><a href="{SITE}/post-{(n * 7) % count + 1}/">next</a>, <a href="/?p={(n * 3) % count + 1}">'
                f'other</a>, <a href="{SITE}/post-{n}/#top">top</a>, <a href="{SITE}/category/news/">news</a>, '
                f'<a href="{SITE}/nothing-{n}/">gone</a></p>')

    return export_bytes(*(item(n, f"Post {n}", body(n), categories=[("news", "News")]) for n in range(1, count + 1)))


def test_posts_are_written_the_same_with_or_without_redirect_files(tmp_path: Path) -> None:
    """Without a redirect file to write, the link index leaves the redirects out (a quarter of it on a
    big site); the posts' links are rewritten the same, by forked workers as by one process."""
    (tmp_path / "links.xml").write_bytes(linking_posts(150))
    db = import_export(tmp_path / "links.xml", tmp_path)
    trees = []
    for name, redirects, workers in (("with", ("nginx", "netlify"), 2), ("without", (), 2), ("one", (), 1)):
        stats = export_site(db, tmp_path / name, layout="jekyll", site=SiteOptions(redirects=redirects),
                            pool_threshold=0 if workers > 1 else 10**9, workers=workers)
        assert stats.processes == workers and stats.site.index is not None
        assert stats.site.counts is not None and sum(stats.site.counts.rewritten.values()) >= 600
        assert bool(stats.site.index.redirects) == bool(redirects)
        trees.append(written(tmp_path / name))
    assert trees[0] == trees[1] == trees[2] and len(trees[0]) == 150
    assert {"_redirects", "wxr2db-redirects.server.conf"} <= {p.name for p in (tmp_path / "with").rglob("*")}


def test_unresolved_links_are_counted_once_each_not_kept_per_link(tmp_path: Path) -> None:
    """The parent held every unresolved link of the run, one string per link in every post: a site
    whose every post links the same missing page grew the list by the number of posts."""
    from tests.wxrbuild import SITE, export_bytes, item

    gone = f"{SITE}/gone/"
    body = f'<p><a href="{gone}">a</a> and <a href=" {gone}">again</a></p>'
    (tmp_path / "gone.xml").write_bytes(export_bytes(*(item(n, f"Post {n}", body) for n in range(1, 201))))
    db = import_export(tmp_path / "gone.xml", tmp_path)
    stats = export_site(db, tmp_path / "site", pool_threshold=0, workers=2)
    assert stats.processes == 2 and stats.site.counts is not None
    assert stats.site.counts.unresolved == {gone: 400}
    report = (tmp_path / "site" / ".wxr2db-unresolved-links.tsv").read_text(encoding="utf-8")
    assert report == f"link\ttimes\n{gone}\t400\n"
    assert "unresolved 400 (listed in" in stats.summary()


def frozen_count(post: Any, style: Any) -> RenderedPost:
    return RenderedPost(str(gc.get_freeze_count()), (), None, LinkCounts())


@pytest.mark.parametrize("default", ["fork", "forkserver", "spawn"])
def test_pool_workers_leave_the_parents_objects_to_the_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             default: str) -> None:
    """A forked worker shares the parent's pages (the link index, the plan) until it writes to them,
    and the garbage collector writes to every object it walks: while the pool runs, the parent's
    objects are frozen out of its walks, in the workers too; afterwards the parent collects again.
    The pool forks whatever Python's default start method is (forkserver from Python 3.14 on)."""
    if START_METHOD != "fork":
        pytest.skip("workers share the parent's pages only where they are forked (Linux)")
    before = multiprocessing.get_start_method()
    multiprocessing.set_start_method(default, force=True)
    try:
        check_frozen_workers(tmp_path, monkeypatch)
    finally:
        multiprocessing.set_start_method(before, force=True)


def check_frozen_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = import_export(SEED, tmp_path)
    monkeypatch.setattr("wxr2db.site.pool.render_or_keep", frozen_count)
    targets = [Target(post_id, f"p{post_id}.md", "s") for (post_id,) in db.execute("SELECT id FROM posts")] * 3
    texts = [post.text for post in rendered_posts(db.conn, targets, MarkdownOptions(), workers=2)]
    assert len(texts) == len(targets)
    assert min(int(text) for text in texts) > 10_000
    assert gc.get_freeze_count() == 0


# --- every export in the shared corpus ------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Database]:
    folder = tmp_path_factory.mktemp("corpus")
    return {path.name: import_export(path, folder) for path in corpus_files()}


@pytest.mark.corpus
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_corpus_export_writes_parseable_files(layout: str, corpus_dbs: dict[str, Database],
                                                     tmp_path: Path) -> None:
    date_key = "pubDate" if layout == "astro" else "date"
    for name, db in corpus_dbs.items():
        path = Path(name)
        outdir = tmp_path / path.stem
        stats = export_site(db, outdir, layout=layout, drafts=True, private=True, types=("post", "page"))
        files = [p for p in outdir.rglob("*") if p.is_file()]
        # and the manifest, and the report of links that point at nothing written when there are some
        reports = [p for p in files if p.name == ".wxr2db-unresolved-links.tsv"]
        unresolved = stats.site.counts.unresolved if stats.site.counts else {}
        assert len(reports) == (1 if unresolved else 0), path.name
        assert stats.written == len(files) - 1 - len(reports) > 0, path.name
        dated = db.execute("SELECT count(*) FROM posts WHERE post_type IN ('post', 'page') "
                           "AND status NOT IN ('trash', 'auto-draft') AND date IS NOT NULL").fetchone()[0]
        with_date = 0
        for file in files:
            assert file.resolve().is_relative_to(outdir.resolve())
            if file.suffix == ".md":
                matter, _ = split(file.read_text(encoding="utf-8"))
                assert "title" in matter, file
                assert matter.get("wordpress_id", 1) > 0, file  # made-up ids are not WordPress's
                with_date += date_key in matter
        assert with_date == dated, path.name


# --- the command ----------------------------------------------------------------------------------


def test_cli_help() -> None:
    result = cli("markdown", "--help")
    assert result.exit_code == 0
    for option in ("--layout", "--types", "--drafts", "--private", "--comments", "--overwrite", "--quiet"):
        assert option in result.output


def test_cli_writes_from_an_export_and_reports(tmp_path: Path) -> None:
    result = cli("markdown", FIXTURES / "wxr-1.1.xml", tmp_path / "site", "--layout", "hugo")
    assert result.exit_code == 0, result.output
    assert "wrote 2 files" in result.stderr
    assert "skipped 3 (1 draft, 1 password, 1 private)" in result.stderr
    assert (tmp_path / "site/content/posts/start-here/index.md").is_file()
    quiet = cli("markdown", str(FIXTURES / "wxr-1.1.xml"), str(tmp_path / "q"), "-q")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_cli_writes_from_a_database(tmp_path: Path) -> None:
    db_path = tmp_path / "seed.db"
    assert cli("import", SEED, "--db", db_path, "-q").exit_code == 0
    result = cli("markdown", db_path, tmp_path / "site", "--types", "post", "--comments", "none")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "site/posts/sharing-and-collaboration.md").read_text(encoding="utf-8")
    assert "comments" not in split(text)[0]


def test_cli_reports_dropped_galleries(tmp_path: Path) -> None:
    """A [gallery] with no image attached vanishes (issue 22), and the summary says so."""
    result = cli("markdown", str(FIXTURES / "custom-types.xml"), str(tmp_path))
    assert result.exit_code == 0
    assert "converted: gallery empty, dropped 1" in result.stderr and "[gallery]" not in result.stderr


@pytest.mark.parametrize(("args", "code", "message"), [
    (["nowhere.xml"], 1, "nowhere.xml: cannot open"),
    (["nowhere.db"], 1, "nowhere.db: no such database"),
    ([str(SEED), "--layout", "wordpress"], 2, "wordpress"),
    ([str(SEED), "--types", " , "], 1, "--types names no post type"),
])
def test_cli_errors(args: list[str], code: int, message: str, tmp_path: Path) -> None:
    result = cli("markdown", args[0], str(tmp_path / "site"), *args[1:])
    assert result.exit_code == code
    assert message in result.stderr


def test_cli_refuses_a_database_not_made_by_wxr2db(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    result = cli("markdown", str(other), str(tmp_path / "site"))
    assert result.exit_code == 1
    assert "not a database made by `wxr2db import`" in result.stderr


# --- a post that cannot be converted --------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_a_post_that_fails_to_convert_is_kept_as_html_and_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    """Any exception while converting one post (here forced; before issue 8 a crafted post did it)
    leaves that post's body as HTML with a warning, in one process or in the pool, and never stops
    the posts after it."""
    import wxr2db.site.render as render_module
    from wxr2db.content.body import render_body as real

    def failing(content: str, media: Any = None, footnotes: Any = (), *rest: Any) -> Any:
        if "BOOM" in content:
            raise RecursionError("maximum recursion depth\nexceeded")
        return real(content, media, footnotes, *rest)

    monkeypatch.setattr(render_module, "render_body", failing)  # forked workers inherit it
    posts = [Post(n, status="publish", slug=f"p{n}", title=f"P{n}", content=f"<p>Body {n}</p>")
             for n in range(1, 8)]
    posts[3] = Post(4, status="publish", slug="p4", title="P4", content="<p>BOOM <b>kept</b></p>\n",
                    comments=(Comment(50, content="hi"),))
    db = records_db(posts, tmp_path)
    stats = export_site(db, tmp_path / "out", pool_threshold=0 if workers > 1 else 200, workers=workers)
    files = written(tmp_path / "out")
    assert stats.processes == workers and stats.written == 7
    assert sorted(files) == [f"posts/p{n}.md" for n in range(1, 8)]
    assert files["posts/p4.md"] == "---\ntitle: P4\nslug: p4\nwordpress_id: 4\n---\n\n<p>BOOM <b>kept</b></p>\n"
    assert stats.warnings == ["post 4: could not be converted (RecursionError: maximum recursion depth exceeded); "
                              "written with its body kept as HTML and its comments left out"]
    assert [split(files[f"posts/p{n}.md"])[1] for n in (3, 5)] == ["\nBody 3\n", "\nBody 5\n"]


@pytest.mark.slow
def test_many_posts_with_one_slug_are_planned_in_linear_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each clash takes the next free -N directly: counted layout_path calls, not time."""
    from wxr2db.site.layouts import Plain

    real = Plain.path
    calls = 0

    def counted(layout: Plain, row: Any, segments: list[str]) -> str:
        nonlocal calls
        calls += 1
        return real(layout, row, segments)

    monkeypatch.setattr(Plain, "path", counted)
    posts = [Post(n, status="publish", slug="same", title="Same") for n in range(1, 2001)]
    posts.append(Post(3000, status="publish", slug="same-2", title="Clash with a renamed one"))
    stats = export_site(records_db(posts, tmp_path), tmp_path / "out")
    names = set(written(tmp_path / "out"))
    assert names == {"posts/same.md", *(f"posts/same-{n}.md" for n in range(2, 2001)), "posts/same-2-2.md"}
    assert stats.renamed == 2000 and calls < 3 * 2001
