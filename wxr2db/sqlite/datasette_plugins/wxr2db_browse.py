"""A Datasette plugin `wxr2db browse` loads (--plugins-dir): a post's page shows its body as wxr2db's Markdown.

Templates get `wxr2db_markdown(content)`: the Markdown `wxr2db markdown` writes for that body, or None when
rendering fails; the row template hands it to datasette-render-markdown, which sanitises the HTML. And
`wxr2db_byline(database, post_id)`: the post's author name, categories, tags and approved comments.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

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


BYLINE = """
SELECT (SELECT coalesce(nullif(trim(a.display_name), ''), p.author) FROM authors a WHERE a.login = p.author),
       (SELECT group_concat(t.name, ', ') FROM post_terms pt JOIN terms t ON t.id = pt.term_id
        WHERE pt.post_id = p.id AND t.taxonomy = 'category'),
       (SELECT group_concat(t.name, ', ') FROM post_terms pt JOIN terms t ON t.id = pt.term_id
        WHERE pt.post_id = p.id AND t.taxonomy = 'post_tag'),
       (SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.approved = '1'
        AND coalesce(c.type, '') NOT IN ('pingback', 'trackback'))
FROM posts p WHERE p.id = ?"""


def byline(datasette: Any) -> Callable[[str, Any], Awaitable[dict[str, Any]]]:
    async def post_byline(database: str, post_id: Any) -> dict[str, Any]:
        rows = list(await datasette.get_database(database).execute(BYLINE, [post_id]))
        if not rows:
            return {}
        return dict(zip(("author", "categories", "tags", "comments"), rows[0], strict=True))
    return post_byline


@hookimpl
def extra_template_vars(datasette: Any) -> dict[str, Any]:
    return {"wxr2db_markdown": body_markdown, "wxr2db_byline": byline(datasette)}
