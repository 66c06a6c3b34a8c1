"""Front matter YAML written directly, byte for byte as PyYAML with libyaml writes it (front_matter's
FastDumper: block style, no line folding, unicode as it is), for the shapes wxr2db writes: maps with
string keys, lists, strings, integers, booleans, dates and None. Anything else raises Unsupported, and
front_matter asks PyYAML instead.

PyYAML spends most of a dump building nodes and events and analysing every scalar character by
character; the choices that matter here are few, and are libyaml's (emitter.c,
yaml_emitter_analyze_scalar and yaml_emitter_select_scalar_style):

- a string no implicit resolver claims (see front_matter.LOOKS_TYPED) and with no indicator, no
  leading or trailing space and no line break is written plain;
- a string with a line break is a literal block (`|`), unless a line ends with a space or the string
  holds a character libyaml will not print, then double quoted;
- any other string with such a character is double quoted, and the rest single quoted.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

# What libyaml prints as it is (IS_PRINTABLE), plus the characters beyond U+FFFF, which front_matter
# hands to libyaml as private-use stand-ins: anything else forces double quotes (see AstralQuoted).
UNPRINTABLE = re.compile("[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010fffe]")
ESCAPED = re.compile('[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010fffe]|["\\\\]')
BREAKS = re.compile("[\n\r\x85\u2028\u2029]")
ESCAPES = {"\0": "0", "\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r",
           "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\u2028": "L", "\u2029": "P"}
SURROGATE = re.compile("[\ud800-\udfff]")
ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# An indicator as a scalar's first character makes it unfit to be plain (a `-`, `?` or `:` only
# before a space); `: ` and ` #` anywhere.
FIRST_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")
SPACED_INDICATORS = frozenset("-?:")
# libyaml folds a quoted or plain scalar at a space past the line width (1,000,000 here), and writes
# a key longer than 128 bytes as `? key`: this writer leaves both to it.
LONGEST_LINE = 900_000
LONGEST_KEY = 100
TIMESTAMP = "tag:yaml.org,2002:timestamp"

KEYS_KEPT = 1024

Resolvers = dict[str, list[tuple[str, re.Pattern[str]]]]


class Unsupported(Exception):
    """A value this writer does not write as PyYAML would; the caller dumps it with PyYAML."""


class AstralQuoted(Unsupported):
    """Double-quoted text with characters beyond U+FFFF: libyaml escapes them, front_matter's
    stand-ins keep them as they are, and once stand-ins run out PyYAML's own emitter escapes them."""


class Rules:
    """A dumper's implicit resolvers (first character -> (tag, pattern)), whether double-quoted text
    may keep characters beyond U+FFFF, and the keys written so far (the same few in every post)."""

    def __init__(self, resolvers: Resolvers, astral_quoted: bool = False) -> None:
        self.resolvers = resolvers
        self.astral_quoted = astral_quoted
        self.keys: dict[str, str] = {}


def write_yaml(entries: dict[str, Any], rules: Rules) -> str:
    """The block-style YAML document PyYAML's dump(..., Dumper=FastDumper) writes for entries, given
    that dumper's rules."""
    if not entries:
        return "{}\n"
    out: list[str] = []
    write_mapping(out, entries, 0, rules, inline=False)
    return "".join(out)


def write_mapping(out: list[str], mapping: dict[Any, Any], indent: int, rules: Rules,
                  inline: bool) -> None:
    """Each key at the indent; inline: the first key goes on the line already begun (`- key:`)."""
    pad = " " * indent
    for key, value in mapping.items():
        out.append(f"{'' if inline else pad}{key_text(key, rules)}:")
        inline = False
        if type(value) is dict:
            if value:
                out.append("\n")
                write_mapping(out, value, indent + 2, rules, inline=False)
            else:
                out.append(" {}\n")
        elif type(value) is list:
            if value:
                out.append("\n")
                write_items(out, value, indent, rules)  # block sequences in a mapping are not indented
            else:
                out.append(" []\n")
        else:
            out.append(f" {scalar_text(value, indent + 2, rules)}\n")


def write_items(out: list[str], items: list[Any], indent: int, rules: Rules) -> None:
    pad = " " * indent
    for item in items:
        if type(item) is dict and item:
            out.append(f"{pad}- ")
            write_mapping(out, item, indent + 2, rules, inline=True)
        elif type(item) is dict:
            out.append(f"{pad}- {{}}\n")
        elif type(item) is list:
            if item:
                raise Unsupported("a list in a list")  # wxr2db writes none
            out.append(f"{pad}- []\n")
        else:
            out.append(f"{pad}- {scalar_text(item, indent + 2, rules)}\n")


def key_text(key: Any, rules: Rules) -> str:
    known = rules.keys.get(key) if type(key) is str else None
    if known is not None:
        return known
    text = new_key_text(key, rules)
    if len(rules.keys) < KEYS_KEPT:
        rules.keys[key] = text
    return text


def new_key_text(key: Any, rules: Rules) -> str:
    if type(key) is not str or BREAKS.search(key):
        raise Unsupported("a key that is not a one-line string")  # libyaml writes it as `? key`
    if len(key.encode("utf-8", "surrogatepass")) >= LONGEST_KEY:
        raise Unsupported("a long key")
    if UNPRINTABLE.search(key):
        return double_quoted(key, rules)
    return key if plain_ok(key) and not claimed(key, rules) else single_quoted(key)


def scalar_text(value: Any, indent: int, rules: Rules) -> str:
    """A scalar after `key: ` or `- `; indent is where a literal block's lines start."""
    kind = type(value)
    if kind is str:
        return string_text(value, indent, rules)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, date) and kind.__module__ == "datetime":
        text = value.isoformat()
        if resolved(text, rules) != TIMESTAMP:
            raise Unsupported("a date that does not read back as one")  # PyYAML writes a tag
        return text
    raise Unsupported(f"a {kind.__name__}")


def string_text(text: str, indent: int, rules: Rules) -> str:
    if len(text) > LONGEST_LINE - indent:
        raise Unsupported("a line libyaml would fold")
    if UNPRINTABLE.search(text):
        return double_quoted(text, rules)
    if "\u2028" in text or "\u2029" in text:
        raise Unsupported("a unicode line separator")
    if "\n" in text:
        # front_matter asks for a literal block; libyaml refuses one for trailing spaces on a line.
        if text.endswith(" ") or " \n" in text:
            return double_quoted(text, rules)
        return literal(text, indent)
    return text if plain_ok(text) and not claimed(text, rules) else single_quoted(text)


def plain_ok(text: str) -> bool:
    """libyaml's block_plain_allowed for a one-line string of printable characters."""
    if not text or text[0] == " " or text[-1] == " " or text[0] in FIRST_INDICATORS:
        return False
    if text[0] in SPACED_INDICATORS and (len(text) == 1 or text[1] == " "):
        return False
    if text.startswith(("---", "...")) or text.endswith(":"):
        return False
    return ": " not in text and " #" not in text


def claimed(text: str, rules: Rules) -> bool:
    """Whether a plain `text` would read back as something other than a string."""
    return resolved(text, rules) is not None


def resolved(text: str, rules: Rules) -> str | None:
    for tag, pattern in rules.resolvers.get(text[:1], ()):
        if pattern.match(text):
            return tag
    return None


def single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def double_quoted(text: str, rules: Rules) -> str:
    if SURROGATE.search(text):
        raise Unsupported("a lone surrogate")  # not UTF-8: libyaml refuses it
    if not rules.astral_quoted and ASTRAL.search(text):
        raise AstralQuoted("double-quoted text beyond U+FFFF")
    return '"' + ESCAPED.sub(escape, text) + '"'


def escape(match: re.Match[str]) -> str:
    char = match.group()
    short = ESCAPES.get(char)
    if short is not None:
        return "\\" + short
    code = ord(char)
    return f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def literal(text: str, indent: int) -> str:
    """`|` (one final line break kept), `|-` (none); `|+` (several) is PyYAML's, as libyaml then
    ends the document with `...`. An indentation hint when the text starts with a space or a break."""
    if text.endswith("\n"):
        if len(text) == 1 or text[-2] == "\n":
            raise Unsupported("a literal block ending in blank lines")
        chomp, text = "", text[:-1]
    else:
        chomp = "-"
    hint = "2" if text[:1] in (" ", "\n") else ""
    pad = " " * indent
    lines = "\n".join(pad + line if line else "" for line in text.split("\n"))
    return f"|{hint}{chomp}\n{lines}"
