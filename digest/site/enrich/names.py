"""A report of frequent capitalised names that no vocabulary term matches.

Used by ``digest check`` and ``digest build --verbose`` so the curator can
grow the vocabulary: "Sergey Lavrov appears in 14 articles but is in no
taxonomy".  Heuristic by design: it suggests, the curator decides.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from digest.site.enrich.taxonomy import Matcher
from digest.site.records import Article

# Words that are capitalised only because they start a sentence or a
# headline.  Sentence-initial words seen in lower case elsewhere in the
# corpus are dropped too, so this list only needs the commonest ones.
_STOPWORDS = frozenset([
    "a", "an", "the", "in", "on", "at", "of", "for", "to", "from", "by", "with", "and",
    "or", "but", "nor", "so", "yet", "as", "if", "that", "this", "these", "those", "it",
    "its", "he", "she", "we", "they", "i", "you", "his", "her", "our", "their", "my",
    "your", "there", "here", "what", "when", "where", "who", "why", "how", "which", "while",
    "after", "before", "during", "since", "until", "also", "however", "meanwhile", "today",
    "yesterday", "tomorrow", "according", "other", "all", "some", "many", "most", "no",
    "not", "one", "two", "three", "mr", "mrs", "ms", "dr", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april",
    "may", "june", "july", "august", "september", "october", "november", "december", "в",
    "на", "по", "с", "и", "а", "но", "о", "об", "из", "за", "для", "от", "до", "при", "как",
    "что", "это", "он", "она", "они", "мы"
])

_WORD = re.compile(r"[^\W\d_][\w']*(?:-[^\W\d_][\w']*)*")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\"\u2026]|\n\s*\n|#)\s*[\"'(\[]*\s*$")
_MAX_N = 3


def _clean(token: str) -> str:
    token = token.rstrip("'")
    return token[:-2] if token.endswith("'s") else token  # Russia's -> Russia


def _runs(text: str, lower_seen: set[str]) -> list[list[tuple[str, bool]]]:
    """Runs of adjacent capitalised words as (word, sentence-initial) pairs.

    Also records every lower-case word in ``lower_seen``.
    """
    runs: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []
    last_end = -2
    for m in _WORD.finditer(text):
        word = _clean(m.group())
        gap = text[last_end:m.start()] if last_end >= 0 else ""
        if not word[:1].isupper():
            lower_seen.add(word.casefold())
            if current:
                runs.append(current)
            current = []
        else:
            if current and gap != " ":  # punctuation or a line break ends a name
                runs.append(current)
                current = []
            initial = bool(_SENTENCE_END.search(text[max(0, m.start() - 8):m.start()])) \
                if m.start() else True
            current.append((word, initial))
        last_end = m.end()
    if current:
        runs.append(current)
    return runs


def _masked(article: Article, matcher: Matcher) -> str:
    # Matched aliases become NULs: they end a run, are never reported, and (unlike
    # line breaks) do not make the next word look sentence-initial.
    text = matcher.prepare(f"{article.title}\n\n{article.body}")
    parts, pos = [], 0
    for start, end in matcher.spans(text):
        parts.append(text[pos:start])
        parts.append("\0" * (end - start))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _ngrams(run: list[tuple[str, bool]], lower_seen: set[str]) -> dict[str, bool]:
    """N-grams of one run -> whether the n-gram starts a sentence there."""
    start = 0
    # Trim sentence-start noise ("The", "However", "Talks" in "Talks began").
    while start < len(run) and (
            run[start][0].casefold() in _STOPWORDS or len(run[start][0]) < 2
            or (run[start][1] and run[start][0].casefold() in lower_seen)):
        start += 1
    grams: dict[str, bool] = {}
    for n in range(1, _MAX_N + 1):
        for i in range(start, len(run) - n + 1):
            gram = run[i:i + n]
            if gram[-1][0].casefold() in _STOPWORDS or (n == 1 and len(gram[0][0]) < 2):
                continue
            text = " ".join(w for w, _ in gram)
            grams[text] = grams.get(text, True) and gram[0][1]
    return grams


def _drop_contained(counts: Counter[str]) -> dict[str, int]:
    """Drop an n-gram when a longer one containing it is seen exactly as often.

    "Tula" seen only as part of "Tula Oblast" adds nothing to the report.
    """
    redundant: set[str] = set()
    for gram, n in counts.items():
        words = gram.split()
        for size in range(1, len(words)):
            for i in range(len(words) - size + 1):
                sub = " ".join(words[i:i + size])
                if counts.get(sub) == n:
                    redundant.add(sub)
    return {g: n for g, n in counts.items() if g not in redundant}


def unmatched_names(articles: Iterable[Article], matcher: Matcher, *, min_articles: int = 3,
                    limit: int = 50) -> list[tuple[str, int]]:
    """Capitalised 1-3 word names no alias matches, seen in >= ``min_articles`` articles.

    Returns (name, number of articles), most frequent first, then by name.
    """
    lower_seen: set[str] = set()
    per_article = [_runs(_masked(a, matcher), lower_seen) for a in articles]
    counts: Counter[str] = Counter()
    mid_sentence: set[str] = set()
    for runs in per_article:
        grams: set[str] = set()
        for run in runs:
            for gram, initial in _ngrams(run, lower_seen).items():
                grams.add(gram)
                if not initial:
                    mid_sentence.add(gram)
        counts.update(grams)
    # A word capitalised only where a sentence starts ("Although", "Indeed")
    # is not a name; real names also turn up mid-sentence somewhere.
    counts = Counter({g: n for g, n in counts.items() if g in mid_sentence})
    frequent = Counter({g: n for g, n in counts.items() if n >= min_articles})
    report = sorted(_drop_contained(frequent).items(), key=lambda item: (-item[1], item[0]))
    return report[:limit]
