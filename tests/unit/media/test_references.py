"""The media tables: every file a post uses, from each kind of source, on crafted exports and the corpus."""

from __future__ import annotations

import csv
import io
import json
import random
import time
import tracemalloc
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import lxml.html
import pytest
from sqlite_utils import Database

from tests.helpers import FIXTURES, THEME_UNIT_TEST, assert_ok, cli, dump, imported
from tests.wxrbuild import SITE, export_bytes, item
from wxr2db.media.attachments import _variant_maker
from wxr2db.media.paths import uploads_path
from wxr2db.media.references import (
    Attachment,
    Context,
    absolute_url,
    body_references,
    mime_type,
    post_references,
)
from wxr2db.sqlite.media import FILES_TABLE, FOUND_TABLE, ensure_media, media_files, post_files

UP = f"{SITE}/wp-content/uploads"


def php(value: Any) -> str:
    """PHP's serialize() of str, int and dict, enough for `_wp_attachment_metadata`."""
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, str):
        return f's:{len(value.encode())}:"{value}";'
    inner = "".join(php(k) + php(v) for k, v in value.items())
    return f"a:{len(value)}:{{{inner}}}"


def attachment(post_id: int, url: str, parent: int = 0, meta: tuple[tuple[str, str], ...] = ()) -> str:
    text = item(post_id, f"file {post_id}", "", post_type="attachment", meta=meta,
                extra=f"<wp:attachment_url><![CDATA[{url}]]></wp:attachment_url>\n" if url else "")
    return text.replace("<wp:post_parent>0</wp:post_parent>", f"<wp:post_parent>{parent}</wp:post_parent>")


def sized(file: str, sizes: dict[str, tuple[str, int, int]]) -> str:
    return php({"width": 1200, "height": 800, "file": file, "sizes": {
        name: {"file": f, "width": w, "height": h, "mime-type": "image/jpeg"} for name, (f, w, h) in sizes.items()}})


def media_rows(db_path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    db = Database(db_path)
    return (db.execute("SELECT * FROM media ORDER BY url").fetchall(),
            db.execute("SELECT * FROM post_media ORDER BY post_id, url, usage").fetchall())


def imported_rows(tmp_path: Path, *items: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    result, db = imported(tmp_path, export_bytes(*items))
    assert_ok(result)
    return media_rows(db)


# --- each source on its own -----------------------------------------------------------------------


def test_attachment_with_sizes_gives_the_original_and_each_size(tmp_path: Path) -> None:
    meta = (("_wp_attached_file", "2020/01/a.jpg"),
            ("_wp_attachment_metadata", sized("2020/01/a.jpg", {"thumbnail": ("a-150x150.jpg", 150, 150),
                                                                 "medium": ("a-300x200.jpg", 300, 200)})))
    media, uses = imported_rows(tmp_path, attachment(5, f"{UP}/2020/01/a.jpg", meta=meta))
    assert media == [
        (f"{UP}/2020/01/a-150x150.jpg", "2020/01/a-150x150.jpg", 5, "image/jpeg", "thumbnail", 150, 150,
         f"{UP}/2020/01/a.jpg"),
        (f"{UP}/2020/01/a-300x200.jpg", "2020/01/a-300x200.jpg", 5, "image/jpeg", "medium", 300, 200,
         f"{UP}/2020/01/a.jpg"),
        (f"{UP}/2020/01/a.jpg", "2020/01/a.jpg", 5, "image/jpeg", None, 1200, 800, None),
    ]
    assert uses == []


def test_attachment_without_url_is_found_by_its_attached_file(tmp_path: Path) -> None:
    media, _ = imported_rows(tmp_path, attachment(5, "", meta=(("_wp_attached_file", "2020/01/notes.pdf"),)))
    assert media == [(f"{UP}/2020/01/notes.pdf", "2020/01/notes.pdf", 5, "application/pdf", None, None, None,
                      None)]


def test_img_src_and_srcset_with_a_size_of_a_known_original(tmp_path: Path) -> None:
    body = (f'<img src="{UP}/2020/01/a-300x200.jpg" srcset="{UP}/2020/01/a-300x200.jpg 300w, '
            f'/wp-content/uploads/2020/01/a.jpg 1200w"><img src="https://cdn.example.org/x.png?w=1">')
    media, uses = imported_rows(tmp_path, attachment(5, f"{UP}/2020/01/a.jpg"), item(1, content=body))
    assert media == [
        (f"{UP}/2020/01/a-300x200.jpg", "2020/01/a-300x200.jpg", 5, "image/jpeg", "300x200", 300, 200,
         f"{UP}/2020/01/a.jpg"),
        (f"{UP}/2020/01/a.jpg", "2020/01/a.jpg", 5, "image/jpeg", None, None, None, None),
        ("https://cdn.example.org/x.png?w=1", None, None, "image/png", None, None, None, None),
    ]
    assert uses == [(1, f"{UP}/2020/01/a-300x200.jpg", "img"), (1, f"{UP}/2020/01/a-300x200.jpg", "srcset"),
                    (1, f"{UP}/2020/01/a.jpg", "srcset"), (1, "https://cdn.example.org/x.png?w=1", "img")]


def test_links_count_only_when_they_lead_to_a_file(tmp_path: Path) -> None:
    body = (f'<a href="{UP}/2020/01/a.zip">zip</a> <a href="/files/report.pdf">pdf on the site</a> '
            '<a href="http://www.example.com/guide.docx">docx on www.</a> <a href="https://other.org/b.pdf">'
            f'elsewhere</a> <a href="{SITE}/about/">page</a> <a href="mailto:a@b.c">mail</a> <a href="#top">top</a>')
    _, uses = imported_rows(tmp_path, item(1, content=body))
    assert uses == [(1, "http://example.com/files/report.pdf", "link"),
                    (1, f"{UP}/2020/01/a.zip", "link"), (1, "http://www.example.com/guide.docx", "link")]


def test_gallery_ids_and_gallery_without_ids_and_playlist(tmp_path: Path) -> None:
    items = [attachment(5, f"{UP}/a.jpg", parent=2), attachment(6, f"{UP}/b.png", parent=2),
             attachment(7, f"{UP}/song.mp3", parent=2), attachment(8, f"{UP}/clip.mp4"),
             item(1, content='[gallery ids="6, 5,404"] [playlist type="video" ids="8"]'),
             item(2, content='[gallery columns="2"] [playlist ids="7"]')]
    _, uses = imported_rows(tmp_path, *items)
    assert uses == [(1, f"{UP}/a.jpg", "gallery"), (1, f"{UP}/b.png", "gallery"), (1, f"{UP}/clip.mp4", "video"),
                    (2, f"{UP}/a.jpg", "gallery"), (2, f"{UP}/b.png", "gallery"), (2, f"{UP}/song.mp3", "audio")]


def test_audio_and_video_shortcodes_and_tags(tmp_path: Path) -> None:
    body = (f'[audio mp3="{UP}/a.mp3" ogg=\'{UP}/a.ogg\'][/audio] [video width="640" mp4={UP}/v.mp4]'
            f'<video poster="{UP}/p.jpg"><source src="{UP}/v.webm"></video><audio src="{UP}/b.flac"></audio>')
    media, uses = imported_rows(tmp_path, item(1, content=body))
    assert uses == [(1, f"{UP}/a.mp3", "audio"), (1, f"{UP}/a.ogg", "audio"), (1, f"{UP}/b.flac", "audio"),
                    (1, f"{UP}/p.jpg", "img"), (1, f"{UP}/v.mp4", "video"), (1, f"{UP}/v.webm", "video")]
    assert [(r[0], r[3]) for r in media] == [(f"{UP}/a.mp3", "audio/mpeg"), (f"{UP}/a.ogg", "audio/ogg"),
                                             (f"{UP}/b.flac", "audio/flac"), (f"{UP}/p.jpg", "image/jpeg"),
                                             (f"{UP}/v.mp4", "video/mp4"), (f"{UP}/v.webm", "video/webm")]


def test_block_attributes_and_featured_image(tmp_path: Path) -> None:
    body = ('<!-- wp:image {"id":5,"sizeSlug":"large"} --><figure></figure><!-- /wp:image -->'
            f'<!-- wp:cover {{"url":"{UP}/cover.jpg","id":6}} --><div></div><!-- /wp:cover -->'
            f'<!-- wp:file {{"id":9,"href":"{UP}/doc.pdf"}} /--><!-- wp:video {{"id":7}} /-->'
            '<!-- wp:gallery {"ids":[5,"6",true]} /--><!-- wp:media-text {"mediaId":8,"mediaType":"video"} -->'
            f'<!-- wp:media-text {{"mediaUrl":"{UP}/side.png","mediaType":"image"}} -->')
    items = [attachment(5, f"{UP}/a.jpg"), attachment(6, f"{UP}/cover.jpg"), attachment(7, f"{UP}/v.mp4"),
             attachment(8, f"{UP}/clip.webm"),
             item(1, content=body, meta=(("_thumbnail_id", "6"),))]
    _, uses = imported_rows(tmp_path, *items)
    assert uses == [(1, f"{UP}/a.jpg", "gallery"), (1, f"{UP}/a.jpg", "img"), (1, f"{UP}/clip.webm", "video"),
                    (1, f"{UP}/cover.jpg", "cover"),
                    (1, f"{UP}/cover.jpg", "featured"), (1, f"{UP}/cover.jpg", "gallery"),
                    (1, f"{UP}/doc.pdf", "file"), (1, f"{UP}/side.png", "img"), (1, f"{UP}/v.mp4", "video")]


def test_post_files_view_answers_which_files_a_post_uses(tmp_path: Path) -> None:
    result, db = imported(tmp_path, export_bytes(attachment(5, f"{UP}/a.jpg"),
                                                 item(1, "Hello", f'<img src="{UP}/a.jpg">')))
    assert_ok(result)
    rows = Database(db).execute("SELECT * FROM post_files WHERE post_id = 1").fetchall()
    assert rows == [(1, "Hello", "img", f"{UP}/a.jpg", "a.jpg", "image/jpeg", 5, None, None)]


# --- junk never raises ----------------------------------------------------------------------------


def test_junk_references_are_skipped(tmp_path: Path) -> None:
    body = ('<img src="http://[::1/broken.jpg"><img src="data:image/png;base64,AAAA"><img src="">'
            '[gallery ids="99999999999999999999999,\u0661\u0662,-3,0x10"] [gallery ids="1" <!-- wp:image {"id":'
            '<!-- wp:image {"id":1e400} --> <!-- wp:image [[[[[[[[[[ --> <!-- wp:cover {"url":["x"]} -->'
            '<!-- wp:image {"id":18446744073709551616} --><a href="javascript:alert(1)">x</a>'
            '<!-- wp:image ' + "[" * 5000 + ' -->\x00<img src="/ok.png">')
    items = [attachment(5, "http://[bad"), item(1, content=body, meta=(("_thumbnail_id", "\u0665"),))]
    media, uses = imported_rows(tmp_path, *items)
    assert media == [("http://example.com/ok.png", None, None, "image/png", None, None, None, None)]
    assert uses == [(1, "http://example.com/ok.png", "img")]


def context() -> Context:
    return Context(SITE, frozenset({"example.com"}), {1: Attachment(1, None, f"{UP}/a.jpg")}, {})


@pytest.mark.parametrize("unit", ["[audio ", "<!-- wp:", "[gallery ids=", "<img srcset='a,", "<!-- wp:image {"])
def test_scans_stay_linear_on_repeated_openings(unit: str) -> None:
    times = []
    for n in (20_000, 80_000):
        start = time.perf_counter()
        post_references(1, body_references(unit * n), None, context())
        times.append(time.perf_counter() - start)
    # Quadratic scanning would make four times the input take sixteen times as long.
    assert times[1] < max(times[0], 0.05) * 8, times


# --- idempotence and the command ------------------------------------------------------------------


def test_importing_twice_keeps_the_same_media_tables(tmp_path: Path) -> None:
    data = (FIXTURES / "attachments.xml").read_bytes()
    result, db = imported(tmp_path, data)
    assert_ok(result)
    once = dump(db)
    assert_ok(cli("import", tmp_path / "export.xml", "--db", db))
    again = dump(db)
    assert once["media"] == again["media"] and once["post_media"] == again["post_media"]
    assert len(once["media"]) == 15 and len(once["post_media"]) == 4


SMALL = [attachment(5, f"{UP}/a.jpg"), item(1, content=f'<img src="{UP}/a.jpg">[gallery ids="5"]'),
         item(2, content=f'<a href="{UP}/a.jpg">a</a> <img src="https://other.org/b.gif">')]


def small_export(tmp_path: Path) -> Path:
    source = tmp_path / "small.xml"
    source.write_bytes(export_bytes(*SMALL))
    return source


@pytest.mark.slow
def test_media_command_table(tmp_path: Path) -> None:
    result = cli("media", small_export(tmp_path))
    assert_ok(result)
    assert result.stdout.splitlines() == [
        "url                                          path   mime_type   attachment_id  usages            posts"
        "  post_ids",
        "http://example.com/wp-content/uploads/a.jpg  a.jpg  image/jpeg  5              gallery,img,link  2      1 2",
        "https://other.org/b.gif                             image/gif                  img               1      2",
    ]


def test_media_command_csv_from_a_database(tmp_path: Path) -> None:
    db = tmp_path / "small.db"
    assert_ok(cli("import", small_export(tmp_path), "--db", db))
    result = cli("media", db, "--format", "csv")
    assert_ok(result)
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["url", "path", "mime_type", "attachment_id", "usages", "posts", "post_ids"],
        [f"{UP}/a.jpg", "a.jpg", "image/jpeg", "5", "gallery,img,link", "2", "1 2"],
        ["https://other.org/b.gif", "", "image/gif", "", "img", "1", "2"],
    ]


def test_media_command_json(tmp_path: Path) -> None:
    result = cli("media", small_export(tmp_path), "--format", "json")
    assert_ok(result)
    assert json.loads(result.stdout) == [
        {"url": f"{UP}/a.jpg", "path": "a.jpg", "mime_type": "image/jpeg", "attachment_id": 5,
         "usages": ["gallery", "img", "link"], "posts": 2, "post_ids": [1, 2]},
        {"url": "https://other.org/b.gif", "path": None, "mime_type": "image/gif", "attachment_id": None,
         "usages": ["img"], "posts": 1, "post_ids": [2]},
    ]


def test_media_command_on_a_database_from_before_media_says_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    assert_ok(cli("import", small_export(tmp_path), "--db", db))
    Database(db).execute("DROP TABLE post_media")
    result = cli("media", db)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (f"Error: {db}: made before wxr2db recorded media (no media table). "
                             "Import the export again, or give the export itself.\n")


def test_media_command_unknown_format_fails(tmp_path: Path) -> None:
    result = cli("media", small_export(tmp_path), "--format", "xml")
    assert result.exit_code == 2 and result.stdout == ""


# --- the corpus -----------------------------------------------------------------------------------

def independent_img_sources(db: Database) -> set[tuple[int, str]]:
    """(post, URL) of every `<img src>` and `<video poster>`, read with lxml.html straight from the bodies."""
    base = db.execute("SELECT link FROM site").fetchone()[0]
    found = set()
    for post_id, content in db.execute("SELECT id, content FROM posts WHERE post_type != 'attachment' "
                                       "AND content LIKE '%<%'").fetchall():
        for element in lxml.html.fromstring(f"<div>{content}</div>").iter("img", "video"):
            src = element.get("src" if element.tag == "img" else "poster") or ""
            if src.strip():
                found.add((post_id, urljoin(base, src.strip())))
    return found


@pytest.mark.corpus
def test_theme_unit_test_media_agree_with_an_independent_count(tmp_path: Path) -> None:
    db_path = tmp_path / "theme.db"
    assert_ok(cli("import", THEME_UNIT_TEST, "--db", db_path))
    db = Database(db_path)
    img = set(db.execute("SELECT post_id, url FROM post_media WHERE usage = 'img'").fetchall())
    assert img == independent_img_sources(db) and len(img) == 72
    featured = db.execute("""SELECT m.post_id, a.attachment_url FROM postmeta m
                             JOIN posts a ON a.id = CAST(m.value AS INTEGER) WHERE m.key = '_thumbnail_id'""")
    assert set(db.execute("SELECT post_id, url FROM post_media WHERE usage = 'featured'").fetchall()) == set(
        featured.fetchall())
    attachments = {r[0] for r in db.execute("SELECT attachment_url FROM posts WHERE post_type = 'attachment'")}
    used = {r[0] for r in db.execute("SELECT url FROM post_media")}
    assert {r[0] for r in db.execute("SELECT url FROM media")} == attachments | used
    assert (len(attachments), len(attachments | used)) == (37, 42)


def test_store_functions_read_back_what_the_import_wrote(tmp_path: Path) -> None:
    result, db_path = imported(tmp_path, export_bytes(*SMALL))
    assert_ok(result)
    db = Database(db_path)
    assert post_files(db, 1) == [(f"{UP}/a.jpg", "gallery"), (f"{UP}/a.jpg", "img")]
    assert post_files(db, 3) == []
    assert [f.row() for f in media_files(db).values()] == db.execute("SELECT * FROM media ORDER BY url").fetchall()
    assert list(media_files(db)) == [f"{UP}/a.jpg", "https://other.org/b.gif"]


def test_size_urls_made_from_the_original_match_parsing_each_one() -> None:
    """A size's URL, uploads path and type are made from its original's (see _variant_maker); they must
    be what parsing the size's own URL gives, for plain names and for every kind that takes the long way."""
    rng = random.Random(4)
    hosts = ["https://example.com", "http://x.files.wordpress.com", "https://ex.org/blog", "http://[::1]"]
    folders = ["/wp-content/uploads/2010/09", "/wp-content/uploads", "/a/wp-content/uploads/x y", "/plain",
               "/wp-content/uploads/%2E%2E", "/wp-content/uploads/./b", ""]
    names = ["a.jpg", "a-300x200.JPG", "con.png", "a.", "..", ".", "a%20b.jpg", "a b.jpg", "a?x=1.jpg",
             "a#f.png", "x\\y.gif", "é.webp", "noext", "a.tar.gz", "a:b.jpg", "a" * 250 + ".jpg", "\u2028.png"]
    for _ in range(5_000):
        tail = rng.choice(["", "", "?v=2", "?a=b/c.jpg", "#x/y.png"])
        url = rng.choice(hosts) + rng.choice(folders) + "/" + rng.choice(names) + tail
        path = uploads_path(url)
        make = _variant_maker(url, path)
        for name in rng.sample(names, 4):
            full = absolute_url(f"{url.rsplit('/', 1)[0]}/{name}", "")
            expected = (full, uploads_path(full), mime_type(full)) if full else None
            assert make(name) == expected, (url, name)


@pytest.mark.parametrize("source", [pytest.param(THEME_UNIT_TEST, marks=pytest.mark.corpus, id="theme-unit-test"),
                                    pytest.param(FIXTURES / "attachments.xml", id="fixture")])
def test_references_found_while_writing_equal_those_read_back_from_the_bodies(source: Path,
                                                                           tmp_path: Path) -> None:
    """The import finds what each body names as it writes the batch (FOUND_TABLE) and drops the table at
    the end; building the media tables again from the stored bodies alone gives the same rows."""
    db_path = tmp_path / "db.db"
    assert_ok(cli("import", source, "--db", db_path))
    db = Database(db_path)
    assert not db[FOUND_TABLE].exists() and not db[FILES_TABLE].exists()
    while_writing = media_rows(db_path)
    assert while_writing[1], "the export names files in its bodies"
    ensure_media(db)
    assert media_rows(db_path) == while_writing


def test_references_left_by_an_interrupted_run_are_not_used(tmp_path: Path) -> None:
    """A found-media table left behind (an import stopped before its last step) names files no body
    names; the next import starts that table afresh, and a stored post it does not rewrite is read
    from its body."""
    post_11 = item(11, "Other", f'<img src="{UP}/2020/01/other.jpg">')
    assert_ok(imported(tmp_path, export_bytes(item(10, "Post", "no files"), post_11))[0])
    db_path = tmp_path / "export.xml.db"
    db = Database(db_path)
    db.execute(f"CREATE TABLE [{FOUND_TABLE}] (post_id INTEGER PRIMARY KEY, found TEXT)")
    db.execute(f"INSERT INTO [{FOUND_TABLE}] VALUES (11, ?)", [json.dumps([["url", f"{UP}/stale.jpg", "img"]])])
    db.conn.commit()
    assert_ok(imported(tmp_path, export_bytes(item(10, "Post", "no files")))[0])
    assert media_rows(db_path)[1] == [(11, f"{UP}/2020/01/other.jpg", "img")]


def test_files_left_by_an_interrupted_run_are_not_used(tmp_path: Path) -> None:
    """An attachment's files listed by a run that stopped before its last step are not taken for
    those of an attachment the next import does not rewrite: it is listed from what is stored."""
    kept = attachment(20, f"{UP}/2020/01/kept.jpg")
    assert_ok(imported(tmp_path, export_bytes(item(10, "Post", "no files"), kept))[0])
    db_path = tmp_path / "export.xml.db"
    db = Database(db_path)
    db.execute(f"CREATE TABLE [{FILES_TABLE}] (id INTEGER PRIMARY KEY, url TEXT, files TEXT)")
    stale = [[f"{UP}/stale.jpg", "2020/01/stale.jpg", 20, "image/jpeg", None, None, None, None]]
    db.execute(f"INSERT INTO [{FILES_TABLE}] VALUES (20, ?, ?)", [f"{UP}/stale.jpg", json.dumps(stale)])
    db.conn.commit()
    assert_ok(imported(tmp_path, export_bytes(item(10, "Post", "no files")))[0])
    assert [row[0] for row in media_rows(db_path)[0]] == [f"{UP}/2020/01/kept.jpg"]


def test_an_attachment_read_again_later_in_the_run_is_listed_as_it_ends(tmp_path: Path) -> None:
    """The second part of a split export brings attachment 20 again, moved and without its sizes:
    the files listed while writing the first part are dropped with it, and what the database ends
    with is what building the media tables from the stored rows gives."""
    sizes = {"thumbnail": ("a-150x150.jpg", 150, 150), "medium": ("a-300x200.jpg", 300, 200)}
    first = attachment(20, f"{UP}/2020/01/a.jpg", meta=(("_wp_attachment_metadata", sized("2020/01/a.jpg", sizes)),))
    for n, body in ((1, export_bytes(item(10, "Post", "no files"), first)),
                    (2, export_bytes(attachment(20, f"{UP}/2021/05/b.jpg")))):
        (tmp_path / f"part{n}.xml").write_bytes(body)
    db_path = tmp_path / "both.db"
    assert_ok(cli("import", tmp_path / "part1.xml", tmp_path / "part2.xml", "--db", db_path))
    while_writing = media_rows(db_path)
    assert [(row[0], row[2]) for row in while_writing[0]] == [(f"{UP}/2021/05/b.jpg", 20)]
    ensure_media(Database(db_path))
    assert media_rows(db_path) == while_writing


@pytest.mark.slow
def test_building_the_media_tables_holds_no_file_in_memory(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """ensure_media keeps attachments and files in SQLite, not in dicts: its memory peak does not grow
    with the number of files (a 1 GB export has hundreds of thousands). Batches and the lookup memory
    are made small here, so that sizes this small show it."""
    monkeypatch.setattr("wxr2db.sqlite.media.BATCH", 100)
    monkeypatch.setattr("wxr2db.sqlite.media.KNOWN_FILES", 100)
    peaks = []
    for n in (400, 1600):
        sizes = {f"s{k}": (f"a{i}-{k}00x{k}00.jpg", k * 100, k * 100) for i in range(1) for k in range(1, 6)}
        items = [attachment(1000 + i, f"{UP}/2020/01/a{i}.jpg",
                            meta=(("_wp_attachment_metadata", sized(f"2020/01/a{i}.jpg", {
                                name: (f.replace("a0-", f"a{i}-"), w, h) for name, (f, w, h) in sizes.items()})),))
                 for i in range(n)]
        items += [item(100_000 + i, f"Post {i}", f'<img src="{UP}/2020/01/a{i}-100x100.jpg">') for i in range(n)]
        result, db_path = imported(tmp_path, export_bytes(*items), name=f"export-{n}.xml")
        assert_ok(result)
        db = Database(db_path)
        assert db["media"].count == 6 * n
        tracemalloc.start()
        ensure_media(db)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert db["media"].count == 6 * n and db["post_media"].count == n
    assert peaks[1] < peaks[0] * 2, peaks
