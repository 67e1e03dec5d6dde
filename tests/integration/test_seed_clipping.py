"""An agency clipping dropped into the example site.

Issue 3: it builds into a correct article page (title, date with the inferred
year and Minsk's +03:00 offset, photo credit, source, section, related list).
Issue 4: the example site's vocabulary tags it with its people, places and
topics.

Two samples: tests/fixtures/clippings/minsk_briefing.txt, written for these
tests with the shape and facts of the real one (always runs), and the real
clipping in ../shared/seed/ (marked ``shared``: a plain clone has no
../shared and skips it; CI has it).  Nothing of the real one is copied into
the repository.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.integration.conftest import REPO_ROOT, cli, copy_example_site, parse_html
from tests.tools import shared_file

# 2024-12-21T12:00:00Z: the day after the talks, so "20 December" is 2024.
NOW = "1734782400"

SAMPLES = {
    "fixture": {
        "title": "Lukashenko sets out what the partnership with Russia gives Belarus",
        "mentions": [
            ("Belarus offers a wide partnership to a Russian region near Moscow", "2024-11-06"),
            ("Belarus, Russia sign package of cooperation documents", "2024-11-05"),
            ("Union State said to help both countries withstand outside pressure", "2024-11-05"),
            ("Minsk and Moscow compare notes on integration and policy", "2024-10-18"),
        ],
        "unlinked": "Minsk and Moscow compare notes on integration and policy",
    },
    "shared": {
        "title": "Lukashenko explains importance of cooperation with Russia for Belarus",
        "mentions": [
            ("Belarus ready to offer extensive cooperation to Russia’s Tula Oblast", "2024-11-06"),
            ("Belarus, Russia sign package of cooperation documents", "2024-11-05"),
            ("PM: Union State helps Belarus, Russia confront challenges, threats", "2024-11-05"),
            ("Belarus, Russia discuss integration, domestic and foreign policies", "2024-10-18"),
        ],
        "unlinked": "Belarus, Russia discuss integration, domestic and foreign policies",
    },
}

PARAMS = [pytest.param("fixture", id="fixture"),
          pytest.param("shared", id="shared", marks=pytest.mark.shared)]


def _sample(which: str) -> Path:
    if which == "fixture":
        return REPO_ROOT / "tests" / "fixtures" / "clippings" / "minsk_briefing.txt"
    return shared_file("seed/000_e2102479b7b3cc22.txt")


def _built(tmp_path: Path, monkeypatch, which: str) -> tuple[Path, dict]:  # noqa: ANN001
    sample = _sample(which)
    site = copy_example_site(tmp_path / "site")
    shutil.copyfile(sample, site / "content" / "clippings" / sample.name)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NOW)
    assert cli(site, "build", "-q", "--no-search").code == 0
    run = cli(site, "list", "--json")
    assert run.code == 0, run
    articles = {a["path"]: a for a in json.loads(run.out)}
    return site, articles[f"content/clippings/{sample.name}"]


@pytest.mark.parametrize("which", PARAMS)
def test_sample_clipping_builds_a_correct_article_page(tmp_path: Path, monkeypatch,  # noqa: ANN001
                                                       which: str) -> None:
    expected = SAMPLES[which]
    site, art = _built(tmp_path, monkeypatch, which)
    assert art["title"] == expected["title"]
    assert art["date"] == "2024-12-20T10:32:00+03:00"
    assert art["year_inferred"] is True
    assert art["photo_credit"] == "BelTA"
    assert art["source"] == "BelTA"
    assert art["section"] == "Union State"
    mentions = [(m["title"], m["date"][:10], m["url"]) for m in art["mentions"]]
    assert [(t, d) for t, d, _ in mentions] == expected["mentions"]
    # The one headline that is also an article of the example site becomes a link.
    linked = {t: u for t, _, u in mentions}
    assert linked["Belarus, Russia sign package of cooperation documents"] == \
        "/2024/11/05/belarus-russia-sign-package-of-cooperation-documents/"
    assert linked[expected["unlinked"]] is None

    page = site / "output" / art["url"].strip("/") / "index.html"
    doc = parse_html(page)
    text = " ".join(doc.itertext())
    assert doc.findtext(".//h1").strip() == art["title"]
    assert 'datetime="2024-12-20T10:32:00+03:00"' in page.read_text(encoding="utf-8")
    assert "Photo: BelTA" in text and "BelTA" in text and "Union State" in text
    links = [a.get("href") for a in doc.iter("a")]
    assert "/2024/11/05/belarus-russia-sign-package-of-cooperation-documents/" in links
    assert "not in this digest" in text


@pytest.mark.parametrize("which", PARAMS)
def test_example_vocabulary_tags_the_sample(tmp_path: Path, monkeypatch,  # noqa: ANN001
                                            which: str) -> None:
    _, art = _built(tmp_path, monkeypatch, which)
    terms = art["terms"]
    assert {"Aleksandr Lukashenko", "Vladimir Putin", "Sergei Lavrov",
            "Volodymyr Zelensky"} <= set(terms["people"])
    assert {"Belarus", "Russia", "Minsk"} <= set(terms["places"])
    assert {"Energy", "Transport", "Trade", "Security", "Diplomacy"} <= set(terms["topics"])
    assert terms["sources"] == ["BelTA"] and terms["sections"] == ["Union State"]
