"""Article digests: what each article contributes to page fingerprints.

Four digests per article, each extending the one before: CARD (its fields but
the body-derived ones and the links to other articles), LINKS (+ those
links), FULL (+ the body-derived ones), and FEED (CARD + the body-derived
ones: feeds show no links).  render/fingerprint.py combines them into page
fingerprints; :class:`LastDigests` keeps a build's digests for the next one.

Which field is which is declared once, on Article (digest/site/records.py: each
field's role, and its ``body``, ``links`` and ``model`` flags).
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from digest.site.records import (
    BODY_FIELDS,
    DERIVED,
    LINK_FIELDS,
    LOCAL_FIELDS,
    MODEL_FIELDS,
    Article,
)


def short_hash(*parts: str) -> str:
    """One 32-hex-digit hash of ``parts`` (joined by a separator no part holds)."""
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


_FIELDS = tuple(f.name for f in dataclasses.fields(Article))


def _getter(names: tuple[str, ...]) -> Callable[[Article], object]:
    """operator.attrgetter of ``names`` (one name: its value; none: ())."""
    return operator.attrgetter(*names) if names else (lambda a: ())


# DERIVED: the fields the pipeline sets after parsing (model.urls.assign_urls:
# url; enrich.with_fields: the rest); every other field of a published article
# is the parsed article's own (tests/unit/render/test_fingerprint.py checks it
# on a built site, and article_digests checks it for each article: one
# C-level comparison of the same objects).
_source = _getter(tuple(n for n in _FIELDS if n not in DERIVED))
_NOT_CARD = frozenset((*BODY_FIELDS, *LINK_FIELDS))
_links = _getter(LINK_FIELDS)
# The body and link fields model.assemble reads (declared model=True; every
# other field it reads is in the card digests): tests/unit/test_field_roles.py
# records what it reads.
_assembled = _getter(MODEL_FIELDS)
# LOCAL_FIELDS are a function of the source bytes, "now" and the settings, as
# parsing is (enrichcache keeps them by the same tag): for an article with a
# source id they are digested once per source, the card ones kept in ``cards``.
_card_local = _getter(tuple(n for n in LOCAL_FIELDS if n not in _NOT_CARD))
# The other derived card fields (url) are digested as they are, each build.
_card_site = _getter(tuple(n for n in DERIVED if n not in _NOT_CARD and n not in LOCAL_FIELDS))
# A body field must be parsed or local (records.local(body=...)): in the source id.
assert {n for n in DERIVED if n in BODY_FIELDS} <= set(LOCAL_FIELDS)
_card_source = operator.attrgetter(*(n for n in _FIELDS
                                     if n not in DERIVED and n not in _NOT_CARD))
_card_whole = operator.attrgetter(*(n for n in _FIELDS if n not in _NOT_CARD))


@dataclass(slots=True)
class Digests:
    """URL -> digest of each article: ``full`` (every field), ``links``
    (every field but the body-derived ones), ``card`` (nor the links) and
    ``feed`` (every field but the links: feeds show no related articles)."""

    full: dict[str, str]
    links: dict[str, str]
    card: dict[str, str]
    feed: dict[str, str] = dataclasses.field(default_factory=dict)  # all but the links
    cards: dict[str, tuple[str, str, str]] = dataclasses.field(default_factory=dict)
    # The body and link fields model.assemble reads (records.MODEL_FIELDS:
    # editions group by story and list the lead's also_reported) of every
    # article, in order, in one hash.
    structure: str = ""


class ParsedFrom(NamedTuple):
    """Where an article's parsed fields came from: the article as parsed, the
    hash of its source bytes and, when its year was inferred from it, "now"
    (parsing is a function of these and the settings)."""

    article: Article
    sha: str
    now: str | None = None

    @property
    def id(self) -> str:
        """The source's id in the ``cards`` cache section and the body cache."""
        return f"{self.sha}|{self.now}"


def article_digests(articles: Sequence[Article],
                    sources: Mapping[str, ParsedFrom] | None = None,
                    cards: Mapping[str, tuple[str, ...]] | None = None) -> Digests:
    """Both digests of every (enriched) article.

    ``repr``, not pickle: pickle's bytes depend on which values happen to be the
    same object (memo references), which differs between a fresh parse and one
    read back from the cache; the dataclass repr depends on values alone.

    ``sources`` maps an article's key to where it was parsed from (ParsedFrom).  Parsing is a function of the path,
    those bytes, "now" (when the year was inferred) and the settings (part of
    every fingerprint), and so is the local enrichment (LOCAL_FIELDS: terms,
    summary, word count, reading time).  So, when its parsed fields are still
    the parsed ones, such an article's full digest is that id plus its URL and
    links, and its card digest covers an id of its parsed fields but the body,
    an id of its local fields but the body-derived ones, and its URL.  Both ids
    are made once per source: ``cards`` (key -> (source id, parsed card id,
    local card id)) are the last build's, the result's ``cards`` this build's,
    for the cache.  An article per build then costs the repr of its links
    instead of every value it has.
    """
    sources = sources or {}
    cards = cards or {}
    new_cards: dict[str, tuple[str, str, str]] = {}
    full: dict[str, str] = {}
    links: dict[str, str] = {}
    card: dict[str, str] = {}
    feed: dict[str, str] = {}
    blake = hashlib.blake2b
    assembled = []
    for a in articles:
        assembled.append(repr(_assembled(a)))
        hit = sources.get(a.key)
        if hit is not None and _source(a) != _source(hit.article):
            hit = None  # a parsed field changed after parsing: digest it whole
        if hit is None:
            card_text = "W" + repr(_card_whole(a))
            full_tail = "W" + repr(a)
        else:
            parsed, source_id = hit.article, hit.id
            key = a.key
            entry = cards.get(key)
            if entry is None or entry[0] != source_id or len(entry) != 3:
                entry = (source_id, short_hash(repr(_card_source(parsed))),
                         short_hash(repr(_card_local(a))))
            new_cards[key] = entry
            card_text = f"S\x1f{key}\x1f{entry[1]}\x1f{entry[2]}\x1f{_card_site(a)!r}"
            full_tail = f"S\x1f{source_id}"
        # each digest extends the one before: CARD, + links, + the rest
        card_digest = blake(card_text.encode("utf-8", "surrogatepass"),
                            digest_size=16).hexdigest()
        links_digest = blake(f"{card_digest}\x1f{_links(a)!r}".encode("utf-8", "surrogatepass"),
                             digest_size=16).hexdigest()
        card[a.url] = card_digest
        links[a.url] = links_digest
        tail = f"\x1f{full_tail}".encode("utf-8", "surrogatepass")
        full[a.url] = blake(links_digest.encode() + tail, digest_size=16).hexdigest()
        feed[a.url] = blake(card_digest.encode() + tail, digest_size=16).hexdigest()
    return Digests(full=full, links=links, card=card, feed=feed, cards=new_cards,
                   structure=short_hash(*assembled))


@dataclass(frozen=True, slots=True)
class LastDigests:
    """The article digests of the build that wrote the previous fingerprints
    (kept with them in the cache's ``pages`` record), and the global
    fingerprint they were made under."""

    key: str
    card: Mapping[str, str]  # URL -> card digest, in the site's order
    full: Mapping[str, str]  # URL -> full digest
    structure: str           # Digests.structure

    @staticmethod
    def of(key: str, digests: Digests) -> LastDigests:
        return LastDigests(key, digests.card, digests.full, digests.structure)

    def to_data(self) -> dict:
        return {"key": self.key, "card": dict(self.card), "full": dict(self.full),
                "structure": self.structure}

    @staticmethod
    def from_data(data: object) -> LastDigests | None:
        if not isinstance(data, dict):
            return None
        key, card, full = data.get("key"), data.get("card"), data.get("full")
        structure = data.get("structure")
        if isinstance(key, str) and isinstance(card, dict) and isinstance(full, dict) \
                and isinstance(structure, str):
            return LastDigests(key, card, full, structure)
        return None
