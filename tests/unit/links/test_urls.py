"""The old site's URL index and the link rewriter, on the theme unit test export and crafted input."""

from __future__ import annotations

import time
from collections import Counter
from urllib.parse import urlsplit

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import corpus_index
from wxr2db.links.rewrite import LinkCounts, rewrite_links
from wxr2db.links.urls import (
    PLAIN_URL,
    AttachmentUrl,
    PostUrl,
    Resolution,
    TermUrl,
    UrlIndex,
    build_index,
    parse_absolute,
    parse_split,
    site_bases,
)
from wxr2db.records import Post, Site, Term

HOME = "https://wpthemetestdata.wordpress.com"
FILES = "https://wpthemetestdata.files.wordpress.com"


@pytest.fixture(scope="module")
def index(export: tuple[Site, list[Post], list[Term]]) -> UrlIndex:
    return corpus_index(export)


@pytest.mark.corpus
def test_bases_leave_out_wordpress_com_itself(export: tuple[Site, list[Post], list[Term]]) -> None:
    site = export[0]
    assert site.base_site_url == "https://wordpress.com/"
    assert site_bases(site.link, site.base_site_url, site.base_blog_url) == [HOME, HOME]
    assert site_bases("https://example.com", "https://example.com/wp", "https://example.com") == [
        "https://example.com", "https://example.com", "https://example.com/wp"]


# --- every URL form, on the export's own posts -----------------------------------------------------

GALLERY = Resolution("post", "/new/555/", 555)  # https://wpthemetestdata.wordpress.com/2010/09/10/post-format-gallery/
FORMS = {
    f"{HOME}/2010/09/10/post-format-gallery/": GALLERY,
    "http://wpthemetestdata.wordpress.com/2010/09/10/post-format-gallery/": GALLERY,
    "https://www.wpthemetestdata.wordpress.com/2010/09/10/post-format-gallery/": GALLERY,
    "https://WPThemeTestData.WordPress.com/2010/09/10/post-format-gallery": GALLERY,
    "//wpthemetestdata.wordpress.com/2010/09/10/post-format-gallery/": GALLERY,
    "/2010/09/10/post-format-gallery/": GALLERY,
    "/2010/09/10/post-format-gallery": GALLERY,
    "/index.php/2010/09/10/post-format-gallery/": GALLERY,
    "/2010//09/10/post-format-gallery/": GALLERY,
    "/2010/09/10/post-format-gallery/?replytocom=12": GALLERY,
    "/2010/09/10/post-format-gallery/#comments": Resolution("post", "/new/555/#comments", 555),
    f"{HOME}/?p=555": GALLERY,
    f"{HOME}/?p=555#respond": Resolution("post", "/new/555/#respond", 555),
    "/index.php?p=555": GALLERY,
    "/?p=555&preview=true": GALLERY,
    # guid https://wpthemetestdata.wordpress.com/?p=568 is also post 1158's: the id wins, as in WordPress.
    f"{HOME}/?p=568": Resolution("post", "/new/568/", 568),
    f"{HOME}/?page_id=701": Resolution("page", "/new/701/", 701),
    f"{HOME}/about/page-with-comments/": Resolution("page", "/new/155/", 155),
    f"{HOME}/level-1/level-2/level-3": Resolution("page", "/new/172/", 172),
    # Greek slugs: the export's lowercase %xx, uppercase, decoded, and the export's doubled slash.
    f"{HOME}/greek/%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2/": Resolution("page", "/new/1811/", 1811),
    f"{HOME}/greek/%CE%B5%CF%80%CE%AF%CF%80%CE%B5%CE%B4%CE%BF-2/": Resolution("page", "/new/1811/", 1811),
    f"{HOME}/greek/επίπεδο-2/": Resolution("page", "/new/1811/", 1811),
    # Guids: an old address on another host (the site was imported from wptest.io), and an old permalink.
    "http://wptest.io/demo/?p=903": Resolution("post", "/new/1177/", 1177),
    f"{HOME}/2007/09/04/comment-test/": Resolution("post", "/new/1148/", 1148),
    # WordPress's slug guess: the export links block-button under the 3rd; it was posted on the 2nd.
    f"{HOME}/2018/11/03/block-button/": Resolution("post", "/new/1747/", 1747),
    # Attachment pages, ?attachment_id and ?p of an attachment, and the file itself: the file.
    f"{HOME}/2010/09/10/post-format-gallery/dcp_2082": Resolution("attachment", f"{FILES}/2008/06/dcp_2082.jpg", 757),
    f"{HOME}/?attachment_id=757": Resolution("attachment", f"{FILES}/2008/06/dcp_2082.jpg", 757),
    f"{HOME}/?p=757": Resolution("attachment", f"{FILES}/2008/06/dcp_2082.jpg", 757),
    f"{FILES}/2008/06/dcp_2082.jpg?w=300": Resolution("attachment", f"{FILES}/2008/06/dcp_2082.jpg", 757),
    # Archives: parent/child path, the child alone, paged, ?cat=id, ?tag=slug, tags.
    f"{HOME}/category/parent/child-1/child-2/": Resolution("term", "/category-archive/child-2/", 1043329),
    f"{HOME}/category/child-2/page/3/": Resolution("term", "/category-archive/child-2/", 1043329),
    f"{HOME}/?cat=1043329": Resolution("term", "/category-archive/child-2/", 1043329),
    f"{HOME}/tag/8bit/": Resolution("term", "/post_tag-archive/8bit/", 695220),
    f"{HOME}/?tag=8bit": Resolution("term", "/post_tag-archive/8bit/", 695220),
    f"{HOME}/?category_name=parent/child-1": Resolution("term", "/category-archive/child-1/", 1043326),
    # The front page; the guid `https://wpthemetestdata.wordpress.com/` of page 501 is not it.
    f"{HOME}/": Resolution("home", "/", None),
    "/": Resolution("home", "/", None),
    # The site's own addresses that no written post has.
    f"{HOME}/?p=1164": Resolution("unresolved-internal"),  # a draft
    f"{HOME}/?p=99999999999999999999999": Resolution("unresolved-internal"),
    f"{HOME}/?p={'9' * 5000}": Resolution("unresolved-internal"),
    f"{HOME}/?p=١٢": Resolution("unresolved-internal"),  # Arabic-Indic digits are not an id
    f"{HOME}/2010/09/": Resolution("unresolved-internal"),
    f"{HOME}/?s=lorem": Resolution("unresolved-internal"),
    f"{HOME}/wp-admin/": Resolution("unresolved-internal"),
    f"{FILES}/2018/11/file_block.pdf": Resolution("unresolved-internal"),
    f"{HOME}/category/no-such-category/": Resolution("unresolved-internal"),
    # Other sites, and what is not a link at all.
    "https://wordpress.org/themes/": Resolution("external"),
    "https://wordpress.com/2010/09/10/post-format-gallery/": Resolution("external"),
    "mailto:someone@example.com": Resolution("not-a-link"),
    "javascript:void(0)": Resolution("not-a-link"),
    "#top": Resolution("not-a-link"),
    "": Resolution("not-a-link"),
    "http://[x/": Resolution("not-a-link"),
    "http://wpthemetestdata.wordpress.com:port/": Resolution("not-a-link"),
}


@pytest.mark.corpus
def test_every_url_form(index: UrlIndex, export: tuple[Site, list[Post], list[Term]]) -> None:
    terms = {(t.taxonomy, t.slug): t.id for t in export[2]}
    assert (terms[("category", "child-2")], terms[("post_tag", "8bit")], terms[("category", "child-1")]) == (
        1043329, 695220, 1043326), "the export's term ids the table above uses"
    assert {href: index.resolve(href) for href in FORMS} == FORMS


@pytest.mark.corpus
def test_fetched_media_points_at_the_local_file(export: tuple[Site, list[Post], list[Term]]) -> None:
    index = corpus_index(export, fetched=True)
    page = f"{HOME}/2010/09/10/post-format-gallery/dcp_2082/"
    assert index.resolve(page) == Resolution("attachment", "/2008/06/dcp_2082.jpg", 757)
    assert index.resolve(f"{FILES}/2008/06/dcp_2082.jpg#x") == Resolution(
        "attachment", "/2008/06/dcp_2082.jpg#x", 757)


@pytest.mark.corpus
def test_relative_links_are_read_against_the_post(index: UrlIndex) -> None:
    base = f"{HOME}/2010/09/10/post-format-gallery/"
    assert index.resolve("dcp_2082/", base).target_id == 757
    assert index.resolve("../../10/post-format-gallery/", base).target_id == 555


@pytest.mark.corpus
def test_redirect_pairs_cover_each_old_address(index: UrlIndex) -> None:
    assert index.redirects["/2010/09/10/post-format-gallery/"] == "/new/555/"
    assert index.redirects["/?p=555"] == "/new/555/"
    assert index.redirects["/?page_id=701"] == "/new/701/"
    # The file stays on WordPress.com's files host: a link target in bodies, never a redirect target.
    assert "/?attachment_id=757" not in index.redirects
    assert index.resolve("/?attachment_id=757") == Resolution("attachment", f"{FILES}/2008/06/dcp_2082.jpg", 757)
    assert index.redirects["/category/parent/child-1/child-2/"] == "/category-archive/child-2/"
    assert index.redirects["/?cat=1043329"] == "/category-archive/child-2/"
    assert index.redirects["/?tag=8bit"] == "/post_tag-archive/8bit/"
    # The export's permalink has a doubled slash (`.com//greek/...`); servers merge them.
    assert index.redirects["/greek/%ce%b5%cf%80%ce%af%cf%80%ce%b5%ce%b4%ce%bf-2/"] == "/new/1811/"


FOLDER_BLOG_LINKS = (
    "https://example.com/blog/2020/01/hello", "/blog/index.php/2020/01/hello/", "https://example.com/blog/?p=7",
    "/wp-core/?p=7", "https://example.com/wp-core/?post_type=book&p=8", "/blog/topics/news/", "/blog/genre/sf/",
    "/blog/?genre=sf", "/blog/category/news/", "https://example.com/blog/", "https://example.com/shop/",
)


def folder_blog(redirects: bool = True) -> UrlIndex:
    return build_index(
        ["https://example.com/blog", "https://example.com/wp-core"],
        [PostUrl(7, "post", "https://example.com/blog/2020/01/hello/", "https://example.com/wp-core/?p=7", "/hello/"),
         PostUrl(8, "book", "https://example.com/blog/book/dune/", "https://example.com/wp-core/?post_type=book&p=8",
                 "/books/dune/")],
        terms=[TermUrl("category", "news", 3, "/topics/news/"), TermUrl("genre", "sf", 4, "/genre/sf/")],
        taxonomy_bases={"category": "topics"}, redirects=redirects)


def test_an_index_without_redirects_resolves_the_same_links() -> None:
    """Without a redirect file to write, the index leaves the redirects out (on a big site they are
    a quarter of it); links resolve as before."""
    with_redirects, without = folder_blog(), folder_blog(redirects=False)
    assert list(with_redirects.redirects.items()) and list(without.redirects.items()) == []
    assert [without.resolve(href) for href in FOLDER_BLOG_LINKS] == [
        with_redirects.resolve(href) for href in FOLDER_BLOG_LINKS]


def test_a_blog_in_a_folder_with_custom_bases() -> None:
    index = folder_blog()
    assert {href: index.resolve(href) for href in FOLDER_BLOG_LINKS} == {
        "https://example.com/blog/2020/01/hello": Resolution("post", "/hello/", 7),
        "/blog/index.php/2020/01/hello/": Resolution("post", "/hello/", 7),
        "https://example.com/blog/?p=7": Resolution("post", "/hello/", 7),
        "/wp-core/?p=7": Resolution("post", "/hello/", 7),
        "https://example.com/wp-core/?post_type=book&p=8": Resolution("post", "/books/dune/", 8),
        "/blog/topics/news/": Resolution("term", "/topics/news/", 3),
        "/blog/genre/sf/": Resolution("term", "/genre/sf/", 4),
        "/blog/?genre=sf": Resolution("term", "/genre/sf/", 4),
        "/blog/category/news/": Resolution("unresolved-internal"),
        "https://example.com/blog/": Resolution("home", "/", None),
        "https://example.com/shop/": Resolution("unresolved-internal"),
    }
    assert index.redirects == {
        "/blog/2020/01/hello/": "/hello/", "/blog/?p=7": "/hello/", "/blog/book/dune/": "/books/dune/",
        "/blog/?p=8": "/books/dune/", "/blog/topics/news/": "/topics/news/", "/blog/?cat=3": "/topics/news/",
        "/blog/genre/sf/": "/genre/sf/"}


def test_a_parent_loop_in_terms_ends() -> None:
    index = build_index(["https://example.com"], [], terms=[
        TermUrl("category", "a", 1, "/a/", "b"), TermUrl("category", "b", 2, "/b/", "a")])
    assert index.resolve("/category/b/a/").url == "/a/"
    assert index.resolve("/category/a/b/").url == "/b/"


# --- the export's own links --------------------------------------------------------------------------


def own_anchor_links(posts: list[Post]) -> list[tuple[str, str]]:
    """(post link, href) of every <a href> in the bodies that names the site's host, its files'
    host or no host, found by lxml's HTML parser rather than by the code under test."""
    found = []
    hosts = {urlsplit(HOME).hostname, urlsplit(FILES).hostname}
    for post in posts:
        if not post.content.strip():
            continue
        for anchor in lxml.html.fragment_fromstring(post.content, create_parent="div").iter("a"):
            href = anchor.get("href")
            if href is not None and (urlsplit(href).hostname in hosts or href.startswith("/")):
                found.append((post.link, href))
    return found


@pytest.mark.corpus
def test_corpus_own_links_resolve(index: UrlIndex, export: tuple[Site, list[Post], list[Term]]) -> None:
    links = own_anchor_links([p for p in export[1] if p.post_type not in ("attachment", "nav_menu_item")])
    kinds = Counter((urlsplit(href).hostname, index.resolve(href, base).kind) for base, href in links)
    assert kinds == Counter({
        ("wpthemetestdata.wordpress.com", "attachment"): 24,  # attachment pages, now the files
        ("wpthemetestdata.wordpress.com", "post"): 1,  # /2018/11/03/block-button/
        ("wpthemetestdata.files.wordpress.com", "attachment"): 42,
        ("wpthemetestdata.files.wordpress.com", "unresolved-internal"): 3,  # file_block.pdf: no attachment item
    })
    unresolved = {href for base, href in links if index.resolve(href, base).kind == "unresolved-internal"}
    assert unresolved == {f"{FILES}/2018/11/file_block.pdf"}


@pytest.mark.corpus
def test_corpus_bodies_rewrite_only_link_values(index: UrlIndex,
                                                export: tuple[Site, list[Post], list[Term]]) -> None:
    total = LinkCounts()
    for post in export[1]:
        if post.post_type in ("attachment", "nav_menu_item"):
            continue
        text, counts = rewrite_links(post.content, index, post.link)
        total.add(counts)
        before = lxml.html.fragment_fromstring(post.content, create_parent="div") if post.content.strip() else None
        if before is None:
            assert text == post.content
            continue
        after = lxml.html.fragment_fromstring(text, create_parent="div")
        assert [e.tag for e in before.iter()] == [e.tag for e in after.iter()]
        for old, new in zip(before.iter("a"), after.iter("a"), strict=True):
            href = old.get("href")
            if href is not None:
                wanted = index.resolve(href, post.link).url or href
                assert new.get("href") == wanted
    assert (total.rewritten, total.kept["unresolved-internal"]) == (Counter({"attachment": 27, "post": 1}), 3)


# --- the rewriter on crafted HTML ---------------------------------------------------------------------

UP = "https://example.com/wp-content/uploads/"
LOCAL = "/wp-content/uploads/"
SMALL = build_index(["https://example.com"], [PostUrl(1, "post", "https://example.com/hello/", "", "/posts/hello/")],
                    [AttachmentUrl(2, "https://example.com/hello/pic/", "", "https://example.com/wp-content/uploads/p.jpg",
                                   "/wp-content/uploads/p.jpg")],
                    files={"https://example.com/wp-content/uploads/p-300x200.jpg": "/wp-content/uploads/p-300x200.jpg"})


@pytest.mark.parametrize(("html", "wanted"), [
    ('<p>see <a href="https://example.com/hello/">x</a></p>', '<p>see <a href="/posts/hello/">x</a></p>'),
    ("<A HREF='http://www.example.com/?p=1&amp;x=1#c'>x</A>", "<A HREF='/posts/hello/#c'>x</A>"),
    ("<a class=x href=https://example.com/hello/pic/ title=t>", '<a class=x href="/wp-content/uploads/p.jpg" title=t>'),
    ('<a\nhref = "/hello/"\n>', '<a\nhref = "/posts/hello/"\n>'),
    (f'<img src="{UP}p.jpg" srcset="{UP}p.jpg 1x, {UP}p-300x200.jpg 300w, https://cdn.example.org/q.jpg 2x">',
     f'<img src="{LOCAL}p.jpg" srcset="{LOCAL}p.jpg 1x, {LOCAL}p-300x200.jpg 300w, https://cdn.example.org/q.jpg 2x">'),
    # A comma with no space after it is part of the URL (HTML's srcset rules): one unknown URL, kept.
    (f'<img srcset="{UP}p.jpg,{UP}p-300x200.jpg 2x">', f'<img srcset="{UP}p.jpg,{UP}p-300x200.jpg 2x">'),
    (f'<img srcset="{UP}p.jpg, {UP}p-300x200.jpg,">', f'<img srcset="{LOCAL}p.jpg, {LOCAL}p-300x200.jpg,">'),
    ('<div title="<a href=\'/hello/\'>"></div>', '<div title="<a href=\'/hello/\'>"></div>'),
    ('<!-- wp:image {"url":"/hello/"} --><a href="/hello/"></a>',
     '<!-- wp:image {"url":"/hello/"} --><a href="/posts/hello/"></a>'),
    ('<script>var a = \'<a href="/hello/">\';</script><a href="/hello/">',
     '<script>var a = \'<a href="/hello/">\';</script><a href="/posts/hello/">'),
    ('<a data-href="/hello/" href="/hello/">', '<a data-href="/hello/" href="/posts/hello/">'),
    ('<link href="/hello/"><span href="/hello/">', '<link href="/hello/"><span href="/hello/">'),
    # The second quote never closes: browsers drop the unfinished tag, and nothing is rewritten.
    ('<a href="/hello/" <a href="/hello/>', '<a href="/hello/" <a href="/hello/>'),
    ('<a href="/hello/"></a><a href="/hello/', '<a href="/posts/hello/"></a><a href="/hello/'),
    ('<a href="/hello/>never closed', '<a href="/hello/>never closed'),
    ("<a href=\"/hello/\">é 𝄞 &amp; &nbsp;</a>", "<a href=\"/posts/hello/\">é 𝄞 &amp; &nbsp;</a>"),
])
def test_rewrite_links_changes_only_link_values(html: str, wanted: str) -> None:
    assert rewrite_links(html, SMALL)[0] == wanted


def test_rewrite_counts() -> None:
    html = ('<a href="/hello/">a</a><a href="/gone/">b</a><a href="https://other.org/">c</a>'
            '<a href="mailto:x@example.com">d</a><a href="/posts/hello/">e</a><img src="/wp-content/uploads/p.jpg">')
    counts = rewrite_links(html, SMALL)[1]
    # The image is already at its local URL, and /posts/hello/ ends in the post's slug (WordPress's
    # guess): both resolve to what they already say, and are kept.
    assert counts == LinkCounts(Counter({"post": 1}),
                                Counter({"unresolved-internal": 1, "external": 1, "not-a-link": 1, "attachment": 1,
                                         "post": 1}),
                                Counter({"/gone/": 1}))


def test_a_target_with_quotes_is_escaped() -> None:
    index = build_index(["https://example.com"], [PostUrl(1, "post", "https://example.com/a/", "", '/b"&\'/')])
    assert rewrite_links('<a href="/a/">', index)[0] == '<a href="/b&quot;&amp;\'/">'
    assert rewrite_links("<a href='/a/'>", index)[0] == "<a href='/b\"&amp;&#39;/'>"


@pytest.mark.parametrize("crafted", [
    "<a " * 200_000, "<a href='" * 200_000, '<a href="x" ' * 100_000, "<a href=" * 200_000, "<!--" * 200_000,
    "<script>" * 200_000, '<img srcset="' + "a.jpg 1x," * 100_000 + '">', '<img srcset="' + "," * 500_000 + '">',
    "<" * 500_000, "<a\t" + "\t" * 500_000,
])
@pytest.mark.slow
def test_rewrite_links_is_linear_on_crafted_input(crafted: str) -> None:
    start = time.perf_counter()
    text, _ = rewrite_links(crafted, SMALL)
    assert time.perf_counter() - start < 5, "a quadratic scan would take minutes on 1-2 MB"
    assert len(text) == len(crafted)


def test_a_huge_id_or_junk_never_raises() -> None:
    for href in ("http://[x/", "http://example.com:99999999/", "?p=" + "9" * 100_000, "%ff%fe/../..", "\x00",
                 "http://example.com/%", "https://exa mple.com/", "//", "http:", "?", "?cat=-1", "/?tag=",
                 "/category/", "/category//page/2"):
        assert isinstance(SMALL.resolve(href), Resolution)



URL_PIECES = ["http", "https", "HTTP", "hTtPs", "ftp", "://", ":", "/", "//", "example.com", "WWW.Example.COM",
              "a", "-", ".", "_", "@", "user@", ":8080", ":x", "[", "]", "[::1]", "\u212a", "\u017f", "é", "%2F",
              "%e6%97%a5", "?", "#", "&", "=", "a=1", "b=", ";", "\\", " ", "\t", "\n", "\x00", "\x7f",
              "+", "..", "%", "日"]


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(["http://", "HTTPS://", "https://", "ftp://", "http:/", ""]),
       st.lists(st.sampled_from(URL_PIECES), max_size=4), st.lists(st.sampled_from(URL_PIECES), max_size=10))
@pytest.mark.slow
def test_plain_urls_are_parsed_as_urlsplit_parses_them(scheme: str, host: list[str], rest: list[str]) -> None:
    url = scheme + "".join(host) + "".join(rest)
    assert parse_absolute.__wrapped__(url) == parse_split(url)


def test_common_links_take_the_plain_way() -> None:
    for url in ("http://example.com/2010/06/a-post/", "https://Example.com/?p=19", "https://example.com/a#c",
                "http://example.files.wordpress.com/2010/06/a.jpg?w=300&h=200"):
        assert PLAIN_URL.fullmatch(url), url
        assert parse_absolute(url) == parse_split(url)
    for url in ("http://user@example.com/", "http://example.com:8080/", "http://exämple.com/", "http://[::1]/"):
        assert PLAIN_URL.fullmatch(url) is None, url


def test_an_attachment_on_the_site_s_own_host_redirects_to_its_path_on_the_new_site() -> None:
    """Not fetched, a file on the site's own host is where the copied uploads folder puts it; the old
    host's address is never a redirect target (the old host is what the redirects are for leaving)."""
    index = build_index(["https://example.com"], [], attachments=[AttachmentUrl(
        30, "https://example.com/photo/", "https://example.com/?attachment_id=30",
        "https://example.com/wp-content/uploads/2020/01/photo.jpg")])
    assert index.redirects["/?attachment_id=30"] == "/wp-content/uploads/2020/01/photo.jpg"
    assert index.redirects["/photo/"] == "/wp-content/uploads/2020/01/photo.jpg"
