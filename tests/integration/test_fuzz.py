"""Fuzzing: damaged exports either import or fail with a WxrError, never anything else, never a hang.

Valid exports (fixtures/*.xml and a small synthetic one) are mutated: cut at a random byte,
bytes flipped, control characters inserted, 10,000 nested elements or a text node of several
MB put inside an item. Each is read with `iter_records` into an in-memory database.

The number of examples comes from HYPOTHESIS_PROFILE: `ci` (the default, about 60 examples)
or `dev` (about 2000) for a longer run:

    HYPOTHESIS_PROFILE=dev /work/venv/bin/python -m pytest tests/integration/test_fuzz.py

The profiles are local to this module (no global `settings.load_profile`), so other test files
keep their own settings.
"""

from __future__ import annotations

import io
import os
import random
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import FrameType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from tests.helpers import FIXTURES, cli, corpus_params
from tests.wxrbuild import comment, export_bytes, item
from wxr2db.errors import WxrError
from wxr2db.sources.wxr import iter_records
from wxr2db.sqlite.save import Saver
from wxr2db.sqlite.schema import ensure_db_shape

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
EXAMPLES = {"ci": 60, "dev": 2000}.get(PROFILE, 60)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=PROFILE == "ci",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Wall-clock limit for one import; a hang or runaway expansion fails the test instead of blocking.
TIME_LIMIT = 20


@cache
def seeds() -> tuple[bytes, ...]:
    found = [p.read_bytes() for p in sorted(FIXTURES.glob("*.xml"))]
    found.append(
        export_bytes(
            item(
                1,
                "Café ☕",
                content="<p>Hello &amp; welcome</p>",
                comments=[comment(1), comment(2, parent=1)],
            ),
            item(
                2, "Second", content="x" * 500, meta=[("_thumbnail_id", "7"), ("arr", 'a:1:{i:0;s:1:"x";}')]
            ),
            item(None, "No id"),
        )
    )
    try:
        from tests.wxrbuild import write_export
    except ImportError:
        pass
    else:
        out = io.BytesIO()
        write_export(out, target_bytes=60_000, seed=3)
        found.append(out.getvalue())
    return tuple(found)


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"import took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def import_or_error(data: bytes, *, recover: bool = False, strict: bool = False) -> WxrError | None:
    """Import into memory; return the WxrError if it failed. Anything else propagates."""
    db = Database(memory=True)
    with time_limit(TIME_LIMIT):
        try:
            saver = Saver(db)
            for record in iter_records(io.BytesIO(data), name="fuzz.xml", recover=recover, strict=strict):
                saver.save(record)
            saver.finish()
            ensure_db_shape(db)
        except WxrError as error:
            assert str(error).strip(), "a WxrError without a message"
            return error
    return None


# --- mutations ------------------------------------------------------------------------------------

CONTROL = [bytes([c]) for c in [*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]] + [
    "\ufffe".encode(),
    "\uffff".encode(),
    b"&#1;",
    b"&#x1F;",
    b"\x00",
    b"\xff",
    b"\xe9",
    b"\xc3",
]


def truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[: rnd.randrange(len(data) + 1)]


def flip(data: bytes, rnd: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        pos = rnd.randrange(len(out))
        out[pos] = rnd.randrange(256) if rnd.random() < 0.5 else out[pos] ^ (1 << rnd.randrange(8))
    return bytes(out)


def insert_controls(data: bytes, rnd: random.Random) -> bytes:
    out = data
    for _ in range(rnd.randint(1, 10)):
        pos = rnd.randrange(len(out) + 1)
        out = out[:pos] + rnd.choice(CONTROL) + out[pos:]
    return out


def inside_an_item(data: bytes, rnd: random.Random, payload: bytes) -> bytes:
    """Put payload just after some item's <title> element (or anywhere, if there is no item)."""
    spots = [n for n in range(len(data)) if data.startswith(b"</title>", n)]
    pos = rnd.choice(spots) + len(b"</title>") if spots else rnd.randrange(len(data) + 1)
    return data[:pos] + payload + data[pos:]


def deep_nesting(data: bytes, rnd: random.Random) -> bytes:
    depth = rnd.choice([300, 3000, 10_000])
    tag = rnd.choice([b"div", b"plugin:box"])
    ns = b' xmlns:plugin="http://example.com/plugin"' if tag.startswith(b"plugin") else b""
    opening = b"<" + tag + ns + b">" + (b"<" + tag + b">") * (depth - 1)
    return inside_an_item(data, rnd, opening + b"deep" + (b"</" + tag + b">") * depth)


def huge_text(data: bytes, rnd: random.Random) -> bytes:
    size = rnd.choice([1, 3, 6]) * 1_000_000
    body = (b"lorem ipsum dolor " * (size // 18 + 1))[:size]
    wrapped = b"<![CDATA[" + body + b"]]>" if rnd.random() < 0.5 else body
    return inside_an_item(data, rnd, b"<huge>" + wrapped + b"</huge>")


MUTATIONS = [truncate, flip, insert_controls, deep_nesting, huge_text]


@st.composite
def mutated_exports(draw: st.DrawFn) -> bytes:
    data = draw(st.sampled_from(seeds()))
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        data = mutation(data, rnd)
    return data


# --- properties -----------------------------------------------------------------------------------


@pytest.mark.slow
@FUZZ
@given(data=mutated_exports(), recover=st.booleans())
def test_mutated_exports_import_or_fail_cleanly(data: bytes, recover: bool) -> None:
    import_or_error(data, recover=recover)


def test_the_mutations_do_what_they_say() -> None:
    """Each kind of mutation, on the synthetic seed, is read without a foreign exception."""
    rnd = random.Random(7)
    seed = seeds()[-1]
    for mutation in MUTATIONS:
        mutated = mutation(seed, rnd)
        assert mutated != seed
        import_or_error(mutated)
        import_or_error(mutated, recover=True)


def test_ten_thousand_nested_elements_in_an_item() -> None:
    payload = b"<div>" * 10_000 + b"deep" + b"</div>" * 10_000
    data = export_bytes(item(7, "Before"), item(1, "Deep", extra=payload.decode()), item(2, "After"))
    # libxml2 stops at 2048 levels even with huge_tree: with --strict, a clear error naming the item ...
    error = import_or_error(data, strict=True)
    assert error is not None and "nested more than 2048 deep" in str(error) and "item 1 'Deep'" in str(error)
    # ... by default it costs that item at most: read on its own, named, and the items after it kept ...
    db = Database(memory=True)
    saver = Saver(db)
    for record in iter_records(io.BytesIO(data), name="deep.xml"):
        saver.save(record)
    saver.finish()
    assert db.execute("SELECT id FROM posts ORDER BY id").fetchall() == [(1,), (2,), (7,)]
    assert db.execute("SELECT kind, item FROM warnings").fetchall() == [("item-recovered", 1)]
    # ... and with --recover, the site and the items before it are kept, the cut item is named, the
    # rest reported.
    db = Database(memory=True)
    saver = Saver(db)
    for record in iter_records(io.BytesIO(data), name="deep.xml", recover=True):
        saver.save(record)
    saver.finish()
    assert db.execute("SELECT id FROM posts ORDER BY id").fetchall() == [(1,), (7,)]
    assert db.execute("SELECT link FROM site").fetchall() == [("http://example.com",)]
    kinds = db.execute("SELECT kind, detail FROM warnings ORDER BY kind").fetchall()
    assert [k for k, _ in kinds] == ["item-cut", "xml-recovered"]
    assert "item 1 'Deep'" in kinds[0][1]


def test_huge_text_node_is_kept_whole() -> None:
    body = "word " * 1_000_000
    data = export_bytes(item(1, "Huge", content=body), item(2, "After"))
    db = Database(memory=True)
    saver = Saver(db)
    for record in iter_records(io.BytesIO(data), name="huge.xml"):
        saver.save(record)
    saver.finish()
    assert db.execute("SELECT length(content) FROM posts WHERE id = 1").fetchone() == (len(body),)


# --- the CLI never prints a traceback ----------------------------------------------------------------


@pytest.mark.slow
def test_cli_prints_no_traceback_for_mutated_files(tmp_path: Path) -> None:
    rnd = random.Random(2024)
    seed = (FIXTURES / "sharing-and-collaboration.xml").read_bytes()
    for n in range(8):
        mutation = MUTATIONS[n % len(MUTATIONS)]
        source = tmp_path / f"mutated-{n}.xml"
        source.write_bytes(mutation(seed, rnd))
        for extra in ([], ["--recover"]):
            result = cli("import", str(source), "--db", str(tmp_path / f"m{n}.db"), *extra)
            assert "Traceback" not in result.output
            assert result.exception is None or isinstance(result.exception, SystemExit), repr(
                result.exception
            )
            if result.exit_code:
                lines = [line for line in result.stderr.splitlines() if line.strip()]
                assert len(lines) == 1 and lines[0].startswith("Error: ") and source.name in lines[0], lines


# --- real exports, broken -------------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params(), ids=lambda p: p.name)
def test_real_exports_with_a_byte_or_two_flipped(path: Path) -> None:
    data = path.read_bytes()
    rnd = random.Random(path.name)
    for _ in range(3):
        out = bytearray(data)
        for _ in range(rnd.randint(1, 2)):
            pos = rnd.randrange(len(out))
            out[pos] ^= 1 << rnd.randrange(8)
        import_or_error(bytes(out))
        import_or_error(bytes(out), recover=True)
