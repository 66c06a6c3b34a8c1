"""A post's YAML front matter: the entries it holds, and YAML written the same with or without libyaml."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from itertools import islice
from typing import Any

import yaml
from yaml.representer import SafeRepresenter

# libyaml's emitter is several times faster than PyYAML's own, and YAML is half the rendering time.
try:
    from yaml import CSafeDumper as BaseDumper
except ImportError:  # a PyYAML built without libyaml
    from yaml import SafeDumper as BaseDumper  # type: ignore[assignment]

from ..content.plaintext import plain_text
from ..links.redirects import aliases, fits_file_system
from ..links.safe import safe_url
from ..normalize import utc_offset
from .layouts import get_layout
from .plan import old_path
from .views import PostView, Style, is_draft
from .yaml_writer import AstralQuoted, Resolvers, Rules, Unsupported, write_yaml

TAXONOMY_KEYS = {"category": "categories", "post_tag": "tags", "post_format": "format"}
CANONICAL = ("title", "date", "lastmod", "draft", "slug", "author", "summary", "categories", "tags",
             "format", "aliases", "permalink", "image", "wordpress_id", "comments")
# Keys a generator acts on (Hugo reads keys in any case): a plugin taxonomy called `layout`,
# `outputs` or `templateEngineOverride` must not set them.
GENERATOR_KEYS = frozenset(key.lower() for key in (
    *CANONICAL, "url", "layout", "type", "outputs", "cascade", "build", "markup", "headless", "resources", "weight",
    "expirydate", "publishdate", "linktitle", "description", "keywords", "published", "render_with_liquid",
    "excerpt", "excerpt_separator", "last_modified_at", "redirect_from", "redirect_to", "templateEngineOverride",
    "dynamicPermalink", "eleventyComputed", "eleventyExcludeFromCollections", "eleventyNavigation", "pagination",
    "eleventyImport", "pubDate", "updatedDate", "heroImage", "visibility", "more_text"))
# Characters beyond U+FFFF, and the private-use ones standing in for them (see dump_front_matter);
# U+10FFFF is left out because PyYAML itself escapes it.
ASTRAL = re.compile("[\U00010000-\U0010FFFE]")
STAND_IN = re.compile("[\uE000-\uEFFF]")
PRIVATE_USE = tuple(chr(c) for c in range(0xE000, 0xF000))


class FastDumper(BaseDumper):
    """PyYAML's safe dumper, writing dates as ISO 8601 (`2010-06-14T09:30:00-04:00`) that every
    generator reads as a date, multi-line text as literal blocks, and never YAML anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


class PureDumper(yaml.SafeDumper):
    """The same in pure Python, for text libyaml would escape (see dump_front_matter)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_datetime(dumper: SafeRepresenter, value: datetime) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


def _represent_str(dumper: SafeRepresenter, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


# PyYAML writes YAML 1.1, where `1e3`, `1.5e3` and `0o17` are strings, so it leaves them unquoted; the
# js-yaml that Eleventy and Astro read front matter with follows YAML 1.2 and makes numbers of them
# (a tag `1e3` becomes 1000, and Astro's schema then stops the build). Resolving them as numbers
# here makes PyYAML quote them.
YAML12_NUMBER = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+|\.[0-9_]+[eE][-+]?[0-9]+|0o[0-7]+)$")

# What some generator's YAML reader takes for something other than a string, beyond what PyYAML
# itself quotes: js-yaml (Eleventy, Astro) and Go's yaml (Hugo) read `09`, `019`, `0089` as 9, 19,
# 89; Psych (Jekyll) reads `1,000` as 1000, `yEs` as true and `:x` as a Symbol, which its safe_load
# refuses (the build stops); Go's yaml reads `y` and `n` as booleans. Rather than each reader's rules,
# any word that starts like a number (`1:20`, `0x1F`, `1_000`, `.inf`, `2010-06-14`), or a date and
# time with a space, or a reserved word in any case, or one starting with `:`, `=` or `<<`, is
# written quoted. A false alarm only adds quotes.
LOOKS_TYPED = re.compile(
    r"(?:[-+]?[.0-9]\S*"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[Tt \t].*"
    r"|(?i:y|n|yes|no|true|false|on|off|null|none|nan|inf|~)"
    r"|[:=].*|<<.*)\Z", re.DOTALL)
TYPED_STARTS = list("-+.0123456789:=<~yYnNtTfFoOiI")

for _dumper in (FastDumper, PureDumper):
    _dumper.add_representer(datetime, _represent_datetime)
    _dumper.add_representer(str, _represent_str)
    _dumper.add_implicit_resolver("tag:yaml.org,2002:float", YAML12_NUMBER, list("-+.0123456789"))
    # Any tag other than str makes PyYAML quote the string; the resolvers PyYAML has come first, so
    # numbers, booleans and dates wxr2db writes as such keep their own tags.
    _dumper.add_implicit_resolver("tag:yaml.org,2002:float", LOOKS_TYPED, TYPED_STARTS)
# The same rules for yaml_writer, which quotes whatever one of them claims.
RESOLVERS: Resolvers = {first: list(pairs) for first, pairs in FastDumper.yaml_implicit_resolvers.items()}
RULES, ASTRAL_RULES = Rules(RESOLVERS), Rules(RESOLVERS, astral_quoted=True)


# --- YAML -----------------------------------------------------------------------------------------


def strings_in(value: Any) -> list[str]:
    """Every string in nested dicts and lists, keys too, in no particular order; without recursion, as
    comment threads nest deep."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack += item.keys()
            stack += item.values()
        elif isinstance(item, list):
            stack += item
    return found


def translated(value: Any, table: dict[int, str]) -> Any:
    if isinstance(value, str):
        return value.translate(table)
    if isinstance(value, dict):
        return {translated(k, table): translated(v, table) for k, v in value.items()}
    if isinstance(value, list):
        return [translated(item, table) for item in value]
    return value


def dump_front_matter(entries: dict[str, Any]) -> str:
    """YAML for the front matter: yaml_writer's, which is PyYAML's with libyaml byte for byte and
    several times faster, or PyYAML's own for what yaml_writer leaves to it."""
    try:
        return write_yaml(entries, RULES)
    except AstralQuoted:
        if stand_ins_suffice(entries):
            try:
                return write_yaml(entries, ASTRAL_RULES)
            except Unsupported:
                pass
    except Unsupported:
        pass
    return pyyaml_front_matter(entries)


def stand_ins_suffice(entries: dict[str, Any]) -> bool:
    """Whether pyyaml_front_matter would take libyaml's path (it would write what yaml_writer wrote)."""
    texts = "\n".join(strings_in(entries))
    astral = set(ASTRAL.findall(texts))
    return len(astral) <= len(PRIVATE_USE) - len(set(STAND_IN.findall(texts)))


def pyyaml_front_matter(entries: dict[str, Any]) -> str:
    """YAML for the front matter from PyYAML, the same bytes with or without libyaml.

    libyaml escapes every character beyond U+FFFF (emoji, 𝄞) as `\\U0001F600`, even with
    allow_unicode, where PyYAML's own emitter writes it as it is. Both treat private-use characters
    like those, so each one stands in for an astral character during the dump and is swapped back.
    """
    texts = "\n".join(strings_in(entries))
    astral = sorted(set(ASTRAL.findall(texts)))
    if not astral:
        return yaml_text(entries, FastDumper)
    used = set(STAND_IN.findall(texts))
    free = list(islice((c for c in PRIVATE_USE if c not in used), len(astral)))
    if len(free) < len(astral):
        return yaml_text(entries, PureDumper)
    there = {ord(a): f for a, f in zip(astral, free, strict=True)}
    back = {ord(f): a for a, f in zip(astral, free, strict=True)}
    return yaml_text(translated(entries, there), FastDumper).translate(back)


def yaml_text(entries: dict[str, Any], dumper: type[SafeRepresenter]) -> str:
    text: str = yaml.dump(entries, Dumper=dumper, allow_unicode=True, sort_keys=False,
                          default_flow_style=False, width=1_000_000)
    return text


# --- entries --------------------------------------------------------------------------------------


def site_time(local: str | None, gmt: str | None) -> datetime | str | None:
    """The site-local time with its UTC offset, which WordPress keeps as post_date minus post_date_gmt.

    A draft has no GMT date (WordPress writes 0000-00-00), so its local time goes without offset.
    """
    if not local:
        return None
    try:
        moment = datetime.fromisoformat(local)
    except ValueError:
        return local  # not a WordPress date; kept as the export has it
    offset: timedelta | None = utc_offset(local, gmt)
    return moment.replace(tzinfo=timezone(offset)) if offset is not None else moment


def draft_entry(post: PostView, style: Style) -> dict[str, Any]:
    return get_layout(style.layout).draft_keys(post.post_type) if is_draft(post) else {}


def visibility_entries(post: PostView, style: Style) -> dict[str, Any]:
    """Private and password-protected posts (written with --private) never publish by default."""
    why = "private" if post.status == "private" else "password" if post.protected else ""
    if not why:
        return {}
    return {**get_layout(style.layout).hidden_keys(), "visibility": why}


def taxonomy_entries(post: PostView) -> dict[str, str | list[str]]:
    entries: dict[str, str | list[str]] = {}
    for taxonomy, names in post.terms.items():
        key = TAXONOMY_KEYS.get(taxonomy, taxonomy)
        if key.lower() in GENERATOR_KEYS and taxonomy not in TAXONOMY_KEYS:
            key = f"taxonomy_{taxonomy}"  # a plugin taxonomy called `title` must not replace the title
        # A post has one format (WordPress's set_post_format replaces it), so it is a word, not a list.
        entries[key] = names[0] if taxonomy == "post_format" else names
    return entries


def link_entries(post: PostView, style: Style) -> dict[str, Any]:
    path = old_path(post.link)
    if not path:
        return {}
    if style.keep_permalinks and fits_file_system(path):
        return {"permalink": path}
    # A redirect from a page's own address would replace the page.
    found = aliases([path], post.url) if post.url else [path]
    return {"aliases": found} if found else {}


def canonical_front_matter(post: PostView, style: Style, teaser: str = "") -> dict[str, Any]:
    """The front matter under wxr2db's own key names (see CANONICAL); the layout renames them."""
    author = plain_text(post.author)
    summary = plain_text(post.excerpt) or teaser
    entries: dict[str, Any] = {
        "title": plain_text(post.title),
        "date": site_time(post.date, post.date_gmt),
        "lastmod": site_time(post.modified, post.modified_gmt),
        **draft_entry(post, style),
        **visibility_entries(post, style),
        "slug": post.slug,
        "author": author or None,
        "summary": summary or None,
        **taxonomy_entries(post),
        **link_entries(post, style),
        "image": safe_url(post.image) if post.image else None,
        # A negative id is wxr2db's own (the export gave none, or a repeated one): no WordPress id.
        "wordpress_id": post.id if post.id > 0 else None,
    }
    return {key: value for key, value in entries.items() if value is not None}


def layout_front_matter(post: PostView, style: Style, teaser: str = "") -> dict[str, Any]:
    """The front matter under the keys the layout's generator reads."""
    return get_layout(style.layout).front_matter_keys(canonical_front_matter(post, style, teaser))
