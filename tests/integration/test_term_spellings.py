"""Issue 22, point 5: terms written in different cases are one term.

``tags: [Gas]`` in one note and ``tags: [gas]`` in another used to stop the
build with an anonymous "generated: feed tags/gas/atom.xml: 2 sources would
write..."; now they are one term, shown as the vocabulary's label or else the
oldest article's spelling, with a warning at every file spelling it otherwise.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from lxml import etree

from tests.integration.conftest import cli, make_site, note, parse_html, tree_hash
from tests.integration.test_incremental import (
    assert_same_tree,
    build,
    build_with_cold_reference,
    first_field,
    make_incremental_site,
    replace_in,
)

CONFIG = "title: Spellings\nbase_url: https://spell.example.org/\nsearch: false\n"


def _site(root: Path, config: str = CONFIG) -> Path:
    return make_site(root, {
        # the oldest article: its spellings are the ones shown
        "content/z-first.md": note("Pipeline talks open", "2024-03-01T09:00:00Z",
                                   tags="[Gas, Café]", source="Northwind Wire",
                                   section="World News"),
        "content/a-second.md": note("Pipeline talks go on", "2024-03-02T09:00:00Z",
                                    tags="[gas, CAFÉ]", source="NorthWind wire",
                                    section="world news"),
        "content/b-third.md": note("Pipeline talks end", "2024-03-03T09:00:00Z",
                                   tags="[GAS]", source="Northwind Wire"),
    }, config=config)


def _listed(site: Path, *args: str) -> dict[str, dict[str, list[str]]]:
    run = cli(site, "list", "--json", *args)
    assert run.code == 0, run
    return {Path(a["path"]).name: a["terms"] for a in json.loads(run.out)}


def test_case_variants_build_as_one_term_with_the_oldest_spelling(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    assert "generated:" not in run.err
    out = site / "output"
    assert sorted(p.name for p in (out / "tags").iterdir() if p.is_dir()) == ["cafe", "gas"]
    assert sorted(p.name for p in (out / "sources").iterdir() if p.is_dir()) == [
        "northwind-wire"]
    gas = parse_html(out / "tags/gas/index.html")
    assert "Gas" in gas.xpath("string(//h1)") and "GAS" not in gas.xpath("string(//h1)")
    assert len(set(gas.xpath("//main//a/@href")) & {
        "/2024/03/01/z-first/", "/2024/03/02/a-second/", "/2024/03/03/b-third/"}) == 3
    overview = parse_html(out / "tags/index.html").xpath("string(//main)")
    assert "Gas" in overview and "gas" not in overview.replace("Gas", "")
    # feeds: every entry's categories use the one label
    rss = etree.parse(str(out / "feed.xml"))
    cats = {c.text for c in rss.findall("channel/item/category")}
    assert {"Gas", "Café", "Northwind Wire", "World News"} <= cats
    assert not cats & {"gas", "GAS", "CAFÉ", "NorthWind wire", "world news"}
    # digest list shows the same labels
    terms = _listed(site)
    assert {name: t["tags"] for name, t in terms.items()} == {
        "z-first.md": ["Café", "Gas"], "a-second.md": ["Café", "Gas"], "b-third.md": ["Gas"]}
    assert {t["sources"][0] for t in terms.values()} == {"Northwind Wire"}
    assert terms["a-second.md"]["sections"] == ["World News"]
    # one warning per file and term spelt otherwise, at the line that writes it
    err = run.err
    assert ('content/a-second.md:4: warning: tags: "gas" is written "Gas" elsewhere '
            '(content/z-first.md); shown as "Gas"') in err
    assert 'content/a-second.md:4: warning: tags: "CAFÉ"' in err
    assert 'content/a-second.md:5: warning: sources: "NorthWind wire"' in err
    assert '(content/z-first.md, content/b-third.md)' in err  # every file spelling it so
    assert 'content/a-second.md:6: warning: sections: "world news"' in err
    assert 'content/b-third.md:4: warning: tags: "GAS"' in err
    assert "z-first.md:" not in err  # the chosen spelling is not warned about
    assert 'hint: spell it "Gas" in `tags:` here' in err


def test_a_clipping_rubric_is_one_term_with_front_matter_sections(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    (site / "content/talks.txt").write_text(
        "Pipeline talks resume\n\n10:32, 20 December 2024\n\n"
        "The talks on the pipeline resumed.\n\nOther materials of «WORLD NEWS»\n\n"
        "Earlier talks\n\n16:36, 5 November 2024\n", encoding="utf-8")
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    assert _listed(site)["talks.txt"]["sections"] == ["World News"]
    assert 'content/talks.txt:7: warning: sections: "WORLD NEWS"' in run.err  # the rubric
    assert [p.name for p in (site / "output/sections").iterdir() if p.is_dir()] == ["world-news"]


def test_check_reports_the_spellings_and_strict_fails(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    run = cli(site, "check")
    assert run.code == 0, run
    assert 'content/b-third.md:4: warning: tags: "GAS" is written "Gas"' in run.out + run.err
    assert cli(site, "check", "--strict").code == 1
    strict = cli(site, "build", "-q", "--strict")
    assert strict.code == 1 and 'tags: "GAS" is written "Gas"' in strict.err
    assert not (site / "output").exists()


def test_the_vocabulary_and_agency_names_win_without_warnings(tmp_path: Path) -> None:
    config = CONFIG + (
        "taxonomies:\n  tags:\n    terms:\n      - label: GaS\n"
        "agencies:\n  - {name: NorthWind Wire, aliases: [NWW]}\n")
    site = _site(tmp_path / "site", config)
    (site / "content/c-alias.md").write_text(
        note("Pipeline talks recap", "2024-03-04T09:00:00Z", tags="[gas]", source="nww"),
        encoding="utf-8")
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    terms = _listed(site)
    assert {t["tags"][-1] for t in terms.values()} == {"GaS"}
    assert {t["sources"][0] for t in terms.values()} == {"NorthWind Wire"}
    assert '"gas"' not in run.err and '"GAS"' not in run.err and "sources:" not in run.err
    assert 'tags: "CAFÉ"' in run.err  # not in the vocabulary: still one warning


def test_the_first_spelling_is_by_date_then_path_not_by_file_order(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/a.md": note("Newer", "2024-05-02T09:00:00Z", tags="[Ferry]"),
        "content/b.md": note("Older", "2024-05-01T09:00:00Z", tags="[FERRY]"),
        # same instant as b.md: its path sorts after it
        "content/c.md": note("Older too", "2024-05-01T09:00:00Z", tags="[ferry]"),
    }, config=CONFIG)
    for jobs in ("1", "2"):
        run = cli(site, "build", "-q", "--no-cache", "--jobs", jobs)
        assert run.code == 0, run
        assert {t["tags"][0] for t in _listed(site).values()} == {"FERRY"}
        assert "content/a.md:4: warning" in run.err and "content/c.md:4: warning" in run.err


def test_labels_with_one_slug_but_different_words_name_their_files(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/cpp.md": note("Templates", "2024-05-01T09:00:00Z", tags="[C++]"),
        "content/c.md": note("Pointers", "2024-05-02T09:00:00Z", tags="[C]"),
    }, config=CONFIG)
    run = cli(site, "build", "-q")
    assert run.code == 1, run
    assert "generated:" not in run.err
    assert ('content/cpp.md:4: error: tags: 2 different terms would share the page /tags/c/: '
            '"C" in content/c.md; "C++" in content/cpp.md') in run.err
    assert 'hint: give one of them its own slug in digest.yaml' in run.err
    checked = cli(site, "check")
    assert checked.code == 1 and "/tags/c/" in checked.out + checked.err


def test_the_slug_the_hint_suggests_separates_two_terms(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/fr.md": note("Brut", "2024-05-01T09:00:00Z", tags="[Pétrole]"),
        "content/en.md": note("Crude", "2024-05-02T09:00:00Z", tags="[Petrole]"),
    }, config=CONFIG)
    run = cli(site, "build", "-q")
    assert run.code == 1 and "content/fr.md" in run.err and "content/en.md" in run.err, run
    with (site / "digest.yaml").open("a", encoding="utf-8") as f:
        f.write('taxonomies:\n  tags:\n    terms:\n      - {label: "Pétrole", slug: petrole-fr}\n')
    fixed = cli(site, "build", "-q")
    assert fixed.code == 0, fixed
    assert "Pétrole" in parse_html(site / "output/tags/petrole-fr/index.html").xpath("string(//h1)")
    assert "Petrole" in parse_html(site / "output/tags/petrole/index.html").xpath("string(//h1)")


def _tagged(site: Path, tag: str) -> list[Path]:
    """The files tagged ``tag`` (as written), oldest first."""
    found = []
    for path in (site / "content").rglob("*.md"):
        line = first_field(path, "tags")
        if tag in line[len("tags: ["):-1].split(", "):
            found.append((datetime.fromisoformat(first_field(path, "date")[6:]), path))
    return [p for _, p in sorted(found)]


def test_incremental_builds_follow_the_first_spelling(tmp_path: Path) -> None:
    site = make_incremental_site(tmp_path / "site", articles=14)
    build(site)
    files = _tagged(site, "transport")
    assert len(files) >= 3
    oldest, newest = files[0], files[-1]
    outputs = []
    edits = [  # each changes which spelling is shown, or adds one
        (newest, "transport", "Transport"),   # a variant appears; "transport" stays first
        (oldest, "transport", "TRANSPORT"),   # now the oldest spells it otherwise
        (oldest, "TRANSPORT", "transport"),   # and back
        (newest, "Transport", "transport"),   # no variant left
    ]
    for n, (path, old, new) in enumerate(edits):
        line = first_field(path, "tags")
        replace_in(path, line, line.replace(old, new))
        want = build_with_cold_reference(site, tmp_path / f"cold-{n}")
        assert_same_tree(tree_hash(site / "output"), want)
        outputs.append(want)
    shown = parse_html(site / "output/tags/transport/index.html").xpath("string(//h1)")
    assert "transport" in shown
    assert outputs[0] != outputs[1] != outputs[2] != outputs[3]
    assert outputs[0] == outputs[2]  # the same sources: the same bytes
