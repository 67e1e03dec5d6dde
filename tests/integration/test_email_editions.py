"""Issue 26, editions as mail: each day's edition and each week is also written as
email.html (tables, CSS inlined by css-inline, no scripts or stylesheet links,
absolute links, dark mode, under Gmail's 102 KB clipping size) and email.txt,
grouped like the edition, each story once with "also reported by"."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from digest.engine import PlainEngine
from digest.errors import ConfigError
from digest.pipeline import BuildOptions, build
from digest.site.config import load_config
from digest.site.render.mailpage import MAX_EMAIL_BYTES, email_html
from tests.integration.conftest import make_site, note, run_digest, write_files
from tests.integration.engines import edits_stay_exact, files_of

NOW = datetime(2025, 1, 10, tzinfo=UTC)
OPTIONS = BuildOptions(now=NOW, search=False, jobs=1)
BASE = "https://news.example.org"
CONFIG = (f"title: Test Digest\nbase_url: {BASE}/\ntimezone: Europe/Minsk\n"
          "email:\n  from: \"Test Digest <digest@example.org>\"\n"
          "  list_unsubscribe: [\"mailto:leave@example.org\", \"https://news.example.org/leave/\"]\n"
          "taxonomies:\n  topics:\n    terms:\n      - label: Energy\n      - label: Diplomacy\n")
TALKS = ("Presidents met in Minsk for talks on gas prices, oil supplies, cabotage rules for "
         "road carriers and joint industrial production chains. ") * 3
DAY = "editions/2024-12-20/"


def _files() -> dict[str, str]:
    return {
        "content/belta.md": note("Leaders sum up talks", "2024-12-20T10:32:00+03:00", TALKS,
                                 source="BelTA", topics="[Diplomacy]"),
        "content/tass.md": note("Leaders discuss cooperation", "2024-12-20T13:40:00+03:00",
                                TALKS, source="TASS", topics="[Diplomacy]"),
        "content/gas.md": note("Refinery output grows & <prices> fall",
                               "2024-12-20T09:00:00+03:00",
                               "Refineries raised petrol output.", source="BelTA",
                               topics="[Energy]", summary='"Petrol output rose by a tenth."'),
        "content/misc.md": note("Snow expected", "2024-12-20T08:00:00+03:00",
                                "Snow is expected.", source="Minsk Herald"),
        "content/monday.md": note("Monday story", "2024-12-16T12:00:00+03:00", "Early week."),
    }


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = make_site(tmp_path_factory.mktemp("mail"), _files(), config=CONFIG)
    return files_of(build(root, OPTIONS, engine=PlainEngine()))


def _doc(data: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(data.decode("utf-8"))


def _text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def test_each_day_and_week_is_written_as_mail(files: dict[str, bytes]) -> None:
    for folder in (DAY, "editions/2024-12-16/", "editions/2024-W51/"):
        assert folder + "email.html" in files and folder + "email.txt" in files, folder
    assert "editions/email.html" not in files  # the overview is not a mail
    sitemap = files["sitemap.xml"].decode()
    assert "email" not in sitemap


def test_mail_html_is_grouped_like_the_edition_each_story_once(files: dict[str, bytes]) -> None:
    doc = _doc(files[DAY + "email.html"])
    assert doc.xpath("//title")[0].text == "Test Digest: Friday, 20 December 2024"
    assert [_text(h) for h in doc.xpath("//h2")] == ["Energy", "Diplomacy", "Other news"]
    headlines = [_text(h) for h in doc.xpath("//h3")]
    assert headlines == ["Refinery output grows & <prices> fall", "Leaders sum up talks",
                         "Snow expected"]  # TASS's report of the same story is folded in
    also = doc.xpath("//p[@class='also']")
    assert [_text(p) for p in also] == ["Also reported by TASS"]
    assert also[0].xpath("./a/@href") == [f"{BASE}/2024/12/20/tass/"]
    assert "Petrol output rose by a tenth." in _text(doc)


def test_mail_html_is_made_for_mail_clients(files: dict[str, bytes]) -> None:
    raw = files[DAY + "email.html"].decode()
    doc = _doc(files[DAY + "email.html"])
    assert doc.xpath("//script") == [] and doc.xpath("//link") == []
    assert doc.xpath("//table[@role='presentation']")  # the frame is tables
    # CSS inlined: every element with a class has its style attribute
    styled = doc.xpath("//*[@class]")
    assert styled and all(el.get("style") for el in styled
                          if el.get("class") not in ("body",)), \
        [el.get("class") for el in styled if not el.get("style")]
    assert doc.xpath("//body/@style")
    # only the at-rules stay in the head: dark mode and narrow screens
    (style,) = doc.xpath("//head/style")
    css = style.text
    assert "@media (prefers-color-scheme: dark)" in css and "@media (max-width: 620px)" in css
    assert re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css).strip() == ""
    assert doc.xpath("//meta[@name='color-scheme']/@content") == ["light dark"]
    assert raw.index('<meta charset="utf-8">') < 200  # first, before the kept <style>
    # every link is absolute, to the site's base_url
    hrefs = doc.xpath("//a/@href")
    assert hrefs and all(h.startswith(f"{BASE}/") or h.startswith("mailto:") for h in hrefs), hrefs
    assert f"{BASE}/topics/energy/" in hrefs and f"{BASE}/{DAY}" in hrefs
    assert doc.xpath("//img[not(starts-with(@src, 'https://'))]") == []
    assert f"{BASE}/leave/" in hrefs  # the footer's unsubscribe link (the web one)
    assert len(files[DAY + "email.html"]) < MAX_EMAIL_BYTES


def test_mail_text_part(files: dict[str, bytes]) -> None:
    text = files[DAY + "email.txt"].decode()
    assert text.startswith("Test Digest\nFriday, 20 December 2024\n=====")
    assert text.index("ENERGY") < text.index("DIPLOMACY") < text.index("OTHER NEWS")
    assert "* Refinery output grows & <prices> fall" in text  # unescaped: plain text
    assert "&amp;" not in text and "&lt;" not in text and "<a " not in text
    assert f"  {BASE}/2024/12/20/belta/\n" in text
    assert f"  - TASS: {BASE}/2024/12/20/tass/\n" in text
    assert text.count("Leaders") == 1  # the TASS report only as "also reported by"
    assert f"Unsubscribe: {BASE}/leave/" in text
    assert "\n\n\n" not in text and text.endswith("\n") and not text.endswith("\n\n")


def test_week_mail_lists_its_days_newest_first(files: dict[str, bytes]) -> None:
    doc = _doc(files["editions/2024-W51/email.html"])
    assert doc.xpath("//title")[0].text == "Test Digest: Week 51, 2024"
    assert [_text(h) for h in doc.xpath("//h2")] == ["Friday, 20 December 2024",
                                                     "Monday, 16 December 2024"]
    assert _text(doc.xpath("//p[@class='count']")[0]).startswith("4 stories on 2 days")
    assert len(doc.xpath("//h3")) == 4


def _big_site(root: Path, stories: int) -> Path:
    body = "A long paragraph about the day's events. " * 12
    files = {f"content/s{i:03d}.md": note(f"Story number {i} of a very busy news day",
                                          f"2024-12-20T{8 + i // 60:02d}:{i % 60:02d}:00+03:00",
                                          body, source=f"Agency {i}",
                                          summary=f'"{body.strip()}"')
             for i in range(stories)}
    return make_site(root, files, config=CONFIG)


def test_a_big_edition_is_cut_under_gmails_limit_and_links_the_rest(tmp_path: Path) -> None:
    files = files_of(build(_big_site(tmp_path / "big", 300), OPTIONS, engine=PlainEngine()))
    data = files[DAY + "email.html"]
    assert len(data) <= MAX_EMAIL_BYTES < 102 * 1024
    doc = _doc(data)
    shown = len(doc.xpath("//h3"))
    assert 50 < shown < 300
    more = doc.xpath("//td[@class='more']/a")[0]
    assert _text(more) == f"{300 - shown} more stories on the site"
    assert more.get("href") == f"{BASE}/{DAY}"
    # the newest stories are the ones kept (the edition's order)
    assert _text(doc.xpath("//h3")[0]) == "Story number 299 of a very busy news day"
    # the text part is not clipped by Gmail: every story stays in it
    assert files[DAY + "email.txt"].decode().count("* Story number") == 300
    week = files["editions/2024-W51/email.html"]  # a week is cut the same way
    assert len(week) <= MAX_EMAIL_BYTES and b"more stories on the site" in week


def test_the_cut_keeps_as_many_stories_as_fit() -> None:
    """Bisection finds the largest number of stories under the limit."""
    calls = []

    def render(extra):  # noqa: ANN001, ANN202 - a stand-in template: 100 bytes a story
        limit = extra["story_limit"]
        calls.append(limit)
        shown = 40 if limit is None else min(limit, 40)
        return "<html><head></head><body>" + "x" * (100 * shown) + "</body></html>"

    class Day:
        groups = (type("G", (), {"stories": tuple(range(40))})(),)

    out = email_html({"edition": Day(), "week": None}, render, limit=2_600)
    assert out.count("x") == 2_500  # 25 stories: 26 would pass 2,600 bytes
    assert len(calls) <= 4  # all, none, the size's guess and its neighbour


@pytest.mark.parametrize("seed", range(12))
def test_the_cut_is_the_most_that_fit_whatever_the_story_sizes(seed: int) -> None:
    """Stories of very different sizes: the guess from the average size may be
    far off; the answer is still the largest count under the limit."""
    import random

    sizes = [random.Random(seed * 7 + i).choice((20, 60, 400, 1500)) for i in range(60)]

    def render(extra):  # noqa: ANN001, ANN202
        shown = len(sizes) if extra["story_limit"] is None else extra["story_limit"]
        return "<html><head></head><body>" + "".join("x" * n for n in sizes[:shown]) \
            + "</body></html>"

    class Day:
        groups = (type("G", (), {"stories": tuple(range(len(sizes)))})(),)

    limit = 9_000
    out = email_html({"edition": Day(), "week": None}, render, limit=limit)
    frame = len("<html><head></head><body></body></html>\n")
    most = max(k for k in range(len(sizes) + 1) if frame + sum(sizes[:k]) <= limit)
    assert out.count("x") == sum(sizes[:most])


@pytest.mark.parametrize("seed", range(12))
def test_stories_of_similar_sizes_take_few_renders(seed: int) -> None:
    """Stories of similar sizes (a week of cards): counting from the nearer
    count known settles the cut in at most six renders (all, none, and two
    rounds of a guess and its neighbour), where bisection took up to eleven."""
    import random

    pick = random.Random(seed)
    sizes = [pick.randint(500, 1200) for _ in range(pick.randint(60, 200))]
    calls = []

    def render(extra):  # noqa: ANN001, ANN202
        calls.append(extra["story_limit"])
        shown = len(sizes) if extra["story_limit"] is None else extra["story_limit"]
        return "<html><head></head><body>" + "".join("x" * n for n in sizes[:shown]) \
            + "</body></html>"

    class Day:
        groups = (type("G", (), {"stories": tuple(range(len(sizes)))})(),)

    limit = sum(sizes) // pick.choice((2, 3, 5))
    out = email_html({"edition": Day(), "week": None}, render, limit=limit)
    frame = len("<html><head></head><body></body></html>\n")
    most = max(k for k in range(len(sizes) + 1) if frame + sum(sizes[:k]) <= limit)
    assert out.count("x") == sum(sizes[:most])
    assert len(calls) <= 6, calls


def test_a_template_that_ignores_the_story_limit_still_gets_an_answer() -> None:
    """A theme whose mail does not shrink with ``story_limit`` (or an edition
    without stories) over the limit: no division by a story size of zero;
    the mail without stories is what is kept, as before."""
    calls = []

    def render(extra):  # noqa: ANN001, ANN202 - the same bytes whatever the limit
        calls.append(extra["story_limit"])
        return "<html><head></head><body>" + "x" * 5_000 + "</body></html>"

    for stories in (40, 0):
        class Day:
            groups = (type("G", (), {"stories": tuple(range(stories))})(),)

        calls.clear()
        out = email_html({"edition": Day(), "week": None}, render, limit=2_600)
        assert out.count("x") == 5_000 and calls[:2] == [None, 0]
        assert len(calls) <= 2 + 2 * 6  # halving 40 stories takes a few rounds at most


def test_email_settings_errors_name_their_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", config=(
        "title: T\nemail:\n  from: not an address\n  list_unsubscribe: http://x.example/\n"
        "  subject: \"{title} {weekday}\"\n  form: x\n"))
    with pytest.raises(ConfigError) as caught:
        load_config(site)
    found = {(d.line, d.message.split(":")[0]) for d in caught.value.diagnostics}
    assert found == {(3, "email.from"), (4, "email.list_unsubscribe"), (5, "email.subject"),
                     (6, "email.form")}
    hints = " ".join(d.hint or "" for d in caught.value.diagnostics)
    assert "did you mean 'from'?" in hints and "mailto:" in hints


def test_subject_pattern_from_settings(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("Quiet day", "2024-05-01")},
                     config="title: T & Co\nemail:\n  subject: \"{date} in {title}\"\n")
    files = files_of(build(site, OPTIONS, engine=PlainEngine()))
    title = _doc(files["editions/2024-05-01/email.html"]).xpath("//title")[0].text
    assert title == "Wednesday, 1 May 2024 in T & Co"


def test_incremental_builds_keep_the_mail_exact(tmp_path: Path) -> None:
    """Rebuilds after edits (a headline, a new story, a cut edition) give the
    plain engine's bytes: email.html and email.txt follow the edition's page."""
    site = make_site(tmp_path / "site", _files(), config=CONFIG)
    got = edits_stay_exact(site, OPTIONS, [
        {"content/gas.md": note("Refinery output grows again", "2024-12-20T09:00:00+03:00",
                                "Refineries raised petrol output.", source="BelTA",
                                topics="[Energy]")},
        {"content/new.md": note("Rail link reopens", "2024-12-20T18:00:00+03:00",
                                "Trains ran again.", source="TASS", topics="[Energy]")},
        {"digest.yaml": CONFIG.replace("Test Digest", "Renamed Digest")},
    ])
    assert "Rail link reopens" in got[DAY + "email.txt"].decode()
    assert b"Renamed Digest: Friday" in got[DAY + "email.html"]
    big = _big_site(tmp_path / "big", 250)
    write_files(big, _files())
    edits_stay_exact(big, OPTIONS, [{"content/s001.md": note(
        "A shorter story", "2024-12-20T08:01:00+03:00", "Short.")}])


def test_a_new_base_url_reaches_every_link_of_the_mail(tmp_path: Path) -> None:
    """The build cache keeps compiled templates when only base_url changes (it
    is not part of the cache's namespace): no link may be computed when the
    template is compiled (Jinja folds a filter of a constant, '/' | absolute)."""
    site = make_site(tmp_path / "site", _files(), config=CONFIG)
    assert run_digest(site, "build", "-q", "--no-search").code == 0
    moved = CONFIG.replace(f"base_url: {BASE}/", "base_url: https://moved.example.net/")
    write_files(site, {"digest.yaml": moved})  # nothing else: the cache stays
    assert run_digest(site, "build", "-q", "--no-search").code == 0  # a new process, as users do
    for name in ("email.html", "email.txt"):  # (the unsubscribe address stays)
        data = (site / "output" / DAY / name).read_bytes().replace(b"news.example.org/leave/", b"")
        assert b"news.example.org" not in data, name
    doc = _doc((site / "output" / DAY / "email.html").read_bytes())
    assert doc.xpath("//a[@class='site-link']/@href") == ["https://moved.example.net/"]
