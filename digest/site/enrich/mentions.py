"""Link agency "related headlines" (mentions) to the site's own articles.

A clipping's rubric trailer lists headlines by title only.  When a title
matches an article of the site, after normalising the typographic noise that
differs between an agency's trailer and its headline (quotes, dashes, case,
spacing, a trailing full stop), the mention gets that article's URL.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from digest.site.records import Article, Mention

_QUOTES = "‘’‚‛“”„‟«»‹›\"'`´"
_DASHES = "‐‑‒–—―−-"
_TABLE = str.maketrans({**{q: '"' for q in _QUOTES}, **{d: "-" for d in _DASHES}, "ё": "е"})
_SPACE_DASH = re.compile(r"\s*-\s*")


def normalize_title(title: str) -> str:
    """Comparable form of a headline.

    NFKC and casefold, every quote mark as ``"``, every dash as ``-`` (spaces
    around a dash dropped: "A — B" and "A-B" are typed both ways), runs of
    whitespace collapsed, trailing punctuation stripped.
    """
    text = unicodedata.normalize("NFKC", title).casefold().translate(_TABLE)
    text = _SPACE_DASH.sub("-", " ".join(text.split()))
    end = len(text)
    while end and (unicodedata.category(text[end - 1]).startswith("P") or text[end - 1].isspace()):
        end -= 1
    return text[:end]


def resolve_mentions(articles: tuple[Article, ...]) -> tuple[Article, ...]:
    """Fill ``Mention.url`` where a mention's title matches a site article."""
    return tuple(art if mentions is art.mentions else replace(art, mentions=mentions)
                 for art, mentions in zip(articles, mention_fields(articles), strict=True))


def mention_fields(articles: Sequence[Article]) -> list[tuple[Mention, ...]]:
    """``mentions`` of each article with URLs filled in, in input order.

    An article whose mentions do not change gets its own tuple back.
    """
    return mention_pass(articles)[0]


def mention_pass(articles: Sequence[Article]) -> tuple[list[tuple[Mention, ...]], list[str]]:
    """:func:`mention_fields`, and each article's :func:`normalize_title`."""
    titles = [normalize_title(a.title) for a in articles]
    by_title = title_index(titles)
    return [resolve_article(i, articles, by_title) for i in range(len(articles))], titles


def title_index(titles: Sequence[str]) -> dict[str, list[int]]:
    """Normalised headline -> indexes of the articles that have it, in order."""
    by_title: dict[str, list[int]] = {}
    for i, key in enumerate(titles):
        if key:
            by_title.setdefault(key, []).append(i)
    return by_title


def resolve_article(i: int, articles: Sequence[Article],
                    by_title: Mapping[str, list[int]]) -> tuple[Mention, ...]:
    """``articles[i].mentions`` with URLs filled in (its own tuple if unchanged)."""
    art = articles[i]
    if not art.mentions:
        return art.mentions
    mentions = tuple(_resolve(m, i, articles, by_title) for m in art.mentions)
    return mentions if mentions != art.mentions else art.mentions


def _resolve(mention: Mention, owner: int, articles: Sequence[Article],
             by_title: Mapping[str, list[int]]) -> Mention:
    # An article never links to itself: its own headline in its own trailer
    # is the agency repeating it.
    matches = [articles[j] for j in by_title.get(normalize_title(mention.title), ())
               if j != owner]
    if not matches:
        return mention
    # Undated trailers list headlines from around the clipping's own date.
    when: datetime = mention.date or articles[owner].date
    best = min(matches, key=lambda a: (abs(a.date - when), a.date, a.url))
    return mention if mention.url == best.url else replace(mention, url=best.url)
