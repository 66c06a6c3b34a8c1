"""A podcast's starter feed: each episode's `enclosure` meta reaches every generator's built feed as
`<enclosure url length type/>` (the fetched copy's URL when media were fetched), and nothing unsafe does.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.generators import ELEVENTY, link_packages
from tests.helpers import CORPUS_REASON, uploads_copy, wxr2db
from tests.starter import HOSTILE, OUTPUT, SHARED, add_hostile_post, build, generate
from tests.wxrbuild import SITE, UPLOADS, export, item

pytestmark = pytest.mark.generators

ARMSTRONG = "https://upload.wikimedia.org/wikipedia/commons/d/dd/Armstrong_Small_Step.ogg"  # as the corpus has it
ENCLOSURES = {
    1: f"{UPLOADS}/ep1.mp3\n5000\naudio/mpeg\n",  # the site's own file: fetched by --media-from
    2: f"{ARMSTRONG}\n98702\naudio/ogg\n",  # another host's: kept as it was
    3: 'https://cdn.example.net/a".mp3?x=1&y=<b>\nlots\n',  # a quote, markup, no length, no type
    4: "javascript:alert(1)\n1\naudio/mpeg\n",
    5: " java\tscript:alert(2)\n1\naudio/mpeg\n",
}
THEME_TEST_DATA = SHARED / "WordPress__theme-test-data__themeunittestdata.wordpress.xml"
FEED = {"hugo": "feed/index.xml", "jekyll": "feed.xml", "eleventy": "feed.xml", "astro": "feed.xml"}


def podcast(tmp_path: Path) -> Path:
    path = tmp_path / "podcast.xml"
    episodes = [item(n, f"Episode {n}", f"<p>Show notes {n}</p>", meta=[("enclosure", value)])
                for n, value in ENCLOSURES.items()]
    path.write_text(export(*episodes), encoding="utf-8")
    return path


def feed_enclosures(output: Path, layout: str) -> dict[str, dict[str, str]]:
    """Item title -> its enclosure's attributes ({} for none), from the built feed (which must be well-formed XML)."""
    text = (output / FEED[layout]).read_text(encoding="utf-8")
    channel = ET.fromstring(text).find("channel")
    assert channel is not None
    found = {}
    for element in channel.findall("item"):
        enclosures = element.findall("enclosure")
        assert len(enclosures) <= 1
        found[element.findtext("title", "")] = dict(enclosures[0].attrib) if enclosures else {}
    assert "javascript" not in text.lower() and 'a".mp3' not in text
    return found


@pytest.mark.parametrize("layout", ["hugo", "jekyll", "eleventy", "astro"])
def test_feed_carries_each_episode(tmp_path: Path, layout: str) -> None:
    uploads = uploads_copy(tmp_path, ("ep1.mp3",))
    built = build(tmp_path, layout, podcast(tmp_path), False, "--media-from", str(uploads))
    assert (built.output / "wp-content/uploads/2020/01/ep1.mp3").is_file()
    assert feed_enclosures(built.output, layout) == {
        "Episode 1": {"url": f"{SITE}/wp-content/uploads/2020/01/ep1.mp3", "length": "5000", "type": "audio/mpeg"},
        "Episode 2": {"url": ARMSTRONG, "length": "98702", "type": "audio/ogg"},
        # Percent-encoded by links.safe's rule; the & escaped in the XML and read back by the parser.
        "Episode 3": {"url": "https://cdn.example.net/a%22.mp3?x=1&y=%3Cb%3E", "length": "0",
                      "type": "audio/mpeg"},
        "Episode 4": {}, "Episode 5": {},
    }


def hand_edited(tmp_path: Path, layout: str) -> Path:
    """The podcast's starter site, built after its front matter was edited by hand: the hostile post
    (HOSTILE: a javascript: enclosure), and episode 2's enclosure a bare string, not a map."""
    site = tmp_path / layout
    done = wxr2db("markdown", podcast(tmp_path), site, "--layout", layout, "--starter", "-q")
    assert done.returncode == 0, done.stderr
    add_hostile_post(site, layout)
    (episode,) = [p for p in site.rglob("*.md") if "Armstrong" in p.read_text(encoding="utf-8")]
    text = episode.read_text(encoding="utf-8")
    written = f"enclosure:\n  url: {ARMSTRONG}\n  length: 98702\n  type: audio/ogg\n"
    assert written in text
    episode.write_text(text.replace(written, f"enclosure: {ARMSTRONG}\n"), encoding="utf-8")
    if layout == "eleventy":
        (site / "node_modules").symlink_to(ELEVENTY.parent.parent.parent, target_is_directory=True)
    if layout == "astro":
        link_packages(site)
    generate(layout, site, "UTC")
    return site / OUTPUT[layout]


@pytest.mark.parametrize("layout", ["hugo", "jekyll", "eleventy", "astro"])
def test_hand_edited_enclosure_cannot_reach_the_feed(tmp_path: Path, layout: str) -> None:
    """The templates check the enclosure themselves: front matter may be edited after wxr2db wrote it."""
    found = feed_enclosures(hand_edited(tmp_path, layout), layout)
    assert found[str(HOSTILE["title"])] == {} and found["Episode 2"] == {}
    assert found["Episode 1"]["url"] == f"{UPLOADS}/ep1.mp3"  # not fetched: the original


@pytest.mark.parametrize("layout", ["hugo", "jekyll", "eleventy", "astro"])
def test_corpus_episode_in_the_feed(tmp_path: Path, layout: str) -> None:
    """WordPress's theme test data: a post's `enclosure` meta names the Armstrong recording."""
    if not THEME_TEST_DATA.is_file():
        pytest.skip(CORPUS_REASON)
    built = build(tmp_path, layout, THEME_TEST_DATA)
    found = [value for value in feed_enclosures(built.output, layout).values() if value]
    assert {"url": ARMSTRONG, "length": "98702", "type": "audio/ogg"} in found
