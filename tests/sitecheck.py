"""Check a built starter site as a reader would: serve it on loopback and follow its links."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote, unquote, urljoin, urlsplit
from urllib.request import urlopen

import yaml

from tests.helpers import serving

LINK = re.compile(r'(?:href|src)="([^"]*)"')
REFRESH = re.compile(r'http-equiv="?refresh"?\s+content="\d+;\s*url=([^"]+)"', re.IGNORECASE)


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """The folder served on 127.0.0.1 for the duration; yields the base URL."""
    with serving(partial(Quiet, directory=str(folder))) as url:
        yield url


def get(base: str, path: str) -> tuple[int, str]:
    try:
        # A browser sends `/greek/επίπεδο/` percent-encoded; an href may hold it as it is.
        with urlopen(urljoin(base, quote(path, safe="/%:@!$&'()*+,;=~?#")), timeout=10) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except HTTPError as error:
        return error.code, ""


@dataclass
class Crawl:
    pages: dict[str, str] = field(default_factory=dict)  # path -> HTML of every page reached
    broken: dict[str, str] = field(default_factory=dict)  # local URL -> the page linking it
    files: set[str] = field(default_factory=set)  # images, the stylesheet, the feed: answered 200


def local_links(page: str, text: str) -> list[str]:
    found = []
    for raw in LINK.findall(text):
        url = urljoin(page, html.unescape(raw))
        parts = urlsplit(url)
        if not parts.scheme and not parts.netloc and parts.path:
            found.append(parts.path)
    return found


def crawl(base: str, start: str = "/") -> Crawl:
    """Every page and file reachable from `start` by local links; each answered once."""
    result, pending, seen = Crawl(), [(start, "")], {start}
    while pending:
        path, referrer = pending.pop()
        status, text = get(base, path)
        if status != 200:
            result.broken[path] = referrer
            continue
        if not path.endswith("/") and not path.endswith(".html"):
            result.files.add(unquote(path))  # an image, the stylesheet, the feed
            continue
        result.pages[unquote(path)] = text
        for link in local_links(path, text):
            if link not in seen:
                seen.add(link)
                pending.append((link, path))
    return result


def landing(base: str, path: str, hops: int = 3) -> str:
    """Where an old address ends up after the generator's redirect pages (meta refresh)."""
    for _ in range(hops):
        status, text = get(base, path)
        found = REFRESH.search(text) if status == 200 else None
        if not found:
            return path
        path = urlsplit(urljoin(path, html.unescape(found.group(1)))).path
    return path


def front_matter(file: Path) -> dict[str, Any]:
    head = file.read_text(encoding="utf-8").split("\n---\n", 1)[0].removeprefix("---\n")
    loaded = yaml.safe_load(head)
    return loaded if isinstance(loaded, dict) else {}


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))
