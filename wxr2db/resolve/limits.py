"""What any sink must narrow: SQLite keeps integers in 64 bits, and WordPress (a MySQL BIGINT UNSIGNED,
or a hand-edited export) can hold wider ids. Each id beyond that becomes a stable synthetic id, so
every reference to it (a parent, a reply, a gallery, a thumbnail) still finds it, and a Problem says so.

The reader calls these as it builds each record: the comments are threaded right after, by their
narrowed ids, and the Problems stay in the order the export gives them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..normalize import synthetic_id, to_int
from ..records import Author, Comment, Problem, Term

# SQLite's INTEGER is 64 bits; a bigger Python int makes sqlite3 raise OverflowError.
SQLITE_INTS = range(-(2**63), 2**63)
_DIGIT_RUN = re.compile(r"[0-9]+")
_MAX_DIGITS = 4000  # Python refuses to convert longer digit strings to int


def stored_id(value: int, kind: str) -> int:
    """An id as SQLite can store it: itself, or for one beyond 64 bits a stable synthetic id made
    from its digits, so every reference to it (a parent, a gallery, a thumbnail) finds it."""
    return value if value in SQLITE_INTS else synthetic_id("wide-id", kind, str(value))


def id_list(text: str) -> list[int]:
    """The ids in `[gallery ids="12, 7"]`, as stored: runs of ASCII digits (`\\d` would take `٤`)."""
    return [stored_id(int(n), "post") for n in _DIGIT_RUN.findall(text) if len(n) <= _MAX_DIGITS]


def too_large(what: str, value: int, new_id: int, item: int | None) -> Problem:
    return Problem("id-too-large", f"{what} {value} is beyond SQLite's 64-bit integers; stored as id "
                   f"{new_id}", item)


def narrow_post_id(post_id: int, label: str, problems: list[Problem]) -> int:
    """An item's wp:post_id as stored; label names the item in the Problem."""
    if post_id in SQLITE_INTS:
        return post_id
    new_id = stored_id(post_id, "post")
    problems.append(too_large(f"{label}: wp:post_id", post_id, new_id, new_id))
    return new_id


def menu_order(text: str | None, post_id: int, problems: list[Problem]) -> int:
    """wp:menu_order only orders pages among their siblings: one beyond 64 bits is kept at the end."""
    order = to_int(text) or 0
    if order in SQLITE_INTS:
        return order
    kept = max(min(order, SQLITE_INTS[-1]), SQLITE_INTS[0])
    problems.append(Problem("id-too-large", f"item {post_id}: wp:menu_order {order} is beyond SQLite's "
                            f"64-bit integers; stored as {kept}", post_id))
    return kept


def narrow_comments(comments: list[Comment], post_id: int, problems: list[Problem]) -> list[Comment]:
    """Comment ids beyond 64 bits become synthetic ids; their replies and users follow the same mapping."""
    narrowed = []
    for c in comments:
        if c.id not in SQLITE_INTS:
            problems.append(too_large(f"item {post_id}: wp:comment_id", c.id, stored_id(c.id, "comment"),
                                      post_id))
        parent = stored_id(c.parent_id, "comment") if c.parent_id is not None else None
        user = stored_id(c.user_id, "author") if c.user_id is not None else None
        if (c.id, c.parent_id, c.user_id) != (stored_id(c.id, "comment"), parent, user):
            c = replace(c, id=stored_id(c.id, "comment"), parent_id=parent, user_id=user)
        narrowed.append(c)
    return narrowed


def narrow_header(record: Author | Term) -> tuple[Author | Term, list[Problem]]:
    """An author's or term's id beyond 64 bits becomes a synthetic id (comments' user ids follow)."""
    if record.id is None or record.id in SQLITE_INTS:
        return record, []
    kind, name = ("author", record.login) if isinstance(record, Author) else (record.taxonomy, record.slug)
    new_id = stored_id(record.id, "author" if isinstance(record, Author) else "term")
    return replace(record, id=new_id), [too_large(f"{kind} '{name}': id", record.id, new_id, None)]
