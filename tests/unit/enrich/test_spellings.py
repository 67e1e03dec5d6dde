"""digest.site.enrich.spellings: one label per term, whatever the case it is written in."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import PurePosixPath

from digest.site.config import SiteConfig, TaxonomyConfig, Term
from digest.site.enrich.spellings import choose, relabel, respelt, spelling_key
from digest.site.enrich.taxonomy import compile_matcher, tag_article
from digest.site.records import Article


def article(path: str, day: int, **kw) -> Article:
    return Article(path=PurePosixPath(path), kind="markdown", title="T",
                   date=datetime(2024, 5, day, tzinfo=UTC), slug=path, body="", **kw)


def test_spellings_that_differ_in_case_nfc_or_spacing_share_a_key() -> None:
    assert spelling_key("Northwind  Wire") == spelling_key("NORTHWIND wire")
    assert spelling_key("Cafe\u0301") == spelling_key("CAFÉ")
    assert spelling_key("C++") != spelling_key("C")
    assert spelling_key("ｇａｓ") != spelling_key("gas")  # compatibility forms: a slug clash


def test_the_choice_is_the_oldest_article_then_the_path_in_any_input_order() -> None:
    arts = [article("content/d.md", 3, terms={"tags": ("gas",)}),
            article("content/c.md", 1, terms={"tags": ("GAS",)}),
            article("content/b.md", 1, terms={"tags": ("Gas",)}),
            article("content/a.md", 2, terms={"tags": ("gas", "oil")})]
    config = SiteConfig()
    want = choose(arts, config)
    assert want.labels == {("tags", "gas"): "Gas"}
    for seed in range(5):
        shuffled = random.Random(seed).sample(arts, len(arts))
        got = choose(shuffled, config)
        assert got.labels == want.labels and got.signature == want.signature
    out = relabel(arts, want)
    assert [a.terms["tags"] for a in out] == [("Gas",), ("Gas",), ("Gas",), ("Gas", "oil")]
    assert out[2] is arts[2]  # records already showing the label are not copied
    assert [(r.path, r.spelling) for r in respelt(want)] == [
        ("content/a.md", "gas"), ("content/c.md", "GAS"), ("content/d.md", "gas")]


def test_a_vocabulary_label_wins_over_the_first_spelling() -> None:
    config = SiteConfig(taxonomies=(TaxonomyConfig(
        name="tags", title="Tags", auto=False,
        terms=(Term(label="GaS", slug="gas", aliases=()),)),))
    arts = [article("content/a.md", 1, terms={"tags": ("gas",)}),
            article("content/b.md", 2, terms={"tags": ("GaS",)})]
    assert choose(arts, config).labels == {("tags", "gas"): "GaS"}
    # and tagging already resolves any case of a vocabulary term to its label
    matcher = compile_matcher(config.taxonomies)
    tagged = tag_article(article("content/c.md", 3, tags=("GAS",)), matcher, config)
    assert tagged.terms["tags"] == ("GaS",)


def test_one_spelling_per_article_and_written_in_nfc() -> None:
    config = SiteConfig(taxonomies=(TaxonomyConfig(name="tags", title="Tags", auto=False),))
    matcher = compile_matcher(config.taxonomies)
    tagged = tag_article(article("content/a.md", 1, tags=("Cafe\u0301", "CAFÉ", "  café  ")),
                         matcher, config)
    assert tagged.terms["tags"] == ("Café",)
