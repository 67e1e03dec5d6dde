"""digest.site.enrich.names: frequent capitalised names missing from the vocabulary."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath

from digest.site.config import TaxonomyConfig, Term
from digest.site.enrich.names import unmatched_names
from digest.site.enrich.taxonomy import compile_matcher
from digest.site.records import Article


def article(body, title=""):
    return Article(path=PurePosixPath("content/a.md"), kind="markdown", title=title,
                   date=datetime(2024, 12, 20, tzinfo=UTC), slug="a", body=body)


VOCAB = (
    TaxonomyConfig(name="people", title="People", terms=(
        Term(label="Vladimir Putin", slug="vladimir-putin", aliases=("Putin",)),)),
    TaxonomyConfig(name="tags", title="Tags", auto=False, terms=(
        Term(label="Union State", slug="union-state"),)),
)
MATCHER = compile_matcher(VOCAB)

TEXTS = [
    "The talks in Tula Oblast went on. Sergei Lavrov met Putin at the Union State forum. "
    "However, the talks were short.",
    "In Tula Oblast, Sergei Lavrov and Vladimir Putin discussed the Union State. The plan "
    "is ready. However, nothing was signed.",
    "Sergei Lavrov's visit to Tula Oblast ended. The talks went well. Officials said the "
    "plan matters to officials. However, critics disagree.",
    "A one-off visit by Maria Zakharova. Tula Oblast hosted it.",
]


def test_reports_unmatched_names_with_article_counts():
    got = unmatched_names([article(t) for t in TEXTS], MATCHER, min_articles=3)
    assert got == [("Tula Oblast", 4), ("Sergei Lavrov", 3)]


def test_aliases_of_any_taxonomy_are_never_reported():
    got = dict(unmatched_names([article(t) for t in TEXTS], MATCHER, min_articles=1))
    assert not {"Putin", "Vladimir Putin", "Vladimir", "Union State", "State"} & set(got)


def test_sentence_initial_common_words_and_stopwords_are_dropped():
    got = dict(unmatched_names([article(t) for t in TEXTS], MATCHER, min_articles=1))
    assert not {"The", "However", "In", "A", "Officials"} & set(got)
    assert got["Maria Zakharova"] == 1


def test_contained_ngrams_with_the_same_count_are_dropped():
    got = dict(unmatched_names([article(t) for t in TEXTS], MATCHER, min_articles=1))
    assert "Tula" not in got and "Oblast" not in got and "Lavrov" not in got


def test_title_counts_and_possessive_is_stripped():
    arts = [article("Here is nothing.", title="Nothing from Maria Zakharova's briefing")
            for _ in range(3)]
    assert unmatched_names(arts, MATCHER) == [("Maria Zakharova", 3)]


def test_limit_and_order():
    arts = [article("We saw Brest and Grodno and Vitebsk.") for _ in range(3)]
    arts.append(article("We saw Grodno again."))
    got = unmatched_names(arts, MATCHER, limit=2)
    assert got == [("Grodno", 4), ("Brest", 3)]


def test_runs_break_at_punctuation_and_lines():
    arts = [article("Visits to Brest, Grodno\nVitebsk") for _ in range(3)]
    assert [n for n, _ in unmatched_names(arts, MATCHER)] == ["Brest", "Grodno", "Vitebsk"]


def test_words_only_ever_starting_a_sentence_are_not_names():
    arts = [article("Indeed talks went on. We met Brest officials. Brest was calm.")
            for _ in range(3)]
    assert unmatched_names(arts, MATCHER) == [("Brest", 3)]


def test_no_articles():
    assert unmatched_names([], MATCHER) == []
