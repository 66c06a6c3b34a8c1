"""No script from a visitor reaches the built site: links.safe's URL rule, the escaping of text for
each generator's Markdown dialect, and the front matter's quoting, checked on real generator builds.

The hostile texts are made from pieces (a payload per dialect, wrapped in the HTML a comment can
carry), so each class is covered by many variants; every comment carries a marker word that must
still be visible in the built page.
"""

from __future__ import annotations

import os
import re
import subprocess
from html import unescape
from html.parser import HTMLParser
from itertools import product
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests.generators import (
    ASTRO,
    ELEVENTY,
    NODE_22,
    astro_command,
    generator_command,
    js_yaml,
    link_packages,
    ruby_psych,
)
from tests.helpers import corpus_params, import_bytes, wxr2db
from tests.wxrbuild import SITE, comment, export, header, item
from wxr2db.content.body import render_body
from wxr2db.links.safe import is_local, safe_url, web_url
from wxr2db.site.front_matter import FastDumper, PureDumper, dump_front_matter, yaml_text
from wxr2db.sqlite.metadata import datasette_metadata

# --- what a browser would run ---------------------------------------------------------------------

DANGEROUS = ("javascript:", "vbscript:", "data:", "file:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "xlink:href", "background", "srcset"}
ACTIVE_TAGS = {"script", "iframe", "object", "embed", "base", "form", "frame", "frameset", "svg", "math"}


def browser_scheme_text(value: str) -> str:
    """The start of an attribute value as a browser reads a URL's scheme (written here, not taken
    from links.safe, so the test does not check the rule against itself)."""
    edge = "".join(chr(c) for c in range(0x21))
    return re.sub(r"[\t\n\r]", "", value.strip(edge)).lower()


# A provider's player a post embedded (content.embeds): its iframe, and the fixed styles Hugo's own
# youtube/vimeo shortcodes and wxr2db's iframe put around it. Allowed only where a test says the export
# had such embeds; a visitor's `{{< youtube … >}}` must never make one.
PLAYER = re.compile(r"https://(www\.youtube(-nocookie)?\.com/embed/|player\.vimeo\.com/video/|w\.soundcloud\.com/"
                    r"player/|www\.google\.com/maps/embed)")
PLAYER_STYLES = {"border:0", "position: relative; padding-bottom: 56.25%; height: 0; overflow: hidden;",
                 "position: absolute; top: 0; left: 0; width: 100%; height: 100%; border:0;"}


class Audit(HTMLParser):
    """What a page would run or restyle, and its visible text."""

    def __init__(self, players: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.players = players
        self.script: str | None = None  # the text of a bare <script> being read
        self.problems: list[str] = []
        self.text: list[str] = []

    def is_player(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        found = dict(attrs)
        if tag == "iframe":
            return PLAYER.match(found.get("src") or "") is not None
        return set(found) <= {"style", "class"} and (found.get("style") or "").strip() in PLAYER_STYLES

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.players and self.is_player(tag, attrs):
            return
        if tag == "script" and not attrs:
            self.script = ""  # judged at its end: jekyll-redirect-from's page is one of these
            return
        if tag in ACTIVE_TAGS:
            self.problems.append(f"<{tag}>")
        refresh = dict(attrs).get("content") or "" if tag == "meta" else ""
        # Hugo's alias pages: <meta http-equiv="refresh" content="0; url=/posts/x/">
        if browser_scheme_text(refresh.partition("url=")[2]).startswith(DANGEROUS):
            self.problems.append(f"<meta content={refresh!r}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}>")
            if name in URL_ATTRIBUTES and browser_scheme_text(value or "").startswith(DANGEROUS):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            self.script += data
            return
        self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.script is not None:
            # jekyll-redirect-from's redirect page: `<script>location="URL"</script>`, and nothing else.
            if not REDIRECT_SCRIPT.fullmatch(self.script.strip()):
                self.problems.append(f"<script>{self.script[:80]}")
            self.script = None


REDIRECT_SCRIPT = re.compile(r'location="(https?://|/)[^"\\<>]*"')


def audit(html: str, players: bool = False) -> tuple[list[str], str]:
    reader = Audit(players)
    reader.feed(html)
    reader.close()
    return reader.problems, " ".join("".join(reader.text).split())


# --- hostile comments, made from pieces -------------------------------------------------------------

PAYLOADS = {
    "kramdown": ['{: onmouseover="alert(1)" style="position:fixed;inset:0"}',
                 "{::nomarkdown}<b onclick=alert(1)>x</b>{:/}", '{::options parse_block_html="true" /}',
                 '*x*{: onclick="alert(1)"}', "{:.x onfocus=alert(1) autofocus}", "{::comment}hidden{:/comment}"],
    "hugo": ["{{< youtube dQw4w9WgXcQ >}}", "{{< param title >}}", "{{% unknown-code %}}", "{{< no-such-name >}}",
             "{{< vimeo 146022717 >}}", "{{</* x */>}}"],
    "attributes": ['## Title {style="position:fixed;inset:0"}', '# Big {onclick="alert(1)" #x}',
                   'Setext {style="color:red"}\n===='],
    "templates": ["{{ site.title }}", "{% include x.html %}", "{# note", "{{ 7*7 }}", "{%- raw -%}", "${alert(1)}",
                  "{alert(1)}", "<Component />"],
    "links": ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)",
              " javascript:alert(1)", "&#106;avascript:alert(1)", "javascript&colon;alert(1)",
              "&#x6A;avascript&#x3A;alert(1)", "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>",
              "java&#9;script:alert(1)", "&amp;#106;avascript:alert(1)"],
    "html": ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&lt;script&gt;alert(1)&lt;/script&gt;",
             '<iframe src="https://example.org/"></iframe>', '<svg onload="alert(1)">',
             '[x a="<img src=x onerror=alert(1)>"]', '[x a="[t](javascript:alert(1))"]',
             "<style>body{display:none}</style>"],
}
# How a payload sits in a comment: as text, in a paragraph of its own, in code, as a link's target,
# a link's title or an image's alt text.
WRAPPERS = ["{p}", "Text first\n\n{p}", "<p>{p}</p>", "<code>{p}</code>", "<pre>{p}</pre>", "<em>{p}</em>",
            '<a href="{p}">link text</a>', '<img src="{p}" alt="pic">', "<h2>{p}</h2>",
            '<a href="https://example.com/" title="{p}">titled</a>', '<img src="/a.png" alt="{p}">']


def hostile_comments() -> list[tuple[str, str]]:
    """(marker, comment HTML) for every payload in every wrapper."""
    made = []
    for n, (payload, wrapper) in enumerate(product([p for ps in PAYLOADS.values() for p in ps], WRAPPERS)):
        marker = f"Seen{n}x"
        made.append((marker, f"{marker} " + wrapper.replace("{p}", payload)))
    return made


AUTHOR_URLS = ["javascript:alert(1)", "java\tscript:alert(1)", " JAVASCRIPT:alert(1)", "&#106;avascript:alert(1)",
               "data:text/html,x", "vbscript:x", "javascript&colon;alert(1)", "https://example.org/{{< youtube x >}}"]
AUTHORS = ["<script>alert(1)</script>", "{{< youtube x >}}", '{: onclick="alert(1)"}', "{% include x %}", "{{ 7*7 }}"]


def with_author_url(text: str, url: str) -> str:
    return text.replace("</wp:comment_author>",
                        f"</wp:comment_author><wp:comment_author_url><![CDATA[{url}]]></wp:comment_author_url>")


def hostile_export(path: Path) -> tuple[Path, list[str]]:
    """A post whose comments are every hostile text, one whose comment authors are hostile, and one
    whose own body, title, excerpt and terms are; returns the markers that must show."""
    comments = hostile_comments()
    first = [comment(100000 + n, content=text) for n, (_, text) in enumerate(comments)]
    authors = [with_author_url(comment(200000 + n, content=f"Author{n}x says hi", author=AUTHORS[n % len(AUTHORS)]),
                               url) for n, url in enumerate(AUTHOR_URLS)]
    body = "\n\n".join(text for _, text in comments[: len(WRAPPERS) * 12])
    own = item(3, "<script>alert(1)</script> {{< youtube x >}}", body,
               categories=[("c", '{{< youtube x >}}'), ("d", '{: onclick="alert(1)"}')])
    excerpt = '## Ex {style="position:fixed"} &lt;script&gt;alert(1)&lt;/script&gt;'
    own = own.replace("<excerpt:encoded><![CDATA[]]>", f"<excerpt:encoded><![CDATA[{excerpt}]]>")
    path.write_text(export(item(1, "Hostile comments", "A post.", comments=first),
                           item(2, "Hostile authors", "Another post.", comments=authors), own), encoding="utf-8")
    return path, [m for m, _ in comments] + [f"Author{n}x says hi" for n in range(len(AUTHOR_URLS))]


# --- the URL rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [*PAYLOADS["links"], "\x01javascript:alert(1)", "javascript\x00:alert(1)",
                                 "java\rscript:alert(1)", "\x7fjavascript:x", "file:///etc/passwd",
                                 "&amp;amp;amp;amp;amp;amp;amp;amp;amp;#106;avascript:x", "tel:123", "ftp://x/"])
def test_unsafe_urls_are_dropped(url: str) -> None:
    assert safe_url(url) is None


@pytest.mark.parametrize("url, kept", [
    ("https://example.com/a?b=1&c=2#d", "https://example.com/a?b=1&c=2#d"),
    (" http://example.com/\n", "http://example.com/"),
    ("mailto:a@example.com", "mailto:a@example.com"),
    ("/2010/06/x/", "/2010/06/x/"), ("#top", "#top"), ("../a b.jpg", "../a%20b.jpg"),
    ("https://x.example/{{< youtube x >}}", "https://x.example/%7B%7B%3C%20youtube%20x%20%3E%7D%7D"),
    ("//cdn.example.com/a.jpg", "//cdn.example.com/a.jpg"),
])
def test_safe_urls_are_kept_as_browsers_read_them(url: str, kept: str) -> None:
    assert safe_url(url) == kept


@pytest.mark.parametrize("url, local", [
    ("/wp-content/uploads/a.jpg", True), ("https://www.example.com/a.jpg", True), ("http://EXAMPLE.com./a", True),
    ("//evil.example/a.jpg", False), ("/\\evil.example/a.jpg", False), ("https://evil.example/a.jpg", False),
    ("javascript:alert(1)", False), ("https://example.com@evil.example/", False), ("mailto:a@example.com", False),
    ("\\\\evil.example/a.jpg", False), ("/\t/evil.example/a.jpg", False), ("https:evil.example", False),
    ("https://example.com\\@evil.example/", True),  # browsers read `\` as `/`: the host is example.com
])
def test_local_targets(url: str, local: bool) -> None:
    assert is_local(url, {"example.com"}) is local


GAPS = ["", "", "\t", "\n", "\r"]


def spelling(char: str, upper: bool, gap: str, reference: bool) -> str:
    shown = char.upper() if upper else char
    return (f"&#{ord(shown)};" if reference else shown) + gap


@st.composite
def spelled_javascript(draw: st.DrawFn) -> str:
    """`javascript:` as browsers still read it: any case, tabs and newlines anywhere, C0 controls and
    spaces before it, some letters (or the colon) as character references."""
    lead = draw(st.text(alphabet="".join(chr(c) for c in range(0x21)), max_size=3))
    letters = [spelling(c, draw(st.booleans()), draw(st.sampled_from(GAPS)), draw(st.booleans()))
               for c in "javascript:"]
    return lead + "".join(letters) + "alert(1)"


@pytest.mark.slow
@given(spelled_javascript())
@settings(max_examples=300, deadline=None)
def test_every_spelling_of_javascript_is_dropped(url: str) -> None:
    assert safe_url(url) is None
    assert web_url(url) is None


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_what_is_kept_has_an_allowed_scheme(url: str) -> None:
    kept = safe_url(url)
    if kept is not None:
        read = browser_scheme_text(kept)
        assert not read.startswith(DANGEROUS)
        assert not set(kept) & set('<>"{} ')


# --- Markdown: every dialect's markup is text -------------------------------------------------------


def commonmark_problems(markdown: str) -> list[str]:
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    return audit(html)[0]


@pytest.mark.parametrize("marker, text", hostile_comments())
def test_hostile_comment_markdown_is_inert(marker: str, text: str) -> None:
    markdown = render_body(text).markdown
    assert commonmark_problems(markdown) == []
    # No dialect finds its markup: no brace opens a shortcode, attribute list or template tag,
    # outside code (whose braces Hugo's guard handles, see the builds below).
    prose = re.sub(r"```.*?```|`[^`]*`", "", markdown, flags=re.DOTALL)
    assert not re.search(r"(?<!\\)[{}]", prose), markdown
    assert marker in markdown


@given(st.lists(st.sampled_from([p for ps in PAYLOADS.values() for p in ps] + WRAPPERS + ["\n\n", " ", "<p>", "</p>"]),
                max_size=6))
@settings(max_examples=200, deadline=None)
def test_mixed_hostile_markdown_is_inert(pieces: list[str]) -> None:
    markdown = render_body("".join(pieces)).markdown
    assert commonmark_problems(markdown) == []


# --- YAML: strings stay strings in every reader ----------------------------------------------------

LOOKALIKES = ["09", "019", "0089", "-09", "1:20", "190:20:30", "1_000", "1,000", "0x1F", "0o17", "0b101", "1e3",
              ".5", "1.", "+1", ".inf", "-.Inf", ".NaN", "yes", "No", "ON", "off", "y", "N", "yEs", "TRUE", "null",
              "Null", "~", "", "2010-06-14", "2010-6-4", "2010-06-14 10:00:00", "2010-06-14T10:00:00Z", "=", "=x",
              "<<", ":sym", ":", "10", "3.14"]


@pytest.mark.parametrize("dumper", [FastDumper, PureDumper])
@pytest.mark.generators
def test_lookalikes_stay_strings_for_pyyaml_psych_and_js_yaml(dumper: type[FastDumper]) -> None:
    entries = {"tags": LOOKALIKES, **{word or "empty": 1 for word in LOOKALIKES}}
    text = yaml_text(entries, dumper)
    assert yaml.safe_load(text) == entries
    assert ruby_psych(text) == entries
    assert js_yaml(text) == entries


def test_front_matter_quotes_go_through_the_astral_path() -> None:
    entries = {"title": "09 🎉", "tags": ["09", "🎉", "y"]}
    assert yaml.safe_load(dump_front_matter(entries)) == entries


@pytest.mark.generators
def test_hugo_titles_stay_strings(tmp_path: Path) -> None:
    """Go's yaml (Hugo): a title `09` showed as <title>9</title>."""
    command = generator_command("hugo")
    site = tmp_path / "hugo"
    titles = [t for t in LOOKALIKES if t not in ("", "~")]
    source = tmp_path / "titles.xml"
    source.write_text(export(*(item(n + 1, t) for n, t in enumerate(titles))), encoding="utf-8")
    assert wxr2db("markdown", source, site, "--layout", "hugo", "--templates", "-q").returncode == 0
    done = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # The starter's <title> is "Post title, an en dash, Site title"; the site's title here is "Example".
    shown = {unescape(re.search(r"<title>(.*?)</title>", p.read_text(encoding="utf-8"), re.DOTALL).group(1))  # type: ignore[union-attr]
             for p in (site / "public" / "posts").glob("*/index.html")}
    assert {title.removesuffix(" \u2013 Example") for title in shown} == set(titles)


# --- real builds --------------------------------------------------------------------------------


def built_pages(output: Path) -> dict[str, str]:
    return {str(p.relative_to(output)): p.read_text(encoding="utf-8") for p in output.rglob("*.html")}


def check_built(pages: dict[str, str], markers: list[str]) -> None:
    problems = {}
    text = ""
    for name, html in pages.items():
        found, words = audit(html)
        if found:
            problems[name] = sorted(set(found))[:20]
        text += words
    assert problems == {}
    assert [m for m in markers if m not in text] == []


def markdown_site(tmp_path: Path, layout: str) -> tuple[Path, list[str]]:
    source, markers = hostile_export(tmp_path / "hostile.xml")
    site = tmp_path / layout
    done = wxr2db("markdown", source, site, "--layout", layout, "--templates", timeout=600)
    assert done.returncode == 0, done.stderr
    return site, markers


@pytest.mark.parametrize("layout", ["hugo", "jekyll", "eleventy"])
@pytest.mark.generators
def test_hostile_site_builds_without_scripts(tmp_path: Path, layout: str) -> None:
    command = generator_command(layout)
    site, markers = markdown_site(tmp_path, layout)
    if layout == "eleventy":
        (site / "node_modules").symlink_to(ELEVENTY.parent.parent.parent, target_is_directory=True)
    if layout == "jekyll" and "permalink:" not in (site / "_config.yml").read_text(encoding="utf-8"):
        # Without it Jekyll's default permalink puts categories in the URL, and a category such as
        # `Q&A: tips` stops the build (Addressable: invalid scheme); wxr2db's Jekyll layout assumes it.
        with (site / "_config.yml").open("a", encoding="utf-8") as config:
            config.write("permalink: /:year/:month/:day/:title/\n")
    done = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout
    output = site / {"hugo": "public", "jekyll": "_site", "eleventy": "_site"}[layout]
    check_built(built_pages(output), markers)


@pytest.mark.generators
def test_hostile_site_builds_without_scripts_in_astro(tmp_path: Path) -> None:
    command = astro_command()
    site, markers = markdown_site(tmp_path, "astro")
    link_packages(site)
    done = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "ASTRO_TELEMETRY_DISABLED": "1"})
    assert done.returncode == 0, done.stderr + done.stdout
    assert ASTRO.is_dir() and NODE_22.is_file()
    check_built(built_pages(site / "dist"), markers)


@pytest.mark.slow
def test_unsafe_urls_are_counted(tmp_path: Path) -> None:
    source, _ = hostile_export(tmp_path / "hostile.xml")
    done = wxr2db("markdown", source, tmp_path / "plain")
    assert done.returncode == 0, done.stderr
    dropped = int(re.search(r"(\d+) unsafe URLs? dropped;", done.stderr).group(1))  # type: ignore[union-attr]
    # Every link payload in a link or image wrapper, in comments and the body, and every author URL
    # but the last (an https URL whose braces are encoded).
    assert dropped >= 2 * len(PAYLOADS["links"]) + len(AUTHOR_URLS) - 1
    assert "warning: post 1: " in done.stderr and "unsafe URLs dropped" in done.stderr


# --- attachments and the Datasette metadata ---------------------------------------------------------


def attachment(attachment_id: int, url: str) -> str:
    return item(attachment_id, f"File {attachment_id}", "", post_type="attachment",
                extra=f"<wp:attachment_url><![CDATA[{url}]]></wp:attachment_url>\n")


BAD_FILES = ["javascript:alert(1)", "//evil.example/a.jpg", "https://evil.example/a.jpg", "java\tscript:alert(1)",
             "/\\evil.example/a.jpg", "data:image/png;base64,AAAA"]


@pytest.mark.slow
def test_attachments_off_site_are_no_targets(tmp_path: Path) -> None:
    files = [attachment(10 + n, url) for n, url in enumerate(BAD_FILES)]
    links = " ".join(f'<a href="{SITE}/?attachment_id={10 + n}">file {n}</a>' for n in range(len(BAD_FILES)))
    good = attachment(30, f"{SITE}/wp-content/uploads/good.jpg")
    source = tmp_path / "files.xml"
    source.write_text(export(item(1, "Links", links + f' <a href="{SITE}/?attachment_id=30">good</a>'), good, *files),
                      encoding="utf-8")
    site = tmp_path / "site"
    done = wxr2db("markdown", source, site, "--redirects", "netlify,nginx,apache")
    assert done.returncode == 0, done.stderr
    assert f"{len(BAD_FILES)} attachments with a file URL not on the site's own hosts" in done.stderr
    written = {p.name: p.read_text(encoding="utf-8") for p in site.rglob("*")
               if p.is_file() and ".wxr2db" not in p.name}
    text = "".join(written.values())
    assert "evil.example" not in text and "javascript" not in text and "data:" not in text
    # The links stay as they were (counted as unresolved); the good file is a link and redirect target.
    assert "[good](http://example.com/wp-content/uploads/good.jpg)" in text
    redirects = [written[name] for name in written if not name.endswith(".md")]
    assert len(redirects) == 4 and "attachment_id=30" in "".join(redirects) and "good.jpg" in "".join(redirects)
    assert not any(f"attachment_id={10 + n}" in r for r in redirects for n in range(len(BAD_FILES)))


def test_datasette_source_url_is_never_a_script(tmp_path: Path) -> None:
    for link, kept in [("javascript:alert(1)", None), ("java\tscript:alert(1)", None), ("data:text/html,x", None),
                       ("/relative", None), ("https://example.com/", "https://example.com/")]:
        data = export(item(1), head=header(link=link.replace("&", "&amp;"))).encode("utf-8")
        db, _ = import_bytes(data)
        meta = datasette_metadata(db, "x")
        assert meta.get("source_url") == kept, link
        assert meta["databases"]["x"].get("source_url") == kept


# --- front matter keys the generators act on ------------------------------------------------------

RESERVED = ["layout", "Layout", "outputs", "markup", "templateEngineOverride", "dynamicPermalink", "eleventyComputed",
            "render_with_liquid", "published", "url", "description", "type"]


@pytest.mark.parametrize("layout", ["hugo", "jekyll", "eleventy", "astro", "plain"])
@pytest.mark.slow
def test_plugin_taxonomies_never_set_a_generator_key(tmp_path: Path, layout: str) -> None:
    terms = "".join(f'<category domain="{name}" nicename="x{n}"><![CDATA[evil]]></category>\n'
                    for n, name in enumerate(RESERVED))
    source = tmp_path / "terms.xml"
    source.write_text(export(item(1, "Terms", "Text.", extra=terms)), encoding="utf-8")
    done = wxr2db("markdown", source, tmp_path / layout, "--layout", layout)
    assert done.returncode == 0, done.stderr
    (page,) = (tmp_path / layout).rglob("*.md")
    matter = yaml.safe_load(page.read_text(encoding="utf-8").split("\n---\n", 1)[0].removeprefix("---\n"))
    assert [key for key in matter if key.lower() in {r.lower() for r in RESERVED}] == []
    assert {f"taxonomy_{name}" for name in RESERVED} <= set(matter)


@pytest.mark.generators
def test_eleventy_keeps_a_templated_old_address_as_it_is(tmp_path: Path) -> None:
    """Eleventy renders `permalink` as a template: `/{{ 7*7 }}/` (an old address `/%7B%7B…`) became /49/."""
    command = generator_command("eleventy")
    old = f"{SITE}/%7B%7B%207*7%20%7D%7D/%7B%25%20if%20true%20%25%7Dyes%7B%25%20endif%20%25%7D/"
    source = tmp_path / "link.xml"
    post = item(1, "Templated", "Text.").replace(f"<link>{SITE}/post-1/</link>", f"<link>{old}</link>")
    source.write_text(export(post), encoding="utf-8")
    site = tmp_path / "eleventy"
    done = wxr2db("markdown", source, site, "--layout", "eleventy", "--keep-permalinks", "--templates", "-q")
    assert done.returncode == 0, done.stderr
    (site / "node_modules").symlink_to(ELEVENTY.parent.parent.parent, target_is_directory=True)
    built = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    pages = {str(p.relative_to(site / "_site")) for p in (site / "_site").rglob("index.html")}
    # The starter's own pages (home, archives) are there too; the post is at its old address, untouched.
    assert "{{ 7*7 }}/{% if true %}yes{% endif %}/index.html" in pages
    assert not [p for p in pages if p.startswith("49/")]


@pytest.mark.slow
def test_summaries_are_escaped_for_the_generator_that_renders_them(tmp_path: Path) -> None:
    """Hugo renders a front matter summary as Markdown; Jekyll themes print excerpts as HTML."""
    source, _ = hostile_export(tmp_path / "hostile.xml")
    matters = {}
    for layout in ("hugo", "jekyll", "eleventy"):
        assert wxr2db("markdown", source, tmp_path / layout, "--layout", layout, "-q").returncode == 0
        page = next(p for p in (tmp_path / layout).rglob("*.md") if "post-3" in str(p))
        matters[layout] = yaml.safe_load(page.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:])
    plain = '## Ex {style="position:fixed"} <script>alert(1)</script>'
    assert matters["eleventy"]["description"] == plain
    assert matters["jekyll"]["excerpt"] == '## Ex {style="position:fixed"} &lt;script&gt;alert(1)&lt;/script&gt;'
    hugo = MarkdownIt("commonmark").render(matters["hugo"]["summary"])
    assert audit(hugo) == ([], plain)


@pytest.mark.corpus
@pytest.mark.parametrize("source", corpus_params(), ids=lambda p: p.stem[:40])
@pytest.mark.parametrize("layout", ["hugo", "jekyll"])
def test_real_exports_build_without_scripts(tmp_path: Path, layout: str, source: Path) -> None:
    """Real exports (embeds, galleries, forms, block markup) come out with nothing that runs either."""
    command = generator_command(layout)
    site = tmp_path / layout
    assert wxr2db("markdown", source, site, "--layout", layout, "--templates", "-q", timeout=600).returncode == 0
    if layout == "jekyll":
        with (site / "_config.yml").open("a", encoding="utf-8") as config:
            config.write("permalink: /:year/:month/:day/:title/\n")  # see test_hostile_site_builds_without_scripts
    done = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    pages = built_pages(site / ("public" if layout == "hugo" else "_site"))
    assert pages
    # Their posts embed YouTube and Vimeo players: those iframes are the posts' own.
    assert {name: found for name, html in pages.items() if (found := audit(html, players=True)[0])} == {}
