"""digest.site.enrich.taxonomy: the compiled matcher and article tagging."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath

import pytest

from digest.site.config import AgencyConfig, SiteConfig, TaxonomyConfig, Term
from digest.site.enrich.taxonomy import compile_matcher, plural, tag_article, tag_articles
from digest.site.records import Article
from digest.site.slugs import slugify
from digest.site.vocabulary import parse_taxonomies


def term(label, *aliases, cs=(), plurals=False, min_mentions=None):
    return Term(label=label, slug=slugify(label), aliases=aliases, case_sensitive=cs,
                plurals=plurals, min_mentions=min_mentions)


def tax(name, *terms, min_mentions=1, auto=True):
    return TaxonomyConfig(name=name, title=name.title(), min_mentions=min_mentions,
                          auto=auto, terms=terms)


def article(body="", title="Untitled", **kw):
    return Article(path=PurePosixPath("content/a.md"), kind="markdown", title=title,
                   date=datetime(2024, 12, 20, tzinfo=UTC), slug="a", body=body, **kw)


ENERGY = term("Energy", "gas", "oil", "refinery", "petroleum", "nuclear power", cs=("NPP",),
              plurals=True)
POWER = term("Power grid", "power")
PUTIN = term("Vladimir Putin", "Putin", "Vladimir Vladimirovich")


def count(body, *taxes, title=""):
    return compile_matcher(taxes).count(title, body)


# --- matching -------------------------------------------------------------

def test_label_and_aliases_match_case_insensitively():
    got = count("ENERGY prices, Gas and oil.", tax("topics", ENERGY))
    assert got == {("topics", "Energy"): 3}


def test_word_boundaries():
    assert count("gasoline, oilfield, biogas, toil", tax("topics", ENERGY)) == {}


def test_longest_alias_wins():
    got = count("nuclear power and power", tax("topics", ENERGY, POWER))
    assert got == {("topics", "Energy"): 1, ("topics", "Power grid"): 1}


def test_full_name_counts_once():
    got = count("Vladimir Putin arrived. Putin spoke to Vladimir Vladimirovich.",
                tax("people", PUTIN))
    assert got == {("people", "Vladimir Putin"): 3}


def test_multiword_alias_spans_any_whitespace_but_not_a_comma():
    t = tax("topics", ENERGY, POWER)
    assert count("nuclear\n  power", t) == {("topics", "Energy"): 1}
    assert count("nuclear, power", t) == {("topics", "Power grid"): 1}


def test_plurals_only_when_asked():
    assert count("refineries, gases, NPPs", tax("topics", ENERGY)) == {("topics", "Energy"): 3}
    assert count("Putins", tax("people", PUTIN)) == {}


def test_plural_rules():
    assert [plural(w) for w in ("gas", "refinery", "day", "tax", "match", "plant", "NPP")] == [
        "gases", "refineries", "days", "taxes", "matches", "plants", "NPPs"]


def test_case_sensitive_aliases_match_exactly():
    t = tax("places", term("United States", cs=("US", "U.S.")))
    assert count("US and U.S. officials", t) == {("places", "United States"): 2}
    assert count("let us go; Us; u.s.", t) == {}


def test_case_sensitive_label_is_not_matched_loosely():
    t = tax("topics", term("EU", cs=("EU",)))
    assert count("the EU and eu", t) == {("topics", "EU"): 1}


def test_case_sensitive_and_folded_matches_resolve_leftmost_longest():
    t = tax("topics", term("Nuclear plant", "NPP construction"), term("NPP", cs=("NPP",)))
    got = count("NPP construction began; the NPP works.", t)
    assert got == {("topics", "Nuclear plant"): 1, ("topics", "NPP"): 1}


def test_normalisation_quotes_dashes_yo_nfkc():
    t = tax("topics", term("Belarus-Russia talks"), term("Ёлка"), term("O'Brien"))
    got = count("Belarus\u2013Russia talks; елка; ЁЛКА; O\u2019Brien; \uff2f'Brien", t)
    assert got == {("topics", "Belarus-Russia talks"): 1, ("topics", "Ёлка"): 2,
                   ("topics", "O'Brien"): 2}


def test_possessive_and_hyphenated_words_still_match():
    t = tax("places", term("Russia"), term("Belarus"))
    got = count("Russia's market and the Belarusian-Russian... Belarus-Russia", t)
    assert got == {("places", "Russia"): 2, ("places", "Belarus"): 1}


def test_link_targets_and_html_are_not_mentions():
    got = count("[site](https://example.org/gas/) <a href=\"/oil\">x</a> see https://x.by/gas",
                tax("topics", ENERGY))
    assert got == {}


def test_markdown_emphasis_does_not_hide_words():
    got = count("*gas* and **oil** and _petroleum_", tax("topics", ENERGY))
    assert got == {("topics", "Energy"): 3}


def test_title_hits_count_double():
    got = count("gas", tax("topics", ENERGY), title="Gas deal")
    assert got == {("topics", "Energy"): 3}


def test_alias_shared_by_two_taxonomies_counts_for_both():
    got = count("Minsk", tax("places", term("Minsk")), tax("topics", term("Capital", "Minsk")))
    assert got == {("places", "Minsk"): 1, ("topics", "Capital"): 1}


def test_non_auto_taxonomies_are_not_scanned():
    got = count("energy", tax("tags", term("Energy"), auto=False))
    assert got == {}


def test_empty_vocabulary_matches_nothing():
    assert count("anything", tax("topics")) == {}
    assert compile_matcher(()).count("", "") == {}


def test_cyrillic():
    got = count("Путин и Лукашенко; «Путин»", tax("people", term("Путин")))
    assert got == {("people", "Путин"): 2}


# --- tagging ---------------------------------------------------------------

def site(*taxes, agencies=()):
    return SiteConfig(taxonomies=taxes, agencies=agencies)


def tagged(art, config):
    return tag_article(art, compile_matcher(config.taxonomies), config).terms


def test_min_mentions_taxonomy_then_term_override_then_title():
    config = site(tax("topics", ENERGY, term("Trade", min_mentions=1), term("Transport"),
                      min_mentions=2))
    assert tagged(article("gas. trade. transport."), config)["topics"] == ("Trade",)
    assert tagged(article("gas, oil. transport."), config)["topics"] == ("Energy",)
    assert tagged(article("x", title="Transport news"), config)["topics"] == ("Transport",)


def test_order_is_mentions_then_label():
    config = site(tax("places", term("Minsk"), term("Brest"), term("Grodno")))
    got = tagged(article("Minsk, Grodno, Brest, Minsk"), config)["places"]
    assert got == ("Minsk", "Brest", "Grodno")


def test_every_configured_taxonomy_is_present():
    config = site(tax("topics", ENERGY), tax("people"), tax("tags", auto=False))
    assert tagged(article("nothing here"), config) == {"topics": (), "people": (), "tags": ()}


def test_front_matter_add_maps_to_label_and_keeps_unknown_as_written():
    config = site(tax("topics", ENERGY))
    art = article("no mentions", terms_add={"topics": ("petroleum", "Space  Race")})
    assert tagged(art, config)["topics"] == ("Energy", "Space Race")


def test_front_matter_remove_by_label_or_alias():
    config = site(tax("topics", ENERGY, POWER), tax("people", PUTIN))
    art = article("gas and power, Putin", terms_remove={"topics": ("GAS",),
                                                        "people": ("vladimir putin",)})
    got = tagged(art, config)
    assert got["topics"] == ("Power grid",) and got["people"] == ()


def test_fields_fill_tags_sources_sections():
    config = site(tax("tags", term("Energy policy", "energy"), auto=False),
                  tax("sources", auto=False), tax("sections", auto=False),
                  agencies=(AgencyConfig(name="BelTA", aliases=("Belarusian Telegraph Agency",)),))
    art = article("energy", tags=("ENERGY", "opinion"), source="belarusian telegraph agency",
                  section="Union State", terms_add={"tags": ("extra",)},
                  terms_remove={"tags": ("opinion",)})
    got = tagged(art, config)
    assert got == {"tags": ("Energy policy", "extra"), "sources": ("BelTA",),
                   "sections": ("Union State",)}


def test_unknown_source_is_kept_as_written():
    config = site(tax("sources", auto=False))
    assert tagged(article("", source=" TASS "), config)["sources"] == ("TASS",)


def test_tag_article_returns_a_new_record():
    config = site(tax("topics", ENERGY))
    art = article("gas")
    out = tag_article(art, compile_matcher(config.taxonomies), config)
    assert out is not art and art.terms == {} and out.body == art.body


def test_tag_articles_compiles_once_and_is_deterministic():
    config = site(tax("topics", ENERGY))
    arts = [article("gas"), article("nothing")]
    first = tag_articles(arts, config)
    assert [a.terms for a in first] == [a.terms for a in tag_articles(arts, config)]
    assert [a.terms["topics"] for a in first] == [("Energy",), ()]


CLIPPING = """\
10:32, 20 December

Photo: press service

MINSK, 20 December - Belarusian President Aleksandr Lukashenko and Russian President \
Vladimir Putin spent four hours in talks in Minsk, covering energy prices, rail and road \
transport and the security of both countries, the presidential press office said.

Lukashenko told reporters that Belarus buys all of its natural gas from Russia and that \
its two oil refineries run on Russian crude. "We need fair prices for gas and oil," the \
Belarusian leader said. Putin answered that Russia's market takes Belarusian petroleum \
products and called it a two-way street.

Truck drivers were on the agenda too: cabotage rules for Belarusian carriers on Russian \
roads will be eased, the presidents agreed. Mutual trade grew again this year, with \
exports of Belarusian goods to Russia up sharply, Putin noted.

Foreign Minister Sergei Lavrov briefed the delegations on foreign policy and joint \
diplomatic efforts. Lukashenko also mentioned Vladimir Zelensky, recalling that he had \
advised the Ukrainian leader to calm down. Defence and security cooperation, he said, \
keeps Belarus safe; the Union State treaty was signed in 1999.
"""


@pytest.fixture
def talks_config():
    diags: list = []
    taxes = parse_taxonomies({
        "people": {"terms": [
            {"label": "Aleksandr Lukashenko",
             "aliases": ["Alexander Lukashenko", "Lukashenko", "Alyaksandr Lukashenka"]},
            {"label": "Vladimir Putin", "aliases": ["Putin", "Vladimir Vladimirovich"]},
            {"label": "Sergei Lavrov", "aliases": ["Sergey Lavrov", "Lavrov"]},
            {"label": "Volodymyr Zelensky",
             "aliases": ["Zelensky", "Zelenskyy", "Vladimir Zelensky"]},
        ]},
        "places": {"terms": [
            {"label": "Belarus", "aliases": ["Republic of Belarus"]},
            {"label": "Russia", "aliases": ["Russian Federation"]},
            "Minsk",
        ]},
        "topics": {"min_mentions": 2, "terms": [
            {"label": "Energy", "plurals": True, "case_sensitive": ["NPP"],
             "aliases": ["gas", "oil", "refinery", "petroleum", "nuclear power"]},
            {"label": "Transport", "plurals": True,
             "aliases": ["cabotage", "carrier", "rail", "road transport", "logistics"]},
            {"label": "Trade", "aliases": ["exports", "imports", "trade turnover"]},
            {"label": "Security", "aliases": ["defence", "defense", "military"]},
            {"label": "Diplomacy", "aliases": ["foreign policy", "diplomatic", "Foreign Minister"]},
        ]},
    }, diags)
    assert diags == []
    return SiteConfig(taxonomies=taxes)


def test_clipping_about_belarus_russia_talks(talks_config):
    art = article(CLIPPING, title="Lukashenko and Putin discuss energy and trade in Minsk")
    got = tag_article(art, compile_matcher(talks_config.taxonomies), talks_config).terms
    assert got["people"] == ("Aleksandr Lukashenko", "Vladimir Putin", "Sergei Lavrov",
                             "Volodymyr Zelensky")
    assert set(got["places"]) == {"Belarus", "Russia", "Minsk"}
    assert got["topics"][:2] == ("Energy", "Trade")
    assert set(got["topics"]) == {"Energy", "Transport", "Trade", "Security", "Diplomacy"}
    assert got["tags"] == () and got["sources"] == () and got["sections"] == ()
