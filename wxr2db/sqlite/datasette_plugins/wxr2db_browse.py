"""A Datasette plugin `wxr2db browse` loads (--plugins-dir): a post's page shows its body as wxr2db's Markdown.

Templates get `wxr2db_markdown(content)`: the Markdown `wxr2db markdown` writes for that body, or None when
rendering fails; the row template hands it to datasette-render-markdown, which sanitises the HTML.
"""

from __future__ import annotations

from collections.abc import Callable

import pluggy

from wxr2db.content.body import render_body

hookimpl = pluggy.HookimplMarker("datasette")


FENCES = ("```", "~~~")


def python_markdown_breaks(markdown: str) -> str:
    """wxr2db writes CommonMark, whose hard line break is a backslash at the end of a line;
    datasette-render-markdown uses Python-Markdown, which knows only two trailing spaces. Code is left as it is."""
    lines, in_code = markdown.split("\n"), False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(FENCES):
            in_code = not in_code
        elif not in_code and line.endswith("\\") and not line.endswith("\\\\"):
            lines[i] = line[:-1] + "  "
    return "\n".join(lines)


def body_markdown(content: str | None) -> str | None:
    try:
        return python_markdown_breaks(render_body(content or "").markdown)
    except Exception:  # the page falls back to the plain text: an odd body must not break it
        return None


@hookimpl
def extra_template_vars() -> dict[str, Callable[[str | None], str | None]]:
    return {"wxr2db_markdown": body_markdown}
