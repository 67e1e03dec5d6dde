"""`digest check`: every kind of finding, text and JSON output, exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest import cli
from digest.workflow import links

EPOCH = 1735000000  # 2024-12-24 00:26:40 UTC

CONFIG = """\
timezone: Europe/Minsk
base_url: https://news.example.org/
taxonomies:
  topics:
    terms:
      - label: Energy
        aliases: [gas, oil]
      - label: Transport
        aliases: [railway, cabotage]
"""


def note(title: str, date: str = "2024-12-20T10:00:00+03:00", body: str = "Gas talks.",
         **fields: str) -> str:
    extra = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{body}\n"


def make(root: Path, files: dict[str, str], config: str = CONFIG) -> Path:
    (root / "digest.yaml").write_text(config, encoding="utf-8")
    for rel, text in files.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def check(site: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = cli.main(["--site", str(site), "check", "--format", "json", *flags])
    return code, json.loads(capsys.readouterr().out)


def found(report: dict, code: str) -> list[dict]:
    return [d for d in report["diagnostics"] if d["code"] == code]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))


def test_clean_site_passes_and_writes_nothing(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    site = make(tmp_path, {"gas-deal.md": note("Gas deal", body="Gas and oil."),
                           "b.md": note("Rail link", "2024-12-21",
                                        body="Railway. See [gas](/2024/12/20/gas-deal/).")})
    code, report = check(site, capsys, "--strict")
    assert code == 0, report
    assert report["errors"] == report["warnings"] == 0 and report["files"] == 2
    assert not (site / "output").exists()


def test_all_parse_errors_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make(tmp_path, {
        "ok.md": note("Gas deal"),
        "bad-yaml.md": "---\ntitle: Minsk: talks\ndate: 2024-12-01\n---\nText\n",
        "no-title.md": "---\ndate: 2024-12-01\n---\nText\n",
        "clip.txt": "A headline only\n\nNo dateline here.\n",
    })
    code, report = check(site, capsys)
    assert code == 1
    errors = {(d["path"], d["line"]) for d in report["diagnostics"] if d["severity"] == "error"}
    assert {p for p, _ in errors} == {"content/bad-yaml.md", "content/no-title.md",
                                      "content/clip.txt"}
    assert ("content/bad-yaml.md", 2) in errors
    assert all(d["group"] == "content files" for d in report["diagnostics"]
               if d["severity"] == "error")
    # the build's own --keep-going copies of these errors are not repeated
    assert report["errors"] == 3


def test_config_errors_stop_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = CONFIG + "      - label: Trade\n        aliases: [gas]\n"
    site = make(tmp_path, {"a.md": note("Gas deal")}, config)
    code, report = check(site, capsys)
    assert code == 1
    [diag] = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert diag["path"] == "digest.yaml" and diag["line"] and "claimed by both" in diag["message"]
    assert diag["group"] == "digest.yaml"


def test_unknown_front_matter_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make(tmp_path, {"a.md": note("Gas deal", sumary="short", layout="post")})
    code, report = check(site, capsys)
    [diag] = found(report, "front-matter-unknown-key")
    assert diag["line"] == 4 and "sumary" in diag["message"] and "summary" in diag["hint"]
    assert code == 0  # a warning
    assert check(site, capsys, "--strict")[0] == 1


def test_unknown_terms_and_missing_topics(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    site = make(tmp_path, {
        "a.md": note("Gas deal", topics="[Enrgy]"),
        "b.md": note("Weather report", body="Sunny in Minsk."),
        "c.md": note("Rail deal", topics="[Transport, railway]"),  # alias: known
    })
    _, report = check(site, capsys)
    [unknown] = found(report, "unknown-term")
    assert unknown["path"] == "content/a.md" and unknown["line"] == 4
    assert "'Enrgy'" in unknown["message"] and "Energy" in unknown["hint"]
    assert [d["path"] for d in found(report, "no-topic")] == ["content/b.md"]


def test_no_topic_is_quiet_on_sites_without_topics(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    site = make(tmp_path, {"a.md": note("Weather")}, "timezone: UTC\n")
    assert found(check(site, capsys)[1], "no-topic") == []


def test_internal_links(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = ("See [the deal](/2024/12/20/gas-deal/), [no slash](/2024/12/20/gas-deal),\n"
            "[relative](../gas-deal/), [absolute](https://news.example.org/topics/energy/),\n"
            "[topics](/topics/), [fragment](#top), [mail](mailto:a@b.org).\n\n"
            "Broken: [missing](/2024/01/01/nope/)\n\n"
            "[own host](https://www.news.example.org/2024/12/20/gone/)\n\n"
            "[source file](gas-deal.md) and `[code](/not/a/link/)`\n\n"
            "[ref][r]\n\n[r]: /also/missing/\n")
    site = make(tmp_path, {"gas-deal.md": note("Gas deal"),
                           "b.md": note("Review", "2024-12-20T11:00", body=body)})
    code, report = check(site, capsys)
    broken = found(report, "broken-link")
    assert code == 1
    assert [(d["line"], d["message"].split()[2]) for d in broken] == [
        (10, "/2024/01/01/nope/"), (12, "https://www.news.example.org/2024/12/20/gone/"),
        (14, "gas-deal.md"), (16, "/also/missing/")]
    assert "/2024/12/20/gas-deal/" in broken[2]["hint"]  # points at the article's URL


def test_links_to_drafts_and_scheduled_articles(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    site = make(tmp_path, {
        "gas-draft.md": note("Gas draft", draft="true"),
        "gas-soon.md": note("Gas soon", "2025-01-10"),
        "a.md": note("Oil deal", "2024-12-21",
                     body="[d](/2024/12/20/gas-draft/) [s](/2025/01/10/gas-soon/)"),
    })
    code, report = check(site, capsys)
    assert code == 0 and not found(report, "broken-link")
    assert len(found(report, "unpublished-link")) == 2
    _, report = check(site, capsys, "--drafts", "--future")
    assert not found(report, "unpublished-link")


def test_duplicate_stories(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make(tmp_path, {
        "a.md": note("Gas deal",
                     source_url="https://www.agency.example/news/123?utm_source=tg&id=5"),
        "b.md": note("Oil deal", body="Text.\n\nAs [reported](http://agency.example/news/"
                                      "123/?id=5&fbclid=abc#top)."),
        "c.md": note("Rail deal", body="From [the agency](https://agency.example/)."),
        "d.md": note("Home", body="Also [home](https://agency.example)."),
    })
    _, report = check(site, capsys)
    [dup] = found(report, "duplicate-story")
    assert dup["path"] == "content/a.md" and dup["line"] == 4
    assert dup["message"].startswith("2 files link the same story ")
    assert dup["message"].endswith(": this one, content/b.md:8")


def test_duplicate_stories_one_warning_per_story(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Hundreds of articles citing one agency page make one warning, not one per pair."""
    story = "https://agency.example/news/{}"
    files = {f"n{i:02}.md": note(f"Gas round {i}", f"2024-12-{10 + i}",
                                 body=f"As [reported]({story.format(1)}?utm_source=x{i}).")
             for i in range(9)}
    files["z.md"] = note("Oil", source_url=story.format(2))
    files["y.md"] = note("Oil again", "2024-12-21",
                         body="Gas. See [this](http://www.agency.example/news/2/).")
    site = make(tmp_path, files)
    code, report = check(site, capsys)
    assert code == 0
    dups = found(report, "duplicate-story")
    assert [(d["path"], d["line"]) for d in dups] == [("content/n00.md", 6), ("content/y.md", 6)]
    assert dups[0]["message"] == (
        f"9 files link the same story {story.format(1)}?utm_source=x0: this one, "
        "content/n01.md:6, content/n02.md:6, content/n03.md:6, content/n04.md:6 and 4 more")
    assert dups[1]["message"].endswith(": this one, content/z.md:4")
    assert report["summary"]["warning"] == {"duplicate-story": 2}
    capsys.readouterr()
    texts = [(cli.main(["--site", str(site), "check"]), capsys.readouterr().out)
             for _ in range(2)]
    assert texts[0] == texts[1]  # same site, same bytes
    assert texts[0][1].count("files link the same story") == 2


@pytest.mark.parametrize(("a", "b"), [
    ("https://www.x.org/a/b/", "http://x.org/a/b"),
    ("https://x.org/a?utm_medium=x&utm_campaign=y", "https://x.org/a"),
    ("https://x.org/a?gclid=1&b=2&a=1", "https://x.org/a?a=1&b=2"),
    ("https://X.org:443/a#frag", "https://x.org/a"),
])
def test_normalize_url_equal(a: str, b: str) -> None:
    assert links.normalize_url(a) == links.normalize_url(b)


@pytest.mark.parametrize(("a", "b"), [
    ("https://x.org/a", "https://x.org/b"),
    ("https://x.org/a?id=1", "https://x.org/a?id=2"),
    ("https://x.org/a", "https://y.org/a"),
    ("https://x.org:8080/a", "https://x.org/a"),
])
def test_normalize_url_different(a: str, b: str) -> None:
    assert links.normalize_url(a) != links.normalize_url(b)


def test_year_inferred_is_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = ("Gas talks resume in Minsk\n\n10:32, 20 December\n\n"
            "Energy officials met on Friday, BelTA reports.\n")
    site = make(tmp_path, {"clip.txt": clip})
    code, report = check(site, capsys, "--strict")
    [diag] = found(report, "year-inferred")
    assert diag["severity"] == "note" and diag["line"] == 3 and "2024" in diag["message"]
    assert code == 0  # notes never fail, even with --strict


def test_template_syntax_left_as_text_reported_once_per_kind(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # raw, figure and site.url are resolved (render/templating.py): not reported
    site = make(tmp_path, {
        "a.md": note("Gas one", body="{% include a.html %}\n\n{% raw %}x{% endraw %}"),
        "b.md": note("Gas two", body='Text\n\n{{< figure src="x.jpg" >}}\n\n{% include b %}'
                                     "\n\n{{< tweet 1 >}}"),
        "c.md": note("Gas three", body="```\n{% in code %}\n```\n\n{{ site.url }} "
                                       "`{{ in a span }}` {{ page.title }}"),
    })
    _, report = check(site, capsys)
    diags = found(report, "template-syntax")
    assert len(diags) == 3
    by_kind = {d["message"].split(" (")[0]: d for d in diags}
    liquid = by_kind["Liquid tags"]
    assert liquid["path"] == "content/a.md" and liquid["line"] == 6
    assert "2 in 2 files" in liquid["message"] and "content/b.md" in liquid["message"]
    assert (by_kind["Hugo shortcodes"]["path"], by_kind["Hugo shortcodes"]["line"]) == \
        ("content/b.md", 12)
    output = by_kind["Liquid output tags"]
    assert (output["path"], output["line"]) == ("content/c.md", 10)
    assert "1 in 1 file" in output["message"]


def test_related_pins_to_unknown_slugs(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    site = make(tmp_path, {"gas-deal.md": note("Gas deal"),
                           "b.md": note("Oil deal", related="[gas-deal, gas-dael]",
                                        related_exclude="[nothing-here]")})
    _, report = check(site, capsys)
    pins = found(report, "related-unknown")
    assert [(d["line"], d["hint"]) for d in pins] == [
        (4, "did you mean 'gas-deal'?"),
        (5, "related pins name articles by slug (digest list shows them)")]


def test_frequent_unmatched_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {f"{n}.md": note(f"Gas round {n}", f"2024-12-{10 + n}",
                             body=f"Talks with Sergey Lavrov went on, round {n}.")
             for n in range(4)}
    _, report = check(make(tmp_path, files), capsys)
    names = [d["message"] for d in found(report, "unmatched-name")]
    assert any("'Sergey Lavrov' appears in 4 articles" in m for m in names)
    assert all(d["severity"] == "note" for d in found(report, "unmatched-name"))


def test_text_report_is_grouped_with_file_lines(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    site = make(tmp_path, {"a.md": note("Gas deal", sumary="x"),
                           "b.md": note("Oil deal", "2024-12-21", body="[x](/nope/)"),
                           "c.md": "---\ntitle: [unclosed\n---\n"})
    capsys.readouterr()
    assert cli.main(["--site", str(site), "check"]) == 1
    out = capsys.readouterr().out
    # the groups holding errors come first, whatever the usual order of their kinds
    assert out.index("content files (1 error)") < out.index("internal links (1 error)") \
        < out.index("front matter keys (1 warning)")
    assert "  content/b.md:6: error: link to /nope/ leads to no page of the site" in out
    assert "      hint:" in out
    assert out.rstrip().endswith(
        "digest check: 2 errors (1 broken-link, 1 front-matter-yaml), "
        "1 warning (1 front-matter-unknown-key), 0 notes in 3 files")


def test_errors_come_first_in_a_group_and_in_json(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    site = make(tmp_path, {"a.md": note("Gas deal", "2024-12-21", body="[x](/nope/)"),
                           "b.md": note("Oil deal", draft="true"),
                           "c.md": note("Rail", "2024-12-22", body="Gas: [y](/2024/12/20/b/)"),
                           "d.md": note("Ship", "2024-12-23", body="Oil: [z](/gone/)")})
    code, report = check(site, capsys)
    assert code == 1
    assert [(d["severity"], d["path"]) for d in report["diagnostics"]
            if d["group"] == "internal links"] == [
        ("error", "content/a.md"), ("error", "content/d.md"), ("warning", "content/c.md")]
    severities = [d["severity"] for d in report["diagnostics"]]
    assert severities == sorted(severities, key=["error", "warning", "note"].index)
    assert report["summary"] == {"error": {"broken-link": 2},
                                 "warning": {"unpublished-link": 1}, "note": {}}


def test_missing_content_folder_is_an_error(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "digest.yaml").write_text("title: x\n", encoding="utf-8")
    code, report = check(tmp_path, capsys)
    problems = [d for d in report["diagnostics"] if d["severity"] != "note"]
    assert code == 1 and len(problems) == 1 and found(report, "no-content")


def test_content_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make(tmp_path, {})
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.md").write_text(note("Gas deal"), encoding="utf-8")
    code, report = check(tmp_path, capsys, "--content", "posts")
    assert code == 0 and report["files"] == 1


def test_build_errors_still_leave_the_file_findings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # same file name in two folders, same day: same URL
    site = make(tmp_path, {"gas-deal.md": note("Gas deal", sumary="x"),
                           "more/gas-deal.md": note("Gas deal again", "2024-12-20T12:00")})
    code, report = check(site, capsys)
    assert code == 1
    assert found(report, "url-collision") and found(report, "front-matter-unknown-key")


def test_check_is_registered_with_build_flags() -> None:
    args = cli.make_parser()
    cli._register_extensions(args)
    ns = args.parse_args(["check", "--drafts", "--future", "--content", "x", "--strict"])
    assert ns.handler.__name__ == "cmd_check" and ns.strict and ns.content == "x"
    for command in ("init", "new", "clean"):
        parsed = args.parse_args([command, "x"] if command != "clean" else [command])
        assert parsed.handler.__name__ == f"cmd_{command}"
