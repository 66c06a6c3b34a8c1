"""`redact_public(db)`: keep only what the site showed its readers, for a database safe to publish.

Kept: published posts and pages without a password, the attachments and menu items of what is kept,
approved comments (no email, no IP), authors without their email, terms. Gone: everything else, the meta
of what went, meta values that hold an email or an IP address, the import's warnings (they quote
removed items). The file is vacuumed, so deleted rows do not linger in free pages.
"""

from __future__ import annotations

import re

from sqlite_utils import Database

# Patterns with bounded repeats only (linear): an email, an IPv4 address, an IPv6 address in full or
# `::` form (`a:1:{` of a PHP-serialized array is neither).
EMAIL = re.compile(r"[^\s@<>\"'(),;:]{1,64}@[^\s@<>\"'(),;:]{1,255}\.[A-Za-z]{2,}")
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,6}:"
                  r"(?:[0-9A-Fa-f]{1,4})?|::1)(?![\w:])")
# Post types readers reach directly; attachments and menu items only with what they belong to.
READER_TYPES = ("post", "page")
# Meta keys that hold private data whatever their value looks like.
PRIVATE_KEYS = ("_edit_lock", "_edit_last", "_wp_trash_meta_status", "_wp_trash_meta_time",
                "_wp_desired_post_slug", "akismet_history", "akismet_result", "akismet_user",
                "akismet_user_agent", "akismet_as_submitted")


def is_private(value: str | None) -> bool:
    """An email or IP address anywhere in the text (cut at 1 MB: meta values of that size are data dumps,
    and dropped as well)."""
    if not value:
        return False
    if len(value) > 1_000_000:
        return True
    return bool(EMAIL.search(value) or IPV4.search(value) or IPV6.search(value))


def redact_public(db: Database) -> None:
    """Turn a full wxr2db database into its public subset, in place."""
    conn = db.conn
    conn.create_function("wxr2db_private", 1, is_private, deterministic=True)
    types = ", ".join(f"'{t}'" for t in READER_TYPES)
    public = f"status = 'publish' AND coalesce(password, '') = '' AND post_type IN ({types})"
    conn.execute(f"CREATE TEMP TABLE keep AS SELECT id FROM posts WHERE {public}")
    # Images and files of kept posts, and menu items (which point at posts by meta) of a published menu.
    conn.execute("""INSERT INTO keep SELECT id FROM posts WHERE post_type = 'attachment'
                    AND status = 'inherit' AND parent_id IN (SELECT id FROM keep)""")
    conn.execute("""INSERT INTO keep SELECT id FROM posts WHERE post_type = 'nav_menu_item'
                    AND status = 'publish'""")
    for table in ("postmeta", "post_terms"):
        conn.execute(f"DELETE FROM [{table}] WHERE post_id NOT IN (SELECT id FROM keep)")
    conn.execute("DELETE FROM comments WHERE post_id NOT IN (SELECT id FROM keep) OR approved != '1'")
    conn.execute("DELETE FROM posts WHERE id NOT IN (SELECT id FROM keep)")
    conn.execute("UPDATE posts SET parent_id = NULL WHERE parent_id NOT IN (SELECT id FROM posts)")
    conn.execute("UPDATE posts SET password = NULL")
    conn.execute("UPDATE comments SET author_email = NULL, author_ip = NULL")
    conn.execute("UPDATE comments SET parent_id = NULL WHERE parent_id NOT IN (SELECT id FROM comments)")
    conn.execute("DELETE FROM commentmeta WHERE comment_id NOT IN (SELECT id FROM comments)")
    conn.execute("UPDATE authors SET email = NULL")
    keys = ", ".join(f"'{k}'" for k in PRIVATE_KEYS)
    for table in ("postmeta", "commentmeta", "termmeta"):
        conn.execute(f"DELETE FROM [{table}] WHERE key IN ({keys}) OR wxr2db_private(value) "
                     "OR wxr2db_private(value_json)")
    # Comment text and author URLs can quote an email or an IP too: the comment stays, that text goes.
    for column in ("content", "plain_text", "author_url", "author"):
        conn.execute(f"UPDATE comments SET [{column}] = '' WHERE wxr2db_private([{column}])")
    conn.execute("DELETE FROM warnings")
    conn.execute("DELETE FROM synthetic_ids WHERE kind = 'posts' AND id NOT IN (SELECT id FROM posts)")
    conn.execute("DELETE FROM synthetic_ids WHERE kind = 'comments' AND id NOT IN (SELECT id FROM comments)")
    conn.execute("DROP TABLE temp.keep")
    conn.commit()
