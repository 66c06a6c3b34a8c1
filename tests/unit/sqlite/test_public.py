"""`wxr2db import --public`: the redacted database holds nothing the site did not show its readers."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from tests.helpers import FIXTURES, THEME_UNIT_TEST, cli
from tests.wxrbuild import export_bytes
from wxr2db.php import php_unserialize
from wxr2db.sqlite.public import Work, private_spans, redact_text, referenced

EXPORTS = [pytest.param(THEME_UNIT_TEST, marks=pytest.mark.corpus), FIXTURES / "wxr-1.1.xml"]
# Deliberately looser than the redaction's own patterns, so a miss there shows here.
EMAIL = re.compile(r"[^\s@<>\"']+@[^\s@<>\"']+\.[A-Za-z]{2,}")
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
                  r"|(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4})?|::1)(?![\w:])")
POST_ID_COLUMNS = {("posts", "id"), ("posts", "parent_id"), ("post_terms", "post_id"), ("postmeta", "post_id"),
                   ("comments", "post_id"), ("published_posts", "id")}


def imported(export: Path, folder: Path, *flags: str) -> Database:
    db_path = folder / ("public.db" if flags else "full.db")
    result = cli("import", str(export), "--db", str(db_path), "-q", *flags)
    assert result.exit_code == 0, result.output
    assert db_path.with_name(db_path.stem + ".metadata.json").is_file()
    return Database(db_path)


def rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.execute(sql)]


def every_value(db: Database) -> list[tuple[str, str, object]]:
    return [(table, column, value) for table in db.table_names()
            for column in db[table].columns_dict
            for (value,) in db.execute(f"SELECT [{column}] FROM [{table}]")]


@pytest.mark.parametrize("export", EXPORTS, ids=lambda p: p.name)
def test_public_database_holds_no_private_data(export: Path, tmp_path: Path) -> None:
    full = imported(export, tmp_path)
    public = imported(export, tmp_path, "--public")
    passwords = {p for (p,) in full.execute("SELECT password FROM posts WHERE password != ''")}
    hidden = {i for (i,) in full.execute(
        "SELECT id FROM posts WHERE post_type IN ('post', 'page') AND (status != 'publish' OR password != '')")}
    found = []
    for table, column, value in every_value(public):
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        if EMAIL.search(text) or IPV4.search(text) or IPV6.search(text) or text in passwords:
            found.append((table, column, text[:80]))
        if (table, column) in POST_ID_COLUMNS and value in hidden:
            found.append((table, column, text))
    assert found == []
    assert public.execute("SELECT count(*) FROM comments WHERE approved != '1'").fetchone()[0] == 0
    published = full.execute("SELECT count(*) FROM posts WHERE post_type IN ('post', 'page') AND status = 'publish' "
                             "AND coalesce(password, '') = ''").fetchone()[0]
    assert public.execute("SELECT count(*) FROM posts WHERE post_type IN ('post', 'page')").fetchone()[0] \
        == published > 0
    # Vacuumed, with search indexes built from what is left: never larger than the full database.
    assert (tmp_path / "public.db").stat().st_size <= (tmp_path / "full.db").stat().st_size


def test_public_import_keeps_approved_comments_without_contact_data(tmp_path: Path) -> None:
    public = imported(FIXTURES / "wxr-1.1.xml", tmp_path, "--public")
    full = Database(tmp_path / "public.db")
    rows = [tuple(r) for r in full.execute("SELECT author_email, author_ip FROM comments")]
    assert rows and set(rows) == {(None, None)}
    assert public.execute("SELECT count(*) FROM authors WHERE email IS NOT NULL").fetchone()[0] == 0


# --- every column and element kind an export can carry, with a marker in each ----------------------
# `hid...` markers are in what readers never saw, `show...` markers in what they did: the first must be
# nowhere in the public file's bytes (pages, free pages, full-text shadow tables) or its metadata, the
# second must be there. Private addresses are markers too, in every form the redaction must know.

HIDDEN_ADDRESSES = [
    "203.0.113.7", "2001:db8:85a3::8a2e:370:7334", "fe80::1:2", "2001:0db8:0000:0000:0000:ff00:0042:8329",
    "::ffff:192.0.2.128", "fe80::3%eth0", "2001:db8::4", "2001:DB8::ABCD", "198.51.100.1", "198.51.100.2",
    "198.51.100.3", "198.51.100.4", "198.51.100.5", "198.51.100.6", "64:ff9b::c000:221", "::1",
]
SITE = "http://example.com"
PLUGIN_NS = 'xmlns:plug="http://example.com/plugin"'


def xml_item(post_id: int, title: str, *, status: str = "publish", post_type: str = "post", slug: str = "",
             creator: str = "hidkeptlogin", content: str = "", password: str = "", parent: int = 0,
             more: str = "", link: str = "", excerpt: str = "") -> str:
    return (f"<item><title>{title}</title><link>{link or f'{SITE}/{slug or post_id}/'}</link>"
            f'<guid isPermaLink="false">{SITE}/?p={post_id}</guid><dc:creator>{creator}</dc:creator>'
            f"<content:encoded><![CDATA[{content}]]></content:encoded><excerpt:encoded>{excerpt}</excerpt:encoded>"
            f"<wp:post_id>{post_id}</wp:post_id><wp:post_date>2020-01-01 10:00:00</wp:post_date>"
            f"<wp:post_name>{slug or post_id}</wp:post_name><wp:status>{status}</wp:status>"
            f"<wp:post_parent>{parent}</wp:post_parent><wp:post_type>{post_type}</wp:post_type>"
            f"<wp:post_password>{password}</wp:post_password>{more}</item>\n")


def meta(key: str, value: str) -> str:
    return (f"<wp:postmeta><wp:meta_key>{key}</wp:meta_key><wp:meta_value><![CDATA[{value}]]></wp:meta_value>"
            "</wp:postmeta>")


def xml_comment(cid: int, content: str, *, author: str = "showcommenter", approved: str = "1", kind: str = "",
                parent: int = 0, email: str = "", url: str = "", ip: str = "", more: str = "") -> str:
    return (f"<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author><![CDATA[{author}]]>"
            f"</wp:comment_author><wp:comment_author_email>{email}</wp:comment_author_email>"
            f"<wp:comment_author_url>{url}</wp:comment_author_url><wp:comment_author_IP>{ip}</wp:comment_author_IP>"
            "<wp:comment_date>2020-01-02 10:00:00</wp:comment_date>"
            f"<wp:comment_content><![CDATA[{content}]]></wp:comment_content>"
            f"<wp:comment_approved>{approved}</wp:comment_approved><wp:comment_type>{kind}</wp:comment_type>"
            f"<wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>7</wp:comment_user_id>{more}"
            "</wp:comment>")


def channel() -> str:
    return (f"<title>showsitetitle</title><link>{SITE}</link>"
            "<description>showtagline, write to hidsiteemail@example.org</description><language>en</language>"
            f"<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{SITE}</wp:base_site_url>"
            f"<wp:base_blog_url>{SITE}</wp:base_blog_url><generator>https://wordpress.org/?v=6.4</generator>"
            f"<plug:settings {PLUGIN_NS}><admin>hidsiteplugin@example.org</admin><ip>198.51.100.1</ip>"
            "<note>hidsitepluginnote</note></plug:settings>"
            "<wp:author><wp:author_id>7</wp:author_id><wp:author_login>hidkeptlogin</wp:author_login>"
            "<wp:author_email>hidkeptemail@example.org</wp:author_email><wp:author_display_name>Showauthorname"
            "</wp:author_display_name><wp:author_first_name>hidkeptfirst</wp:author_first_name>"
            "<wp:author_last_name>hidkeptlast</wp:author_last_name></wp:author>"
            "<wp:author><wp:author_id>8</wp:author_id><wp:author_login>hiddraftlogin</wp:author_login>"
            "<wp:author_email>hiddraftemail@example.org</wp:author_email><wp:author_display_name>hiddraftdisplay"
            "</wp:author_display_name><wp:author_first_name>hiddraftfirst</wp:author_first_name></wp:author>"
            "<wp:category><wp:term_id>1</wp:term_id><wp:category_nicename>showparentcat</wp:category_nicename>"
            "<wp:category_parent></wp:category_parent><wp:cat_name>showparentcat</wp:cat_name></wp:category>"
            "<wp:category><wp:term_id>2</wp:term_id><wp:category_nicename>showcat</wp:category_nicename>"
            "<wp:category_parent>showparentcat</wp:category_parent><wp:cat_name>showcat</wp:cat_name>"
            "<wp:category_description>showcatdesc</wp:category_description><wp:termmeta><wp:meta_key>color"
            "</wp:meta_key><wp:meta_value>hidkepttermmeta</wp:meta_value></wp:termmeta></wp:category>"
            "<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>hidcatslug</wp:category_nicename>"
            "<wp:category_parent></wp:category_parent><wp:cat_name>hidcatname</wp:cat_name>"
            "<wp:category_description>hidcatdesc</wp:category_description></wp:category>"
            "<wp:category><wp:term_id>7</wp:term_id><wp:category_nicename>hidchildcat</wp:category_nicename>"
            "<wp:category_parent>hidcatslug</wp:category_parent><wp:cat_name>hidchildname</wp:cat_name>"
            "</wp:category>"
            '<wp:term><wp:term_id>8</wp:term_id><wp:term_taxonomy>nav_menu</wp:term_taxonomy><wp:term_slug>'
            "hidmenuslug</wp:term_slug><wp:term_name>hidmenuname</wp:term_name></wp:term>"
            "<wp:tag><wp:term_id>4</wp:term_id><wp:tag_slug>hidtagslug</wp:tag_slug><wp:tag_name>hidtagname"
            "</wp:tag_name><wp:tag_description>hidtagdesc</wp:tag_description></wp:tag>"
            "<wp:term><wp:term_id>5</wp:term_id><wp:term_taxonomy>genre</wp:term_taxonomy><wp:term_slug>"
            "hidtermslug</wp:term_slug><wp:term_name>hidtermname</wp:term_name><wp:term_description>hidtermdesc"
            "</wp:term_description><wp:termmeta><wp:meta_key>k</wp:meta_key><wp:meta_value>hidtermmeta"
            "</wp:meta_value></wp:termmeta></wp:term>"
            '<wp:term><wp:term_id>6</wp:term_id><wp:term_taxonomy>nav_menu</wp:term_taxonomy><wp:term_slug>'
            "showmenu</wp:term_slug><wp:term_name>showmenu</wp:term_name></wp:term>")


def kept_post() -> str:
    content = ("showpostbody Write to hidcontentemail@example.org or to hidantispam&#64;example&#46;org, "
               "<a href='mailto:hidmailto%40example.org'>mail</a>. Seen from 203.0.113.7. Also "
               "2001:db8:85a3::8a2e:370:7334 and fe80::1:2, full 2001:0db8:0000:0000:0000:ff00:0042:8329, "
               "mapped ::ffff:192.0.2.128, NAT64 64:ff9b::c000:221, zone fe80::3%eth0, "
               "url http://[2001:db8::4]:8080/x, upper 2001:DB8::ABCD, loopback ::1; "
               "std::vector and Foo::bar and logo@2x.png stay. "
               f"<img src='{SITE}/wp-content/uploads/showusedfile.jpg'>")
    text = "hidseremail@example.org 10.0"
    serialized = f's:{len(text)}:"{text}";'
    comments = [
        xml_comment(100, "showcommenttext pinged from 198.51.100.5.", email="hidc1email@example.org",
                    url="http://showcommentersite.example/?from=198.51.100.3", ip="198.51.100.4",
                    more="<wp:commentmeta><wp:meta_key>akismet_result</wp:meta_key><wp:meta_value>"
                         "hidcommentmeta</wp:meta_value></wp:commentmeta>"),
        xml_comment(101, "hidpendingcomment", author="hidpendingauthor", approved="0"),
        xml_comment(102, "hidspamcomment", author="hidspamauthor", approved="spam",
                    url="http://hidspamsite.example/"),
        xml_comment(103, "hidtrashcomment", approved="trash"),
        xml_comment(104, "hidordernote", kind="order_note"),
        xml_comment(105, "showpingback", kind="pingback", author="showpinger"),
        xml_comment(106, "showorphanreply", parent=101),
    ]
    more = ('<category domain="category" nicename="showcat"><![CDATA[showcat]]></category>'
            '<category domain="post_tag" nicename="showtag"><![CDATA[showtag]]></category>'
            + meta("mood", "showmood") + meta("contact", "hidcfemail@example.org")
            + meta("info", serialized) + meta("_thumbnail_id", "30") + meta("_edit_last", "hideditlast")
            + meta("_wp_old_slug", "hidoldslug") + meta("akismet_result", "hidakismetpost")
            + meta("_secretplugin", "hidprotectedmeta")
            + f"<plug:data {PLUGIN_NS}><email>hidpostplugin@example.org</email><ip>198.51.100.2</ip>"
            "<note>hidpostpluginnote</note></plug:data><wp:is_sticky>0</wp:is_sticky>"
            + "".join(comments))
    more += "<description>showrssdescription 198.51.100.6</description>"
    return xml_item(10, "showposttitle", content=content, slug="showpostslug", more=more,
                    excerpt="showexcerpt from hidexcerptemail@example.org")


def hidden_items() -> list[str]:
    draft_more = ('<category domain="category" nicename="hidcatslug"><![CDATA[hidcatname]]></category>'
                  '<category domain="category" nicename="hidchildcat"><![CDATA[hidchildname]]></category>'
                  + xml_comment(110, "hiddraftcomment", author="hiddraftcommenter"))
    return [
        xml_item(11, "hiddrafttitle", status="draft", slug="hiddraftslug", creator="hiddraftlogin",
                 content="hiddraftbody", more=draft_more + "<description>hiddraftrss</description>",
                 excerpt="hiddraftexcerpt"),
        xml_item(12, "hidprivatetitle", status="private", slug="hidprivateslug", content="hidprivatebody",
                 more='<category domain="post_tag" nicename="hidtagslug"><![CDATA[hidtagname]]></category>'
                      '<category domain="genre" nicename="hidtermslug"><![CDATA[hidtermname]]></category>'),
        xml_item(13, "hidpasswordtitle", password="hidpassword", slug="hidpasswordslug"),
        # By a login the author list does not name: the full database's warnings quote it.
        xml_item(14, "hidpendingtitle", status="pending", slug="hidpendingslug", creator="hidunlistedlogin",
                 link=f"{SITE}/?p=14&amp;hidpendinglink=1"),
        xml_item(15, "hidfuturetitle", status="future", slug="hidfutureslug"),
        xml_item(16, "hidtrashtitle", status="trash", slug="hidtrashslug__trashed"),
        xml_item(17, "hidautodrafttitle", status="auto-draft", slug="hidautodraftslug"),
        xml_item(31, "hidattachtitle", status="inherit", post_type="attachment", parent=11, slug="hidattachslug",
                 more=f"<wp:attachment_url>{SITE}/wp-content/uploads/hidattachfile.jpg</wp:attachment_url>"),
        xml_item(40, "hidmenulinktitle", post_type="nav_menu_item", slug="40",
                 more=meta("_menu_item_type", "custom") + meta("_menu_item_url", f"{SITE}/hiddraftslug/")
                 + '<category domain="nav_menu" nicename="hidmenuslug"><![CDATA[hidmenuname]]></category>'),
        xml_item(41, "hidmenuprivatetitle", post_type="nav_menu_item", slug="41",
                 more=meta("_menu_item_type", "post_type") + meta("_menu_item_object_id", "12")
                 + meta("_menu_item_object", "post")),
        xml_item(44, "hidmenuquerytitle", post_type="nav_menu_item", slug="44",
                 more=meta("_menu_item_type", "custom") + meta("_menu_item_url", f"{SITE}/?p=14")),
        xml_item(50, "hidproducttitle", post_type="product", slug="hidproductslug"),
        xml_item(51, "hidblocktitle", post_type="wp_block", slug="hidblockslug"),
        xml_item(52, "hidrevisiontitle", status="inherit", post_type="revision", parent=10, slug="10-revision-v1"),
    ]


def shown_items() -> list[str]:
    return [
        kept_post(),
        xml_item(20, "showpagetitle", post_type="page", slug="showpageslug", content="showpagebody"),
        xml_item(30, "showthumbtitle", status="inherit", post_type="attachment", slug="showthumbslug",
                 more=f"<wp:attachment_url>{SITE}/wp-content/uploads/showthumb.jpg</wp:attachment_url>"),
        xml_item(32, "showattachedtitle", status="inherit", post_type="attachment", parent=10, slug="showattached",
                 more=f"<wp:attachment_url>{SITE}/wp-content/uploads/showattached.jpg</wp:attachment_url>"),
        # Attached to the draft, but shown in a kept post: its page address named the draft's slug.
        xml_item(33, "showusedtitle", status="inherit", post_type="attachment", parent=11, slug="showusedslug",
                 link=f"{SITE}/hiddraftslug/showusedslug/",
                 more=f"<wp:attachment_url>{SITE}/wp-content/uploads/showusedfile.jpg</wp:attachment_url>"),
        # Made by someone who wrote nothing readers saw.
        xml_item(42, "showmenupage", post_type="nav_menu_item", slug="42", creator="hidmenuauthor",
                 more=meta("_menu_item_type", "post_type") + meta("_menu_item_object_id", "20")
                 + meta("_menu_item_object", "page")
                 + '<category domain="nav_menu" nicename="showmenu"><![CDATA[showmenu]]></category>'),
        xml_item(43, "showexternal", post_type="nav_menu_item", slug="43",
                 more=meta("_menu_item_type", "custom") + meta("_menu_item_url", "https://elsewhere.example/x")),
    ]


def planted_export() -> bytes:
    return export_bytes(*shown_items(), *hidden_items(), head=channel())


def markers(text: str, prefix: str) -> set[str]:
    return set(re.findall(prefix + r"[a-z0-9]+", text.lower()))


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("planted")
    source = folder / "site.xml"
    source.write_bytes(planted_export())
    full, public = folder / "site.db", folder / "site.public.db"
    assert cli("import", source, "--db", full, "-q").exit_code == 0
    result = cli("import", source, "--db", public, "--public")
    assert result.exit_code == 0, result.output
    return full, public, result.output


def test_planted_markers_readers_never_saw_are_not_in_the_public_bytes(planted: tuple[Path, Path, str]) -> None:
    full, public, _ = planted
    hidden = markers(planted_export().decode(), "hid")
    full_bytes = full.read_bytes().lower()
    assert rows(Database(full), "SELECT count(*) FROM warnings WHERE detail LIKE '%hidunlistedlogin%'") == [(1,)]
    assert len(hidden) > 60 and [m for m in hidden if m.encode() not in full_bytes] == []
    raw = (public.read_bytes() + public.with_name("site.public.metadata.json").read_bytes()).lower()
    assert sorted(m for m in hidden if m.encode() in raw) == []
    assert [a for a in HIDDEN_ADDRESSES if a.lower().encode() in raw] == []


def test_planted_markers_readers_saw_are_kept(planted: tuple[Path, Path, str]) -> None:
    _, public, _ = planted
    shown = markers(planted_export().decode(), "show")
    raw = public.read_bytes().lower()
    assert sorted(m for m in shown if m.encode() not in raw) == []
    db = Database(public)
    assert rows(db, "SELECT login, display_name, email FROM authors") == [("Showauthorname", "Showauthorname", None)]
    assert rows(db, "SELECT author FROM posts WHERE id = 10") == [("Showauthorname",)]
    assert rows(db, "SELECT link FROM posts WHERE id = 33") == [(f"{SITE}/?attachment_id=33",)]
    assert rows(db, "SELECT DISTINCT user_id FROM comments") == [(None,)]
    comment = rows(db, "SELECT author, author_url, author_email, author_ip, content FROM comments WHERE id = 100")
    assert comment == [("showcommenter", "http://showcommentersite.example/?from=[IP removed]", None, None,
                        "showcommenttext pinged from [IP removed].")]
    content = rows(db, "SELECT content FROM posts WHERE id = 10")[0][0]
    assert "std::vector and Foo::bar and logo@2x.png stay." in content
    assert content.count("[IP removed]") == 10 and content.count("[email removed]") == 3


def test_planted_public_metadata_describes_the_redacted_site(planted: tuple[Path, Path, str]) -> None:
    _, public, _ = planted
    meta = json.loads(public.with_name("site.public.metadata.json").read_text(encoding="utf-8"))
    assert (meta["title"], meta["description"], meta["source_url"]) == (
        "showsitetitle", "showtagline, write to [email removed]", SITE)
    assert list(meta["databases"]) == ["site.public"]


def test_planted_search_indexes_and_free_pages_hold_nothing_deleted(planted: tuple[Path, Path, str]) -> None:
    full, public, _ = planted
    conn = sqlite3.connect(public)
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE "
                                         "'%USING FTS5%'")]
    assert sorted(tables) == ["comments_fts", "posts_fts", "published_posts_fts"]
    for table in tables:
        conn.execute(f"CREATE VIRTUAL TABLE temp.[{table}_v] USING fts5vocab(main, [{table}], row)")
        words = {w for (w,) in conn.execute(f"SELECT term FROM temp.[{table}_v]")}
        assert {w for w in words if w.startswith("hid")} == set()
    assert "showpostbody" in {w for (w,) in conn.execute("SELECT term FROM temp.posts_fts_v")}
    assert public.stat().st_size <= full.stat().st_size


def test_planted_summary_counts_the_public_file(planted: tuple[Path, Path, str]) -> None:
    _, public, output = planted
    db = Database(public)
    by_type = dict(rows(db, "SELECT post_type, count(*) FROM posts GROUP BY post_type"))
    assert by_type == {"post": 1, "page": 1, "attachment": 3, "nav_menu_item": 2}
    assert rows(db, "SELECT (SELECT count(*) FROM comments), (SELECT count(*) FROM terms)") == [(3, 4)]
    first = output.splitlines()[0]
    assert first == (f"{public}: 3 attachments, 2 nav_menu_items, 1 page, 1 post; 3 comments, 4 terms, "
                     "1 author; 0 warnings")
    assert "See the warnings" not in output and rows(db, "SELECT count(*) FROM warnings") == [(0,)]
    found = re.search(r"redacted (\d+) email and (\d+) IP address occurrences", output)
    # At least the distinct ones in kept values (a post's content and its plain text each count).
    assert found and int(found.group(1)) >= 6 and int(found.group(2)) >= 12


def test_planted_serialized_meta_still_decodes(planted: tuple[Path, Path, str]) -> None:
    _, public, _ = planted
    (value, value_json), = rows(Database(public), "SELECT value, value_json FROM postmeta WHERE key = 'info'")
    assert php_unserialize(value) == "*" * 23 + " 10.0" and json.loads(value_json) == "[email removed] 10.0"


# --- the address scan on its own --------------------------------------------------------------------

FOUND = [
    ("at 203.0.113.7.", "at [IP removed]."), ("http://198.51.100.9:8080/x", "http://[IP removed]:8080/x"),
    ("010.000.000.001", "[IP removed]"), ("203-0-113-7.static.example.net", "[IP removed].static.example.net"),
    ("/tag/from-192-0-2-1/", "/tag/from-[IP removed]/"), ("(192.0.2.1)", "([IP removed])"),
    ("1.2.3.4.5", "[IP removed].5"),
    ("2001:db8:85a3::8a2e:370:7334 and fe80::1:2.", "[IP removed] and [IP removed]."),
    ("2001:0db8:0000:0000:0000:ff00:0042:8329", "[IP removed]"), ("::1", "[IP removed]"),
    ("net 2001:db8::", "net [IP removed]"), ("::ffff:192.0.2.128", "[IP removed]"),
    ("64:ff9b::192.0.2.33", "[IP removed]"), ("fe80::1%eth0 up", "[IP removed] up"),
    ("http://[fe80::1%25en0]:80/", "http://[[IP removed]]:80/"), ("2001:DB8::ABCD", "[IP removed]"),
    ("IP:2001:db8::1", "IP:[IP removed]"), ("from 2001:db8::1.Each", "from [IP removed].Each"),
    ("2001:db8::1/64", "[IP removed]/64"), ("ip=2001:db8::1:", "ip=[IP removed]:"),
    ("a@example.org", "[email removed]"), ("Mail a.b+c@mail.example.co.uk.", "Mail [email removed]."),
    ("jörg@exämple.de", "[email removed]"), ("x@例え.テスト", "[email removed]"),
    ("a&#64;example&#46;org", "[email removed]"), ("a&#x40;example.org", "[email removed]"),
    ("mailto:a%40example.org", "mailto:[email removed]"), ("a&commat;example.org", "[email removed]"),
    ("user@[192.0.2.1]", "[email removed]"), ("A@EXAMPLE.ORG", "[email removed]"),
    ("u@host.xn--p1ai", "[email removed]"),
]
NOT_FOUND = ["2020-01-02", "555-123-4567", "999.1.1.1",
             "std::vector", "Foo::bar", "a::before", "li::marker", "logo@2x.png", "10:30:00", "1.2.3",
             'a:1:{s:1:"x";i:2;}', "@username", "a :: b", "00:1a:2b:3c:4d:5e", "x2001:db8::1", "v1.2"]


@pytest.mark.parametrize(("text", "redacted"), FOUND)
def test_every_form_of_an_address_is_redacted(text: str, redacted: str) -> None:
    assert redact_text(text) == redacted


@pytest.mark.parametrize("text", NOT_FOUND)
def test_what_only_looks_like_an_address_stays(text: str) -> None:
    assert private_spans(text) == [] and redact_text(text) == text


def test_masking_keeps_a_serialized_value_s_byte_lengths() -> None:
    value = 'a:1:{s:5:"email";s:17:"jörg@example.org";}'
    masked = redact_text(value, same_length=True)
    assert masked is not None and len(masked.encode()) == len(value.encode())
    assert php_unserialize(masked) == {"email": "*" * 17}
    # Written with a character reference, the address cannot be masked in place: the value goes.
    assert redact_text('s:20:"a&#64;example.org 1";', same_length=True) is None


CRAFTED = {  # each 250 KB
    "digits and colons": "1:" * 125_000, "digits": "1" * 250_000, "dotted digits": "1." * 125_000,
    "double colons": "1::" * 83_333, "hex groups": "ffff:" * 50_000, "at signs": "@" * 250_000,
    "local parts": "a@" * 125_000, "long local then at": "a" * 249_999 + "@",
    "domain labels": "a@" + "b." * 124_999, "references": "&#64;" * 50_000, "mixed": "1.1:a@" * 41_666,
}


@pytest.mark.parametrize("text", CRAFTED.values(), ids=CRAFTED.keys())
@pytest.mark.slow
def test_scan_work_is_linear_in_the_text(text: str) -> None:
    """No clock: the characters handed to the scan's bounded steps grow with the text, not faster."""
    small, large = Work(), Work()
    private_spans(referenced(text), small)
    private_spans(referenced(text * 2), large)
    assert small.characters <= 6 * len(text)
    assert large.characters <= 2 * small.characters + 1_000


def test_a_megabyte_of_digits_and_colons_is_one_bounded_pass() -> None:
    text = "1:2::" * 200_000
    work = Work()
    assert private_spans(text, work) == []
    assert work.characters <= 6 * len(text)


def test_keys_that_clash_once_redacted_do_not_stop_the_import(tmp_path: Path) -> None:
    """Two tags, and two authors, that differ only in an IP address: redacted, the second would have the
    first one's key; it goes with its row instead of failing the import."""
    tags = "".join(f'<category domain="post_tag" nicename="from-192-0-2-{n}"><![CDATA[from 192.0.2.{n}]]>'
                   "</category>" for n in (1, 2))
    head = channel().replace("Showauthorname", "Writer 192.0.2.1").replace("hiddraftdisplay", "Writer 192.0.2.2")
    source = tmp_path / "clash.xml"
    source.write_bytes(export_bytes(xml_item(1, "One", more=tags),
                                    xml_item(2, "Two", creator="hiddraftlogin", more=tags), head=head))
    result = cli("import", source, "--db", tmp_path / "clash.db", "--public", "-q")
    assert result.exit_code == 0, result.output
    db = Database(tmp_path / "clash.db")
    assert rows(db, "SELECT name FROM terms WHERE taxonomy = 'post_tag'") == [("from [IP removed]",)]
    assert rows(db, "SELECT login FROM authors") == [("Writer [IP removed]",)]
    assert b"192.0.2." not in (tmp_path / "clash.db").read_bytes()
