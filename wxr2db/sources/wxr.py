"""Stream a WordPress export (WXR) into typed records. The only module that imports lxml.

WXR is RSS 2.0 with WordPress's own namespace. The namespace URI names the WXR version
(`http://wordpress.org/export/1.2/`); hand-edited files use https, and the prefix is whatever the
file declares, so elements are matched by URI and local name, never by prefix.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import BinaryIO

from lxml import etree

from ..errors import BrokenExportError, NotAnExportError
from ..normalize import synthetic_id, to_int
from ..records import Author, Comment, Meta, Post, PostTerm, Problem, Record, Site, Term
from ..resolve.limits import menu_order, narrow_comments, narrow_header, narrow_post_id, stored_id
from ..resolve.threads import thread_comments
from .repair import CleanStream
from .resync import ItemWindow, prologue

WXR_NS = re.compile(r"^https?://wordpress\.org/export/(\d+\.\d+)/?$")
EXCERPT_NS = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/?$")
KNOWN_NS = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
# Channel-level elements the reader handles as they end; everything else is read with its parent.
LISTENED_TAGS = ("{*}rss", "channel", "item", "{*}author", "{*}wp_author", "{*}category", "{*}tag", "{*}term")
# What lxml's iterparse reads at a time. What the reader yields must not depend on it: channel
# elements are taken by their place in the document, never by what lxml has parsed so far.
READ_SIZE = 32 * 1024
_POSITION_SUFFIX = re.compile(r",? line \d+, column \d+$")
_INNER_LINE = re.compile(r" line \d+(?= and )")
_RAW_TITLE = re.compile(rb"<title>(?:<!\[CDATA\[)?([^<\]]{0,80})")
# libxml2's words for what the stream mends unless --strict, in a user's terms.
MENDABLE = (
    (re.compile(r"^xmlParseEntityRef: no name"), "a bare '&' that starts no entity"),
    (re.compile(r"^Entity '([^']*)' not defined"), r"the entity &\1; is not defined in XML (an HTML entity?)"),
    (re.compile(r"^StartTag: invalid element name"), "a '<' that starts no tag"),
    (re.compile(r"^Sequence '\]\]>' not allowed in content"), "a ']]>' outside a CDATA section"),
    (re.compile(r"^Extra content at the end of the document"), "more content after the end of the export"),
)
HEADER_TAGS = {"wp:author", "wp:wp_author", "wp:category", "wp:tag", "wp:term"}


@lru_cache(maxsize=4096)
def local_name(tag: str) -> str:
    """`{http://wordpress.org/export/1.2/}post_id` -> `wp:post_id`.

    RSS tags stay bare; tags in namespaces we do not know keep their URI."""
    if not tag.startswith("{"):
        return tag
    uri, _, name = tag[1:].partition("}")
    if WXR_NS.match(uri):
        return "wp:" + name
    if EXCERPT_NS.match(uri):
        return "excerpt:" + name
    prefix = KNOWN_NS.get(uri)
    return f"{prefix}:{name}" if prefix else tag


_NAMES: dict[str, str] = {}


def name_of(elem: etree._Element) -> str | None:
    """local_name of an element's tag through a plain dict (the hot path); None for comments and PIs."""
    tag = elem.tag
    name = _NAMES.get(tag)
    if name is None:
        if not isinstance(tag, str):
            return None
        name = _NAMES[tag] = local_name(tag)
    return name


def text_of(elem: etree._Element) -> str:
    """An element's text. A field with children is a file made by hand or damaged: the usual case is
    an entity reference (`<title>a &x; b</title>` from a DOCTYPE), which is never expanded (it could
    read local files or blow up memory); lxml then gives `.text` only up to the reference, so join
    every piece, keeping the reference as the literal `&x;` rather than dropping the text after it."""
    if len(elem) == 0:
        return elem.text or ""
    return "".join(elem.itertext())


def children(elem: etree._Element) -> dict[str, str]:
    """A flat element's children as {local name: text}; the first occurrence wins."""
    return fields_and_meta(elem, "")[0]


def fields_and_meta(elem: etree._Element, meta_name: str) -> tuple[dict[str, str], tuple[Meta, ...]]:
    """children(), and the meta elements named meta_name among them (wp:commentmeta, wp:termmeta),
    in one pass."""
    out: dict[str, str] = {}
    meta: list[Meta] = []
    for child in elem:
        name = name_of(child)
        if name == meta_name:
            meta.append(read_meta(child))
        elif name is not None and name not in out:
            out[name] = text_of(child)
    return out, tuple(meta)


def read_meta(elem: etree._Element) -> Meta:
    key = value = None
    for child in elem:
        name = name_of(child)
        if name == "wp:meta_key" and key is None:
            key = text_of(child)
        elif name == "wp:meta_value" and value is None:
            value = text_of(child)
    return Meta(key or "", value or "")


def extra_value(elem: etree._Element) -> str:
    """Unknown (plugin) elements are kept: their text, or their XML when they have children."""
    if len(elem):
        return str(etree.tostring(elem, encoding="unicode", with_tail=False))
    return elem.text or ""


def extra_key(elem: etree._Element) -> str:
    name = local_name(elem.tag)
    if name.startswith("{") and elem.prefix:
        return f"{elem.prefix}:{etree.QName(elem).localname}"
    return name


# --- channel header -----------------------------------------------------------------------------


def read_author(elem: etree._Element) -> Author:
    f = children(elem)
    return Author(
        login=f.get("wp:author_login", ""),
        id=to_int(f.get("wp:author_id")),
        email=f.get("wp:author_email", ""),
        display_name=f.get("wp:author_display_name", ""),
        first_name=f.get("wp:author_first_name", ""),
        last_name=f.get("wp:author_last_name", ""),
    )


# Each header element names its fields differently: (taxonomy, slug, name, parent, description).
TERM_FIELDS = {
    "wp:category": (
        "category", "wp:category_nicename", "wp:cat_name", "wp:category_parent", "wp:category_description"
    ),
    "wp:tag": ("post_tag", "wp:tag_slug", "wp:tag_name", "", "wp:tag_description"),
    "wp:term": ("", "wp:term_slug", "wp:term_name", "wp:term_parent", "wp:term_description"),
}


def read_term(elem: etree._Element, kind: str) -> Term:
    taxonomy, slug, name, parent, description = TERM_FIELDS[kind]
    f, meta = fields_and_meta(elem, "wp:termmeta")
    return Term(
        taxonomy=taxonomy or f.get("wp:term_taxonomy", ""),
        slug=f.get(slug, ""),
        name=f.get(name, ""),
        id=to_int(f.get("wp:term_id")),
        description=f.get(description, ""),
        parent_slug=f.get(parent, "") if parent else "",
        meta=meta,
    )


SITE_FIELDS = {
    "title": "title",
    "link": "link",
    "description": "description",
    "language": "language",
    "wp:wxr_version": "wxr_version",
    "wp:base_site_url": "base_site_url",
    "wp:base_blog_url": "base_blog_url",
    "generator": "generator",
    "pubDate": "exported_at",
}


def site_field(elem: etree._Element, values: dict[str, str], extra: dict[str, list[str]], fixed: bool) -> bool:
    """Collect one channel element into the site's fields, or its extra; True if it went to extra.

    The first <title> (and so on) is the site's; once the fields are fixed (the site record is out),
    or for a second one, a value that differs is kept in extra under the field's name: two exports
    pasted into one file, or a plugin that writes its own <link>, lose nothing."""
    field_name = SITE_FIELDS.get(local_name(elem.tag))
    if field_name is not None and not fixed and field_name not in values:
        values[field_name] = text_of(elem)
        return False
    if field_name is not None and text_of(elem) == values.get(field_name, ""):
        return False
    extra.setdefault(extra_key(elem), []).append(extra_value(elem))
    return True


# --- items --------------------------------------------------------------------------------------

POST_TEXT_FIELDS = {
    "title": "title",
    "link": "link",
    "guid": "guid",
    "description": "description",
    "pubDate": "pub_date",
    "dc:creator": "author",
    "content:encoded": "content",
    "excerpt:encoded": "excerpt",
    "wp:post_date": "date",
    "wp:post_date_gmt": "date_gmt",
    "wp:post_modified": "modified",
    "wp:post_modified_gmt": "modified_gmt",
    "wp:comment_status": "comment_status",
    "wp:ping_status": "ping_status",
    "wp:post_name": "slug",
    "wp:status": "status",
    "wp:post_type": "post_type",
    "wp:post_password": "password",
    "wp:attachment_url": "attachment_url",
}
# Tags whose value the item loop reads itself, so they are not "extra".
POST_OTHER_FIELDS = {"wp:post_id", "wp:post_parent", "wp:menu_order", "wp:is_sticky", "category",
                     "wp:postmeta", "wp:comment"}
# WXR 1.0 wrote tags as domain="tag"; WordPress has called the taxonomy post_tag since 2.3.
DOMAIN_ALIASES = {"tag": "post_tag"}


@dataclass
class ItemParts:
    """What one flat pass over an item's children collects before the Post is built."""

    text: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)
    terms: list[PostTerm] = field(default_factory=list)
    bare_categories: list[str] = field(default_factory=list)
    meta: list[Meta] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    extra: dict[str, list[str]] = field(default_factory=dict)


def collect_item(item: etree._Element) -> ItemParts:
    parts = ItemParts()
    text = parts.text
    for child in item:
        name = name_of(child)
        if name is None:
            continue
        field_name = POST_TEXT_FIELDS.get(name)
        if field_name is not None:
            if field_name not in text:
                text[field_name] = text_of(child)
        elif name == "category":
            add_item_term(parts, child)
        elif name == "wp:postmeta":
            parts.meta.append(read_meta(child))
        elif name == "wp:comment":
            parts.comments.append(read_comment(child))
        elif name in POST_OTHER_FIELDS:
            if name not in parts.numbers:
                parts.numbers[name] = text_of(child)
        else:
            parts.extra.setdefault(extra_key(child), []).append(extra_value(child))
    return parts


def add_item_term(parts: ItemParts, elem: etree._Element) -> None:
    domain = elem.get("domain")
    name = text_of(elem)
    if domain is None:
        # WXR 1.0 lists each category twice: bare, then with domain and nicename. Keep the bare
        # one only if no full twin follows (see build_terms).
        parts.bare_categories.append(name)
        return
    taxonomy = DOMAIN_ALIASES.get(domain, domain)
    parts.terms.append(PostTerm(taxonomy, elem.get("nicename") or "", name))


def build_terms(parts: ItemParts) -> tuple[PostTerm, ...]:
    terms = list(dict.fromkeys(parts.terms))
    named = {t.name for t in terms if t.taxonomy == "category"}
    for name in dict.fromkeys(parts.bare_categories):
        if name not in named:
            terms.append(PostTerm("category", "", name))
    return tuple(terms)


def read_comment(elem: etree._Element) -> Comment:
    f, meta = fields_and_meta(elem, "wp:commentmeta")
    return Comment(
        id=to_int(f.get("wp:comment_id")) or 0,
        parent_id=to_int(f.get("wp:comment_parent")) or None,
        author=f.get("wp:comment_author", ""),
        author_email=f.get("wp:comment_author_email", ""),
        author_url=f.get("wp:comment_author_url", ""),
        author_ip=f.get("wp:comment_author_IP", ""),
        date=f.get("wp:comment_date", ""),
        date_gmt=f.get("wp:comment_date_gmt", ""),
        content=f.get("wp:comment_content", ""),
        approved=f.get("wp:comment_approved", "1").strip() or "1",
        # WordPress writes an empty type for ordinary comments.
        type=f.get("wp:comment_type", "").strip() or "comment",
        user_id=to_int(f.get("wp:comment_user_id")) or None,
        meta=meta,
    )


def read_item(item: etree._Element, line_offset: int = 0) -> tuple[Post, list[Problem]]:
    """The Post an <item> holds; line_offset is added to its line (a parser that started again later
    in the file counts from 1 there)."""
    parts = collect_item(item)
    line = (item.sourceline or 0) + line_offset
    problems: list[Problem] = []
    title = parts.text.get("title", "")
    post_id = to_int(parts.numbers.get("wp:post_id"))
    missing = post_id is None
    if post_id is None:
        t = parts.text
        # A stable placeholder: the Saver gives the item its real id from `?p=19`, or a small one.
        post_id = synthetic_id(t.get("guid", ""), t.get("link", ""), title, t.get("date", ""))
    else:
        post_id = narrow_post_id(post_id, f"item at line {line} '{title}'", problems)
    narrowed = narrow_comments(fill_comment_ids(parts.comments, post_id), post_id, problems)
    comments, thread_problems = thread_comments(narrowed, post_id)
    parent_id = to_int(parts.numbers.get("wp:post_parent"))
    post = Post(
        id=post_id,
        id_missing=missing,
        **parts.text,
        parent_id=stored_id(parent_id, "post") if parent_id else None,
        menu_order=menu_order(parts.numbers.get("wp:menu_order"), post_id, problems),
        sticky=parts.numbers.get("wp:is_sticky", "").strip() == "1",
        line=line,
        terms=build_terms(parts),
        meta=tuple(parts.meta),
        comments=comments,
        extra=parts.extra,
    )
    return post, problems + thread_problems


def item_label(post: Post) -> str:
    """How messages name an item: by its id and title, or by its line when the export gave no id."""
    if post.id_missing:
        return f"the item at line {post.line}" + (f" '{post.title}'" if post.title else "")
    return f"item {post.id} '{post.title}'"


def fill_comment_ids(comments: list[Comment], post_id: int) -> list[Comment]:
    """Comments without wp:comment_id get a stable synthetic id from their place in the item."""
    return [
        c if c.id else replace(c, id=synthetic_id("comment", str(post_id), str(n), c.date))
        for n, c in enumerate(comments)
    ]


# --- the stream ---------------------------------------------------------------------------------

# What each repair of sources.repair did, as its warning says it.
REPAIRS = {
    "invalid-character": "removed {n} character(s) XML 1.0 forbids",
    "invalid-bytes": "read {n} run(s) of bytes that are not {enc} as Windows-1252",
    "bare-ampersand": "read {n} bare '&' (one that starts no entity) as the character '&'",
    "html-entity": "read {n} HTML entit(ies) such as &mdash; or &nbsp;, which XML does not define, as "
                   "their characters",
    "bare-less-than": "read {n} '<' that start(s) no tag as the character '<'",
    "cdata-end-in-text": "kept {n} ']]>' inside the text as text (WordPress's exporter splits it; this "
                         "file did not)",
    "second-document": "read {n} XML declaration(s) or <rss> start tag(s) after the first document's as "
                       "more of the same export",
}

# libxml2 2.14 raised "xmlns:x: '...' is not a valid URI" from a warning to an error, and lxml then
# refuses a well-formed file once it is read to the end. Namespace names are compared as strings
# (Namespaces in XML 1.0, section 2.3), and real exports declare IRIs such as
# xmlns:unicode="http://ëxämplë.com/ünïcödë/" (in the WordPress importer's own test data).
NS_URI_COMPLAINTS = frozenset({etree.ErrorTypes.WAR_NS_URI, etree.ErrorTypes.WAR_NS_URI_RELATIVE})


def only_uri_complaints(log: etree._ListErrorLog) -> bool:
    """True when libxml2 found nothing wrong but namespace URIs it would not parse as URIs."""
    errors = log.filter_from_errors()
    return len(errors) > 0 and all(entry.type in NS_URI_COMPLAINTS for entry in errors)



def iter_records(
    source: BinaryIO,
    *,
    name: str = "<export>",
    recover: bool = False,
    strict: bool = False,
) -> Iterator[Record]:
    """Yield Site, Author, Term, Post and Problem records from a WXR file opened in binary mode.

    The Site record comes before the first item, with the channel's elements up to there. When
    channel elements follow the first item (plugin data, a second channel), a second Site record
    with `amends=True` ends the export: the same fields, and every channel element in its extra.

    What XML refuses but WordPress's importer reads (a bare &, an HTML entity, a second document) is
    repaired and reported as a Problem naming the item, unless strict.

    Memory stays flat: each element is freed once read. Raises NotAnExportError or
    BrokenExportError (naming the file, line and item) when the file cannot be read.
    """
    reader = _Reader(source, name, recover, strict)
    yield from reader.run()


class _Reader:
    def __init__(self, source: BinaryIO, name: str, recover: bool, strict: bool = False) -> None:
        self.name = name
        self.recover = recover
        self.stream = CleanStream(source, mend=not strict)
        self.site_sent = False
        self.channel: etree._Element | None = None
        self.last_item: tuple[int, str] | None = None  # (id, item_label) of the last item read
        self.site_values: dict[str, str] = {}
        self.site_extra: dict[str, list[str]] = {}
        self.extra_after_site = False  # the site's extra grew after its record went out
        self.channel_on_top = False  # <channel> sits right under <rss>, as in every real export
        self.root: etree._Element | None = None
        self.top: etree._Element | None = None  # the document's root, once a channel has started
        self.open_item: etree._Element | None = None  # the item whose end tag has not been read yet
        self.closing = False  # the file has been read to its end: the ends lxml reports now were not in it
        self.broken_at_close = False
        # Where the reader may start again after an error: not with --recover (libxml2 recovers), not
        # with --strict, not in a file with a DOCTYPE (the stream passes it on untouched).
        starts = None if recover or strict else self.stream.track_items()
        self.window = ItemWindow(starts) if starts is not None else None
        self.line_offset = 0  # what to add to lxml's lines once reading started again later in the file
        self.resumed = b""  # what to give the new parser first
        self.adopting = False  # the next <channel> is the one the new parser was given, not a second one

    def run(self) -> Iterator[Record]:
        self.parser = self._new_parser()
        try:
            yield from self._read()
        finally:
            if self.window is not None:
                self.window.close()

    def _read(self) -> Iterator[Record]:
        try:
            yield from self._feed()
        except etree.XMLSyntaxError as error:
            # The exception's error_log also holds errors of earlier parses in this thread.
            if not only_uri_complaints(self.parser.feed_error_log):
                raise self._broken(error) from None
        except (OSError, EOFError, zlib.error) as error:
            # A disk read error; damaged .gz/.bz2/.zip files are reported by sources.GuardedReader.
            raise BrokenExportError(f"{self.name}: cannot read the file: {error}{self._where()}") from None
        yield from self._finish(self.parser)

    def _new_parser(self) -> etree.XMLPullParser:
        return etree.XMLPullParser(
            events=("start", "end"),
            tag=LISTENED_TAGS,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=True,
            recover=self.recover,
            remove_comments=True,
            remove_pis=True,
        )

    def _feed(self) -> Iterator[Record]:
        """What lxml's iterparse does, with a step of our own after each chunk's events (_tidy).
        As iterparse does, the events parsed before an error are handled before it is raised, or,
        where the reader can start again at the next item (see _resync), before it does."""
        while True:
            failed: Exception | None = None
            data = b""
            try:
                data = self.resumed or self.stream.read(READ_SIZE)
                if self.window is not None and not self.resumed:
                    self.window.add(data)
                self.resumed = b""
                if data:
                    self.parser.feed(data)
                else:
                    self._close(self.parser)
            except Exception as error:  # raised again below, once the events are handled
                failed = error
            if self.recover or not self.broken_at_close:
                yield from self._walk(self.parser.read_events())
            if failed is not None and self._can_resync(failed):
                assert isinstance(failed, etree.XMLSyntaxError)  # _can_resync checked it
                yield from self._resync(failed)
                continue
            if failed is not None:
                raise failed
            if not data:
                return
            self._tidy()
            if self.window is not None:
                self.window.trim()

    def _close(self, parser: etree.XMLPullParser) -> None:
        """Close the parser at the end of the file. An item whose end comes now had no end tag in the
        file: lxml 6.2 and later report an end for every element still open when the file stops
        (6.1 reported none), so such an item is cut (see _cut_item), whatever lxml's version."""
        self.closing = True
        try:
            self.root = parser.close()
        except etree.XMLSyntaxError:
            self.broken_at_close = True
            raise

    def _can_resync(self, failed: Exception) -> bool:
        """An XML error before the end of the file costs the item it is in, not the rest of the export."""
        if self.window is None or not isinstance(failed, etree.XMLSyntaxError) or self.channel is None:
            return False
        if self.stream.has_doctype or only_uri_complaints(self.parser.feed_error_log):
            return False
        # At the end of the file, an error is a cut file unless an item start tag came after the broken
        # place (an unclosed quote or comment swallowed the rest of the file).
        return not self.closing or self.window.next_start() is not None

    def _resync(self, error: etree.XMLSyntaxError) -> Iterator[Record]:
        """Read the item the error is in on its own, then start a new parser at the next item."""
        window, channel = self.window, self.channel
        assert window is not None and channel is not None  # _can_resync checked them
        line, column, message = self._described(error)
        head = prologue(channel.nsmap)
        resume = self._next_item_start(window)
        broken = window.open_at
        if broken is None:
            upto = f"the next item (line {resume[1]})" if resume else "the end of the file"
            yield Problem("xml-skipped", f"line {line}, column {column}: {message}; the export could not be read "
                          f"from there up to {upto}")
        else:
            raw = window.between(broken[0], resume[0] if resume else window.end)
            yield from self._read_alone(head, raw, broken[1], f"line {line}, column {column}: {message}")
        for child in channel[:-1]:  # the last one may be the element the error is in
            self._take(child, channel)
        self.parser, self.adopting, self.open_item, window.open_at = self._new_parser(), True, None, None
        self.closing = self.broken_at_close = False
        if resume is None:
            self.resumed = head + b"</channel></rss>"
            return
        window.resumed_at = resume[0]
        self.line_offset = resume[1] - 1
        self.resumed = head + window.since(resume[0])

    def _next_item_start(self, window: ItemWindow) -> tuple[int, int] | None:
        """The next item start tag the stream finds, reading on as far as it takes (None: there is none)."""
        # The stream finds start tags in what it has read ahead: read on until the tag is in the window.
        while (found := window.next_start()) is None or found[0] >= window.end:
            data = self.stream.read(READ_SIZE)
            if not data:
                return found if found is not None and found[0] < window.end else None
            window.add(data)
        return found

    def _read_alone(self, head: bytes, raw: bytes, line: int, what: str) -> Iterator[Record]:
        """The broken item read on its own by libxml2's recovering parser, as WordPress's importer reads
        each item on its own; a warning names it either way."""
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False,
                                 huge_tree=True, remove_comments=True, remove_pis=True)
        root = etree.fromstring(head + raw + b"</channel></rss>", parser)
        item = root.find("channel/item") if root is not None else None
        if item is None or len(item) == 0:
            title = _RAW_TITLE.search(raw[:4096])
            shown = title.group(1).decode("utf-8", "replace") if title else ""
            yield Problem("item-unreadable", f"the item at line {line} '{shown}' could not be read ({what}); "
                          "skipped, and the export read on from the next item")
            return
        post, problems = read_item(item, line - 1)
        yield from self._read_broken(post, problems, Problem(
            "item-recovered", f"{item_label(post)} is not well-formed XML ({what}): read on its own by the XML "
            "parser's recovery, as WordPress's importer reads each item; check it", post.id))

    def _read_broken(self, post: Post, problems: list[Problem], warning: Problem) -> Iterator[Record]:
        yield from self._send_site()
        yield from self._repairs_before(post.line)
        self.last_item = (post.id, item_label(post))
        yield post
        yield from problems
        yield warning

    def _walk(self, events: Iterator[tuple[str, etree._Element]]) -> Iterator[Record]:
        for event, elem in events:
            if event == "start":
                yield from self._check_start(elem)
            elif elem.tag == "item" and self.closing and elem is self.open_item:
                yield from self._cut_item(elem)
            elif elem.tag == "item":
                yield from self._item(elem)
            elif elem.tag == "channel":
                yield from self._end_channel(elem)
            elif self._is_header(elem):
                record, problems = narrow_header(self._header(elem))
                yield record
                yield from problems
                self._free(elem)

    def _tidy(self) -> None:
        """Plugin elements directly under <channel> get no event (they are not listened to), so
        without this a plugin that dumps a long list there would keep all of it in lxml's tree until
        the next item. Every child but the last has ended: take it as _free does, and drop it."""
        channel = self.channel
        if channel is None or not self.channel_on_top:
            return
        while len(channel) > 1:
            self._take(channel[0], channel)
            del channel[0]

    def _take(self, elem: etree._Element, parent: etree._Element) -> bool:
        """Keep an ended element of <channel> or <rss> in the site's fields or extra before it is
        dropped; False for the items, authors and terms that are records of their own."""
        if elem.tag == "channel":
            for child in elem:
                self._take(child, elem)
            return True
        if not isinstance(elem.tag, str) or elem.tag == "item":
            return False
        if parent.tag == "channel" and local_name(elem.tag) in HEADER_TAGS:
            return False
        if site_field(elem, self.site_values, self.site_extra, self.site_sent) and self.site_sent:
            self.extra_after_site = True
        return True

    def _drop_before(self, elem: etree._Element) -> None:
        """Take and drop the siblings before elem: they have all ended."""
        parent = elem.getparent()
        if parent is None:
            return
        while elem.getprevious() is not None:
            self._take(parent[0], parent)
            del parent[0]

    def _end_channel(self, channel: etree._Element) -> Iterator[Record]:
        """Take every element left in an ended channel; the last stays when it is an item, for
        _where to name if the file breaks further on."""
        while len(channel) > 1:
            self._take(channel[0], channel)
            del channel[0]
        if len(channel) and self._take(channel[0], channel):
            del channel[0]
        if channel is self.channel:
            yield from self._send_site()

    def _check_start(self, elem: etree._Element) -> Iterator[Problem]:
        if elem.tag == "channel" and self.adopting:
            self._adopt(elem)
            return
        if elem.tag == "channel" and self.channel is not None:
            # RSS has one channel; a second one (two exports pasted into one file) is read as more of
            # the same export.
            yield Problem("second-channel", f"a second <channel> at line {self._line(elem)}: its authors, "
                          "terms and items are imported with the first channel's")
        if elem.tag == "channel" and self.channel is None:
            # nsmap holds every namespace in scope, whether declared on <rss> or on <channel>.
            if not any(WXR_NS.match(uri or "") for uri in elem.nsmap.values()):
                raise NotAnExportError(
                    f"{self.name}: an RSS feed, but not a WordPress export (no WordPress export "
                    "namespace http://wordpress.org/export/1.x/ is declared)"
                )
            self.channel = elem
            self.top = elem.getroottree().getroot()
            parent = elem.getparent()
            self.channel_on_top = parent is not None and parent.getparent() is None
        # Whatever stands before a channel in <rss> (another channel, plugin data) has ended.
        if elem.tag == "channel":
            self._drop_before(elem)
        if elem.tag == "item" and self.window is not None:
            self.window.item_started(self._line(elem))
        if elem.tag == "item" and self._in_channel(elem):
            self.open_item = elem

    def _line(self, elem: etree._Element) -> int:
        return (elem.sourceline or 0) + self.line_offset

    def _adopt(self, channel: etree._Element) -> None:
        """The channel of a parser that started again after an error: the same channel, read on."""
        self.adopting = False
        self.channel = channel
        self.top = channel.getroottree().getroot()
        self.channel_on_top = True

    def _in_channel(self, item: etree._Element) -> bool:
        """An <item> inside another element is part of that element's text or XML, not a post."""
        parent = item.getparent()
        return parent is not None and (parent.tag == "channel" or parent.getparent() is None)

    def _is_header(self, elem: etree._Element) -> bool:
        parent = elem.getparent()
        return parent is not None and parent.tag == "channel" and local_name(elem.tag) in HEADER_TAGS

    def _header(self, elem: etree._Element) -> Author | Term:
        kind = local_name(elem.tag)
        if kind in ("wp:author", "wp:wp_author"):
            return read_author(elem)
        return read_term(elem, kind)

    def _send_site(self) -> Iterator[Record]:
        if not self.site_sent:
            self.site_sent = True
            yield self._site()

    def _site(self, *, amends: bool = False) -> Site:
        # A copy: the reader's own extra grows on after the record is out.
        extra = {key: list(values) for key, values in self.site_extra.items()}
        return Site(**self.site_values, extra=extra, amends=amends)

    def _free(self, elem: etree._Element) -> None:
        """lxml keeps every parsed element in the tree: clear this one and drop the ones before it,
        keeping what the site record needs from them."""
        elem.clear(keep_tail=False)
        self._drop_before(elem)

    def _cut_item(self, elem: etree._Element) -> Iterator[Record]:
        """Only with --recover: the item the file ends in is kept as far as it was read, and named."""
        post: Post | None = None
        for record in self._item(elem):
            post = record if isinstance(record, Post) else post
            yield record
        if post is not None:
            yield Problem("item-cut", f"{item_label(post)} is cut short: the XML ends or stops being readable "
                          f"inside it; stored as far as it was read ({len(post.comments)} comment(s)); export "
                          "the site again to have all of it", post.id)

    def _item(self, elem: etree._Element) -> Iterator[Record]:
        if elem is self.open_item:
            self.open_item = None
            if self.window is not None:
                self.window.item_ended()
        if not self._in_channel(elem):
            return
        parent = elem.getparent()
        assert parent is not None  # _in_channel checked it
        if parent is self.channel and not self.site_sent:
            # The site record goes out before the first post, with the channel elements before it;
            # those after it, even when lxml has already parsed them, go to the amending record.
            self._drop_before(elem)
            yield from self._send_site()
        post, problems = read_item(elem, self.line_offset)
        if parent.tag != "channel":
            problems.insert(0, Problem("item-outside-channel", f"item at line {post.line} "
                                       f"'{post.title}' is outside <channel>; imported all the same", post.id))
        line = post.line
        # Free the element before the post goes on: lxml's copy of a huge post is not needed while the
        # saver turns the post into rows.
        self._free(elem)
        yield from self._repairs_before(line)
        self.last_item = (post.id, item_label(post))
        yield post
        yield from problems

    def _repairs_before(self, line: int) -> Iterator[Problem]:
        """Report the stream's repairs that lie before `line`, under the item they were in."""
        for kind, count, lines in self.stream.repairs.take_before(line):
            yield self._repair_problem(kind, count, lines)

    def _repair_problem(self, kind: str, count: int, lines: list[int]) -> Problem:
        what = REPAIRS[kind].format(n=count, enc=self.stream.encoding.upper())
        shown = list(dict.fromkeys(lines))
        more = " ..." if count > len(lines) else ""
        where = f"line{'s' if len(shown) > 1 else ''} {', '.join(map(str, shown))}{more}"
        if self.last_item is None:
            return Problem(kind, f"{what} in the channel header ({where})")
        post_id, label = self.last_item
        return Problem(kind, f"{what} in {label} ({where})", post_id)

    def _finish(self, parser: etree.XMLPullParser) -> Iterator[Record]:
        if self.open_item is not None and self.recover:
            # lxml before 6.2 reports no end for the item a cut file ends in.
            yield from self._cut_item(self.open_item)
        if not self.site_sent and self.channel is not None:
            # Only with --recover: libxml2 gave up (a cut file, nesting too deep) before the channel
            # or any item ended. Keep the site, as far as it was read; the error log says the rest.
            yield from self._end_channel(self.channel)
        if self.top is not None:
            for elem in self.top:  # what follows the channel in <rss>, or a channel libxml2 gave up in
                self._take(elem, self.top)
            if self.extra_after_site:
                yield self._site(amends=True)
        if not self.site_sent:
            root = self.root
            what = f"<{etree.QName(root).localname}>" if root is not None else "nothing"
            raise NotAnExportError(f"{self.name}: not a WordPress export (its root element is {what}, "
                                   "not <rss> with a <channel>)")
        yield from self._repairs_before(0)
        for entry in parser.feed_error_log if self.recover else ():
            if entry.type in NS_URI_COMPLAINTS:
                continue
            yield Problem("xml-recovered", f"line {entry.line}, column {entry.column}: {entry.message} "
                          "(lxml skipped or repaired what it could not read)")

    def _broken(self, error: etree.XMLSyntaxError) -> Exception:
        line, column, message = self._described(error)
        if not self.stream.seen_text:
            return NotAnExportError(f"{self.name}: the file is empty")
        if self.channel is None and ("empty" in message.lower() or line <= 1):
            return NotAnExportError(f"{self.name}: line {line}, column {column}: not XML ({message})")
        where = self._where()
        return BrokenExportError(f"{self.name}: line {line}, column {column}: {message}{where}")

    def _described(self, error: etree.XMLSyntaxError) -> tuple[int, int, str]:
        """Where the XML broke, in the file's lines, and what is wrong in a user's terms."""
        line, column = error.position if error.position else (0, 0)
        # lxml ends its message with the position again (", line 40, column 1"); say it once.
        message = _POSITION_SUFFIX.sub("", (error.msg or str(error)).strip())
        # libxml2 sometimes adds the raw text it choked on on a second line: one line is enough.
        message = message.splitlines()[0] if message else "not well-formed"
        if self.line_offset:
            # "tag mismatch: b line 3 and c" counts from where the parser started again: drop it.
            message = _INNER_LINE.sub("", message)
        if self.broken_at_close or (self.stream.at_end and ("Unregistered" in message or "Premature end" in message)):
            message = "the file ends in the middle of the export (cut short by a download or upload limit?)"
        for pattern, words in MENDABLE:
            if pattern.match(message) and not self.stream.has_doctype:
                message = pattern.sub(words, message) + (", which wxr2db repairs without --strict"
                                                         if self.stream.mends is False else "")
                break
        if message.startswith("Excessive depth"):
            # libxml2's own limit (2048 levels even with huge_tree); WordPress writes a handful.
            message = "elements nested more than 2048 deep"
        if "entity" in message.lower() and self.stream.has_doctype:
            # Only a hand-made or hostile file declares entities (WordPress writes no DOCTYPE).
            # libxml2 checks an entity's text at its first use even when told not to expand it,
            # and stops at nested "billion laughs" entities, which is what we want.
            message += "; wxr2db never expands entities declared in a DOCTYPE"
        return line + self.line_offset, column, message

    def _where(self) -> str:
        """Name the item being read when the XML broke, from the part of it already parsed."""
        item = self.channel[-1] if self.channel is not None and len(self.channel) else None
        if item is None or item.tag != "item":
            return " (in the channel header)"
        f = children(item)
        post_id, title = f.get("wp:post_id"), f.get("title")
        if post_id:
            return f" (in item {post_id} '{title or ''}')"
        if title:
            return f" (in the item at line {self._line(item)} '{title}')"
        after = f" after {self.last_item[1]}" if self.last_item else ""
        return f" (in the item at line {self._line(item)}{after})"

