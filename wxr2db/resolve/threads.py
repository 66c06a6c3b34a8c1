"""The one comment thread order: oldest first at every level, replies right under their parent, as
WordPress shows them; and the threading of one item's comments as the reader finds them.

Every order of comments goes through thread_walk: the positions the import stores (and the
`comment_threads` view orders by), and the threads the Markdown site writes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import replace

from ..records import Comment, Problem

# A comment as ordered: its id, its parent's id (None at top level), its sibling_key.
Threaded = tuple[int, int | None, str]


def sibling_key(comment_id: int, date_gmt: str | None, date: str | None) -> str:
    """A comment's place among its siblings: its GMT date (else its local date), then its id,
    spelled as the comment_threads view spells sort_path (`printf('%s|%020d', ...)`). Comments the
    export gave no id have small negative ids (-1, -2, ...), which this spelling keeps in export order."""
    return f"{date_gmt or date or ''}|{comment_id:020d}"


def thread_walk(comments: Iterable[Threaded], known: Collection[int] | None = None) -> Iterator[tuple[int, int]]:
    """(id, depth) of each comment in thread order, depth 1 at the top level. A parent not in
    `known` (default: the comments given) counts as none, so its reply is at the top level; a reply
    whose parent is known but not given is left out with its own replies (a site that shows only
    approved comments does the same). A walk with a stack: a chain of any depth is linear."""
    comments = list(comments)
    known = {c[0] for c in comments} if known is None else known
    children: dict[int | None, list[tuple[str, int]]] = {}
    for comment_id, parent, key in comments:
        children.setdefault(parent if parent in known else None, []).append((key, comment_id))
    seen: set[int] = set()
    stack = [(key, comment_id, 1) for key, comment_id in sorted(children.get(None, []), reverse=True)]
    while stack:
        _, comment_id, depth = stack.pop()
        if comment_id in seen:
            continue
        seen.add(comment_id)
        yield comment_id, depth
        stack += [(key, child, depth + 1) for key, child in sorted(children.get(comment_id, []), reverse=True)]


def thread_positions(comments: list[Threaded]) -> dict[int, int]:
    """Each comment's place in its post's threads (thread_walk's order). Comments no root leads to
    (a reply cycle in a database an older wxr2db made) come last, in the order given."""
    positions = {comment_id: n for n, (comment_id, _) in enumerate(thread_walk(comments))}
    for comment_id, _, _ in comments:
        positions.setdefault(comment_id, len(positions))
    return positions


def thread_comments(comments: Iterable[Comment], item: int) -> tuple[tuple[Comment, ...], list[Problem]]:
    """Resolve each comment's parent within its item and set its depth (1 = top level).

    A parent of 0 means top level. A parent that is missing, the comment itself, or part of a
    cycle cannot be shown by WordPress either: the comment is kept at top level and reported.
    """
    comments = list(comments)
    ids = {c.id for c in comments}
    problems: list[Problem] = []
    parents: dict[int, int | None] = {}
    for c in comments:
        parent = c.parent_id or None
        if parent == c.id:
            problems.append(Problem("comment-self-parent", f"comment {c.id} is its own parent", item))
            parent = None
        elif parent is not None and parent not in ids:
            problems.append(Problem("comment-orphan", f"comment {c.id}: parent {parent} not in item", item))
            parent = None
        parents[c.id] = parent
    problems += _break_cycles(parents, item)
    depths = _depths(parents)
    threaded = tuple(
        c if (c.parent_id, c.depth) == (parents[c.id], depths[c.id])
        else replace(c, parent_id=parents[c.id], depth=depths[c.id])
        for c in comments
    )
    return threaded, problems


def _break_cycles(parents: dict[int, int | None], item: int) -> list[Problem]:
    """Cut one edge of every reply cycle, in one pass over the comments (each is walked once).

    Only the comments on a cycle lose a parent: one that merely answers into a cycle keeps its own.
    Of each cycle, the comment that comes first in the export goes to the top level."""
    order = {node: n for n, node in enumerate(parents)}
    done: set[int] = set()
    problems = []
    for start in parents:
        path: dict[int, int] = {}  # node -> place on the walk from start
        node: int | None = start
        while node is not None and node not in done and node not in path:
            path[node] = len(path)
            node = parents.get(node)
        if node is not None and node in path:
            cycle = list(path)[path[node]:]
            cut = min(cycle, key=order.__getitem__)
            parents[cut] = None
            shown = ", ".join(map(str, cycle[:10])) + (" ..." if len(cycle) > 10 else "")
            problems.append(Problem("comment-cycle", f"comment {cut} is in a reply cycle ({len(cycle)} "
                                    f"comments: {shown}); kept at top level", item))
        done.update(path)
    return problems


def _depths(parents: dict[int, int | None]) -> dict[int, int]:
    depths: dict[int, int] = {}
    for start in parents:
        chain = []
        node: int | None = start
        while node is not None and node not in depths:
            chain.append(node)
            node = parents[node]
        depth = depths[node] if node is not None else 0
        for n in reversed(chain):
            depth += 1
            depths[n] = depth
    return depths
