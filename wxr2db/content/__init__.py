"""WordPress post bodies and titles -> Markdown and plain text.

Import from the module that does the job (`content.body.render_body`, `content.plaintext.search_text`, ...):
this package imports nothing itself, so the SQL writer process, which needs only the plain text, does not
load html2text.
"""
