"""One label per term: spellings that differ only in case are one term.

Front matter, agencies and clipping rubrics name terms as their writers spell
them: ``tags: [Gas]`` in one note, ``tags: [gas]`` in another.  Both fold to
the same slug, so left apart they would be two terms fighting over one page.

Each article's labels are chosen on their own (digest.site.enrich.taxonomy,
written spellings already in NFC with spaces collapsed); this site-wide step
then gives every spelling of a term one label: the vocabulary's (a term of
the taxonomy, or an agency's name for ``sources``) when it has one, else the
spelling of the oldest article using the term (ties: the sorted path).  It
runs after the site-wide enrichment, which sees each article's own labels:
related links and stories compare terms casefolded (related.term_keys,
stories.story_terms), exactly as :func:`spelling_key` does, so they do not
depend on which spelling wins, and the incremental update stays exact.
The choice itself is recomputed from every article on every build (a pass
over the terms, no text): an edit anywhere can change it.

"Differ only in case" means equal after Unicode NFC and ``str.casefold``.
Compatibility forms (full-width letters, ligatures) and ``ё``/``е`` are not
folded here; slugs fold them, so such labels meet at one URL and the build
stops with an error naming both (model.indexes.check_term_slugs).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from digest.site.config import SiteConfig
from digest.site.records import Article

# Where a taxonomy's labels are written in front matter (for lines and hints).
FIELD_KEYS = {"tags": "tags", "sources": "source", "sections": "section"}


def written(label: str) -> str:
    """A label as written, in one canonical form: NFC, spaces collapsed."""
    label = " ".join(label.split())
    return label if label.isascii() else unicodedata.normalize("NFC", label)


def spelling_key(label: str) -> str:
    """Two labels are one term when their keys are equal (see the module docstring)."""
    return written(label).casefold()


@dataclass(frozen=True, slots=True)
class Variant:
    """A term spelt more than one way: the label shown and who wrote what."""

    taxonomy: str
    label: str
    by_spelling: Mapping[str, tuple[str, ...]]  # spelling -> paths, oldest article first


@dataclass(frozen=True, slots=True)
class Spellings:
    """The label chosen for every term written more than one way."""

    labels: Mapping[tuple[str, str], str]  # (taxonomy, spelling_key) -> label
    variants: tuple[Variant, ...]

    @property
    def signature(self) -> str:
        """Changes whenever a choice does: part of every page's fingerprint, since
        an article's shown terms then depend on other articles too."""
        if not self.labels:
            return ""
        text = "\x1f".join(f"{t}\x1e{k}\x1e{v}" for (t, k), v in sorted(self.labels.items()))
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _vocabulary(config: SiteConfig) -> dict[str, set[str]]:
    labels = {tax.name: {term.label for term in tax.terms} for tax in config.taxonomies}
    labels.setdefault("sources", set()).update(agency.name for agency in config.agencies)
    return labels


_NONE: frozenset[str] = frozenset()


def _uses(art: Article, labels: Mapping[str, set[str]]) -> bool:
    """Whether ``art`` has any of ``labels`` (taxonomy -> labels)."""
    return any(not labels.get(tax, _NONE).isdisjoint(values)
               for tax, values in art.terms.items() if values)


def choose(articles: Sequence[Article], config: SiteConfig) -> Spellings:
    """The label of every term with several spellings among ``articles``' terms."""
    # Distinct labels first (set updates, in C): most sites have no variants,
    # and then no article is looked at twice (10,000 articles: ~10 ms, not ~150).
    distinct: dict[str, set[str]] = {}
    for art in articles:
        for tax, labels in art.terms.items():
            if labels:
                found = distinct.get(tax)
                if found is None:
                    found = distinct[tax] = set()
                found.update(labels)
    groups: dict[tuple[str, str], list[str]] = {}
    for tax, labels in distinct.items():
        for label in labels:
            groups.setdefault((tax, label.casefold()), []).append(label)
    variant: dict[str, set[str]] = {}  # taxonomy -> its labels spelt more than one way
    for (tax, _), labels in groups.items():
        if len(labels) > 1:
            variant.setdefault(tax, set()).update(labels)
    if not variant:
        return Spellings({}, ())
    # First seen = oldest article, then path: never input or worker order.
    users = sorted((a for a in articles if _uses(a, variant)),
                   key=lambda a: (a.date.timestamp(), str(a.path)))
    seen: dict[tuple[str, str], dict[str, list[str]]] = {}
    for art in users:
        for tax, labels in art.terms.items():
            spelt = variant.get(tax, _NONE)
            for label in labels:  # in order, not a set's: the first spelling is kept
                if label in spelt:
                    spellings = seen.setdefault((tax, label.casefold()), {})
                    spellings.setdefault(label, []).append(str(art.path))
    vocabulary = _vocabulary(config)
    chosen: dict[tuple[str, str], str] = {}
    variants = []
    for (tax, key), spellings in sorted(seen.items()):
        known = sorted(s for s in spellings if s in vocabulary.get(tax, ()))
        label = known[0] if known else next(iter(spellings))
        chosen[(tax, key)] = label
        variants.append(Variant(tax, label, {s: tuple(p) for s, p in spellings.items()}))
    return Spellings(chosen, tuple(variants))


def relabel(articles: Sequence[Article], spellings: Spellings) -> tuple[Article, ...]:
    """``articles`` with every term shown by its chosen label (the others untouched).

    The order of an article's labels is kept: it sorts them casefolded, and a
    chosen label folds like the spelling it replaces.
    """
    from digest.site.recordcopy import evolve

    if not spellings.labels:
        return tuple(articles)
    labels = spellings.labels
    changing: dict[str, set[str]] = {}
    for var in spellings.variants:
        changing.setdefault(var.taxonomy, set()).update(
            s for s in var.by_spelling if s != var.label)
    return tuple(evolve(art, {"terms": {
        tax: tuple(labels.get((tax, label.casefold()), label) for label in values)
        for tax, values in art.terms.items()}}) if _uses(art, changing) else art
        for art in articles)


@dataclass(frozen=True, slots=True)
class Respelt:
    """One file that spells a term otherwise than the label shown."""

    path: str
    taxonomy: str
    spelling: str
    label: str
    elsewhere: tuple[str, ...]  # files that spell it as shown

    def message(self) -> str:
        more = ", ".join(self.elsewhere[:3]) + (" ..." if len(self.elsewhere) > 3 else "")
        return (f'{self.taxonomy}: "{self.spelling}" is written "{self.label}" elsewhere '
                f'({more or "the vocabulary"}); shown as "{self.label}"')

    def hint(self) -> str:
        key = FIELD_KEYS.get(self.taxonomy, self.taxonomy)
        where = ("an agency (agencies: - name: ...)" if self.taxonomy == "sources"
                 else f"a term of taxonomies.{self.taxonomy}.terms")
        return (f'spell it "{self.label}" in `{key}:` here, or make the label you want '
                f"{where} in digest.yaml: then every case of it shows that label")


def respelt(spellings: Spellings) -> list[Respelt]:
    """Every file whose spelling of a term is not the label shown, by path."""
    out = []
    for var in spellings.variants:
        elsewhere = var.by_spelling.get(var.label, ())
        for spelling, paths in var.by_spelling.items():
            if spelling != var.label:
                out += [Respelt(p, var.taxonomy, spelling, var.label, elsewhere)
                        for p in dict.fromkeys(paths)]
    return sorted(out, key=lambda r: (r.path, r.taxonomy, r.spelling.casefold(), r.spelling))
