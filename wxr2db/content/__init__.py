"""WordPress post bodies and titles -> Markdown and plain text; the names other modules import."""

from .autop import wpautop
from .blocks import is_block_content
from .body import MORE, MORE_LINE, Rendered, render_body
from .html2md import render_text
from .links import Links
from .plaintext import plain_text

__all__ = ["MORE", "MORE_LINE", "Links", "Rendered", "is_block_content", "plain_text", "render_body", "render_text",
           "wpautop"]
