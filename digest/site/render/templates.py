"""The Jinja environment: autoescape on, undefined variables are errors, our filters.

Templates never see content as template source: Markdown is rendered to HTML
first and passed in as data, so ``{{ ... }}`` in an article stays literal text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from digest.site.config import SiteConfig
from digest.site.model.editions import day_url
from digest.site.model.urls import term_url
from digest.site.render import timeline
from digest.site.render.fragments import make_memo
from digest.site.render.structured import meta_tags, news_article
from digest.site.render.template_errors import ExplainedUndefined

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def human_date(value: datetime, tz: Any = None) -> str:
    """'20 December 2024' — English month names, never the machine's locale."""
    if tz is not None:
        value = value.astimezone(tz)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def long_day(value: date) -> str:
    """A calendar day (editions): 'Friday, 20 December 2024'."""
    return f"{WEEKDAYS[value.weekday()]}, {value.day} {MONTHS[value.month - 1]} {value.year}"


def month_year(value: date) -> str:
    """'December 2024' (month archives)."""
    return f"{MONTHS[value.month - 1]} {value.year}"


def human_time(value: datetime, tz: Any = None) -> str:
    if tz is not None:
        value = value.astimezone(tz)
    return f"{value.hour:02d}:{value.minute:02d}"


def iso(value: datetime) -> str:
    return value.isoformat()


def url_section(url: str) -> str:
    """What a navigation bar can tell about ``url`` by comparing it with "/"
    and "/<slug>/" links (equal? below?): its first segment, and whether more
    follows.  "/" -> "/", "/topics/" -> "/topics/", "/topics/x/" -> "/topics/*",
    "/404.html" -> "/404.html".  A memo key for the site header."""
    end = url.find("/", 1)
    if end < 0 or end == len(url) - 1:
        return url
    return url[:end + 1] + "*"


def per_datetime(fn: Callable[[Any], str]) -> Callable[[Any], str]:
    """``fn`` remembered per datetime object: an article's date is formatted on
    every page listing or linking it.  By identity, not equality: equal aware
    datetimes can differ in offset or fold, and so in how they print."""
    known: dict[int, tuple[datetime, str]] = {}

    def filter_(value: Any) -> str:
        if type(value) is not datetime:
            return fn(value)
        hit = known.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        text = fn(value)
        known[id(value)] = (value, text)  # the datetime kept alive: its id stays its own
        return text

    return filter_


# What json.dumps(ensure_ascii=False, separators=(",", ":")) makes anew per call
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_ld(value: Any) -> Markup:
    """JSON for a <script type=application/ld+json>: '<', '>', '&' escaped as \\u003c etc.

    so that a headline containing ``</script>`` cannot end the element.
    """
    text = _JSON.encode(value)
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return Markup(text)


def meta_elements(rows: Any) -> Markup:
    """One ``<meta {attr}="{name}" content="{content}">`` line per row of
    ``article_meta``: what a template loop over the rows writes, escaped the
    same way, in one call.  Most rows repeat from page to page (og:type, the
    site name, tags): their lines are kept (up to a bound, so the rows unique to
    an article do not pile up), and the others reuse their escaped head."""
    out: list[str] = []
    for attr, name, content in rows:
        plain = type(attr) is str and type(name) is str  # Markup is not escaped: no sharing
        line = _META_LINES.get((attr, name, content)) if plain and type(content) is str else None
        if line is None:
            head = _META_HEADS.get((attr, name)) if plain else None
            if head is None:
                # "".join, not an f-string: formatting a Markup is slow
                head = "".join(("<meta ", escape(attr), '="', escape(name), '" content="'))
                if plain:
                    _META_HEADS[(attr, name)] = head
            line = "".join((head, escape(content), '">\n'))
            if plain and type(content) is str and len(_META_LINES) < 4096:
                _META_LINES[(attr, name, content)] = line
        out.append(line)
    return Markup("".join(out))


_META_HEADS: dict[tuple[str, str], str] = {}
_META_LINES: dict[tuple[str, str, str], str] = {}


class SectionBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in a build-cache section (``store``: Jinja's
    bucket key -> its bytecode), so a build does not compile the theme again
    (0.1 s).  Not Jinja's FileSystemBytecodeCache: the section is signed with
    the user's key like the rest of the cache (cache.py), so bytecode planted
    in a site's .digest-cache/ is never run; Jinja itself drops an entry whose
    source checksum or Python version differs."""

    def __init__(self, store: dict[str, bytes]) -> None:
        self.store = store
        self.changed = False

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get(bucket.key)
        if isinstance(data, bytes):
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = bucket.bytecode_to_string()
        if self.store.get(bucket.key) != data:
            self.store[bucket.key] = data
            self.changed = True


def make_environment(loader: jinja2.BaseLoader, config: SiteConfig,
                     bytecode: SectionBytecode | None = None) -> jinja2.Environment:
    """One environment per build; templates are compiled once and cached by
    Jinja (and across builds in ``bytecode``)."""
    env = jinja2.Environment(
        loader=loader,
        bytecode_cache=bytecode,
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"]),
        undefined=ExplainedUndefined,  # strict, and says what was looked up in what
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    tz = config.tz
    env.filters["date"] = per_datetime(lambda v: human_date(v, tz))
    env.filters["time"] = per_datetime(lambda v: human_time(v, tz))
    env.filters["iso"] = per_datetime(iso)
    env.filters["json_ld"] = json_ld
    env.filters["meta_elements"] = meta_elements
    env.filters["absolute"] = lambda url: config.base_url.rstrip("/") + url
    env.filters["day"] = long_day
    env.filters["language_name"] = language_name
    env.filters["month"] = month_year
    # A label is linked from every page of its articles (thousands of times on
    # a big site) and its URL needs a slugify each time: remember them.
    env.globals["term_url"] = lru_cache(maxsize=None)(
        lambda tax, label: term_url(tax, label, config))
    env.globals["edition_url"] = lambda article: day_url(article.date.astimezone(tz).date())
    env.globals["article_ld"] = lambda article: news_article(article, config)
    env.globals["article_meta"] = lambda article: meta_tags(article, config)
    env.globals["site"] = config
    # An edition's mail (email.html's <title>, the Subject of `digest email`)
    env.globals["email_subject"] = lambda when: config.email.subject_for(config.title, when)
    env.globals["timeline"] = timeline.jinja_global(tz)
    env.globals["url_section"] = url_section
    forget_pieces(env)
    return env


def forget_pieces(env: jinja2.Environment) -> None:
    """Fresh ``memo``/``memoised`` filters (render/fragments.py) for ``env``: its
    remembered pieces hold one build's records.  ``digest serve`` keeps one
    environment across builds for its previews and calls this per build, so
    old records are freed and no piece of an older site is shown."""
    # {{ macro | memo(args) }}, {% set m = macro | memoised %}
    env.filters["memo"], env.filters["memoised"] = make_memo()


# Each language's name in itself, for a page's language switch (a reader
# looks for their own language's name); other codes show as written.
_ENDONYMS = {
    "ar": "العربية", "be": "Беларуская", "cs": "Čeština", "da": "Dansk", "de": "Deutsch",
    "el": "Ελληνικά", "en": "English", "es": "Español", "et": "Eesti", "fa": "فارسی",
    "fi": "Suomi", "fr": "Français", "he": "עברית", "hi": "हिन्दी", "hu": "Magyar",
    "id": "Bahasa Indonesia", "it": "Italiano", "ja": "日本語", "ka": "ქართული", "kk": "Қазақ тілі",
    "ko": "한국어", "lt": "Lietuvių", "lv": "Latviešu", "nl": "Nederlands", "no": "Norsk",
    "pl": "Polski", "pt": "Português", "ro": "Română", "ru": "Русский", "sk": "Slovenčina",
    "sv": "Svenska", "tr": "Türkçe", "uk": "Українська", "vi": "Tiếng Việt", "zh": "中文",
}


def language_name(code: str) -> str:
    """A language's own name (``ja``: 日本語, ``pt-BR``: Português (pt-BR)),
    else its code."""
    name = _ENDONYMS.get(code.split("-", 1)[0].casefold())
    if name is None:
        return code
    return name if "-" not in code else f"{name} ({code})"
