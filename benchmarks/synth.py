"""Deterministic synthetic WordPress WXR 1.2 export generator.

``write_export(path_or_binary_file, target_bytes=..., seed=...)`` streams a realistic
export (site header, authors, category hierarchy, tags, custom terms, posts, pages,
image attachments and threaded comments) item by item until ``target_bytes`` is
reached, then closes the channel. The same seed and size always give a byte-identical
file. The returned ``Counts`` is the ground truth for tests.

Dates: every site has a fixed UTC offset (no DST); ``*_gmt = local - offset``. As in
real WordPress exports, drafts and pending posts carry ``0000-00-00 00:00:00`` as
``post_date_gmt`` (and the matching "-0001" pubDate).

Run: ``python -m benchmarks.synth OUT.xml --size 100MB --seed 0``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeAlias

from benchmarks.content import EMBED_URLS, WORDS, Pools, build_pools, cdata_safe, slugify
from benchmarks.site import (
    FOOTER,
    ZERO_DATE,
    ZERO_PUBDATE,
    Author,
    SiteInfo,
    channel_header,
    make_authors,
    make_site_info,
    make_taxonomies,
    mysql_date,
    rss_date,
)

PhpValue: TypeAlias = "int | float | str | bool | list[PhpValue] | dict[str, PhpValue] | None"

STATUSES = ("publish", "draft", "private", "pending")
STATUS_WEIGHTS = (88, 7, 3, 2)
COMMENT_COUNTS = (0, 1, 2, 3, 4, 5, 6, 8, 12)
COMMENT_WEIGHTS = (20, 10, 12, 14, 12, 10, 9, 8, 5)
ATTACHMENT_COUNTS = (0, 0, 0, 0, 1, 1, 1, 2, 4)
IMAGE_NAMES = ("IMG_", "DSC_", "photo-", "screenshot-", "café-noir-", "東京-", "header-", "P10")
IMAGE_SIZES = (("thumbnail", 150), ("medium", 300), ("medium_large", 768), ("large", 1024))
GUTENBERG_START = 1_544_000_000  # December 2018
PAGE_TEMPLATES = ("default", "default", "template-full-width.php", "page-templates/landing.php")
MOODS = ("happy", "tired", "curious", "content", "☕ caffeinated", "rêveur")


@dataclass(frozen=True)
class Counts:
    """What a generated file contains; compare parser output against this."""

    items_by_post_type: dict[str, int]
    comments: int
    max_comment_depth: int
    postmeta: int
    commentmeta: int
    authors: int
    categories: int
    tags: int
    terms: int
    sticky: int
    bytes_written: int
    gmt_offset_minutes: int

    @property
    def items(self) -> int:
        return sum(self.items_by_post_type.values())


def php_serialize(value: PhpValue) -> str:
    """PHP serialize() for the types WordPress metadata uses; string lengths are in UTF-8 bytes."""
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        return f"d:{value!r};"
    if isinstance(value, str):
        return f's:{len(value.encode())}:"{value}";'
    pairs = list(enumerate(value)) if isinstance(value, list) else list(value.items())
    body = "".join(php_serialize(key) + php_serialize(item) for key, item in pairs)
    return f"a:{len(pairs)}:{{{body}}}"


def meta_xml(tag: str, meta: list[tuple[str, str]], indent: str) -> str:
    return "".join(
        f"{indent}<wp:{tag}>\n{indent}\t<wp:meta_key><![CDATA[{key}]]></wp:meta_key>\n"
        f"{indent}\t<wp:meta_value><![CDATA[{cdata_safe(value)}]]></wp:meta_value>\n{indent}</wp:{tag}>\n"
        for key, value in meta
    )


@dataclass
class Item:
    post_id: int
    post_type: str
    title: str
    slug: str
    link: str
    guid: str
    author: str
    stamp: int
    status: str
    content: str = ""
    excerpt: str = ""
    parent: int = 0
    menu_order: int = 0
    comment_status: str = "open"
    ping_status: str = "open"
    password: str = ""
    sticky: int = 0
    attachment_url: str = ""
    terms: str = ""
    meta: list[tuple[str, str]] = field(default_factory=list)
    comments: str = ""


@dataclass
class Tally:
    by_type: dict[str, int] = field(default_factory=dict)
    comments: int = 0
    max_depth: int = 0
    postmeta: int = 0
    commentmeta: int = 0
    sticky: int = 0


class Commenter:
    def __init__(self, rng: random.Random, authors: list[Author], site: SiteInfo) -> None:
        self.rng = rng
        self.people = [self.visitor(i) for i in range(300)]
        self.people += [(a.display_name, a.email, site.url, "127.0.0.1", a.author_id) for a in authors]

    def visitor(self, i: int) -> tuple[str, str, str, str, int]:
        word = self.rng.choice(WORDS)
        name = self.rng.choice((word.capitalize(), f"{word.capitalize()} {i}", f"Zoë {word}", f"田中 {i}"))
        url = self.rng.choice(("", "", f"https://{word}{i}.example.net", f"http://blog.example.org/~{word}"))
        ip = f"{self.rng.randint(1, 223)}.{self.rng.randint(0, 255)}.{self.rng.randint(0, 255)}.{i % 250 + 1}"
        return name, f"{word}{i}@example.net", url, ip, 0


class ExportWriter:
    """Produces the channel header and then one group of items at a time."""

    def __init__(self, seed: int, target_bytes: int) -> None:
        self.rng = random.Random(seed)
        self.site = make_site_info(self.rng)
        self.authors = make_authors(self.rng)
        self.tax = make_taxonomies(self.rng, target_bytes)
        self.pools: Pools = build_pools(self.rng, self.site.url)
        self.commenter = Commenter(self.rng, self.authors, self.site)
        self.category_lines = [t.item_line() for t in self.tax.categories[1:]]
        self.tag_lines = [t.item_line() for t in self.tax.tags]
        self.term_lines = [t.item_line() for t in self.tax.terms]
        self.uncategorized = self.tax.categories[0].item_line()
        self.offset = self.site.offset_minutes * 60
        self.clock = self.site.export_stamp - self.rng.randint(6, 15) * 365 * 86400
        span = self.site.export_stamp - 30 * 86400 - self.clock
        self.step = max(span // max(target_bytes // 11_000, 1), 60)  # about 11 KB per post group
        self.next_id = self.rng.randint(1, 40)
        self.next_comment_id = 1
        self.slug_counts: dict[str, int] = {}
        self.pages: list[tuple[int, str]] = []
        self.groups = 0
        self.tally = Tally()

    def header(self) -> str:
        return channel_header(self.site, self.authors, self.tax)

    def counts(self, bytes_written: int) -> Counts:
        t = self.tally
        return Counts(
            items_by_post_type=dict(sorted(t.by_type.items())),
            comments=t.comments,
            max_comment_depth=t.max_depth,
            postmeta=t.postmeta,
            commentmeta=t.commentmeta,
            authors=len(self.authors),
            categories=len(self.tax.categories),
            tags=len(self.tax.tags),
            terms=len(self.tax.terms),
            sticky=t.sticky,
            bytes_written=bytes_written,
            gmt_offset_minutes=self.site.offset_minutes,
        )

    # ----- ids, slugs, dates -------------------------------------------------

    def new_id(self) -> int:
        self.next_id += 1 if self.rng.random() < 0.8 else self.rng.randint(2, 6)
        return self.next_id

    def claim(self, base: str) -> int:
        """How many times this slug base has been used, including now."""
        n = self.slug_counts.get(base, 0) + 1
        self.slug_counts[base] = n
        return n

    def unique_slug(self, base: str) -> str:
        n = self.claim(base)
        return base if n == 1 else f"{base}-{n}"

    def tick(self) -> int:
        self.clock += self.rng.randrange(2 * self.step)
        return self.clock

    def author(self) -> Author:
        authors = self.authors
        return authors[0] if self.rng.random() < 0.3 else authors[self.rng.randrange(len(authors))]

    # ----- item groups ---------------------------------------------------------

    def next_group(self) -> str:
        """A page every 21st group (so small files have pages too); otherwise a post and its attachments."""
        self.groups += 1
        if self.groups % 21 == 4:
            return self.render(self.page())
        post, attachments = self.post()
        return self.render(post) + "".join(self.render(a) for a in attachments)

    def body(self, stamp: int) -> str:
        rng = self.rng
        classic = rng.random() < (0.9 if stamp < GUTENBERG_START else 0.25)
        pool = self.pools.classic if classic else self.pools.blocks
        count = rng.randint(20, 40) if rng.random() < 0.025 else rng.randint(2, 12)
        chunks = rng.choices(pool, k=count)
        if classic and count > 2 and rng.random() < 0.3:
            chunks.insert(1, "<!--more-->")
        return "\n\n".join(chunks)

    def status(self) -> str:
        return self.rng.choices(STATUSES, STATUS_WEIGHTS)[0]

    def post(self) -> tuple[Item, list[Item]]:
        rng = self.rng
        post_id, stamp, author = self.new_id(), self.tick(), self.author()
        title = rng.choice(self.pools.titles)
        slug = self.unique_slug(slugify(title))
        status = self.status()
        date = mysql_date(stamp)
        guid = f"{self.site.url}/?p={post_id}"
        link = f"{self.site.url}/{date[:4]}/{date[5:7]}/{date[8:10]}/{slug}/" if status == "publish" else guid
        post = Item(post_id, "post", title, slug, link, guid, author.login, stamp, status)
        post.content = self.body(stamp)
        post.excerpt = rng.choice(self.pools.excerpts) if rng.random() < 0.1 else ""
        post.password = "secret" if rng.random() < 0.01 else ""
        post.sticky = int(status == "publish" and self.tally.sticky < 5 and rng.random() < 0.02)
        self.tally.sticky += post.sticky
        post.terms = self.item_terms()
        attachments = [self.attachment(post) for _ in range(rng.choice(ATTACHMENT_COUNTS))]
        post.meta = self.post_meta(post, author, attachments[0].post_id if attachments else 0)
        post.comment_status = "open" if rng.random() < 0.85 else "closed"
        if status == "publish":
            post.comments = self.comments(stamp)
        return post, attachments

    def page(self) -> Item:
        rng = self.rng
        page_id, stamp, author = self.new_id(), self.tick(), self.author()
        title = rng.choice(self.pools.titles)
        slug = self.unique_slug(slugify(title))
        parent, path = (0, "")
        if self.pages and rng.random() < 0.5:
            parent, path = rng.choice(self.pages)
        path = f"{path}{slug}/"
        self.pages = [*self.pages[-299:], (page_id, path)]
        link = f"{self.site.url}/{path}"
        page = Item(
            page_id,
            "page",
            title,
            slug,
            link,
            f"{self.site.url}/?page_id={page_id}",
            author.login,
            stamp,
            rng.choices(STATUSES, (90, 6, 3, 1))[0],
            parent=parent,
            menu_order=rng.randint(0, 9),
        )
        page.content = self.body(stamp)
        page.comment_status, page.ping_status = "closed", "closed"
        page.meta = [("_wp_page_template", rng.choice(PAGE_TEMPLATES))]
        page.meta += self.edit_meta(stamp, author)
        if page.status == "publish" and rng.random() < 0.1:
            page.comments = self.comments(stamp)
        return page

    def item_terms(self) -> str:
        rng = self.rng
        if rng.random() < 0.1:
            lines = [self.uncategorized]
        else:
            lines = rng.sample(self.category_lines, min(rng.choice((1, 1, 1, 2, 2, 3)), len(self.category_lines)))
        lines += rng.sample(self.tag_lines, min(rng.randint(0, 8), len(self.tag_lines)))
        if rng.random() < 0.25:
            lines += rng.sample(self.term_lines, rng.randint(1, 2))
        return "".join(lines)

    # ----- attachments ------------------------------------------------------

    def attachment(self, post: Item) -> Item:
        rng = self.rng
        att_id, stamp = self.new_id(), post.stamp - rng.randrange(3600)
        base = f"{rng.choice(IMAGE_NAMES)}{rng.randint(1, 9999)}"
        n = self.claim(slugify(base))
        slug = slugify(base) if n == 1 else f"{slugify(base)}-{n}"
        ext = rng.choice(("jpg", "jpg", "jpeg", "png", "webp"))
        date = mysql_date(stamp)
        name = f"{base}.{ext}" if n == 1 else f"{base}-{n - 1}.{ext}"
        relative = f"{date[:4]}/{date[5:7]}/{name}"
        url = f"{self.site.url}/wp-content/uploads/{relative}"
        item = Item(att_id, "attachment", base, slug, f"{post.link}{slug}/", url, post.author, stamp, "inherit")
        item.parent, item.attachment_url, item.ping_status = post.post_id, url, "closed"
        item.excerpt = rng.choice(self.pools.excerpts) if rng.random() < 0.2 else ""
        item.meta = [
            ("_wp_attached_file", relative),
            ("_wp_attachment_metadata", self.image_meta(relative, ext)),
        ]
        if rng.random() < 0.5:
            item.meta.append(("_wp_attachment_image_alt", rng.choice(("", "A photo", "Café au lait ☕", base))))
        return item

    def image_meta(self, relative: str, ext: str) -> str:
        rng = self.rng
        width, height = rng.choice(((4000, 3000), (1920, 1080), (1200, 800), (800, 1200), (640, 480)))
        stem = relative.rsplit("/", 1)[1].rsplit(".", 1)[0]
        mime = "image/jpeg" if ext in ("jpg", "jpeg") else f"image/{ext}"
        sizes: dict[str, PhpValue] = {}
        for size_name, box in IMAGE_SIZES:
            if width > box:
                w, h = (box, box) if size_name == "thumbnail" else (box, height * box // width)
                sizes[size_name] = {
                    "file": f"{stem}-{w}x{h}.{ext}",
                    "width": w,
                    "height": h,
                    "mime-type": mime,
                }
        meta: dict[str, PhpValue] = {
            "width": width,
            "height": height,
            "file": relative,
            "filesize": rng.randint(20_000, 9_000_000),
            "sizes": sizes,
            "image_meta": self.exif(),
        }
        return php_serialize(meta)

    def exif(self) -> dict[str, PhpValue]:
        rng = self.rng
        with_camera = rng.random() < 0.4
        return {
            "aperture": str(rng.choice((1.8, 2.8, 4, 5.6))) if with_camera else "0",
            "credit": rng.choice(("", "", "Zoë Müller", "Søren")),
            "camera": rng.choice(("Canon EOS 5D", "iPhone 12", "X-T3")) if with_camera else "",
            "caption": rng.choice(("", "", "Sunset över sjön 🌅", "東京の夜")),
            "created_timestamp": str(rng.randint(1_200_000_000, 1_700_000_000)) if with_camera else "0",
            "copyright": "",
            "focal_length": str(rng.choice((24, 35, 50))) if with_camera else "0",
            "iso": str(rng.choice((100, 400, 3200))) if with_camera else "0",
            "shutter_speed": str(rng.choice((0.004, 0.01, 0.5))) if with_camera else "0",
            "title": "",
            "orientation": "1" if with_camera else "0",
            "keywords": [],
        }

    # ----- postmeta -----------------------------------------------------------

    def edit_meta(self, stamp: int, author: Author) -> list[tuple[str, str]]:
        return [("_edit_last", str(author.author_id)), ("_edit_lock", f"{stamp + 600}:{author.author_id}")]

    def post_meta(self, post: Item, author: Author, thumbnail: int) -> list[tuple[str, str]]:
        rng = self.rng
        meta = self.edit_meta(post.stamp, author)
        if thumbnail:
            meta.append(("_thumbnail_id", str(thumbnail)))
        wanted = rng.randint(3, 8)
        keys = rng.sample(EXTRA_META, max(wanted - len(meta), 0))
        meta += [(key, self.meta_value(key, post)) for key in keys]
        return meta

    def meta_value(self, key: str, post: Item) -> str:
        rng = self.rng
        if key == "_wp_old_slug":
            return f"{post.slug}-old"
        if key in ("_pingme", "_encloseme", "_wpas_done_all"):
            return "1"
        if key == "_yoast_wpseo_metadesc":
            return rng.choice(self.pools.excerpts)
        if key == "mood":
            return rng.choice(MOODS)
        if key == "views":
            return str(rng.randint(0, 250_000))
        if key == "enclosure":
            size = rng.randint(10**5, 10**8)
            return f"{self.site.url}/wp-content/uploads/2016/04/episode-{post.post_id}.mp3\n{size}\naudio/mpeg\n"
        if key == "_oembed_cache":
            return (
                f'<iframe title="{post.slug}" width="500" height="281" src="{rng.choice(EMBED_URLS)}"'
                ' frameborder="0" allowfullscreen></iframe>'
            )
        return php_serialize({f"{rng.getrandbits(64):016x}": {"expires": post.stamp + 86400, "payload": []}})

    # ----- comments -------------------------------------------------------------

    def comments(self, stamp: int) -> str:
        rng = self.rng
        count = rng.choices(COMMENT_COUNTS, COMMENT_WEIGHTS)[0]
        seen: list[tuple[int, int]] = []
        out: list[str] = []
        for _ in range(count):
            parent, depth = 0, 1
            if seen and rng.random() < 0.45:
                parent, depth = rng.choice(seen)
                depth += 1
            comment_id = self.next_comment_id
            self.next_comment_id += 1 if rng.random() < 0.9 else rng.randint(2, 9)
            stamp += rng.randrange(60, 3 * 86400)
            seen.append((comment_id, depth))
            out.append(self.comment(comment_id, parent, stamp))
            self.tally.max_depth = max(self.tally.max_depth, depth)
        self.tally.comments += count
        return "".join(out)

    def comment(self, comment_id: int, parent: int, stamp: int) -> str:
        rng = self.rng
        name, email, url, ip, user_id = rng.choice(self.commenter.people)
        kind, content = "comment", rng.choice(self.pools.comments)
        if rng.random() < 0.04:
            kind, user_id, email = "pingback", 0, ""
            content = f"[&#8230;] {rng.choice(self.pools.excerpts)} [&#8230;]"
        meta = self.comment_meta(stamp) if rng.random() < 0.25 else []
        self.tally.commentmeta += len(meta)
        gmt = mysql_date(stamp - self.offset)
        approved = "1" if rng.random() < 0.92 else "0"
        return (
            f"\t\t<wp:comment>\n\t\t\t<wp:comment_id>{comment_id}</wp:comment_id>\n"
            f"\t\t\t<wp:comment_author><![CDATA[{name}]]></wp:comment_author>\n"
            f"\t\t\t<wp:comment_author_email><![CDATA[{email}]]></wp:comment_author_email>\n"
            f"\t\t\t<wp:comment_author_url>{url}</wp:comment_author_url>\n"
            f"\t\t\t<wp:comment_author_IP><![CDATA[{ip}]]></wp:comment_author_IP>\n"
            f"\t\t\t<wp:comment_date><![CDATA[{mysql_date(stamp)}]]></wp:comment_date>\n"
            f"\t\t\t<wp:comment_date_gmt><![CDATA[{gmt}]]></wp:comment_date_gmt>\n"
            f"\t\t\t<wp:comment_content><![CDATA[{content}]]></wp:comment_content>\n"
            f"\t\t\t<wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>\n"
            f"\t\t\t<wp:comment_type><![CDATA[{kind}]]></wp:comment_type>\n"
            f"\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n"
            f"\t\t\t<wp:comment_user_id>{user_id}</wp:comment_user_id>\n"
            f"{meta_xml('commentmeta', meta, chr(9) * 3)}\t\t</wp:comment>\n"
        )

    def comment_meta(self, stamp: int) -> list[tuple[str, str]]:
        history = php_serialize({"time": stamp + 0.5, "event": "check-ham", "user": "", "message": "Akismet 🛡"})
        meta = [
            ("akismet_result", "false"),
            ("akismet_history", history),
            ("rating", str(self.rng.randint(1, 5))),
        ]
        return meta[: self.rng.randint(1, 3)]

    # ----- rendering -------------------------------------------------------------

    def render(self, item: Item) -> str:
        counts = self.tally.by_type
        counts[item.post_type] = counts.get(item.post_type, 0) + 1
        self.tally.postmeta += len(item.meta)
        floating = item.status in ("draft", "pending")
        gmt = ZERO_DATE if floating else mysql_date(item.stamp - self.offset)
        pub = ZERO_PUBDATE if floating else rss_date(item.stamp - self.offset)
        modified = item.stamp + self.rng.randrange(40 * 86400)
        modified_gmt = mysql_date(modified - self.offset)
        attachment = (
            f"\t\t<wp:attachment_url><![CDATA[{item.attachment_url}]]></wp:attachment_url>\n"
            if item.attachment_url
            else ""
        )
        return (
            f"\t<item>\n\t\t<title><![CDATA[{item.title}]]></title>\n"
            f"\t\t<link>{item.link}</link>\n\t\t<pubDate>{pub}</pubDate>\n"
            f"\t\t<dc:creator><![CDATA[{item.author}]]></dc:creator>\n"
            f'\t\t<guid isPermaLink="false">{item.guid}</guid>\n\t\t<description></description>\n'
            f"\t\t<content:encoded><![CDATA[{item.content}]]></content:encoded>\n"
            f"\t\t<excerpt:encoded><![CDATA[{item.excerpt}]]></excerpt:encoded>\n"
            f"\t\t<wp:post_id>{item.post_id}</wp:post_id>\n"
            f"\t\t<wp:post_date><![CDATA[{mysql_date(item.stamp)}]]></wp:post_date>\n"
            f"\t\t<wp:post_date_gmt><![CDATA[{gmt}]]></wp:post_date_gmt>\n"
            f"\t\t<wp:post_modified><![CDATA[{mysql_date(modified)}]]></wp:post_modified>\n"
            f"\t\t<wp:post_modified_gmt><![CDATA[{modified_gmt}]]></wp:post_modified_gmt>\n"
            f"\t\t<wp:comment_status><![CDATA[{item.comment_status}]]></wp:comment_status>\n"
            f"\t\t<wp:ping_status><![CDATA[{item.ping_status}]]></wp:ping_status>\n"
            f"\t\t<wp:post_name><![CDATA[{item.slug}]]></wp:post_name>\n"
            f"\t\t<wp:status><![CDATA[{item.status}]]></wp:status>\n"
            f"\t\t<wp:post_parent>{item.parent}</wp:post_parent>\n"
            f"\t\t<wp:menu_order>{item.menu_order}</wp:menu_order>\n"
            f"\t\t<wp:post_type><![CDATA[{item.post_type}]]></wp:post_type>\n"
            f"\t\t<wp:post_password><![CDATA[{item.password}]]></wp:post_password>\n"
            f"\t\t<wp:is_sticky>{item.sticky}</wp:is_sticky>\n"
            f"{attachment}{item.terms}{meta_xml('postmeta', item.meta, chr(9) * 2)}{item.comments}\t</item>\n"
        )


EXTRA_META = (
    "_wp_old_slug",
    "_pingme",
    "_encloseme",
    "_wpas_done_all",
    "_yoast_wpseo_metadesc",
    "mood",
    "views",
    "enclosure",
    "_oembed_cache",
    "_jetpack_related_posts_cache",
)


def write_stream(out: BinaryIO, target_bytes: int, seed: int) -> Counts:
    writer = ExportWriter(seed, target_bytes)
    footer = FOOTER.encode()
    data = writer.header().encode()
    out.write(data)
    written = len(data)
    while written + len(footer) < target_bytes:
        data = writer.next_group().encode()
        out.write(data)
        written += len(data)
    out.write(footer)
    return writer.counts(written + len(footer))


def write_export(target: str | os.PathLike[str] | BinaryIO, *, target_bytes: int, seed: int = 0) -> Counts:
    """Write a synthetic WXR export of about ``target_bytes`` bytes to a path or binary file."""
    if isinstance(target, (str, os.PathLike)):
        with open(target, "wb", buffering=1 << 20) as out:
            return write_stream(out, target_bytes, seed)
    return write_stream(target, target_bytes, seed)


DESCRIPTION = "Write a deterministic synthetic WordPress WXR 1.2 export."
UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30}


def parse_size(text: str) -> int:
    """'100MB' -> 100_000_000 (KB/MB/GB are decimal, KiB/MiB/GiB binary)."""
    clean = text.strip().upper()
    number = clean.rstrip("KMGIB")
    unit = clean[len(number) :]
    if unit not in UNITS or not number:
        raise argparse.ArgumentTypeError(f"bad size: {text!r} (use e.g. 300KB, 100MB, 2GB)")
    return int(float(number) * UNITS[unit])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synth", description=DESCRIPTION)
    parser.add_argument("out", type=Path, help="output .xml path")
    parser.add_argument("--size", type=parse_size, default=parse_size("10MB"), help="target size, e.g. 100MB")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = write_export(args.out, target_bytes=args.size, seed=args.seed)
    seconds = time.perf_counter() - started
    rate = counts.bytes_written / seconds / 1e6
    print(
        f"wrote {args.out}: {counts.bytes_written:,} bytes in {seconds:.2f}s ({rate:.1f} MB/s)",
        file=sys.stderr,
    )
    print(counts, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
