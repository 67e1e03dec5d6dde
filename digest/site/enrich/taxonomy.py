"""Tagging articles with the curated vocabulary of ``digest.yaml``.

:func:`compile_matcher` turns every alias into one regular expression built
from a character trie, compiled once per build.  A plain ``a|b|c``
alternation makes the regex engine retry thousands of branches at every
position (~40x slower on 2,000 aliases); the trie shares prefixes, so at each
position the engine follows a single path.  Greedy optional groups in the
trie give the longest alias at a position, and non-overlapping scanning
gives leftmost-first, so "Vladimir Putin" is one mention of Putin, not two,
and "nuclear power" beats "power".

Text and aliases are normalised alike (:func:`digest.site.vocabulary.match_form`):
NFKC, casefold, unified quotes and dashes, ``ё`` -> ``е``, separators unified.
Case-sensitive aliases (acronyms) get their own small regex over the
unfolded text; every step keeps offsets, so overlaps between the two kinds
are resolved by position.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cached_property

from digest.site.config import AgencyConfig, SiteConfig, TaxonomyConfig, Term
from digest.site.enrich.spellings import spelling_key, written
from digest.site.records import Article
from digest.site.vocabulary import fold, match_form, normalize, separate

TermKey = tuple[str, str]  # (taxonomy name, term label)
Hit = tuple[int, int, tuple[int, ...]]  # start, end, term ids

# Link targets, HTML tags and URLs are not prose: "/energy/" in a URL is not a
# mention.  They are blanked (same length) so match offsets stay valid.  Each
# pattern starts with a literal, which the regex engine finds with a fast scan;
# one combined pattern without a literal prefix cost ~40 us per article.
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_TAG = re.compile(r"<[^<>\n]*>")
_URL_TAIL = re.compile(r"://\S*")


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    parts, pos = [], 0
    for start, end in spans:
        if start >= pos:
            parts += (text[pos:start], " " * (end - start))
            pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _non_prose(text: str) -> str:
    if "](" in text:
        text = _blank(text, (m.span() for m in _LINK_TARGET.finditer(text)))
    if "<" in text:
        text = _blank(text, (m.span() for m in _TAG.finditer(text)))
    if "://" in text:
        def url(m: re.Match[str]) -> tuple[int, int]:
            start = m.start()
            while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(<[":
                start -= 1  # back to the scheme: "https"
            return start, m.end()
        text = _blank(text, (url(m) for m in _URL_TAIL.finditer(text)))
    return text


def plural(alias: str) -> str:
    """Regular English plural of the last word: gas->gases, refinery->refineries."""
    low = alias.lower()
    if low.endswith(("s", "x", "z", "ch", "sh")):
        return alias + "es"
    if low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        return alias[:-1] + "ies"
    return alias + "s"


def _trie_pattern(forms: Iterable[str]) -> str:
    """One regex matching `` `` + any of ``forms``, longest first, ending at a word end."""
    root: dict = {}
    for form in forms:
        node = root
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}
    if not root:
        return r"(?!x)x"  # matches nothing

    def emit(node: dict) -> str:
        alts = [(" +" if ch == " " else re.escape(ch)) + emit(child)
                for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        group = "(?:" + "|".join(alts) + ")"
        if "" in node:
            # A word may end here; the greedy "?" still tries the longer alias first.
            return "(?:" + "|".join(alts) + "|)"
        return alts[0] if len(alts) == 1 else group

    # The leading literal space is the word-start boundary (the scanned text is
    # prefixed with one); a literal prefix lets the engine jump between words.
    return " " + emit(root) + r"(?!\w)"


def _scannable(prepared: str, *, casefold: bool) -> str:
    return " " + separate(fold(prepared) if casefold else prepared)


def _lookup(table: Mapping[str, tuple[int, ...]], matched: str) -> tuple[int, ...]:
    ids = table.get(matched)
    if ids is None:  # the regex accepts runs of spaces between words
        ids = table.get(" " + " ".join(matched.split()), ())
    return ids


def _leftmost_longest(hits: list[Hit]) -> list[Hit]:
    out: list[Hit] = []
    end = -1
    for hit in sorted(hits, key=lambda h: (h[0], -h[1])):
        if hit[0] >= end:
            out.append(hit)
            end = hit[1]
    return out


class _Table:
    """Forms -> term ids plus their compiled regexes (one per case mode)."""

    def __init__(self) -> None:
        self.ci: dict[str, list[int]] = {}
        self.cs: dict[str, list[int]] = {}

    def add(self, tid: int, ci: list[str], cs: list[str]) -> None:
        for table, forms in ((self.ci, ci), (self.cs, cs)):
            for form in forms:
                ids = table.setdefault(" " + form, [])
                if tid not in ids:
                    ids.append(tid)

    def compile(self) -> tuple[dict, re.Pattern[str], dict, re.Pattern[str] | None]:
        ci = {k: tuple(v) for k, v in self.ci.items()}
        cs = {k: tuple(v) for k, v in self.cs.items()}
        return (ci, re.compile(_trie_pattern(k[1:] for k in ci)), cs,
                re.compile(_trie_pattern(k[1:] for k in cs)) if cs else None)


def _forms(term: Term) -> tuple[list[str], list[str]]:
    cs = [match_form(a, casefold=False) for a in term.case_sensitive]
    # A label that is itself listed as case-sensitive (label "EU") must not
    # also match case-insensitively, or "eu" inside other text would count.
    exact = {fold(a) for a in cs}
    label = [] if match_form(term.label) in exact else [term.label]
    ci = [match_form(a) for a in (*label, *term.aliases)]
    if term.plurals:
        ci += [plural(a) for a in ci if a]
        cs += [plural(a) for a in cs if a]
    return list(dict.fromkeys(f for f in ci if f)), list(dict.fromkeys(f for f in cs if f))


_MAX_FORMS = 100_000  # bounds Matcher._forms; distinct names beyond it are just not memoised


class Matcher:
    """The compiled vocabulary.  Build it with :func:`compile_matcher`."""

    def __init__(self, taxonomies: tuple[TaxonomyConfig, ...]) -> None:
        self.keys: list[TermKey] = []  # term id -> (taxonomy, label)
        self.need: list[int] = []  # term id -> mentions needed (term > taxonomy setting)
        self._resolve: dict[str, dict[str, str]] = {}
        # name -> match_form(name): an article's tags and source repeat across
        # thousands of articles, and normalising them was most of tagging.
        self._forms: dict[str, str] = {}
        auto, everything = _Table(), _Table()
        for tax in taxonomies:
            names = self._resolve.setdefault(tax.name, {})
            for term in tax.terms:
                tid = len(self.keys)
                self.keys.append((tax.name, term.label))
                self.need.append(term.min_mentions or tax.min_mentions)
                ci, cs = _forms(term)
                for form in (*ci, *cs):
                    names.setdefault(fold(form), term.label)
                everything.add(tid, ci, cs)
                if tax.auto:
                    auto.add(tid, ci, cs)
        self._everything = everything
        # Per term id, precomputed so tagging does no string work per mention.
        self.ids = {key: tid for tid, key in enumerate(self.keys)}
        self.taxonomy_of = [t for t, _ in self.keys]
        self.labels = [label for _, label in self.keys]
        self.label_keys = [_key(label) for label in self.labels]
        self._ci, self._ci_re, self._cs, self._cs_re = auto.compile()
        # Most forms name one term: a direct form -> id map skips a loop per match.
        self._single = {form: ids[0] for form, ids in self._ci.items() if len(ids) == 1}

    @staticmethod
    def prepare(text: str) -> str:
        """Normalised, unfolded text with non-prose blanked; :meth:`spans` index into it."""
        return _non_prose(normalize(text, casefold=False, collapse=False))

    @staticmethod
    def _hits(prepared: str, tables: tuple) -> list[Hit]:
        """Leftmost-longest, non-overlapping matches of both case modes, by position."""
        ci, ci_re, cs, cs_re = tables
        # -1: the scanned text starts with an added space; the match with its own.
        hits = [(m.start(), m.end() - 1, _lookup(ci, m.group()))
                for m in ci_re.finditer(_scannable(prepared, casefold=True))]
        if cs_re is not None:
            extra = [(m.start(), m.end() - 1, _lookup(cs, m.group()))
                     for m in cs_re.finditer(_scannable(prepared, casefold=False))]
            if extra:
                hits = _leftmost_longest(hits + extra)
        return hits

    def scan(self, text: str) -> Counter[int]:
        """Mentions per term id (auto taxonomies only) in one title or body."""
        if not text or (not self._ci and self._cs_re is None):
            return Counter()
        prepared = self.prepare(text)
        if self._cs_re is None or not self._cs_re.search(_scannable(prepared, casefold=False)):
            # Fast path, all in C: match, map each form to its term id, count.
            # A per-form Python loop here cost a third of the tagging time.
            matches = self._ci_re.findall(_scannable(prepared, casefold=True))
            counts = Counter(map(self._single.get, matches))
            if None in counts:  # forms of several terms, or odd spacing: rare
                del counts[None]
                for form, n in Counter(matches).items():
                    if form not in self._single:
                        for tid in _lookup(self._ci, form):
                            counts[tid] += n
            return counts
        counts = Counter()
        tables = (self._ci, self._ci_re, self._cs, self._cs_re)
        for _s, _e, ids in self._hits(prepared, tables):
            counts.update(ids)
        return counts

    def mentions(self, title: str, body: str) -> tuple[Counter[int], Counter[int]]:
        """(title hits, weighted total) per term id; a title hit counts double."""
        title_hits = self.scan(title)
        total = self.scan(body)
        for tid, n in title_hits.items():
            total[tid] += 2 * n
        return title_hits, total

    def count(self, title: str, body: str) -> dict[TermKey, int]:
        """(taxonomy, label) -> mentions in an article; a title hit counts double."""
        return {self.keys[tid]: n for tid, n in self.mentions(title, body)[1].items()}

    @cached_property
    def _all_tables(self) -> tuple:
        # Only the names report needs every taxonomy (tags too): compiled on demand.
        return self._everything.compile()

    def spans(self, prepared: str) -> list[tuple[int, int]]:
        """Spans of alias matches of any taxonomy in text returned by :meth:`prepare`."""
        return [(s, e) for s, e, _ids in self._hits(prepared, self._all_tables)]

    def resolve(self, taxonomy: str, name: str) -> str | None:
        """The label of the term whose label or alias is ``name`` (any case), if any."""
        form = self._forms.get(name)
        if form is None:
            form = match_form(name)
            if len(self._forms) < _MAX_FORMS:
                self._forms[name] = form
        return self._resolve.get(taxonomy, {}).get(form)


def compile_matcher(taxonomies: tuple[TaxonomyConfig, ...]) -> Matcher:
    """Compile every taxonomy's vocabulary once; reuse it for all articles."""
    return Matcher(taxonomies)


def agency_name(source: str, agencies: tuple[AgencyConfig, ...]) -> str:
    """The configured agency name for a source written by name or alias."""
    key = normalize(source)
    for agency in agencies:
        if any(normalize(n) == key for n in (agency.name, *agency.aliases)):
            return agency.name
    return source.strip()


def _field_values(article: Article, name: str, config: SiteConfig) -> tuple[str, ...]:
    if name == "tags":
        return article.tags
    if name == "sources":
        return (agency_name(article.source, config.agencies),) if article.source else ()
    if name == "sections":
        return (article.section,) if article.section else ()
    return ()


def _key(label: str) -> str:
    # Labels are compared like front matter is written: any case, any spacing
    # (the site-wide step, digest.site.enrich.spellings, then picks one spelling).
    return spelling_key(label)


def _terms_for(article: Article, tax: TaxonomyConfig, matcher: Matcher, config: SiteConfig,
               mentions: tuple[list[int], Mapping[int, int]]) -> tuple[str, ...]:
    """Labels of one taxonomy: auto matches + field values + added - removed.

    ``mentions``: ids of the terms matched often enough, and mentions per id.
    """
    auto, total = mentions
    labels = matcher.labels
    chosen = {matcher.label_keys[tid]: labels[tid] for tid in auto}  # _key -> label
    given = (*_field_values(article, tax.name, config), *article.terms_add.get(tax.name, ()))
    for value in given:
        if isinstance(value, str) and value.strip():
            label = matcher.resolve(tax.name, value) or written(value)
            chosen.setdefault(_key(label), label)
    for value in article.terms_remove.get(tax.name, ()):
        if isinstance(value, str):
            chosen.pop(_key(value), None)
            label = matcher.resolve(tax.name, value)
            if label is not None:
                chosen.pop(_key(label), None)
    ids = matcher.ids

    def order(label: str) -> tuple[int, str, str]:
        # Most mentioned first, then alphabetical (case-insensitive, then exact).
        return -total.get(ids.get((tax.name, label), -1), 0), label.casefold(), label

    return tuple(sorted(chosen.values(), key=order))


def tag_article(article: Article, matcher: Matcher, config: SiteConfig) -> Article:
    """Return ``article`` with ``terms`` filled for every configured taxonomy."""
    return dataclasses.replace(article, terms=article_terms(article, matcher, config))


def article_terms(article: Article, matcher: Matcher, config: SiteConfig
                  ) -> dict[str, tuple[str, ...]]:
    """The ``terms`` field :func:`tag_article` fills: taxonomy -> labels."""
    title_hits, total = matcher.mentions(article.title, article.body)
    auto: dict[str, list[int]] = {}
    need, taxonomy_of = matcher.need, matcher.taxonomy_of
    for tid, n in total.items():
        # A title hit is always enough: the headline says what the story is about.
        if n >= need[tid] or tid in title_hits:
            auto.setdefault(taxonomy_of[tid], []).append(tid)
    return {tax.name: _terms_for(article, tax, matcher, config, (auto.get(tax.name, []), total))
            for tax in config.taxonomies}


def tag_articles(articles: Iterable[Article], config: SiteConfig) -> tuple[Article, ...]:
    """Tag every article; the matcher is compiled once for the whole batch."""
    matcher = compile_matcher(config.taxonomies)
    return tuple(tag_article(a, matcher, config) for a in articles)
