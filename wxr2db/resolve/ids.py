"""Identity rules any sink needs: which id each record is stored under, and the Problems that says.

WordPress exports leave ids out, repeat them (a post twice in one file, one comment id on two posts,
one term id for a category and a tag) and name terms they never declare. `Resolver` settles each record
as it comes and reports every change as a Problem; it remembers only what this run has seen. Where a
rule must also know what an earlier import stored, the sink asks its own storage and hands the answer
in, as a callable (`stored`) or as the stored values (`settle_stored`): the SQL stays in
wxr2db.sqlite.save, the decision stays here, and a second sink need not copy either out of the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from ..errors import SiteMismatchError
from ..normalize import bad_rfc822_date, decode_slug, link_id, slugify, synthetic_id, wp_date
from ..records import Comment, Post, PostTerm, Problem, Site, Term
from .threads import sibling_key, thread_positions

Warn = Callable[[Problem], None]
# A comment as stored: the comment, its id, its parent's id, its place in its post's threads.
SettledComment = tuple[Comment, int, int | None, int]


class IdSet:
    """The ids seen in this run, in a bitmap: WordPress ids are dense, and a Python set of a million
    ints would cost more memory than the whole rest of the import."""

    LIMIT = 1 << 28

    def __init__(self) -> None:
        self.bits = bytearray()
        self.others: set[int] = set()

    def has(self, n: int) -> bool:
        if not 0 <= n < self.LIMIT:
            return n in self.others
        byte, bit = divmod(n, 8)
        return byte < len(self.bits) and bool(self.bits[byte] >> bit & 1)

    def add(self, n: int) -> bool:
        """Add n; return False when it was already there."""
        if not 0 <= n < self.LIMIT:
            if n in self.others:
                return False
            self.others.add(n)
            return True
        byte, bit = divmod(n, 8)
        if byte >= len(self.bits):
            self.bits.extend(bytes(max(byte + 1 - len(self.bits), len(self.bits))))
        if self.bits[byte] >> bit & 1:
            return False
        self.bits[byte] |= 1 << bit
        return True



@dataclass
class Pending:
    """A post read but not yet written: its id is settled against what is stored at the next flush."""

    post: Post
    term_ids: list[int]
    renamed: bool
    export_id: int | None = None


class SyntheticIds:
    """Small negative ids (-1, -2, ...) in export order for things without a usable id, one sequence
    per table. Each is recorded under a stable hash of what identifies the thing, so importing the same
    export again, into this database or a new one, gives the same ids."""

    def __init__(self, stored: Iterable[tuple[str, int, int]]) -> None:
        """stored: the (kind, key, id) rows earlier imports recorded."""
        self.known: dict[tuple[str, int], int] = {}
        self.lowest: dict[str, int] = {}
        self.taken: set[int] = set()
        for kind, key, found in stored:
            self.remember(kind, key, found)
        self.fresh: list[tuple[str, int, int]] = []

    def remember(self, kind: str, key: int, found: int) -> None:
        self.known[(kind, key)] = found
        if found < 0:
            self.lowest[kind] = min(self.lowest.get(kind, 0), found)
        elif kind == "posts":
            self.taken.add(found)

    def small(self, kind: str, key: int, preferred: int | None = None) -> int:
        found = self.known.get((kind, key))
        if found is None:
            found = preferred if preferred is not None else self.lowest.get(kind, 0) - 1
            self.remember(kind, key, found)
            self.fresh.append((kind, key, found))
        return found

    def new_rows(self) -> list[tuple[str, int, int]]:
        rows, self.fresh = self.fresh, []
        return rows


def same_site(a: str, b: str) -> bool:
    def key(url: str) -> str:
        return re.sub(r"^https?://(www\.)?", "", url.strip().lower()).rstrip("/")

    return key(a) == key(b)


def check_site(site: Site, known: list[str], merge_sites: bool) -> None:
    """One database, one site, unless the caller merges sites: known are the links already stored."""
    if known and not merge_sites and not any(same_site(site.link, k) for k in known):
        raise SiteMismatchError(
            f"the database already holds {known[0]}, and this export is of {site.link or 'another site'}"
        )


def site_problems(site: Site) -> list[Problem]:
    if bad_rfc822_date(site.exported_at):
        return [Problem("bad-date", f"channel pubDate {site.exported_at[:60]!r} is not a date; "
                        "exported_at left empty")]
    return []


def post_problems(post: Post) -> list[Problem]:
    if bad_rfc822_date(post.pub_date):
        return [Problem("bad-date", f"item at line {post.line}: pubDate {post.pub_date[:60]!r} is "
                        "not a date; pub_date left empty", post.id)]
    return []


def term_slug(slug: str, name: str) -> str:
    """The slug a term is known by: WordPress makes one from the name when the export has none."""
    return decode_slug(slug) or slugify(name) or "untitled"


def undeclared_term(term: PostTerm) -> Term:
    """Terms used by items but never declared at channel level are still created. The slug stays as
    the item wrote it: settling the term decodes it, once, as for a declared term."""
    return Term(term.taxonomy, term.slug, term.name)


def duplicate_post_id(post: Post) -> int:
    return synthetic_id("duplicate-post", str(post.id), post.guid, post.title, str(post.line))


class Resolver:
    """The ids of one import run: posts, comments and terms, settled record by record."""

    def __init__(self, synthetic: Iterable[tuple[str, int, int]], terms: Iterable[tuple[str, str, int]],
                 warn: Warn) -> None:
        """synthetic: the made-up ids stored so far; terms: the stored (taxonomy, slug, id) of every term."""
        self.warn = warn
        self.ids = SyntheticIds(synthetic)
        self.term_ids = {(tax, slug): term_id for tax, slug, term_id in terms}
        self.term_keys = {term_id: key for key, term_id in self.term_ids.items()}
        self.post_ids = IdSet()
        self.comment_ids = IdSet()
        self.run_ids = IdSet()  # every post id of this run, across the parts of a split export

    def new_export(self) -> None:
        """Each export starts with its channel. A repeat within one export is a duplicate; the same id
        in two exports is settled against what is stored (see settle_stored)."""
        self.post_ids = IdSet()
        self.comment_ids = IdSet()

    def settle_post(self, post: Post, stored: Callable[[int], bool]) -> tuple[Post, bool, int | None]:
        """The post under the id it gets in this run, whether that is a made-up id for a repeat, and
        the export's id it replaced. stored(id) says whether an earlier import holds a post of that id."""
        export_id = None
        if post.id_missing:  # the reader made it up: the item had no wp:post_id
            post = replace(post, id=self.ids.small("posts", post.id, self.free_link_id(post, stored)))
            self.warn(Problem("item-without-id", f"item at line {post.line} '{post.title}' has no "
                              f"wp:post_id; stored as id {post.id}", post.id))
        renamed = not self.post_ids.add(post.id)
        if renamed:
            new_id = self.ids.small("posts", duplicate_post_id(post))
            self.post_ids.add(new_id)
            self.warn(Problem("duplicate-id", f"item at line {post.line} repeats post id {post.id}; "
                              f"stored as id {new_id}", post.id))
            export_id, post = post.id, replace(post, id=new_id)
        self.run_ids.add(post.id)
        return post, renamed, export_id

    def free_link_id(self, post: Post, stored: Callable[[int], bool]) -> int | None:
        """The id in the item's `?p=19` guid or link, when no other post has it (yet: a later item
        that declares the same id is then stored as a duplicate)."""
        found = link_id(post.guid) or link_id(post.link)
        if found is None or found in self.ids.taken or self.post_ids.has(found) or self.run_ids.has(found):
            return None
        return None if stored(found) else found

    def settle_stored(self, entry: Pending, guid: str | None, post_type: str | None, term_ids: set[int]) -> None:
        """The same id in an earlier export (or an earlier import) with the same guid is the same post:
        the later one updates it. Another guid is another post. So is a menu item under another menu:
        an item belongs to one menu, but WordPress.com exports list a menu item once per menu, under
        one id. Other posts are kept under a made-up id, as a repeat inside one export is, and
        reported. guid, post_type and term_ids are those of the stored post."""
        post = entry.post
        same_guid = post.guid == guid
        other_menu = (post.post_type or "post") == post_type == "nav_menu_item" and set(entry.term_ids) != term_ids
        if same_guid and not other_menu:
            return
        new_id = self.ids.small("posts", duplicate_post_id(post))
        why = "another post" if not same_guid else "a menu item of another menu"
        self.warn(Problem("duplicate-id", f"item at line {post.line} repeats post id {post.id}, which the "
                          f"database holds for {why}; stored as id {new_id}", post.id))
        entry.post, entry.export_id = replace(post, id=new_id), post.id
        entry.renamed = True

    def settle_comments(self, post: Post, taken: set[int]) -> list[SettledComment]:
        """Every comment gets a row, in its place in the threads. taken: ids stored comments of other
        posts hold."""
        ids, renamed = self.comment_ids_of(post, taken)
        threads = [(comment_id, renamed.get(c.parent_id, c.parent_id) if c.parent_id is not None else None,
                    sibling_key(comment_id, wp_date(c.date_gmt), wp_date(c.date)))
                   for c, comment_id in zip(post.comments, ids, strict=True)]
        positions = thread_positions(threads)
        return [(c, comment_id, parent, positions[comment_id])
                for c, (comment_id, parent, _) in zip(post.comments, threads, strict=True)]

    def comment_ids_of(self, post: Post, taken: set[int]) -> tuple[list[int], dict[int, int]]:
        """An id repeated in one post, in another post of this export, or held by another post's
        comment in the database is replaced by a made-up id and reported. Returns the ids, and the
        new id of each replaced one, for the replies that name it."""
        renamed: dict[int, int] = {}
        used: set[int] = set()
        ids = []
        for n, c in enumerate(post.comments):
            comment_id = c.id
            if not self.comment_ids.add(c.id) or c.id in taken or c.id in used:
                comment_id = self.ids.small("comments", synthetic_id(
                    "duplicate-comment", str(post.id), str(c.id), c.date, str(n)))
                where = "in this post" if c.id in used else "on another post"
                self.warn(Problem("duplicate-id", f"comment id {c.id} appears again {where}; stored as id "
                                  f"{comment_id}", post.id))
                # Replies name the first comment of that id; only a first one's new id is theirs.
                renamed.setdefault(c.id, comment_id if c.id not in used else c.id)
            elif c.id < 0:  # the reader made it up: the comment had no wp:comment_id
                comment_id = self.ids.small("comments", c.id)
                renamed.setdefault(c.id, comment_id)
            used.add(c.id)
            used.add(comment_id)
            ids.append(comment_id)
        return ids, renamed

    def settle_term(self, term: Term) -> tuple[int, str, str, int | None]:
        """The id, taxonomy and slug a declared term is stored under, and the id its taxonomy and slug
        had until now when that was another: the sink points what used the old id at the new one."""
        taxonomy, slug = term.taxonomy, term_slug(term.slug, term.name)
        term_id = self.declared_id(term, taxonomy, slug)
        old = self.term_ids.get((taxonomy, slug))
        self.term_ids[(taxonomy, slug)] = term_id
        self.term_keys[term_id] = (taxonomy, slug)
        return term_id, taxonomy, slug, old if old is not None and old != term_id else None

    def declared_id(self, term: Term, taxonomy: str, slug: str) -> int:
        if term.id is None:
            return self.ids.small("terms", synthetic_id("term", taxonomy, slug))
        owner = self.term_keys.get(term.id)
        if owner is None or owner == (taxonomy, slug):
            return term.id
        # Before WordPress 4.2 (and on WordPress.com still) one term id could be shared by a category
        # and a tag of the same name; the second keeps its own row under a made-up id.
        new_id = self.ids.small("terms", synthetic_id("shared-term", taxonomy, slug, str(term.id)))
        if owner != (taxonomy, slug) and self.term_keys.get(new_id) is None:
            self.warn(Problem("shared-term-id", f"{taxonomy} '{slug}' shares term id {term.id} with "
                              f"{owner[0]} '{owner[1]}'; stored as id {new_id}", term.id))
        return new_id

    def term_id(self, term: PostTerm) -> int | None:
        """The id of a term an item names, None when no term of that taxonomy and slug is known yet."""
        return self.term_ids.get((term.taxonomy, term_slug(term.slug, term.name)))
