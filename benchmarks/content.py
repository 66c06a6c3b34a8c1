"""Pools of synthetic text for the WXR generator.

Everything here is built once per export from a seeded ``random.Random`` so the
generator can assemble post bodies by picking ready-made chunks, which is what
makes it fast. Chunks are already CDATA-safe: any "]]>" is split the way
WordPress's ``wxr_cdata()`` does it.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote

WORDS_TEXT = (
    "the quick brown fox jumps over lazy dog garden river morning evening light shadow "
    "coffee kitchen window street city mountain winter summer autumn spring market "
    "letter story journey bicycle train station harbour island forest meadow bridge "
    "notebook pencil camera lens photograph recipe bread butter honey orchard lantern "
    "music piano violin concert theatre library archive museum gallery painting sketch "
    "server database query index cache thread socket compiler parser token release "
    "plugin theme widget sidebar footer header menu block editor draft revision "
    "quietly slowly suddenly almost always never often rarely perhaps certainly "
    "bright dark small large ancient modern simple complex gentle rough warm cold "
    "walk talk write read build break carry follow find keep remember forget wonder "
    "and but or so because while although since until after before with without"
)
WORDS = tuple(WORDS_TEXT.split())

ACCENTED = (
    "café",
    "naïve",
    "façade",
    "Zürich",
    "São Paulo",
    "smörgåsbord",
    "crème brûlée",
    "Ærøskøbing",
    "Łódź",
    "jalapeño",
    "déjà vu",
    "über",
    "Señor",
    "piñata",
    "Øresund",
    "résumé",
    "Kraków",
    "İstanbul",
    "Ångström",
    "fiancée",
)

FOREIGN_SENTENCES = (
    "日本語のテキストも正しく扱われるべきです。",
    "这是一个用于测试的中文句子。",
    "한국어 문장도 포함되어 있습니다.",
    "مرحبا بالعالم، هذه جملة عربية للاختبار.",
    "שלום עולם, זהו משפט בעברית.",
    "Съешь же ещё этих мягких французских булок.",
    "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.",
    "Příliš žluťoučký kůň úpěl ďábelské ódy.",
    "ठीक है, यह एक हिंदी वाक्य है।",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 beyond the basic plane: 𝄞 and 🀄.",  # noqa: RUF001 (astral-plane letters on purpose)
)

EMOJI = ("🎉", "🚀", "☕", "👍🏽", "🇫🇷", "👨‍👩‍👧", "❤️", "😀", "🌍", "✨")

LANGS = ("python", "php", "javascript", "bash", "sql", "css", "ruby", "go")

CODE_SNIPPETS = (
    "def greet(name):\n    return f\"Hello, {name}!\"\n\nprint(greet('world'))",
    "<?php\n$items = array( 'a' => 1, 'b' => 2 );\nforeach ( $items as $k => $v ) {\n\techo \"$k=$v\\n\";\n}",
    "const total = items.reduce((a, b) => a + b, 0);\nif (total > 10 && total < 100) {\n  console.log(total);\n}",
    'for f in *.jpg; do\n  convert "$f" -resize 50% "small-$f"\ndone',
    "SELECT p.ID, p.post_title\nFROM wp_posts p\nWHERE p.post_status = 'publish' AND p.ID < 100;",
    "if (a[b[0]]> 1) { return x[y[z]]>0; }",
    ".entry-content > p:first-child::first-letter {\n  font-size: 2em;\n}",
)

PLUGIN_SHORTCODES = (
    '[plugin_x id="42" mode="compact"]',
    '[contact-form-7 id="1234" title="Contact form 1"]',
    '[tabs][tab title="First"]Tab one text.[/tab][tab title="Second"]Tab two text.[/tab][/tabs]',
    '[plugin_x_button url="https://example.org/buy" color="blue"]Buy now[/plugin_x_button]',
    "[toc]",
    '[su_note note_color="#ffcc00"]A highlighted note from a shortcode plugin.[/su_note]',
    '[audio mp3="https://example.com/wp-content/uploads/2016/04/interview.mp3"][/audio]',
    '[video width="640" height="360" mp4="https://example.com/wp-content/uploads/2017/02/clip.mp4"][/video]',
)

EMBED_URLS = (
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://vimeo.com/76979871",
    "https://twitter.com/WordPress/status/1234567890123456789",
    "https://soundcloud.com/example/track-name",
    "https://www.flickr.com/photos/example/12345678901/",
)


def cdata_safe(text: str) -> str:
    """Split any "]]>" so the text can sit inside one CDATA section."""
    return text.replace("]]>", "]]]]><![CDATA[>")


@lru_cache(maxsize=16384)
def slugify(text: str) -> str:
    """Approximate WordPress sanitize_title(): strip accents, percent-encode the rest."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    out: list[str] = []
    for c in plain:
        if c.isascii():
            out.append(c if c.isalnum() else "-")
        elif c.isalnum():
            out.append(quote(c).lower())
    slug = "-".join(part for part in "".join(out).split("-") if part)
    return cut_slug(slug, 190) or "untitled"


def cut_slug(slug: str, limit: int) -> str:
    """At most ``limit`` characters, never ending inside a character's %XX escapes: WordPress's
    utf8_uri_encode() stops before a character that would not fit, so a real export's slug always
    percent-decodes (wordpress-export-to-markdown stops with "URIError: URI malformed" otherwise)."""
    out = ""
    for char in unquote(slug):
        piece = char if char.isascii() else quote(char).lower()
        if len(out) + len(piece) > limit:
            break
        out += piece
    return out.rstrip("-")


class TextMaker:
    """Sentence, paragraph and markup builders on top of one Random."""

    def __init__(self, rng: random.Random, site_url: str) -> None:
        self.rng = rng
        self.site_url = site_url

    def word(self) -> str:
        r = self.rng.random()
        if r < 0.03:
            return self.rng.choice(ACCENTED)
        if r < 0.04:
            return self.rng.choice(EMOJI)
        return self.rng.choice(WORDS)

    def sentence(self) -> str:
        if self.rng.random() < 0.05:
            return self.rng.choice(FOREIGN_SENTENCES)
        words = [self.word() for _ in range(self.rng.randint(5, 18))]
        words[0] = words[0].capitalize()
        return " ".join(words) + self.rng.choice(".....?!")

    def sentences(self, low: int, high: int) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def link(self) -> str:
        slug = f"{self.rng.choice(WORDS)}-{self.rng.choice(WORDS)}"
        if self.rng.random() < 0.5:
            return f'<a href="{self.site_url}/{slug}/">{self.rng.choice(WORDS)} {self.rng.choice(WORDS)}</a>'
        return f'<a href="https://example.org/{slug}?ref=blog&amp;utm=1" rel="noopener">{slug}</a>'

    def rich_sentence(self) -> str:
        """A sentence with inline markup or entities mixed in."""
        parts = self.sentence().split(" ")
        at = self.rng.randrange(len(parts))
        kind = self.rng.randrange(6)
        if kind == 0:
            parts[at] = self.link()
        elif kind == 1:
            parts[at] = f"<strong>{parts[at]}</strong>"
        elif kind == 2:
            parts[at] = f"<em>{parts[at]}</em>"
        elif kind == 3:
            parts[at] = f"{parts[at]}&nbsp;&amp; it&#8217;s &ldquo;fine&rdquo;"
        elif kind == 4:
            parts[at] = f"<code>{parts[at]}()</code>"
        else:
            parts[at] = f"{parts[at]} {self.link()}"
        return " ".join(parts)

    def paragraph_text(self) -> str:
        count = self.rng.randint(2, 6)
        return " ".join(self.rich_sentence() if self.rng.random() < 0.3 else self.sentence() for _ in range(count))

    def image_url(self) -> str:
        year = self.rng.randint(2008, 2024)
        month = self.rng.randint(1, 12)
        name = self.rng.choice(("IMG_", "DSC_", "photo-", "screenshot-", "café-"))
        return f"{self.site_url}/wp-content/uploads/{year}/{month:02d}/{name}{self.rng.randint(1, 9999)}.jpg"


def pick(r: float, makers: tuple[tuple[float, Callable[[], str]], ...], default: Callable[[], str]) -> str:
    """The first maker whose cumulative limit is above r (a uniform draw in [0, 1))."""
    for limit, maker in makers:
        if r < limit:
            return maker()
    return default()


class ClassicChunks:
    """Classic-editor (pre-Gutenberg) body chunks: wpautop-style text, shortcodes, raw HTML."""

    def __init__(self, text: TextMaker) -> None:
        self.t = text
        self.rng = text.rng

    def make(self) -> str:
        r = self.rng.random()
        makers = (
            (0.40, self.paragraph),
            (0.50, self.line_broken),
            (0.56, self.caption),
            (0.60, self.gallery),
            (0.64, self.embed),
            (0.69, self.code),
            (0.73, self.plugin),
            (0.78, self.pre),
            (0.85, self.html_list),
            (0.90, self.heading),
            (0.94, self.blockquote),
            (0.97, self.image),
            (1.01, self.table),
        )
        return pick(r, makers, self.paragraph)

    def paragraph(self) -> str:
        return self.t.paragraph_text()

    def line_broken(self) -> str:
        return "\n".join(self.t.sentence() for _ in range(self.rng.randint(2, 5)))

    def caption(self) -> str:
        att = self.rng.randint(10, 99999)
        width = self.rng.choice((300, 640, 1024))
        align = self.rng.choice(("none", "center", "left", "right"))
        return (
            f'[caption id="attachment_{att}" align="align{align}"'
            f' width="{width}"]<img class="size-large wp-image-{att}" src="{self.t.image_url()}"'
            f' alt="{self.rng.choice(WORDS)}" width="{width}" height="{width * 2 // 3}" />'
            f" {self.t.sentence()}[/caption]"
        )

    def gallery(self) -> str:
        if self.rng.random() < 0.5:
            ids = ",".join(str(self.rng.randint(10, 99999)) for _ in range(self.rng.randint(2, 9)))
            return f'[gallery ids="{ids}"]'
        return f'[gallery columns="{self.rng.randint(2, 5)}" link="file" size="medium"]'

    def embed(self) -> str:
        url = self.rng.choice(EMBED_URLS)
        if self.rng.random() < 0.5:
            return f"[embed]{url}[/embed]"
        return url

    def code(self) -> str:
        lang = self.rng.choice(LANGS)
        tag = self.rng.choice(("code", "sourcecode", "code"))
        attr = "language" if tag == "sourcecode" else "lang"
        return f'[{tag} {attr}="{lang}"]\n{self.rng.choice(CODE_SNIPPETS)}\n[/{tag}]'

    def plugin(self) -> str:
        return self.rng.choice(PLUGIN_SHORTCODES)

    def pre(self) -> str:
        snippet = self.rng.choice(CODE_SNIPPETS)
        escaped = snippet.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"<pre>{escaped}</pre>"

    def html_list(self) -> str:
        tag = self.rng.choice(("ul", "ol"))
        items = "\n".join(f"\t<li>{self.t.sentence()}</li>" for _ in range(self.rng.randint(2, 6)))
        return f"<{tag}>\n{items}\n</{tag}>"

    def heading(self) -> str:
        level = self.rng.choice((2, 2, 3, 3, 4))
        return f"<h{level}>{self.t.sentence().rstrip('.?!')}</h{level}>"

    def blockquote(self) -> str:
        return f"<blockquote>{self.t.paragraph_text()}</blockquote>"

    def image(self) -> str:
        att = self.rng.randint(10, 99999)
        return (
            f'<a href="{self.t.image_url()}"><img class="alignnone size-medium wp-image-{att}"'
            f' src="{self.t.image_url()}" alt="" width="300" height="200" /></a>'
        )

    def table(self) -> str:
        rows = "\n".join(
            f"<tr><td>{self.rng.choice(WORDS)}</td><td>{self.rng.randint(1, 999)}</td></tr>"
            for _ in range(self.rng.randint(2, 5))
        )
        return f"<table>\n<tr><th>Name</th><th>Value</th></tr>\n{rows}\n</table>"


class BlockChunks:
    """Gutenberg block-editor body chunks."""

    def __init__(self, text: TextMaker) -> None:
        self.t = text
        self.rng = text.rng

    def make(self) -> str:
        r = self.rng.random()
        makers = (
            (0.45, self.paragraph),
            (0.55, self.heading),
            (0.63, self.list_block),
            (0.70, self.image),
            (0.74, self.quote),
            (0.79, self.code),
            (0.83, self.embed),
            (0.86, self.separator),
            (0.89, self.shortcode),
            (0.92, self.gallery),
            (0.95, self.columns),
            (1.01, self.html),
        )
        return pick(r, makers, self.paragraph)

    def paragraph(self) -> str:
        if self.rng.random() < 0.15:
            return (
                '<!-- wp:paragraph {"align":"center","fontSize":"large"} -->\n'
                f'<p class="has-text-align-center has-large-font-size">{self.t.paragraph_text()}</p>\n'
                "<!-- /wp:paragraph -->"
            )
        return f"<!-- wp:paragraph -->\n<p>{self.t.paragraph_text()}</p>\n<!-- /wp:paragraph -->"

    def heading(self) -> str:
        level = self.rng.choice((2, 3, 4))
        attrs = "" if level == 2 else f' {{"level":{level}}}'
        text = self.t.sentence().rstrip(".?!")
        return f'<!-- wp:heading{attrs} -->\n<h{level} class="wp-block-heading">{text}</h{level}>\n<!-- /wp:heading -->'

    def list_block(self) -> str:
        ordered = self.rng.random() < 0.3
        items = "\n\n".join(
            f"<!-- wp:list-item -->\n<li>{self.t.sentence()}</li>\n<!-- /wp:list-item -->"
            for _ in range(self.rng.randint(2, 5))
        )
        if ordered:
            return f'<!-- wp:list {{"ordered":true}} -->\n<ol>{items}</ol>\n<!-- /wp:list -->'
        return f"<!-- wp:list -->\n<ul>{items}</ul>\n<!-- /wp:list -->"

    def image(self) -> str:
        att = self.rng.randint(10, 99999)
        return (
            f'<!-- wp:image {{"id":{att},"sizeSlug":"large","linkDestination":"none"}} -->\n'
            f'<figure class="wp-block-image size-large"><img src="{self.t.image_url()}" alt=""'
            f' class="wp-image-{att}"/><figcaption class="wp-element-caption">{self.t.sentence()}'
            "</figcaption></figure>\n<!-- /wp:image -->"
        )

    def quote(self) -> str:
        return (
            '<!-- wp:quote -->\n<blockquote class="wp-block-quote"><!-- wp:paragraph -->\n'
            f"<p>{self.t.paragraph_text()}</p>\n<!-- /wp:paragraph --><cite>{self.t.sentence()}</cite>"
            "</blockquote>\n<!-- /wp:quote -->"
        )

    def code(self) -> str:
        snippet = self.rng.choice(CODE_SNIPPETS)
        escaped = snippet.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<!-- wp:code -->\n<pre class="wp-block-code"><code>{escaped}</code></pre>\n<!-- /wp:code -->'

    def embed(self) -> str:
        url = self.rng.choice(EMBED_URLS)
        return (
            f'<!-- wp:embed {{"url":"{url}","type":"rich","responsive":true}} -->\n'
            f'<figure class="wp-block-embed is-type-rich"><div class="wp-block-embed__wrapper">\n{url}\n'
            "</div></figure>\n<!-- /wp:embed -->"
        )

    def separator(self) -> str:
        return (
            '<!-- wp:separator -->\n<hr class="wp-block-separator has-alpha-channel-opacity"/>\n<!-- /wp:separator -->'
        )

    def shortcode(self) -> str:
        return f"<!-- wp:shortcode -->\n{self.rng.choice(PLUGIN_SHORTCODES)}\n<!-- /wp:shortcode -->"

    def gallery(self) -> str:
        images = "\n\n".join(
            f'<!-- wp:image {{"id":{att}}} -->\n<figure class="wp-block-image">'
            f'<img src="{self.t.image_url()}" alt="" class="wp-image-{att}"/></figure>\n<!-- /wp:image -->'
            for att in (self.rng.randint(10, 99999) for _ in range(self.rng.randint(2, 4)))
        )
        return (
            '<!-- wp:gallery {"linkTo":"none"} -->\n<figure class="wp-block-gallery has-nested-images'
            f' columns-default is-cropped">{images}</figure>\n<!-- /wp:gallery -->'
        )

    def columns(self) -> str:
        cols = "\n\n".join(
            f'<!-- wp:column -->\n<div class="wp-block-column">{self.paragraph()}</div>\n<!-- /wp:column -->'
            for _ in range(2)
        )
        return f'<!-- wp:columns -->\n<div class="wp-block-columns">{cols}</div>\n<!-- /wp:columns -->'

    def html(self) -> str:
        return (
            '<!-- wp:html -->\n<div class="custom-box" data-x="1">'
            f"<span>{self.t.sentence()}</span></div>\n<!-- /wp:html -->"
        )


@dataclass(frozen=True)
class Pools:
    classic: tuple[str, ...]
    blocks: tuple[str, ...]
    comments: tuple[str, ...]
    titles: tuple[str, ...]
    excerpts: tuple[str, ...]


def comment_text(text: TextMaker) -> str:
    r = text.rng.random()
    if r < 0.5:
        return text.sentences(1, 3)
    if r < 0.75:
        return "\n\n".join(text.sentences(1, 3) for _ in range(text.rng.randint(2, 3)))
    if r < 0.9:
        return f"{text.rich_sentence()}\n{text.sentence()}"
    return f"{text.sentence()} {text.rng.choice(EMOJI)}{text.rng.choice(EMOJI)}"


def title_text(text: TextMaker) -> str:
    r = text.rng.random()
    if r < 0.06:
        return text.rng.choice(FOREIGN_SENTENCES).rstrip("。.।")
    words = [text.word() for _ in range(text.rng.randint(2, 8))]
    title = " ".join(w.capitalize() for w in words)
    if r < 0.12:
        return f"{title} & {text.rng.choice(WORDS).capitalize()}: <Part {text.rng.randint(1, 9)}>"
    if r < 0.16:
        return f"“{title}” — {text.rng.choice(ACCENTED)} {text.rng.choice(EMOJI)}"
    return title


def build_pools(rng: random.Random, site_url: str) -> Pools:
    text = TextMaker(rng, site_url)
    classic = ClassicChunks(text)
    blocks = BlockChunks(text)
    return Pools(
        classic=tuple(cdata_safe(classic.make()) for _ in range(700)),
        blocks=tuple(cdata_safe(blocks.make()) for _ in range(700)),
        comments=tuple(cdata_safe(comment_text(text)) for _ in range(400)),
        titles=tuple(cdata_safe(title_text(text)) for _ in range(4000)),
        excerpts=tuple(cdata_safe(text.sentences(1, 2)) for _ in range(100)),
    )
