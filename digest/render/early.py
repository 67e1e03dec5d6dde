"""Feed ids and article digests, made in a forked process while the build
assembles the site (model.assemble) and sets up the templates.

Both are functions of the enriched articles alone, and in an incremental
build they are the render stage's biggest serial steps (~0.1 s and ~0.2 s at
10,000 articles), while assembling (~0.2 s) leaves the second core idle.
The child sends back plain lists in the site's order (no Article objects),
which the parent turns back into the mappings render expects.

The site's order is model.sort_newest_first's, which the child applies to the
same articles; :meth:`EarlyWork.result` checks that ``site.articles`` is that
very order (else, or with one job, everything is computed here, as before).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping

from digest.config import SiteConfig
from digest.errors import DigestError
from digest.model import sort_newest_first
from digest.parallel import Later, start
from digest.records import Article
from digest.render.digests import Digests, article_digests
from digest.render.feeds import entry_ids, id_collisions, remember_collisions


def _work(ordered: tuple[Article, ...], config: SiteConfig,
          sources: Mapping[str, tuple[Article, str]], cards: Mapping[str, tuple[str, ...]]
          ) -> tuple:
    """In the child: the values, as lists aligned with ``ordered``."""
    try:
        ids = entry_ids(ordered, config)
    except DigestError as exc:  # its diagnostics travel as data (see result())
        return ("error", exc.diagnostics)
    collisions = id_collisions(ordered)
    d = article_digests(ordered, sources, cards)
    # A card entry that is the one read from the cache travels as None: the
    # parent puts back its own object (and the cache sees an unchanged section).
    new_cards = [None if d.cards.get(a.key) is cards.get(a.key) else d.cards.get(a.key)
                 for a in ordered]
    return ("ok", [ids[a.key] for a in ordered], collisions,
            [d.full[a.url] for a in ordered], [d.links[a.url] for a in ordered],
            [d.card[a.url] for a in ordered], [d.feed[a.url] for a in ordered],
            new_cards, [a.key in d.cards for a in ordered], d.structure)


class EarlyWork:
    """:func:`start_early`'s pending result."""

    def __init__(self, ordered: tuple[Article, ...], later: Later,
                 cards: Mapping[str, tuple[str, ...]]) -> None:
        self._ordered, self._later, self._cards = ordered, later, cards

    def result(self, articles: tuple[Article, ...]
               ) -> tuple[dict[str, str], Digests] | None:
        """(feed ids, article digests) of ``articles`` (the site's), or None
        when they are not the articles the child worked on, in its order.
        Raises the DigestError of a duplicate ``id:`` as entry_ids would."""
        packed = self._later.result()
        if packed[0] == "error":
            raise DigestError(packed[1])
        if len(articles) != len(self._ordered) \
                or not all(map(operator.is_, articles, self._ordered)):
            return None
        _, ids, collisions, full, links, card, feed, new_cards, has_card, structure = packed
        keys = [a.key for a in articles]
        urls = [a.url for a in articles]
        old = self._cards
        cards = {key: (entry if entry is not None else old[key])
                 for key, entry, has in zip(keys, new_cards, has_card, strict=True) if has}
        remember_collisions(articles, collisions)
        return (dict(zip(keys, ids, strict=True)),
                Digests(full=dict(zip(urls, full, strict=True)),
                        links=dict(zip(urls, links, strict=True)),
                        card=dict(zip(urls, card, strict=True)),
                        feed=dict(zip(urls, feed, strict=True)),
                        cards=cards, structure=structure))

    def cancel(self) -> None:
        self._later.cancel()


def start_early(published: tuple[Article, ...], config: SiteConfig,
                sources: Mapping[str, tuple[Article, str]],
                cards: Mapping[str, tuple[str, ...]], jobs: int) -> EarlyWork:
    """Start computing the feed ids and article digests of ``published``
    (enriched, with URLs) in a forked process (inline with ``jobs`` == 1)."""
    ordered = sort_newest_first(published)
    return EarlyWork(ordered, start(lambda: _work(ordered, config, sources, cards), jobs),
                     cards)
