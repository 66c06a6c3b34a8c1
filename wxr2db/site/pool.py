"""Rendering many posts: in chunks, in this process or in a pool of processes that each open the
database read-only, the results always in the posts' order."""

from __future__ import annotations

import gc
import multiprocessing
import os
import sqlite3
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path

from ..sqlite.schema import database_file
from .options import MarkdownOptions
from .plan import Target
from .render import RenderedPost, render_or_keep
from .views import Style, Wanted, read_views

CHUNK = 64
# Forked workers share the parent's link index and plan instead of each getting a pickled copy.
# Linux only (fork is unsafe with macOS's system libraries); Python 3.14 would otherwise pick forkserver.
START_METHOD = "fork" if sys.platform.startswith("linux") else None


@dataclass
class Reader:
    """What renders a chunk of posts: a connection to the database, and the run's choices."""

    conn: sqlite3.Connection
    style: Style
    mode: str  # the comments written: none, approved or all

    def render(self, chunk: list[Wanted]) -> list[RenderedPost]:
        views = read_views(self.conn, chunk, self.mode, self.style.meta)
        return [render_or_keep(view, self.style) for view in views]


class ProcessReader:
    """The Reader of a pool process, set once by the pool's initializer: a process renders chunk
    after chunk with one connection. The only state a process keeps between tasks."""

    reader: Reader | None = None

    @classmethod
    def start(cls, path: str, style: Style, mode: str) -> None:
        cls.reader = Reader(open_read_only(path), style, mode)

    @classmethod
    def render(cls, chunk: list[Wanted]) -> list[RenderedPost]:
        if cls.reader is None:
            raise RuntimeError("ProcessReader.start runs first in every pool process")
        return cls.reader.render(chunk)


def open_read_only(path: str) -> sqlite3.Connection:
    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def process_count(conn: sqlite3.Connection, targets: list[Target], options: MarkdownOptions) -> int:
    """1, or how many worker processes render: only with many posts, and a database file they can open."""
    workers = min(options.workers or os.cpu_count() or 1, len(targets))
    if len(targets) <= options.pool_threshold or workers < 2 or not database_file(conn):
        return 1
    return workers


def rendered_posts(conn: sqlite3.Connection, targets: list[Target], options: MarkdownOptions,
                   workers: int) -> Iterator[RenderedPost]:
    """Each target's rendered file, in the targets' order, from one process or many."""
    style = Style(options.layout, options.keep_permalinks, options.comments == "all", options.links, options.meta)
    # Up to CHUNK posts per query batch; smaller when there are few, so every worker gets some. Made
    # as the pool asks for them: a list of them all would be one more copy of the plan in memory.
    size = max(1, min(CHUNK, -(-len(targets) // (workers * 4))))
    chunks = ([Wanted(t.post_id, t.slug, t.url) for t in targets[i : i + size]] for i in range(0, len(targets), size))
    if workers == 1:
        reader = Reader(conn, style, options.comments)
        for chunk in chunks:
            yield from reader.render(chunk)
        return
    # Forked workers share this process's memory (the link index, the plan) until they write to
    # it; the garbage collector writes to every object it walks, so the objects made so far are
    # kept out of its walks while the pool runs, and the pages stay shared.
    gc.freeze()
    try:
        with multiprocessing.get_context(START_METHOD).Pool(workers, initializer=ProcessReader.start,
                                                initargs=(database_file(conn), style, options.comments)) as pool:
            for results in in_order(pool, chunks, ahead=workers * 2):
                yield from results
    finally:
        gc.unfreeze()


def in_order(pool: Pool, chunks: Iterable[list[Wanted]], ahead: int) -> Iterator[list[RenderedPost]]:
    """pool.imap, but with at most `ahead` chunks in flight: imap lets workers run arbitrarily far
    ahead of the writing, and their finished text piles up in memory."""
    pending: deque[AsyncResult[list[RenderedPost]]] = deque()
    for chunk in chunks:
        pending.append(pool.apply_async(ProcessReader.render, (chunk,)))
        if len(pending) >= ahead:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()
