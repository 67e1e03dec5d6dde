"""The Jinja environment: autoescape on, undefined variables are errors, our filters.

Templates never see content as template source: Markdown is rendered to HTML
first and passed in as data, so ``{{ ... }}`` in an article stays literal text.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from digest.config import SiteConfig
from digest.model.editions import day_url
from digest.model.urls import term_url
from digest.render import timeline
from digest.render.structured import meta_tags, news_article

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


def json_ld(value: Any) -> Markup:
    """JSON for a <script type=application/ld+json>: '<', '>', '&' escaped as \\u003c etc.

    so that a headline containing ``</script>`` cannot end the element.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return Markup(text)


def make_environment(loader: jinja2.BaseLoader, config: SiteConfig) -> jinja2.Environment:
    """One environment per build; templates are compiled once and cached by Jinja."""
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    tz = config.tz
    env.filters["date"] = lambda v: human_date(v, tz)
    env.filters["time"] = lambda v: human_time(v, tz)
    env.filters["iso"] = iso
    env.filters["json_ld"] = json_ld
    env.filters["absolute"] = lambda url: config.base_url.rstrip("/") + url
    env.filters["day"] = long_day
    env.filters["month"] = month_year
    # A label is linked from every page of its articles (thousands of times on
    # a big site) and its URL needs a slugify each time: remember them.
    env.globals["term_url"] = lru_cache(maxsize=None)(
        lambda tax, label: term_url(tax, label, config))
    env.globals["edition_url"] = lambda article: day_url(article.date.astimezone(tz).date())
    env.globals["article_ld"] = lambda article: news_article(article, config)
    env.globals["article_meta"] = lambda article: meta_tags(article, config)
    env.globals["site"] = config
    env.globals["timeline"] = timeline.jinja_global(tz)
    return env
