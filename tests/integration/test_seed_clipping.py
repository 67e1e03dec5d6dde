"""The real agency clipping in ../shared/seed/, dropped into the example site.

Issue 3: it builds into a correct article page (title, date with the inferred
year and Minsk's +03:00 offset, photo credit, source, section, related list).
Issue 4: the example site's vocabulary tags it with its people, places and
topics.  Only the shared sample is read; nothing of it is copied into the repo.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.integration.conftest import cli, copy_example_site, parse_html
from tests.tools import SHARED_DIR

SAMPLE = SHARED_DIR / "seed" / "000_e2102479b7b3cc22.txt"
# 2024-12-21T12:00:00Z: the day after the talks, so "20 December" is 2024.
NOW = "1734782400"


def _built(tmp_path: Path, monkeypatch) -> tuple[Path, dict]:  # noqa: ANN001
    site = copy_example_site(tmp_path / "site")
    shutil.copyfile(SAMPLE, site / "content" / "clippings" / SAMPLE.name)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NOW)
    assert cli(site, "build", "-q", "--no-search").code == 0
    run = cli(site, "list", "--json")
    assert run.code == 0, run
    articles = {a["path"]: a for a in json.loads(run.out)}
    return site, articles[f"content/clippings/{SAMPLE.name}"]


def test_sample_clipping_builds_a_correct_article_page(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    site, art = _built(tmp_path, monkeypatch)
    assert art["title"] == "Lukashenko explains importance of cooperation with Russia for Belarus"
    assert art["date"] == "2024-12-20T10:32:00+03:00"
    assert art["year_inferred"] is True
    assert art["photo_credit"] == "BelTA"
    assert art["source"] == "BelTA"
    assert art["section"] == "Union State"
    mentions = [(m["title"], m["date"][:10], m["url"]) for m in art["mentions"]]
    assert [(t, d) for t, d, _ in mentions] == [
        ("Belarus ready to offer extensive cooperation to Russia’s Tula Oblast", "2024-11-06"),
        ("Belarus, Russia sign package of cooperation documents", "2024-11-05"),
        ("PM: Union State helps Belarus, Russia confront challenges, threats", "2024-11-05"),
        ("Belarus, Russia discuss integration, domestic and foreign policies", "2024-10-18"),
    ]
    # The one headline that is also an article of the example site becomes a link.
    linked = {t: u for t, _, u in mentions}
    assert linked["Belarus, Russia sign package of cooperation documents"] == \
        "/2024/11/05/belarus-russia-sign-package-of-cooperation-documents/"
    assert linked["Belarus, Russia discuss integration, domestic and foreign policies"] is None

    page = site / "output" / art["url"].strip("/") / "index.html"
    doc = parse_html(page)
    text = " ".join(doc.itertext())
    assert doc.findtext(".//h1").strip() == art["title"]
    assert 'datetime="2024-12-20T10:32:00+03:00"' in page.read_text(encoding="utf-8")
    assert "Photo: BelTA" in text and "BelTA" in text and "Union State" in text
    links = [a.get("href") for a in doc.iter("a")]
    assert "/2024/11/05/belarus-russia-sign-package-of-cooperation-documents/" in links
    assert "not in this digest" in text


def test_example_vocabulary_tags_the_sample(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    _, art = _built(tmp_path, monkeypatch)
    terms = art["terms"]
    assert {"Aleksandr Lukashenko", "Vladimir Putin", "Sergei Lavrov",
            "Volodymyr Zelensky"} <= set(terms["people"])
    assert {"Belarus", "Russia", "Minsk"} <= set(terms["places"])
    assert {"Energy", "Transport", "Trade", "Security", "Diplomacy"} <= set(terms["topics"])
    assert terms["sources"] == ["BelTA"] and terms["sections"] == ["Union State"]
