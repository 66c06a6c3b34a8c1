"""`publish(db)`: turn a full wxr2db database into one safe to publish (`wxr2db import --public`).

Decided by allow-list: what a reader of the site saw is kept, everything else goes. Kept: published,
password-free posts and pages; the attachments they use; menu items that point at something kept; their
approved comments, pingbacks and trackbacks (without email, IP or user id); the terms they carry (with the
terms above them); their authors' display names; the post meta WordPress shows or needs to show them;
the site's title, tagline and addresses. Columns and tables not named below are emptied or dropped, so
one added to the schema later is private until someone decides otherwise. Then every text left is
scanned for email and IP addresses, which are redacted, and the file is rebuilt so no deleted byte
lingers in free pages or full-text shadow tables. docs/PUBLIC.md says the same for users.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sqlite_utils import Database

from ..normalize import digits
from .save import ImportStats
from .schema import ensure_db_shape

# --- finding email and IP addresses in text ------------------------------------------------------
# Every step below is linear in the text: str.find passes look for the characters every address has
# (`@`, a dot between digits, `::` or six colons close together), and each place found is checked by
# bounded steps (a window of at most a few hundred characters). `Work` counts what the steps are
# handed, so a test can bound the work without a clock.

# Where an IPv6 address may be: a `::`, or six colons close enough to be six groups (a full address, or
# one with an IPv4 tail). Both are found by str.find, which is many times faster than a regex over prose.
SIX_COLONS_SPAN = 5 * 5  # from the first colon of six to the last: five groups of at most four digits
RUN_CHARS = frozenset("0123456789abcdefABCDEF:.")
# Matched only where a dot (or dash) has digits around it. The dashed form is how WordPress writes an
# address in a slug (`sanitize_title` turns dots into dashes) and how hosts name one (`203-0-113-7.example.net`).
IPV4 = {sep: re.compile(rf"([0-9]{{1,3}})(?:{re.escape(sep)}([0-9]{{1,3}})){{3}}(?![0-9])") for sep in ".-"}
DIGITS = frozenset("0123456789")
LONGEST_IPV6 = 45  # `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`
ZONE = re.compile(r"%(?:25)?[\w.~-]{1,64}")  # `fe80::1%eth0`, `%25` in a URL
WORD = re.compile(r"\w")
# An email's local part before its @ (these or any letter or digit, as SMTPUTF8 allows), scanned back at
# most 64 characters (RFC 5321's limit).
LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
LONGEST_LOCAL, LONGEST_DOMAIN = 64, 255
DOMAIN = re.compile(r"(?:[\w-]{1,63}\.){1,8}[\w-]{2,63}|\[[^\]\s]{1,62}\]")
# `logo@2x.png` is an image, not an address.
FILE_ENDINGS = frozenset({"png", "jpg", "jpeg", "gif", "webp", "svg", "avif", "bmp", "tif", "tiff", "ico",
                          "heic", "pdf", "mp3", "mp4", "css", "js"})
# `&#64;`, `&#x40;`, `&commat;` and `%40` all read as @ (WordPress's antispambot() writes every character of
# an address as such a reference): the scan reads them as the characters they stand for.
REFERENCE = re.compile(r"&#[xX]0{0,8}([0-9A-Fa-f]{1,6});|&#0{0,8}([0-9]{1,7});|&commat;|%40")
REFERENCED = frozenset(LOCAL_CHARS | set("@:[]%"))
EMAIL_MARK, IP_MARK = "[email removed]", "[IP removed]"


@dataclass
class Work:
    """Characters handed to each bounded step of a scan, and what it found."""

    characters: int = 0
    found: Counter[str] = field(default_factory=Counter)


def referenced(text: str) -> str:
    """The text with character references of address characters replaced by the characters."""
    def character(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole in ("&commat;", "%40"):
            return "@"
        number = int(match.group(1), 16) if match.group(1) else int(match.group(2))
        char = chr(number) if number < 0x110000 else ""
        return char if char in REFERENCED else whole
    return REFERENCE.sub(character, text)


def ip_spans(text: str, work: Work) -> list[tuple[int, int, str]]:
    """IPv4 addresses where a dot has digits around it; IPv6 ones where a hint is, from the run of hex
    digits, colons and dots around it (at most LONGEST_IPV6 + 2 characters each way)."""
    work.characters += 2 * len(text)  # the search for dots, the search for colons
    spans = ipv4_spans(text, work)
    last = 0
    for hint in ipv6_hints(text):
        if hint < last:
            continue
        start, end = run_around(text, hint, work)
        last = end
        v6 = ipv6_span(text, start, end, work)
        if v6 is not None:
            spans.append((*v6, "ip"))
    return spans


def ipv4_spans(text: str, work: Work) -> list[tuple[int, int, str]]:
    return [span for sep in IPV4 for span in separated_ipv4(text, sep, work)]


def separated_ipv4(text: str, sep: str, work: Work) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    last, at = 0, text.find(sep)
    while at != -1:
        if at > last and text[at - 1] in DIGITS and text[at + 1 : at + 2] in DIGITS:
            start = at - 1
            while start > max(last, at - 3) and text[start - 1] in DIGITS:
                start -= 1
            found = None if start and text[start - 1] in DIGITS else IPV4[sep].match(text, start)
            work.characters += 16
            if found is not None and all(int(part) < 256 for part in found.group(0).split(sep)):
                spans.append((start, found.end(), "ip"))
                last = found.end()
        at = text.find(sep, max(at + 1, last))
    return spans


def ipv6_hints(text: str) -> list[int]:
    hints = []
    at = text.find("::")
    while at != -1:
        hints.append(at)
        at = text.find("::", at + 2)
    recent: deque[int] = deque(maxlen=6)
    at = text.find(":")
    while at != -1:
        recent.append(at)
        if len(recent) == 6 and at - recent[0] <= SIX_COLONS_SPAN:
            hints.append(recent[0])
        at = text.find(":", at + 1)
    return sorted(hints)


def run_around(text: str, at: int, work: Work) -> tuple[int, int]:
    """The run of hex digits, colons and dots around text[at], looked for at most LONGEST_IPV6 + 2
    characters each way (a longer run is no address)."""
    reach = LONGEST_IPV6 + 2
    start, end = at, at
    low, high = max(0, at - reach), min(len(text), at + reach)
    while start > low and text[start - 1] in RUN_CHARS:
        start -= 1
    while end < high and text[end] in RUN_CHARS:
        end += 1
    work.characters += 2 * reach
    return start, end


def ipv6_span(text: str, start: int, end: int, work: Work) -> tuple[int, int] | None:
    """The IPv6 address a run of hex digits, colons and dots is, give or take the punctuation of the
    sentence around it (`at fe80::1:2.`, `ip:2001:db8::1`, `fe80::1.Each`), and a zone id after it."""
    while end > start and text[end - 1] == ".":
        end -= 1
    if end - start > LONGEST_IPV6 + 2:
        return None
    if text.startswith(":", start) and not text.startswith("::", start):
        start += 1
    # The whole run, or the part before a full stop that ends a sentence with no space after it.
    stops = [end] + [i for i in range(end - 1, start, -1) if text[i] == "."]
    work.characters += (end - start) * len(stops)
    for stop in stops:
        found = ipv6_at(text, start, stop)
        if found is not None:
            return found
    return None


def ipv6_at(text: str, start: int, end: int) -> tuple[int, int] | None:
    if text.endswith(":", start, end) and not text.endswith("::", start, end):
        end -= 1
    if WORD.match(text, start - 1 if start else 0, start) or WORD.match(text, end) \
            or not text[start:end].strip(":."):
        return None
    try:
        ipaddress.IPv6Address(text[start:end])
    except ValueError:
        return None
    zone = ZONE.match(text, end, end + 70)
    return start, zone.end() if zone else end


def email_spans(text: str, work: Work) -> list[tuple[int, int, str]]:
    spans = []
    at = text.find("@")
    while at != -1:
        start = at
        while start > max(0, at - LONGEST_LOCAL) and (text[start - 1] in LOCAL_CHARS or text[start - 1].isalnum()):
            start -= 1
        while start < at and text[start] == ".":
            start += 1
        limit = min(len(text), at + 1 + LONGEST_DOMAIN)
        domain = DOMAIN.match(text, at + 1, limit) if start < at else None
        next_at = text.find("@", at + 1)
        work.characters += (at - start) + min(limit, next_at if next_at != -1 else limit) - at
        if domain is not None and domain.group(0).rsplit(".", 1)[-1].lower() not in FILE_ENDINGS:
            spans.append((start, domain.end(), "email"))
        at = next_at
    return spans


def private_spans(text: str, work: Work | None = None) -> list[tuple[int, int, str]]:
    """Where `text` names an email or IP address: (start, end, kind), in order, not overlapping."""
    work = work or Work()
    spans = sorted(email_spans(text, work) + ip_spans(text, work))
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in spans:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, kind))
    work.found.update(kind for _, _, kind in merged)
    return merged


def redact_text(text: str, work: Work | None = None, *, same_length: bool = False) -> str | None:
    """The text with every email and IP address replaced by a mark. same_length=True (for PHP-serialized
    values, whose `s:N:` counts bytes) masks each with as many `*` as it has bytes, and gives None when
    that is not enough (an address written with character references)."""
    work = work or Work()
    scanned = text if same_length else referenced(text)
    pieces, last = [], 0
    for start, end, kind in private_spans(scanned, work):
        mark = "*" * len(scanned[start:end].encode()) if same_length else (EMAIL_MARK if kind == "email" else IP_MARK)
        pieces += [scanned[last:start], mark]
        last = end
    redacted = "".join(pieces) + scanned[last:] if pieces else text
    if same_length and private_spans(referenced(redacted)):
        return None
    return redacted


# --- what readers saw -----------------------------------------------------------------------------

READER_TYPES = ("post", "page")
COMMENT_TYPES = ("comment", "pingback", "trackback")
# Meta keys without a leading `_` are the custom fields WordPress itself shows (the_meta()); of the
# `_`-keys (is_protected_meta), only these, which the site needs to show what is kept.
SHOWN_PROTECTED_META = ("_thumbnail_id", "_wp_attached_file", "_wp_attachment_metadata",
                        "_wp_attachment_image_alt", "_wp_page_template", "_menu_item_type",
                        "_menu_item_menu_item_parent", "_menu_item_object_id", "_menu_item_object",
                        "_menu_item_target", "_menu_item_classes", "_menu_item_xfn", "_menu_item_url",
                        "_yoast_wpseo_metadesc", "_aioseo_description", "_aioseop_description")
# Plugins that keep private data under keys without `_` (Akismet's are comment meta, which goes whole).
UNSHOWN_META_PREFIXES = ("akismet", "wpcf7", "_")
# Columns kept, per table; any other column is emptied, any other table dropped (media, post_media,
# published_posts and the search indexes are rebuilt from what is kept).
KEPT_COLUMNS: dict[str, tuple[str, ...]] = {
    "site": ("link", "title", "description", "language", "wxr_version", "base_site_url", "base_blog_url",
             "generator", "exported_at"),
    "authors": ("login", "display_name"),
    "terms": ("id", "taxonomy", "slug", "name", "description", "parent_slug", "parent_id"),
    "posts": ("id", "post_type", "status", "title", "slug", "link", "guid", "author", "date", "date_gmt",
              "modified", "modified_gmt", "content", "excerpt", "parent_id", "menu_order", "comment_status",
              "ping_status", "sticky", "attachment_url", "pub_date", "description", "year", "export_id",
              "plain_text"),
    "post_terms": ("post_id", "term_id"),
    "comments": ("id", "post_id", "parent_id", "depth", "author", "author_url", "date", "date_gmt", "content",
                 "approved", "type", "thread_order", "export_id", "plain_text"),
    "postmeta": ("post_id", "key", "value", "value_json"),
    "commentmeta": (), "termmeta": (), "warnings": (),
    "synthetic_ids": ("kind", "key", "id"),
}
REBUILT_TABLES = ("media", "post_media", "published_posts")
PUBLIC_POST = (f"status = 'publish' AND coalesce(password, '') = '' "
               f"AND post_type IN ({', '.join(repr(t) for t in READER_TYPES)})")


def keep_posts(db: Database) -> None:
    """temp.keep: the ids of the posts, pages, attachments and menu items readers saw."""
    db.execute("CREATE TEMP TABLE keep (id INTEGER PRIMARY KEY)")
    db.execute(f"INSERT INTO keep SELECT id FROM posts WHERE {PUBLIC_POST}")
    # An attachment is seen on its page when attached to a kept post, or where a kept post shows it.
    db.execute("""INSERT OR IGNORE INTO keep SELECT id FROM posts WHERE post_type = 'attachment'
        AND status IN ('inherit', 'publish') AND coalesce(password, '') = '' AND (
            parent_id IN (SELECT id FROM keep)
            OR id IN (SELECT CAST(value AS INTEGER) FROM postmeta WHERE key = '_thumbnail_id'
                      AND post_id IN (SELECT id FROM keep))
            OR id IN (SELECT m.attachment_id FROM post_media pm JOIN media m ON m.url = pm.url
                      WHERE pm.post_id IN (SELECT id FROM keep)))""")
    db.conn.executemany("INSERT OR IGNORE INTO keep VALUES (?)", [(i,) for i in menu_items(db)])
    readdress_attachments(db)


def readdress_attachments(db: Database) -> None:
    """WordPress puts an attachment's page under its parent's address (`/draft-slug/photo/`): a kept
    attachment of a post that is not kept gets the address that works without it, `?attachment_id=N`."""
    site = db.execute("SELECT link FROM site ORDER BY rowid LIMIT 1").fetchone()
    base = str(site[0] if site and site[0] else "").rstrip("/")
    db.execute("""UPDATE posts SET link = ? || '/?attachment_id=' || id WHERE post_type = 'attachment'
                  AND id IN (SELECT id FROM keep) AND parent_id IS NOT NULL
                  AND parent_id NOT IN (SELECT id FROM keep)""", [base])


def menu_items(db: Database) -> list[int]:
    """A published menu item is seen when what it points at is: a kept post, a term of one, or any
    other link that does not name a post that is not kept (its slug, `?p=ID` or address)."""
    hidden_slugs, hidden_ids, hidden_links = hidden_posts(db)
    rows = db.execute("""SELECT p.id, (SELECT value FROM postmeta WHERE post_id = p.id AND key = '_menu_item_type'),
            (SELECT value FROM postmeta WHERE post_id = p.id AND key = '_menu_item_object_id'),
            (SELECT group_concat(value, ' ') FROM postmeta WHERE post_id = p.id AND key = '_menu_item_url'),
            p.link, p.guid, p.title FROM posts p WHERE p.post_type = 'nav_menu_item' AND p.status = 'publish'
            AND coalesce(p.password, '') = ''""").fetchall()
    kept_posts = {i for (i,) in db.execute("SELECT id FROM keep")}
    kept_terms = {i for (i,) in db.execute("SELECT term_id FROM post_terms WHERE post_id IN (SELECT id FROM keep)")}
    seen = []
    for item_id, kind, object_id, *texts in rows:
        target = digits(str(object_id or "").strip())
        if (kind == "post_type" and target not in kept_posts) or (kind == "taxonomy" and target not in kept_terms):
            continue
        if not names_hidden(texts, hidden_slugs, hidden_ids, hidden_links):
            seen.append(item_id)
    return seen


def hidden_posts(db: Database) -> tuple[set[str], set[str], set[str]]:
    """The slugs, ids and addresses of the items that are not kept (menu items aside: their slugs are
    their ids), less any a kept item shares."""
    def texts(sql: str) -> set[str]:
        return {str(v).strip().lower() for (v,) in db.execute(sql) if v is not None and str(v).strip()}
    hidden = "FROM posts WHERE post_type != 'nav_menu_item' AND id NOT IN (SELECT id FROM keep)"
    kept = "FROM posts WHERE id IN (SELECT id FROM keep)"
    slugs = texts(f"SELECT slug {hidden}") - texts(f"SELECT slug {kept}")
    links = {url_path(u) for u in texts(f"SELECT link {hidden}") | texts(f"SELECT guid {hidden}")}
    links -= {url_path(u) for u in texts(f"SELECT link {kept}") | texts(f"SELECT guid {kept}")}
    return slugs, texts(f"SELECT id {hidden}"), links - {"", "/"}


def url_path(url: str) -> str:
    """`https://Example.com/a/b/?x` -> `/a/b/?x`: an address without its scheme and host."""
    try:
        parts = urlsplit(url.strip().lower())
    except ValueError:
        return url
    return parts.path + ("?" + parts.query if parts.query else "")


def names_hidden(texts: Iterable[Any], slugs: set[str], ids: set[str], links: set[str]) -> bool:
    """Whether any of these addresses names an item that is not kept; an address that does not parse
    is taken to."""
    for text in texts:
        url = str(text or "").strip().lower()
        if not url:
            continue
        try:
            parts = urlsplit(url)
        except ValueError:
            return True
        query = parse_qs(parts.query)
        named_ids = {v for key in ("p", "page_id", "attachment_id") for v in query.get(key, [])}
        segments = {unquote(s).lower() for s in parts.path.split("/") if s}
        if named_ids & ids or segments & slugs or url_path(url) in links:
            return True
    return False


def drop_unseen_rows(db: Database) -> None:
    """Everything that is not kept or does not belong to what is kept."""
    unshown = " OR ".join(f"substr(lower(key), 1, {len(p)}) = '{p}'" for p in UNSHOWN_META_PREFIXES)
    meta_shown = f"key IN ({', '.join(repr(k) for k in SHOWN_PROTECTED_META)}) OR NOT ({unshown})"
    types = ", ".join(repr(t) for t in COMMENT_TYPES)
    for sql in (
        "DELETE FROM posts WHERE id NOT IN (SELECT id FROM keep)",
        "DELETE FROM post_terms WHERE post_id NOT IN (SELECT id FROM keep)",
        f"DELETE FROM postmeta WHERE post_id NOT IN (SELECT id FROM keep) OR NOT ({meta_shown})",
        f"DELETE FROM comments WHERE post_id NOT IN (SELECT id FROM keep) OR approved != '1' "
        f"OR coalesce(nullif(type, ''), 'comment') NOT IN ({types})",
        # A term is seen on the kept posts that carry it, and in the archives of the terms above it.
        """DELETE FROM terms WHERE id NOT IN (
               WITH RECURSIVE seen(id) AS (SELECT term_id FROM post_terms
                   UNION SELECT t.parent_id FROM terms t JOIN seen ON t.id = seen.id WHERE t.parent_id IS NOT NULL)
               SELECT id FROM seen WHERE id IS NOT NULL)""",
        # Nobody sees who made a menu item: only the authors of what readers see stay.
        "UPDATE posts SET author = NULL WHERE post_type = 'nav_menu_item'",
        "DELETE FROM authors WHERE login NOT IN (SELECT author FROM posts WHERE author IS NOT NULL)",
        "UPDATE posts SET parent_id = NULL WHERE parent_id NOT IN (SELECT id FROM posts)",
        "UPDATE comments SET parent_id = NULL WHERE parent_id NOT IN (SELECT id FROM comments)",
        "UPDATE terms SET parent_id = NULL, parent_slug = '' WHERE parent_id NOT IN (SELECT id FROM terms)",
    ):
        db.execute(sql)
    for kind in ("posts", "comments", "terms"):
        db.execute(f"DELETE FROM synthetic_ids WHERE kind = ? AND id NOT IN (SELECT id FROM [{kind}])", [kind])
    db.execute("DELETE FROM synthetic_ids WHERE kind NOT IN ('posts', 'comments', 'terms')")


def drop_unlisted(db: Database) -> None:
    """Empty every column KEPT_COLUMNS does not name; drop every table it does not name."""
    for name in db.table_names():
        if name in KEPT_COLUMNS:
            columns = [c for c in db[name].columns_dict if c not in KEPT_COLUMNS[name]]
            if not KEPT_COLUMNS[name]:
                db.execute(f"DELETE FROM [{name}]")
            elif columns:
                db.execute(f"UPDATE [{name}] SET {', '.join(f'[{c}] = NULL' for c in columns)}")
        elif name not in REBUILT_TABLES and db[name].exists() and not name.startswith("sqlite_"):
            db.execute(f"DROP TABLE [{name}]")


def name_authors(db: Database) -> None:
    """An author is shown by display name; the login (half of what signs in) is replaced by it, or by
    `author-N` where that is empty or taken, in authors and in posts alike."""
    rows = db.execute("SELECT login, display_name FROM authors ORDER BY login").fetchall()
    taken: set[str] = set()
    names = []
    for n, (login, display) in enumerate(rows, 1):
        name = (display or "").strip()
        if not name or name.lower() in taken:
            name = f"author-{n}"
        taken.add(name.lower())
        names.append((login, name, display))
    db.execute("CREATE TEMP TABLE renamed (login TEXT PRIMARY KEY, name TEXT)")
    db.conn.executemany("INSERT INTO renamed VALUES (?, ?)", [(login, name) for login, name, _ in names])
    db.execute("UPDATE posts SET author = (SELECT name FROM renamed WHERE login = posts.author) "
               "WHERE author IS NOT NULL")
    db.execute("DELETE FROM authors")
    db.conn.executemany("INSERT INTO authors (login, display_name) VALUES (?, ?)",
                        [(name, display) for _, name, display in names])
    db.execute("DROP TABLE temp.renamed")


class Redactor:
    """The SQL functions of the scan. SQLite asks `changed(v)` in the WHERE and then `redacted(v)` of
    the same value: the second answer is the first one's work, so each value is scanned once."""

    def __init__(self, work: Work) -> None:
        self.work = work
        self.last: tuple[Any, bool, Any] = (None, False, None)

    def changed(self, value: Any, same_length: bool = False) -> bool:
        if not isinstance(value, (str, bytes)):
            return False
        if isinstance(value, bytes):
            text = value.decode("utf-8", "replace")
            result: Any = value if redact_text(text, self.work) == text else None
        else:
            result = redact_text(value, self.work, same_length=same_length)
        self.last = (value, same_length, result)
        return result is not value

    def redacted(self, value: Any, same_length: bool = False) -> Any:
        last, last_length, result = self.last
        if last_length == same_length and type(last) is type(value) and last == value:
            return result
        self.changed(value, same_length)
        return self.last[2]


def is_private(value: Any) -> bool:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return isinstance(value, str) and bool(private_spans(referenced(value)))


# Tables with a text key: a redacted value may clash with another row's.
KEYED_TABLES = ("site", "authors", "terms")


def redact_columns(db: Database, work: Work) -> None:
    """Every value left in a kept table, whatever its column's declared type. A value that cannot be
    changed in place (it would clash with another row's key) goes with its row."""
    conn, redactor = db.conn, Redactor(work)
    conn.create_function("wxr2db_changed", 1, redactor.changed)
    conn.create_function("wxr2db_redacted", 1, redactor.redacted)
    # PHP-serialized values (those the import decoded into value_json) keep their byte lengths.
    conn.create_function("wxr2db_mask_changed", 1, lambda v: redactor.changed(v, same_length=True))
    conn.create_function("wxr2db_masked", 1, lambda v: redactor.redacted(v, same_length=True))
    conn.execute("UPDATE postmeta SET value = wxr2db_masked(value) WHERE value_json IS NOT NULL "
                 "AND wxr2db_mask_changed(value)")
    for table, columns in KEPT_COLUMNS.items():
        for column in columns if db[table].exists() else ():
            conn.execute(f"UPDATE OR IGNORE [{table}] SET [{column}] = wxr2db_redacted([{column}]) "
                         f"WHERE wxr2db_changed([{column}])")
            if table in KEYED_TABLES:
                conn.create_function("wxr2db_private", 1, is_private, deterministic=True)
                conn.execute(f"DELETE FROM [{table}] WHERE wxr2db_private([{column}])")


def publish(db: Database) -> tuple[ImportStats, Work]:
    """Reduce the database to what readers saw, redact what is left, rebuild what derives from it and
    vacuum the file; return the counts of what it holds now, and of what was redacted."""
    for table in ("posts", "comments", "published_posts"):
        # Dropped first: an index kept through the deletes would hold their words until rebuilt.
        if table in db.table_names() and db[table].detect_fts():  # type: ignore[union-attr]
            db[table].disable_fts()  # type: ignore[union-attr]
    keep_posts(db)
    drop_unseen_rows(db)
    name_authors(db)
    drop_unlisted(db)
    work = Work()
    redact_columns(db, work)
    db.execute("DELETE FROM post_terms WHERE term_id NOT IN (SELECT id FROM terms) "
               "OR post_id NOT IN (SELECT id FROM posts)")
    db.execute("DROP TABLE temp.keep")
    ensure_db_shape(db)
    # The warnings describe the import of the full database and quote what it holds.
    db.execute("DELETE FROM warnings")
    db.conn.commit()
    db.execute("VACUUM")
    return public_counts(db), work


def public_counts(db: Database) -> ImportStats:
    def count(table: str) -> int:
        return int(db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0])
    posts = Counter({t: n for t, n in db.execute("SELECT post_type, count(*) FROM posts GROUP BY post_type")})
    return ImportStats(posts=posts, comments=count("comments"), terms=count("terms"), authors=count("authors"))


def redactions(work: Work) -> str:
    """What the summary says after --public."""
    return (f"kept only what readers saw (docs/PUBLIC.md); redacted {work.found['email']} email and "
            f"{work.found['ip']} IP address occurrences")
