"""digest.site.vocabulary: taxonomies and agencies from digest.yaml."""

from __future__ import annotations

from digest.site.config import DEFAULT_TAXONOMIES
from digest.site.vocabulary import match_form, normalize, parse_agencies, parse_taxonomies


def _parse(value, lines=None):
    diags: list = []
    return parse_taxonomies(value, diags, lines=lines), diags


def test_missing_key_gives_the_six_defaults_in_order():
    taxes, diags = _parse(None)
    assert diags == []
    assert tuple(t.name for t in taxes) == DEFAULT_TAXONOMIES
    by_name = {t.name: t for t in taxes}
    assert by_name["topics"].auto and by_name["people"].auto and by_name["places"].auto
    assert not by_name["tags"].auto and not by_name["sources"].auto
    assert not by_name["sections"].auto
    assert by_name["topics"].title == "Topics" and by_name["topics"].min_mentions == 1
    assert all(t.terms == () for t in taxes)


def test_user_taxonomies_merge_over_defaults_and_new_ones_append():
    taxes, diags = _parse({"people": {"title": "Who"}, "events": None, "topics": None})
    assert diags == []
    names = [t.name for t in taxes]
    assert names == [*DEFAULT_TAXONOMIES, "events"]
    by_name = {t.name: t for t in taxes}
    assert by_name["people"].title == "Who"
    assert by_name["events"].title == "Events" and by_name["events"].auto


def test_full_term_schema():
    taxes, diags = _parse({"topics": {
        "title": "Subjects", "min_mentions": 2, "auto": True,
        "terms": [
            {"label": "Energy", "slug": "power-and-fuel",
             "aliases": ["gas", "oil", "nuclear power"], "case_sensitive": ["NPP"],
             "plurals": True, "min_mentions": 1},
            "Trade",
        ]}})
    assert diags == []
    topics = taxes[0]
    assert (topics.title, topics.min_mentions) == ("Subjects", 2)
    energy, trade = topics.terms
    assert energy.slug == "power-and-fuel" and energy.aliases == ("gas", "oil", "nuclear power")
    assert energy.case_sensitive == ("NPP",) and energy.plurals and energy.min_mentions == 1
    assert (trade.label, trade.slug, trade.aliases, trade.min_mentions) == ("Trade", "trade", (),
                                                                            None)


def test_single_string_alias_is_a_list_of_one_and_duplicates_collapse():
    taxes, diags = _parse({"places": {"terms": [{"label": "Minsk",
                                                 "aliases": "Minsk city"}]}})
    assert diags == [] and taxes[2].terms[0].aliases == ("Minsk city",)
    taxes, _ = _parse({"places": {"terms": [{"label": "Minsk", "aliases": ["a", "a"]}]}})
    assert taxes[2].terms[0].aliases == ("a",)


def test_unknown_keys_suggest_the_closest():
    _, diags = _parse({"topics": {"titel": "X", "terms": [{"label": "Energy", "alias": ["gas"]}]}},
                      lines={"taxonomies.topics": 3, "taxonomies.topics.terms.0": 7})
    assert len(diags) == 2
    by_hint = {d.hint: d for d in diags}
    assert "did you mean 'title'?" in by_hint and "did you mean 'aliases'?" in by_hint
    assert by_hint["did you mean 'title'?"].line == 3
    assert by_hint["did you mean 'aliases'?"].line == 7
    d = diags[0]
    assert (d.severity, d.code, d.path) == ("error", "config", "digest.yaml")


def test_alias_claimed_by_two_terms_names_both():
    _, diags = _parse({"topics": {"terms": [
        {"label": "Energy", "aliases": ["Gas"]},
        {"label": "Chemistry", "aliases": ["gas"]}]}})
    assert len(diags) == 1
    assert "'Energy'" in diags[0].message and "'Chemistry'" in diags[0].message


def test_same_alias_in_two_taxonomies_is_fine():
    _, diags = _parse({"topics": {"terms": [{"label": "Belarus economy", "aliases": ["Belarus"]}]},
                       "places": {"terms": ["Belarus"]}})
    assert diags == []


def test_label_of_one_term_as_alias_of_another_is_reported():
    _, diags = _parse({"people": {"terms": ["Putin", {"label": "Vladimir Putin",
                                                      "aliases": ["putin"]}]}})
    assert len(diags) == 1


def test_case_sensitive_acronym_clashing_with_plain_alias_is_reported():
    _, diags = _parse({"places": {"terms": [{"label": "United States",
                                             "case_sensitive": ["US"]},
                                            {"label": "Us", "aliases": ["us"]}]}})
    assert len(diags) == 1


def test_every_problem_is_collected():
    taxes, diags = _parse({
        "Top Ics": {},
        "topics": {"min_mentions": 0, "auto": "yes", "title": "",
                   "terms": [{"aliases": ["x"]}, 42, {"label": "A", "slug": "a/b"},
                             {"label": "B", "aliases": [1, ""], "plurals": "y"}]},
        "people": ["not a mapping"],
        "places": {"terms": "Minsk"},
    })
    messages = " | ".join(d.message for d in diags)
    assert len(diags) == 12, messages
    assert "not a URL-safe slug" in messages
    by_name = {t.name: t for t in taxes}
    assert by_name["topics"].min_mentions == 1 and by_name["topics"].auto is True
    assert [t.label for t in by_name["topics"].terms] == ["B"]


def test_bool_is_not_a_count():
    _, diags = _parse({"topics": {"min_mentions": True}})
    assert len(diags) == 1 and "whole number" in diags[0].message


def test_duplicate_slugs_are_reported():
    _, diags = _parse({"topics": {"terms": ["Oil & gas", "Oil gas"]}})
    assert any("same slug" in d.message for d in diags)


def test_taxonomies_must_be_a_mapping():
    taxes, diags = _parse(["topics"])
    assert len(diags) == 1 and tuple(t.name for t in taxes) == DEFAULT_TAXONOMIES


def test_line_falls_back_to_the_nearest_parent():
    _, diags = _parse({"topics": {"terms": [{"label": "A", "plurals": "no"}]}},
                      lines={"taxonomies": 1, "taxonomies.topics": 2})
    assert diags[0].line == 2


def test_agencies():
    diags: list = []
    agencies = parse_agencies([
        {"name": "BelTA", "timezone": "Europe/Minsk",
         "aliases": ["Belarusian Telegraph Agency"], "url": "https://eng.belta.by/"},
        "TASS",
    ], diags)
    assert diags == []
    assert agencies[0].timezone == "Europe/Minsk" and agencies[0].aliases == (
        "Belarusian Telegraph Agency",)
    assert agencies[1].name == "TASS" and agencies[1].timezone is None


def test_agency_errors_are_collected():
    diags: list = []
    agencies = parse_agencies([
        {"name": "BelTA", "timezone": "Europe/Minks", "urll": "x"},
        {"name": "Other", "aliases": ["belta"], "url": "ftp://x"},
        {"timezone": "UTC"},
        7,
    ], diags, lines={"agencies": 10, "agencies.1": 12})
    messages = [d.message for d in diags]
    assert len(diags) == 6, messages
    assert any("unknown time zone 'Europe/Minks'" in m for m in messages)
    assert any(d.hint == "did you mean 'url'?" for d in diags)
    assert any("names both 'BelTA' and 'Other'" in m and d.line == 12
               for m, d in zip(messages, diags, strict=True))
    assert [a.name for a in agencies] == ["BelTA", "Other"]
    assert agencies[0].timezone is None


def test_agencies_must_be_a_list():
    diags: list = []
    assert parse_agencies({"name": "x"}, diags) == () and len(diags) == 1
    assert parse_agencies(None, diags) == ()


def test_normalize_and_match_form():
    assert normalize("  Ёлка\u00a0и  «ель» — ﬁr ") == 'елка и "ель" - fir'
    assert normalize("STRASSE Straße") == "strasse straße"  # length-preserving fold
    assert match_form("Belarus–Russia talks") == "belarus russia talks"
    assert match_form("U.S.") == "u.s."
    assert match_form("gas, oil") == "gas. oil"
    assert match_form("NPP", casefold=False) == "NPP"
