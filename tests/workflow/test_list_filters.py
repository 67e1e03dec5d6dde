"""`digest list` filters and the drafts/scheduling rules of `digest build`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest import cli

EPOCH = 1735000000  # 2024-12-24 00:26:40 UTC = 03:26:40 in Minsk

ARTICLES = {
    "old.md": "title: Gas price talks\ndate: 2024-11-05T10:00:00+03:00\n"
              "topics: [Energy]\ntags: [gas, Union State]",
    "recent.md": "title: Rail freight grows\ndate: 2024-12-20 09:00\ntopics: [Transport]",
    "draft.md": "title: Half-written energy note\ndate: 2024-12-10\ndraft: true\n"
                "topics: [Energy]",
    "soon.md": "title: Scheduled energy review\ndate: 2024-12-24T09:00:00+03:00\n"
               "topics: [Energy]",
    "later.md": "title: New year outlook\ndate: 2025-01-02T08:00:00+03:00",
}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    (tmp_path / "digest.yaml").write_text(
        "timezone: Europe/Minsk\nbase_url: https://news.example.org/\n"
        "taxonomies:\n  topics:\n    terms:\n"
        "      - label: Energy\n        slug: energy-policy\n"
        "      - label: Transport\n", encoding="utf-8")
    content = tmp_path / "content"
    content.mkdir()
    for name, front in ARTICLES.items():
        (content / name).write_text(f"---\n{front}\n---\n\nSome text.\n", encoding="utf-8")
    return tmp_path


def titles(site: Path, *flags: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert cli.main(["--site", str(site), "list", *flags]) == 0
    return [a["title"] for a in json.loads(capsys.readouterr().out)]


def test_list_shows_published_newest_first(site: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert titles(site, capsys=capsys) == ["Rail freight grows", "Gas price talks"]
    assert titles(site, "--json", capsys=capsys) == ["Rail freight grows", "Gas price talks"]


def test_list_drafts(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert titles(site, "--drafts", capsys=capsys) == [
        "Rail freight grows", "Half-written energy note", "Gas price talks"]


def test_list_future(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert titles(site, "--future", capsys=capsys) == [
        "New year outlook", "Scheduled energy review", "Rail freight grows", "Gas price talks"]
    assert len(titles(site, "--future", "--drafts", capsys=capsys)) == 5


def test_list_json_fields(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert cli.main(["--site", str(site), "list", "--drafts"]) == 0
    arts = {a["title"]: a for a in json.loads(capsys.readouterr().out)}
    draft = arts["Half-written energy note"]
    assert draft["draft"] is True and draft["path"] == "content/draft.md"
    assert draft["url"] == "/2024/12/10/draft/"  # slug from the file name
    assert arts["Rail freight grows"]["date"] == "2024-12-20T09:00:00+03:00"  # site zone


@pytest.mark.parametrize(("term", "expected"), [
    ("topics:Energy", ["Gas price talks"]),
    ("topics:energy", ["Gas price talks"]),  # labels match in any case
    ("tags:union state", ["Gas price talks"]),
    ("topics:Transport", ["Rail freight grows"]),
    ("topics:Trade", []),
    ("places:Energy", []),
])
def test_list_term(site: Path, capsys: pytest.CaptureFixture[str], term: str,
                   expected: list[str]) -> None:
    assert titles(site, "--term", term, capsys=capsys) == expected


def test_list_term_combines_with_drafts_and_future(site: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert titles(site, "--term", "topics:Energy", "--drafts", "--future", capsys=capsys) == [
        "Scheduled energy review", "Half-written energy note", "Gas price talks"]


@pytest.mark.parametrize(("since", "expected"), [
    ("2024-12-01", ["Rail freight grows"]),
    ("2024-12-20", ["Rail freight grows"]),  # midnight in the site zone: same day counts
    ("2024-12-20T09:00", ["Rail freight grows"]),  # on the instant counts
    ("2024-12-20T09:01", []),
    ("2024-12-20T06:00:00+00:00", ["Rail freight grows"]),  # = 09:00 Minsk
    ("2024-01-01", ["Rail freight grows", "Gas price talks"]),
])
def test_list_since(site: Path, capsys: pytest.CaptureFixture[str], since: str,
                    expected: list[str]) -> None:
    assert titles(site, "--since", since, capsys=capsys) == expected


def test_list_since_rejects_bad_dates(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--site", str(site), "list", "--since", "last week"]) == 2  # usage
    assert "--since" in capsys.readouterr().err


def test_list_since_with_future(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert titles(site, "--since", "2024-12-24", "--future", capsys=capsys) == [
        "New year outlook", "Scheduled energy review"]


# --------------------------------------------------------------------------- build

def built_pages(site: Path) -> set[str]:
    """Slugs of the article pages written (each the file name of its note)."""
    return {p.parent.name for p in (site / "output").glob("20*/*/*/*/index.html")}


def test_build_skips_drafts_and_future_and_names_the_next_due(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert cli.main(["--site", str(site), "build"]) == 0
    out = capsys.readouterr().out
    assert "Built 2 articles" in out
    assert "Next scheduled article: content/soon.md becomes due at 2024-12-24T09:00:00+03:00"\
        in out
    assert "(2 scheduled" in out
    assert built_pages(site) == {"old", "recent"}


def test_build_with_drafts_and_future(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--site", str(site), "build", "--drafts"]) == 0
    assert "draft" in built_pages(site)
    assert "soon" not in built_pages(site)
    capsys.readouterr()
    assert cli.main(["--site", str(site), "build", "--future"]) == 0
    out = capsys.readouterr().out
    assert "Next scheduled" not in out
    assert built_pages(site) == {"old", "recent", "soon", "later"}


def test_scheduled_article_becomes_due(site: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 6 * 3600))  # 09:26 Minsk
    assert cli.main(["--site", str(site), "build"]) == 0
    assert "Next scheduled article: content/later.md" in capsys.readouterr().out
    assert "soon" in built_pages(site)


def test_list_term_by_slug(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # /topics/energy-policy/ is the Energy page: its URL form should select it too
    assert titles(site, "--term", "topics:energy-policy", capsys=capsys) == ["Gas price talks"]


def test_list_term_needs_a_known_taxonomy(site: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--site", str(site), "list", "--term", "Energy"]) != 0
