"""Front matter from what WordPress kept beside the post: SEO plugins' titles and descriptions, the
featured image's alt text and caption, a podcast episode's enclosure. Pure: the caller reads the meta.

Keys written (the starter templates read them): `seo_title`, `description`, `noindex: true`,
`canonical`, `image_alt`, `image_caption`, `enclosure: {url, length, type}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any

from ..content.plaintext import plain_text
from ..links.safe import safe_url, scheme_of
from ..media.references import mime_type
from ..php import looks_serialized, php_unserialize

# Each plugin's keys, in the order they win: Yoast, Rank Math, All in One SEO (4, then 2/3).
SEO_TITLE = ("_yoast_wpseo_title", "rank_math_title", "_aioseo_title", "_aioseop_title")
SEO_DESCRIPTION = ("_yoast_wpseo_metadesc", "rank_math_description", "_aioseo_description", "_aioseop_description")
SEO_CANONICAL = ("_yoast_wpseo_canonical", "rank_math_canonical_url", "_aioseo_canonical_url")
SEO_NOINDEX = ("_yoast_wpseo_meta-robots-noindex", "rank_math_robots", "_aioseop_noindex", "_aioseo_robots_noindex")
FEATURED = ("enclosure",)
META_KEYS = (*SEO_TITLE, *SEO_DESCRIPTION, *SEO_CANONICAL, *SEO_NOINDEX, *FEATURED)

LENGTH = re.compile(r"[0-9]{1,18}")  # ASCII digits: int() of 5,000 digits raises
MIME_TYPE = re.compile(r"[\w.+-]{1,100}/[\w.+-]{1,100}")
UNKNOWN_TYPE = "application/octet-stream"
# Yoast `%%title%%`, Rank Math `%title%`, All in One SEO `#post_title`.
VARIABLE = re.compile(r"%%([a-z_]{1,40})%%|%([a-z_]{1,40})%|#([a-z_]{1,40})\b")
NAMES = {"title": "title", "post_title": "title", "sitename": "site", "site_title": "site", "sitedesc": "tagline",
         "tagline": "tagline", "sep": "sep", "separator_sa": "sep", "separator": "sep", "excerpt": "excerpt",
         "post_excerpt": "excerpt", "excerpt_only": "excerpt", "category": "category",
         "primary_category": "category", "post_category": "category", "categories": "category"}
SEPARATOR = "-"  # Yoast's and Rank Math's default
# A separator left at either end once an unknown variable is gone: - | en and em dash, middle dot, bullet, colon.
DANGLING = re.compile("^(?:\\s*[-|\u2013\u2014\u00b7\u2022:]\\s*)+|(?:\\s*[-|\u2013\u2014\u00b7\u2022:]\\s*)+$")


def resolve_variables(template: str, values: Mapping[str, str]) -> str:
    """An SEO plugin's title template with its variables filled in; unknown ones (%%page%%,
    %%currentyear%%) are left out, with any separator they leave dangling at either end."""
    def replace(m: re.Match[str]) -> str:
        name = NAMES.get(m.group(1) or m.group(2) or m.group(3) or "")
        return values.get(name, "") if name else ""

    text = " ".join(VARIABLE.sub(replace, template).split())
    return DANGLING.sub("", text).strip()


def first(meta: Mapping[str, str], keys: tuple[str, ...]) -> str:
    return next((meta[key].strip() for key in keys if meta.get(key, "").strip()), "")


def is_noindex(meta: Mapping[str, str]) -> bool:
    """Yoast `1`, All in One SEO `on`, Rank Math a PHP array holding `noindex`."""
    for key in SEO_NOINDEX:
        value = meta.get(key, "").strip()
        if key == "rank_math_robots" and looks_serialized(value):
            try:
                decoded = php_unserialize(value)
            except ValueError:  # a damaged value says nothing
                continue
            items = decoded.values() if isinstance(decoded, dict) else decoded if isinstance(decoded, list) else []
            if "noindex" in items:
                return True
        elif value in ("1", "on", "true", "noindex"):
            return True
    return False


def seo_entries(meta: Mapping[str, str], values: Mapping[str, str]) -> dict[str, Any]:
    """seo_title, description, canonical and noindex from whichever SEO plugin stored them."""
    entries: dict[str, Any] = {}
    title = resolve_variables(plain_text(first(meta, SEO_TITLE)), {"sep": SEPARATOR, **values})
    description = resolve_variables(plain_text(first(meta, SEO_DESCRIPTION)), {"sep": SEPARATOR, **values})
    canonical = first(meta, SEO_CANONICAL)
    if title:
        entries["seo_title"] = title
    if description:
        entries["description"] = description
    if re.match(r"https?://\S+$", canonical):
        entries["canonical"] = canonical
    if is_noindex(meta):
        entries["noindex"] = True
    return entries


def enclosure_entry(value: str) -> dict[str, Any]:
    """WordPress's `enclosure` meta (do_enclose, podcasting plugins): `URL\\nLENGTH\\nTYPE[\\nextra]`.
    RSS needs all three: an unknown length is 0 (as RSS allows), an unknown type is guessed from the
    file's name. The URL is http(s) only, written by links.safe's rule (a quote is percent-encoded)."""
    lines = [line.strip() for line in value.replace("\r", "").split("\n")]
    url = safe_url(lines[0]) if lines[0] and scheme_of(lines[0]) in ("http", "https") else None
    if url is None:
        return {}
    length = int(lines[1]) if len(lines) > 1 and LENGTH.fullmatch(lines[1]) else 0
    given = lines[2] if len(lines) > 2 and MIME_TYPE.fullmatch(lines[2]) else ""
    return {"enclosure": {"url": url, "length": length, "type": given or mime_type(url) or UNKNOWN_TYPE}}


def image_entries(caption: str, alt: str) -> dict[str, Any]:
    """The featured image's alt text (`_wp_attachment_image_alt`) and caption (its excerpt)."""
    entries = {"image_alt": " ".join(plain_text(alt).split()), "image_caption": " ".join(plain_text(caption).split())}
    return {key: value for key, value in entries.items() if value}


# ------------------------------------------------------------------ custom fields (--meta)

INTEGER = re.compile(r"-?(?:0|[1-9]\d{0,14})")
DECIMAL = re.compile(r"-?(?:0|[1-9]\d{0,14})\.\d{1,15}")


def parse_meta_option(values: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """`--meta KEY[=NAME]` values as (key or pattern, front matter name; "" keeps the key)."""
    found = []
    for value in values:
        key, _, name = value.partition("=")
        if key.strip():
            found.append((key.strip(), name.strip() if "*" not in key and "?" not in key else ""))
    return tuple(found)


def field_value(value: str, value_json: str | None) -> Any:
    """A meta value typed for YAML: PHP-serialized arrays (decoded at import, as JSON) as lists and
    maps, whole and decimal numbers as numbers, anything else as the text."""
    if value_json:
        try:
            return json.loads(value_json)
        except ValueError:
            pass
    text = value.strip()
    if INTEGER.fullmatch(text):
        return int(text)
    if DECIMAL.fullmatch(text):
        return float(text)
    return value


def custom_fields(rows: Iterable[tuple[str, str, str | None]], wanted: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The post's meta the user asked for, under the names asked for. Keys starting with `_` are
    WordPress's and plugins' own (ACF's `_price` names the field of `price`): a pattern only takes
    them when it starts with `_` itself. The first value of a repeated key wins."""
    fields: dict[str, Any] = {}
    for key, value, value_json in rows:
        for pattern, name in wanted:
            if key.startswith("_") and not pattern.startswith("_"):
                continue
            if fnmatchcase(key, pattern):
                fields.setdefault(name or key, field_value(value or "", value_json))
                break
    return fields
