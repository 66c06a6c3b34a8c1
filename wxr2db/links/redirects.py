"""Old URL -> new URL pairs -> redirect rules for Netlify / Cloudflare Pages, nginx and Apache.

Pure text: nothing here touches the disk. `plan_redirects` checks and dedupes the pairs once
(never a redirect from a page's own address or from a page the new site has, never two rules for
one address); each `render_*` then spells the plan in one server's syntax, escaping what that
syntax treats specially.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from .urls import path_key

# What stays unencoded in a target URL: RFC 3986's reserved characters and `%`, so a URL that is
# already encoded is kept as it is. `$`, quotes, spaces and backslashes are encoded: no server's
# syntax then needs them escaped in a target.
TARGET_SAFE = ":/?#[]@!&'()*+,;=%~"
# Netlify reads `:name` and `*` in a path as placeholders, so they are encoded there.
NETLIFY_SAFE = "/!&'()+,;=@~"
# What a browser sends as it is in a query (WHATWG URL: it encodes space, `"`, `#`, `<`, `>`, `'` and
# anything not ASCII), so the servers, which compare the query as sent, see the rule's spelling.
QUERY_SAFE = "".join(chr(c) for c in range(0x21, 0x7f) if chr(c) not in "\"#<>'")
NGINX_INCLUDES = ("wxr2db-redirects.http.conf", "wxr2db-redirects.server.conf")
NGINX_DEFAULT_BUCKET = 64
NGINX_DEFAULT_MAX_SIZE = 2048
FORMATS = ("netlify", "nginx", "apache")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# nginx reads each token of its configuration into a 4096-byte buffer ("too long parameter"), and
# one bad line makes `nginx -t` refuse the whole configuration, not just the include.
NGINX_MAX_TOKEN = 4000
# Apache reads a configuration line into MAX_STRING_LEN (8192) bytes; a longer .htaccess line makes
# it answer 500 Internal Server Error to every request under that folder.
APACHE_MAX_LINE = 8000
TOO_LONG = "too long for nginx or Apache"
# Hugo and Jekyll write an alias as a folder with an index.html, and one name longer than the file
# system allows ("file name too long") stops the whole build; PATH_MAX is 4096 with the site's folder.
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 2048
# Dropped rules worth a warning; the others (its own address, a duplicate) need nothing from the user.
WARN_REASONS = ("unreadable", TOO_LONG, "conflicting target")


@dataclass(frozen=True, slots=True)
class Redirect:
    """One rule: `path` decoded (`/2010/05/héllo/`), `query` the request's `key=value` items as
    the old site got them (`("p=12",)`; empty for a path rule), `target` an encoded URL."""

    path: str
    query: tuple[str, ...]
    target: str


@dataclass
class RedirectPlan:
    redirects: list[Redirect] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)  # by reason


def url_key(url: str) -> str:
    """Two URLs the servers treat as one: decoded, any %XX case, trailing slash or not, any case.
    A URL on another host (an attachment's file left on the old one) never equals a path."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    query = "&".join(sorted(item for item in parts.query.split("&") if item))
    return f"{parts.netloc.lower()}/{path_key(parts.path)}?{query}"


def encode_target(url: str) -> str:
    return quote(unicodedata.normalize("NFC", url.strip()), safe=TARGET_SAFE)


def split_old(old: str) -> tuple[str, tuple[str, ...]] | None:
    """The decoded path and raw query items of an old URL, or None when no server could be told to
    match it (control characters, `.` segments servers resolve away, no path at all)."""
    old = old.strip()
    try:
        # `//greek/x/` is a path here (the export has such permalinks), not a host named greek.
        parts = urlsplit(f"http://old{old}" if old.startswith("/") else old)
        path = unquote(parts.path or "/", errors="strict")
    except (ValueError, UnicodeDecodeError):  # `http://[x/`, `%ff` that is no UTF-8
        return None
    path = "/" + "/".join(part for part in path.split("/") if part) + ("/" if path.endswith("/") else "")
    path = "/" if path == "//" else unicodedata.normalize("NFC", path)
    if CONTROL.search(path) or CONTROL.search(parts.query) or {".", ".."} & set(path.split("/")):
        return None
    return path, tuple(quote(item, safe=QUERY_SAFE) for item in parts.query.split("&") if item)


def plan_redirects(pairs: Iterable[tuple[str, str]], live: Iterable[str] = ()) -> RedirectPlan:
    """Rules for (old root-relative URL, new URL) pairs, such as `UrlIndex.redirects.items()`.

    A pair is dropped (and counted by reason) when its old address is its new one, is a page of
    the new site (`live` and every pair's target: a rule would hide that page), repeats an earlier
    pair, cannot be written for a server, or leads to another host (an attachment's file that was
    not fetched stays on the old site, which the redirects are for leaving). A query rule on the
    front page also gets its `/index.php?p=N` spelling, which WordPress answered the same.
    """
    pairs = list(pairs)
    pages = {url_key(url) for url in live} | {url_key(new) for _, new in pairs}
    plan, seen = RedirectPlan(), dict[str, str]()
    for old, new in pairs:
        split = split_old(old)
        if split is None or not new.strip() or CONTROL.search(new):
            plan.dropped["unreadable"] += 1
            continue
        path, query = split
        if urlsplit(new.strip()).netloc:  # a file left on the old host, which is going away
            plan.dropped["target on another host"] += 1
            continue
        target = encode_target(new)
        spellings = [path, f"{path}index.php"] if query and path.endswith("/") else [path]
        for spelling in spellings:
            key = url_key(f"{quote(spelling)}?{'&'.join(query)}")
            rule = Redirect(spelling, query, target)
            reason = drop_reason(key, url_key(new), pages, seen.get(key), target) or over_server_limits(rule)
            if reason:
                if spelling == path:  # the index.php spelling is ours; only the pair given counts
                    plan.dropped[reason] += 1
                continue
            seen[key] = target
            plan.redirects.append(rule)
    plan.redirects.sort(key=lambda r: (r.path, r.query))
    return plan


def over_server_limits(rule: Redirect) -> str:
    """TOO_LONG when a line the rule becomes is over nginx's or Apache's limit (a very long
    permalink, or one whose escaping for Apache, up to 4 bytes per byte, makes it so); else ""."""
    nginx = [nginx_string(key) for key, _ in nginx_rule_keys(rule)] + [nginx_string(rule.target)]
    fits = (max(len(token.encode("utf-8")) for token in nginx) <= NGINX_MAX_TOKEN
            and max(len(line.encode("utf-8")) for line in apache_lines(rule)) <= APACHE_MAX_LINE)
    return "" if fits else TOO_LONG


def dropped_warnings(plan: RedirectPlan) -> list[str]:
    """One warning per reason a rule the user would want was left out."""
    return [f"redirects: {n} rule{'s' if n > 1 else ''} left out: {reason}" for reason in WARN_REASONS
            if (n := plan.dropped[reason])]


def drop_reason(key: str, new_key: str, pages: set[str], earlier: str | None, target: str) -> str:
    if key == new_key:
        return "same address"
    if key in pages:
        return "a page of the new site"
    if earlier is not None:
        return "duplicate" if earlier == target else "conflicting target"
    return ""


# --- Netlify and Cloudflare Pages: _redirects ---------------------------------------------------


def render_netlify(plan: RedirectPlan) -> str:
    """`_redirects`. A query rule is Netlify's `/ p=12 /new/ 301!`: forced (`!`), because the front
    page exists and would otherwise shadow it. Cloudflare Pages matches paths only and skips
    those lines; its path rules are the same syntax."""
    lines = ["# Redirects from the old WordPress addresses, written by wxr2db.",
             "# Netlify and Cloudflare Pages read this file from the root of the published site."]
    for rule in plan.redirects:
        path = quote(rule.path, safe=NETLIFY_SAFE)
        if rule.query:
            lines.append(f"{path} {' '.join(map(netlify_query, rule.query))} {rule.target} 301!")
        else:
            lines.append(f"{path} {rule.target} 301")
    return "\n".join(lines) + "\n"


def netlify_query(item: str) -> str:
    """Netlify reads `id=:id` as a placeholder matching any value: `?p=:x` in an old link would
    redirect every `?p=` address. A leading colon is encoded, so the rule is never a placeholder."""
    key, equals, value = item.partition("=")
    return f"{key}={'%3A' + value[1:]}" if equals and value.startswith(":") else item


# --- nginx: a map for http{}, a return for server{} ---------------------------------------------


def nginx_string(text: str) -> str:
    """A double-quoted nginx string. Keys are never expanded; targets cannot hold `$`."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def bucket_size(keys: list[str]) -> int:
    """The map_hash_bucket_size the longest key needs: nginx stores a key in a bucket as a pointer,
    the key and two bytes, aligned to a pointer, plus a pointer ending the bucket."""
    longest = max((len(k.encode("utf-8")) for k in keys), default=0)
    need = 8 + (longest + 2 + 7) // 8 * 8 + 8
    size = NGINX_DEFAULT_BUCKET
    while size < need:
        size *= 2
    return size


def nginx_keys(plan: RedirectPlan) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(path keys for `$uri`, request keys for `$request_uri`). `$uri` is decoded, with slashes
    merged, so one rule matches every percent-encoding; both trailing-slash spellings get a key."""
    paths: list[tuple[str, str]] = []
    requests: list[tuple[str, str]] = []
    for rule in plan.redirects:
        (requests if rule.query else paths).extend(nginx_rule_keys(rule))
    return paths, requests


def nginx_rule_keys(rule: Redirect) -> list[tuple[str, str]]:
    if rule.query:
        return [(f"{quote(rule.path, safe='/')}?{'&'.join(rule.query)}", rule.target)]
    other = rule.path.rstrip("/") if rule.path.endswith("/") else rule.path + "/"
    return [(rule.path, rule.target)] + ([(other, rule.target)] if other and other != rule.path else [])


def render_nginx(plan: RedirectPlan) -> dict[str, str]:
    """Two includes: the maps go in `http {}`, the `return` in each `server {}` of the site."""
    paths, requests = nginx_keys(plan)
    keys = [key for key, _ in paths + requests]
    head = ["# Redirects from the old WordPress addresses, written by wxr2db.",
            f"# Include in http {{}} before any other map block; then include {NGINX_INCLUDES[1]}",
            "# in the site's server {}. nginx matches map strings ignoring case."]
    if bucket_size(keys) > NGINX_DEFAULT_BUCKET:
        head.append(f"map_hash_bucket_size {bucket_size(keys)};")
    if len(keys) > NGINX_DEFAULT_MAX_SIZE // 2:
        size = NGINX_DEFAULT_MAX_SIZE
        while size < 2 * len(keys):
            size *= 2
        head.append(f"map_hash_max_size {size};")
    body = [*head, "", "map $uri $wxr2db_redirect_path {", '    default "";']
    body += [f"    {nginx_string(key)} {nginx_string(target)};" for key, target in paths]
    body += ["}", "", "map $request_uri $wxr2db_redirect {", "    default $wxr2db_redirect_path;"]
    body += [f"    {nginx_string(key)} {nginx_string(target)};" for key, target in requests]
    body.append("}")
    server = ["# Include in the server {} of the new site, after the http {} include of",
              f"# {NGINX_INCLUDES[0]}. Written by wxr2db.",
              "if ($wxr2db_redirect) {", "    return 301 $wxr2db_redirect;", "}"]
    return {NGINX_INCLUDES[0]: "\n".join(body) + "\n", NGINX_INCLUDES[1]: "\n".join(server) + "\n"}


# --- Apache: .htaccess with mod_rewrite -------------------------------------------------------------

PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-=")


def pcre_literal(text: str) -> str:
    """`text` as a PCRE pattern matching exactly it, in ASCII: punctuation behind a backslash, the
    bytes of anything else (space, é) as `\\xHH`, which mod_rewrite matches against the decoded path."""
    out = []
    for char in text:
        if char in PLAIN:
            out.append(char)
        elif " " < char < "\x7f":
            out.append("\\" + char)
        else:
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8"))
    return "".join(out)


def apache_target(target: str) -> str:
    # `%1` and `$1` are back-references in a substitution; targets hold no `$` (encode_target).
    return target.replace("%", "\\%")


def render_apache(plan: RedirectPlan) -> str:
    """`.htaccess` rules for the site's root folder. In .htaccess, RewriteRule sees the decoded path
    without its leading slash; NE keeps the target's %XX as they are, QSD drops a matched query."""
    lines = ["# Redirects from the old WordPress addresses, written by wxr2db.",
             "<IfModule mod_rewrite.c>", "RewriteEngine On"]
    for rule in plan.redirects:
        lines += apache_lines(rule)
    lines.append("</IfModule>")
    return "\n".join(lines) + "\n"


def apache_lines(rule: Redirect) -> list[str]:
    path = rule.path.lstrip("/")
    if rule.query:
        conditions = [f"RewriteCond %{{QUERY_STRING}} (?:^|&){pcre_literal(item)}(?:&|$)" for item in rule.query]
        return [*conditions, f"RewriteRule ^{pcre_literal(path)}$ {apache_target(rule.target)} [R=301,L,NE,QSD]"]
    pattern = pcre_literal(path.rstrip("/")) + ("/?" if path else "")
    return [f"RewriteRule ^{pattern}$ {apache_target(rule.target)} [R=301,L,NE]"]


def render_redirects(plan: RedirectPlan, formats: Iterable[str]) -> dict[str, str]:
    """File name (relative to where the generator publishes static files) -> text, per format."""
    files: dict[str, str] = {}
    for name in formats:
        if name == "netlify":
            files["_redirects"] = render_netlify(plan)
        elif name == "nginx":
            files.update(render_nginx(plan))
        elif name == "apache":
            files[".htaccess"] = render_apache(plan)
        else:
            raise ValueError(f"unknown redirect format {name!r}; choose from {', '.join(FORMATS)}")
    return files


# --- in-generator aliases -------------------------------------------------------------------------


def aliases(old_paths: Iterable[str], own_url: str) -> list[str]:
    """Hugo `aliases` / Jekyll `redirect_from` for a page: each old path once, decoded, never the
    page's own URL (an alias there would replace the page), never the front page, never a query
    form (generators write an alias as a file; `/?p=12` is not one), never a path longer than a
    file system allows (see long_path_warnings)."""
    own_path = split_old(own_url)
    own = url_key(quote(own_path[0])) if own_path else url_key(own_url)
    seen, found = {url_key("/")}, []
    for old in old_paths:
        split = split_old(old)
        if split is None or split[1]:
            continue
        key = url_key(quote(split[0]))
        if key != own and key not in seen and fits_file_system(split[0]):
            seen.add(key)
            found.append(split[0])
    return found


def fits_file_system(path: str) -> bool:
    """Whether a generator can write a page at this decoded URL path (an alias, a kept permalink)."""
    return len(path.encode("utf-8")) <= MAX_PATH_BYTES and all(
        len(name.encode("utf-8")) <= MAX_NAME_BYTES for name in path.split("/"))
