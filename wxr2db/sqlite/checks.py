"""Checks over a whole database after an import: what they find comes back as Problems, stored as warnings.

Each reads rows of every export the database holds, so they run once the rows are in, not per record.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..normalize import plural
from ..php import looks_serialized
from ..records import Problem

if TYPE_CHECKING:
    from sqlite_utils import Database

LOGIN_OK = re.compile(r"[A-Za-z0-9_.@ -]+")
CONSISTENCY_KINDS = ("author-not-listed", "author-case-mismatch", "login-odd-characters", "php-serialized-broken")


def consistency_problems(db: Database) -> list[Problem]:
    """Kept as they are, but each one reported: things WordPress itself would trip over. Their kinds
    are CONSISTENCY_KINDS."""
    return author_problems(db) + serialized_problems(db)


def author_problems(db: Database) -> list[Problem]:
    problems = []
    listed = db.execute("SELECT count(*) FROM authors WHERE id IS NOT NULL OR display_name IS NOT NULL"
                        ).fetchone()[0]
    # A login only dc:creator names has a bare row; with an author list (WXR 1.1+) that is a gap.
    unlisted = db.execute("SELECT login, (SELECT count(*) FROM posts WHERE author = login) FROM authors "
                          "WHERE id IS NULL AND display_name IS NULL AND email IS NULL").fetchall()
    problems += [Problem("author-not-listed", f"author '{login}' of {plural(n, 'post')} is not in the "
                         "export's author list") for login, n in unlisted if listed and n]
    clashes = db.execute("SELECT group_concat(login, ', ') FROM authors GROUP BY lower(login) "
                         "HAVING count(*) > 1").fetchall()
    problems += [Problem("author-case-mismatch", f"logins {names} differ only in case; WordPress treats "
                         "them as one user") for (names,) in clashes]
    logins = db.execute("SELECT login FROM authors").fetchall()
    problems += [Problem("login-odd-characters", f"login {login!r} has characters WordPress does not "
                         "allow in a login") for (login,) in logins if not LOGIN_OK.fullmatch(login or "")]
    return problems


def serialized_problems(db: Database) -> list[Problem]:
    """Values that start like PHP serialize() output but do not decode (often a wrong `s:N:` length
    after a search-and-replace on the database); the raw value stays in value."""
    problems = []
    for table, owner in (("postmeta", "post_id"), ("commentmeta", "comment_id"), ("termmeta", "term_id")):
        rows = db.execute(f"SELECT {owner}, key, value FROM [{table}] WHERE value_json IS NULL AND "
                          "substr(value, 1, 2) IN ('a:', 's:', 'O:', 'i:', 'b:', 'd:', 'N;')").fetchall()
        problems += [Problem("php-serialized-broken", f"{table} '{key}' of {owner.removesuffix('_id')} "
                             f"{item} looks PHP-serialized but does not decode; kept as text", item)
                     for item, key, value in rows if looks_serialized(value)]
    return problems


def resolve_term_parents(db: Database) -> list[Problem]:
    """WXR names a term's parent by slug; the parent may come later in the file or in another part.
    Returns the terms whose parent is nowhere in the database."""
    db.execute("""
        UPDATE terms SET parent_id = (
            SELECT p.id FROM terms p WHERE p.taxonomy = terms.taxonomy AND p.slug = terms.parent_slug)
        WHERE parent_slug != ''""")
    rows = db.execute(
        "SELECT id, taxonomy, slug, parent_slug FROM terms WHERE parent_slug != '' AND parent_id IS NULL"
    ).fetchall()
    return [Problem("term-parent-unknown", f"{tax} '{slug}' names parent '{parent}', which is not in "
                    "the export; stored at top level", term_id) for term_id, tax, slug, parent in rows]
