"""Feed ids and article digests, made in forked processes while the build
enriches and assembles the site.

In an incremental build they are the render stage's biggest serial steps
(~0.1 s and ~0.2 s at 10,000 articles), while the second core idles through
enrichment and assembly.  Feed ids depend on parsed fields only (date,
agency, source URL, ``id:``, path), so one process makes them from the
articles with their URLs, during enrichment; article digests need the
enriched articles, so another makes them during assembly.  The children
send back plain lists (no Article objects), which the parent turns back into
the mappings render expects.

The site's order is model.sort_newest_first's, which the digests' child
applies to the same articles; :meth:`EarlyWork.result` checks that
``site.articles`` is that very order (else, or with one job, everything is
computed in the parent, as before).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping

from digest.engine.digests import Digests, ParsedFrom, article_digests
from digest.engine.parallel import Later, start
from digest.errors import DigestError
from digest.site.config import SiteConfig
from digest.site.model import sort_newest_first
from digest.site.records import Article
from digest.site.render.feeds import entry_ids, id_collisions


def _ids_work(articles: tuple[Article, ...], config: SiteConfig) -> tuple:
    """In a child: feed ids aligned with ``articles``, and the collision groups
    in the order render's id_collisions would list them."""
    try:
        ids = entry_ids(articles, config)
    except DigestError as exc:  # its diagnostics travel as data (see result())
        return ("error", exc.diagnostics)
    return ("ok", [ids[a.key] for a in articles], _newest_first(id_collisions(articles), articles))


def _newest_first(groups: list[tuple[str, ...]], articles: tuple[Article, ...]
                  ) -> list[tuple[str, ...]]:
    """``groups`` (id_collisions of ``articles`` in any order) in the order
    id_collisions lists them for model.sort_newest_first(articles): a group
    comes where its newest member (then lowest URL) first appears."""
    if not groups:
        return groups
    by_key = {a.key: a for a in articles}
    return sorted(groups, key=lambda keys: min((-by_key[k].date.timestamp(), by_key[k].url)
                                               for k in keys))


def _digests_work(ordered: tuple[Article, ...], sources: Mapping[str, ParsedFrom],
                  cards: Mapping[str, tuple[str, ...]]) -> tuple:
    """In a child: the article digests, as lists aligned with ``ordered``."""
    d = article_digests(ordered, sources, cards)
    # A card entry that is the one read from the cache travels as None: the
    # parent puts back its own object (and the cache sees an unchanged section).
    new_cards = [None if d.cards.get(a.key) is cards.get(a.key) else d.cards.get(a.key)
                 for a in ordered]
    return ([d.full[a.url] for a in ordered], [d.links[a.url] for a in ordered],
            [d.card[a.url] for a in ordered], [d.feed[a.url] for a in ordered],
            new_cards, [a.key in d.cards for a in ordered], d.structure)


class EarlyWork:
    """Feed ids being made (:func:`start_early`), then article digests
    (:meth:`start_digests`)."""

    def __init__(self, articles: tuple[Article, ...], ids: Later, jobs: int) -> None:
        self._keys = [a.key for a in articles]
        self._ids = ids
        self._jobs = jobs
        self._ordered: tuple[Article, ...] | None = None
        self._digests: Later | None = None
        self._cards: Mapping[str, tuple[str, ...]] = {}
        self._collisions: tuple[tuple[Article, ...], list[tuple[str, ...]]] | None = None

    def start_digests(self, published: tuple[Article, ...],
                      sources: Mapping[str, ParsedFrom],
                      cards: Mapping[str, tuple[str, ...]]) -> None:
        """Start the digests of ``published`` (enriched: the site's articles)."""
        ordered = sort_newest_first(published)
        self._ordered, self._cards = ordered, cards
        self._digests = start(lambda: _digests_work(ordered, sources, cards), self._jobs,
                              what="computing article digests")

    def result(self, articles: tuple[Article, ...]
               ) -> tuple[dict[str, str], Digests] | None:
        """(feed ids, article digests) of ``articles`` (the site's), or None
        when they are not the articles the digests were made of, in that
        order (or no digests were started).  Raises the DigestError of a
        duplicate ``id:`` as entry_ids would."""
        packed = self._ids.result()
        if packed[0] == "error":
            self.cancel()
            raise DigestError(packed[1])
        ordered, later = self._ordered, self._digests
        if later is None or ordered is None:
            return None
        if len(articles) != len(ordered) or not all(map(operator.is_, articles, ordered)) \
                or set(self._keys) != {a.key for a in articles}:
            self.cancel()
            return None
        full, links, card, feed, new_cards, has_card, structure = later.result()
        _, ids, collisions = packed
        keys = [a.key for a in articles]
        urls = [a.url for a in articles]
        old = self._cards
        cards = {key: (entry if entry is not None else old[key])
                 for key, entry, has in zip(keys, new_cards, has_card, strict=True) if has}
        self._collisions = (articles, collisions)
        return (dict(zip(self._keys, ids, strict=True)),
                Digests(full=dict(zip(urls, full, strict=True)),
                        links=dict(zip(urls, links, strict=True)),
                        card=dict(zip(urls, card, strict=True)),
                        feed=dict(zip(urls, feed, strict=True)),
                        cards=cards, structure=structure))

    def collisions_of(self, articles: tuple[Article, ...]) -> list[tuple[str, ...]] | None:
        """feeds.id_collisions(``articles``), when :meth:`result` had them made
        for this very tuple (else None)."""
        made = self._collisions
        return list(made[1]) if made is not None and made[0] is articles else None

    def cancel(self) -> None:
        """Stop what is still running (a failed build; a result not wanted)."""
        self._ids.cancel()
        if self._digests is not None:
            self._digests.cancel()


def start_early(articles: tuple[Article, ...], config: SiteConfig, jobs: int) -> EarlyWork:
    """Start making the feed ids of ``articles`` (parsed, with URLs: the
    published ones) in a forked process (inline with ``jobs`` == 1)."""
    return EarlyWork(articles, start(lambda: _ids_work(articles, config), jobs,
                                     what="computing feed ids"), jobs)
