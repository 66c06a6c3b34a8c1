"""Numbers in an export, a header or a shortcode are ASCII digits: str.isdigit() is also true of `²`
(int() refuses it: a traceback) and of Arabic-Indic `5` (int() reads it as 5: the wrong post)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import FIXTURES, ROOT, wxr2db
from tests.wxrbuild import export, item
from wxr2db.media.attachments import content_file, media_file
from wxr2db.media.fetch import _retry_after
from wxr2db.normalize import digits, link_id

ODD_DIGITS = ["²", "\u0665", "\u2460", "1²", "\u0664\u0660\u0661", "9" * 19, "", " 7"]


@pytest.mark.parametrize("text", ODD_DIGITS)
def test_digits_reads_only_ascii_digits(text: str) -> None:
    assert digits(text) is None


def test_digits_reads_ascii_digits() -> None:
    assert [digits("0"), digits("42"), digits("9" * 18)] == [0, 42, int("9" * 18)]


def test_no_code_trusts_str_isdigit() -> None:
    """The class: every number read from text goes through normalize.digits or an ASCII check."""
    trusting = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "wxr2db").rglob("*.py"))
                for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if ".isdigit()" in line and "isascii()" not in line and "str.isdigit() is no test" not in line]
    assert trusting == []


def test_a_plain_permalink_with_other_digits_names_no_post() -> None:
    assert link_id("https://example.com/?p=\u0665") is None
    assert link_id("https://example.com/?p=5") == 5


def test_odd_digits_in_headers_and_file_names_are_no_numbers() -> None:
    assert _retry_after("²", 60.0) is None and _retry_after("30", 60.0) == 30.0
    files = {"http://ex.org/up/a.jpg": media_file("http://ex.org/up/a.jpg", 5)}
    sized = content_file("http://ex.org/up/a.jpg?w=²x1", files)
    assert (sized.width, sized.height) == (None, None)
    assert content_file("http://ex.org/up/a.jpg?300x200", files).width == 300


@pytest.mark.slow
def test_odd_digits_in_an_export_never_stop_a_command(tmp_path: Path) -> None:
    """A post date of `²²²²` stopped `import` with a traceback; a menu item naming post `²` stopped
    `--public` and the starter site's menus."""
    dated = export(item(1, "Dated", "Body")).replace("<wp:post_date>2020-01-01 10:00:00", "<wp:post_date>²²²²")
    (tmp_path / "dated.xml").write_text(dated, encoding="utf-8")
    menu = (FIXTURES / "nav-menu.xml").read_text(encoding="utf-8").replace(
        "<![CDATA[_menu_item_object_id]]></wp:meta_key>\n\t\t<wp:meta_value><![CDATA[20]]>",
        "<![CDATA[_menu_item_object_id]]></wp:meta_key>\n\t\t<wp:meta_value><![CDATA[²]]>")
    assert "CDATA[²]" in menu
    (tmp_path / "menu.xml").write_text(menu, encoding="utf-8")
    runs = [("import", tmp_path / "dated.xml", "--db", tmp_path / "dated.db"),
            ("markdown", tmp_path / "dated.xml", tmp_path / "dated-site"),
            ("import", tmp_path / "menu.xml", "--db", tmp_path / "menu.db", "--public"),
            ("markdown", tmp_path / "menu.xml", tmp_path / "menu-site", "--layout", "hugo", "--starter")]
    for args in runs:
        done = wxr2db(*args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr
    assert "²²²²" in next((tmp_path / "dated-site").rglob("*.md")).read_text(encoding="utf-8")
