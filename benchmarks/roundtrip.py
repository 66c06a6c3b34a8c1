"""Round-trip score: does our Markdown, rendered back, show the structure of the HTML it came from?

For every post of every export, the body's Markdown is rendered with markdown-it-py (CommonMark +
GFM tables, raw HTML off, as the generators' defaults are) and compared with the source HTML
(after wpautop for classic posts; block comments are ignored for block posts): how many tables,
table rows and cells, lists and items, headings (by level and text), images (by file name),
blockquotes, code blocks and links (by text) each side has; and on our side, no Markdown syntax
left visible in the text (`**`, `](`, `![`) and no backslash the source did not have.

Shortcodes are expanded by wxr2db ([caption] becomes an image and a caption line, [gallery] a run
of images, [code] a code block), so posts whose source has a [shortcode are scored on the checks
on our side only, and counted apart.

    python -m benchmarks.roundtrip [EXPORT ...] [--json]      (default: every export in ../shared/corpus)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from lxml import html as lxml_html
from markdown_it import MarkdownIt

from wxr2db import iter_records
from wxr2db.content.autop import wpautop
from wxr2db.content.blocks import is_block_content
from wxr2db.content.body import render_body
from wxr2db.records import Post

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
MD = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
FEATURES = ("tables", "rows", "cells", "lists", "items", "headings", "images", "blockquotes", "code", "links")
VISIBLE_SYNTAX = re.compile(r"\*\*|\]\(|!\[")
SHORTCODE = re.compile(r"\[[a-z_][\w-]*[\s\]/]", re.IGNORECASE)


def structure(page: str) -> dict[str, Counter[str]]:
    """What a reader sees of the page's structure, as counts per feature."""
    root = lxml_html.fragment_fromstring(page or "<p></p>", create_parent="div")
    found: dict[str, Counter[str]] = {name: Counter() for name in FEATURES}
    counted = {"table": "tables", "tr": "rows", "blockquote": "blockquotes", "pre": "code"}
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        text = " ".join(element.text_content().split()) if tag else ""
        if tag == "tr" and not text:
            continue  # an empty header row is how GFM writes a table that has none
        if tag in counted:
            found[counted[tag]]["all"] += 1
        elif tag in ("td", "th"):
            found["cells"]["all"] += bool(text)
        elif tag in ("ul", "ol"):
            found["lists"]["all"] += 1
        elif tag == "li":
            found["items"]["all"] += 1
        elif re.fullmatch(r"h[1-6]", tag):
            found["headings"][f"{tag}:{text}"] += 1
        elif tag == "img":
            found["images"][PurePosixPath(urlsplit(element.get("src") or "").path).name] += 1
        elif tag == "a" and (element.get("href") or "").strip() not in ("", "#", text):
            found["links"][text] += 1  # a bare URL shown as a link is how embeds are written
    return found


@dataclass
class PostScore:
    post_id: int
    title: str
    differs: dict[str, tuple[int, int]] = field(default_factory=dict)  # feature -> (source, ours)
    syntax: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return not self.differs and not self.syntax


def visible_text(page: str) -> str:
    """The page's text outside code, where Markdown syntax may legitimately be shown."""
    root = lxml_html.fragment_fromstring(page or "<p></p>", create_parent="div")
    for code in list(root.iter("code", "pre")):
        if code.getparent() is not None:
            code.drop_tree()
    return str(root.text_content())


def score_post(post: Post) -> tuple[PostScore, bool]:
    """The post's differences, and whether its source has shortcodes (structure not compared)."""
    content = post.content or ""
    source = content if is_block_content(content) else wpautop(content)
    ours = str(MD.render(render_body(content).markdown))
    score = PostScore(post.id, post.title)
    shortcodes = SHORTCODE.search(content) is not None
    if not shortcodes:
        theirs, mine = structure(source), structure(ours)
        for name in FEATURES:
            if theirs[name] != mine[name]:
                score.differs[name] = (sum(theirs[name].values()), sum(mine[name].values()))
    text, source_text = visible_text(ours), str(lxml_html.fragment_fromstring(
        source or "<p></p>", create_parent="div").text_content())
    if VISIBLE_SYNTAX.search(text) and not VISIBLE_SYNTAX.search(source_text):
        score.syntax.append("markdown syntax shown as text")
    if text.count("\\") > source_text.count("\\"):
        score.syntax.append("backslash the source did not have")
    return score, shortcodes


def score_export(path: Path) -> dict[str, object]:
    with path.open("rb") as f:
        posts = [r for r in iter_records(f, name=path.name)
                 if isinstance(r, Post) and r.content and r.post_type not in ("attachment", "nav_menu_item")]
    scores, with_shortcodes = [], 0
    for post in posts:
        score, shortcodes = score_post(post)
        scores.append(score)
        with_shortcodes += shortcodes
    per_feature = Counter(name for s in scores for name in s.differs)
    per_feature.update(kind for s in scores for kind in s.syntax)
    return {
        "export": path.name, "posts": len(scores), "matching": sum(s.matches for s in scores),
        "with_shortcodes": with_shortcodes, "differences": dict(sorted(per_feature.items())),
        "differing": [{"id": s.post_id, "title": s.title, "differs": s.differs, "syntax": s.syntax}
                      for s in scores if not s.matches],
    }


def print_report(results: list[dict[str, object]]) -> None:
    print(f"{'export':<58} {'posts':>5} {'match':>5} {'score':>6}  differences")
    for r in results:
        posts, matching = int(str(r["posts"])), int(str(r["matching"]))
        share = f"{100 * matching / posts:.1f}%" if posts else "-"
        diffs = ", ".join(f"{k} {v}" for k, v in dict(r["differences"]).items()) or "none"  # type: ignore[call-overload]
        print(f"{str(r['export'])[:58]:<58} {posts:>5} {matching:>5} {share:>6}  {diffs}")
    for r in results:
        for post in list(r["differing"]):  # type: ignore[call-overload]
            parts = [f"{k} {a}->{b}" for k, (a, b) in post["differs"].items()] + post["syntax"]
            print(f"  {r['export']} post {post['id']} {post['title'][:40]!r}: {'; '.join(parts)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exports", nargs="*", type=Path)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    exports = args.exports or sorted(CORPUS.glob("*.xml"))
    if not exports:
        print(f"no exports given and none in {CORPUS}", file=sys.stderr)
        return 1
    results = [score_export(path) for path in exports]
    if args.json:
        print(json.dumps(results, indent=1, ensure_ascii=False))
    else:
        print_report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
