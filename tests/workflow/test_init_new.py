"""`digest init`, `digest new` and `digest clean` through the CLI entry point."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from digest import cli
from digest.site.sources.frontmatter import split

EPOCH = 1735000000  # 2024-12-24 00:26:40 UTC


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))


def run(*argv: str) -> int:
    return cli.main(list(argv))


def listed(site: Path, *flags: str, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    capsys.readouterr()
    assert run("--site", str(site), "list", *flags) == 0
    return json.loads(capsys.readouterr().out)


def make_site(root: Path, timezone: str = "Europe/Minsk") -> Path:
    (root / "content").mkdir(parents=True)
    (root / "digest.yaml").write_text(
        f"title: Test\nbase_url: https://news.example.org/\ntimezone: {timezone}\n",
        encoding="utf-8")
    return root


# --------------------------------------------------------------------------- init

def test_init_creates_a_site_that_builds_and_checks_clean(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "news"
    assert run("init", str(site)) == 0
    out = capsys.readouterr().out
    assert "digest.yaml" in out and "build" in out
    for rel in ("digest.yaml", "netlify.toml", ".gitignore",
                "content/northport-eastvale-rail-freight.md",
                "content/clippings/northport-wind-farm.txt"):
        assert (site / rel).is_file(), rel
    assert run("--site", str(site), "build", "-q") == 0
    arts = listed(site, capsys=capsys)
    assert {a["kind"] for a in arts} == {"markdown", "clipping"}
    assert all("Transport" in a["terms"]["topics"] or "Energy" in a["terms"]["topics"]
               for a in arts)
    assert run("--site", str(site), "check", "--strict") == 0
    assert "0 errors, 0 warnings, 0 notes in 2 files" in capsys.readouterr().out


def test_init_config_is_commented_and_has_a_vocabulary(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "s"), "--title", "Minsk: notes",
               "--timezone", "Europe/Minsk") == 0
    text = (tmp_path / "s" / "digest.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["title"] == "Minsk: notes" and data["timezone"] == "Europe/Minsk"
    assert data["taxonomies"]["topics"]["terms"]
    lines = text.split("\n")
    # Every top-level setting is explained by a comment somewhere above it.
    for i, line in enumerate(lines):
        if re.match(r"[a-z_]+:", line):
            block = lines[max(0, i - 6):i]
            assert any(b.startswith("#") for b in block), line
    ignore = (tmp_path / "s" / ".gitignore").read_text(encoding="utf-8").split()
    assert "output/" in ignore and ".digest-cache/" in ignore
    assert 'publish = "output"' in (tmp_path / "s" / "netlify.toml").read_text()


def test_init_into_current_site_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "empty").mkdir()
    assert run("--site", str(tmp_path / "empty"), "init") == 0
    assert (tmp_path / "empty" / "digest.yaml").is_file()


def test_init_refuses_a_non_empty_folder(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert run("init", str(tmp_path)) == 1
    assert "not empty" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_init_rejects_unknown_time_zone(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert run("init", str(tmp_path / "s"), "--timezone", "Mars/Olympus") == 2  # usage
    assert "time zone" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


# --------------------------------------------------------------------------- new

def test_new_writes_a_draft_with_front_matter(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    assert run("--site", str(site), "new", "Minsk: talks resume") == 0
    path = site / "content" / "minsk-talks-resume.md"
    assert str(path) in capsys.readouterr().out
    fm = split(path.read_text(encoding="utf-8"), "x.md")
    assert fm.data["title"] == "Minsk: talks resume"
    assert fm.data["date"] == "2024-12-24T03:26:40+03:00"  # SOURCE_DATE_EPOCH, site zone
    assert fm.data["draft"] is True
    assert fm.data["tags"] == [] and fm.data["topics"] == []
    assert "source" in fm.data and fm.data["source"] is None
    assert re.fullmatch(r"tag:news\.example\.org,2024-12-24:[0-9a-f]{12}", fm.data["id"])
    # a draft: built only with --drafts, with the id as given
    assert listed(site, capsys=capsys) == []
    [art] = listed(site, "--drafts", capsys=capsys)
    assert art["title"] == "Minsk: talks resume" and art["draft"] is True


def test_new_id_is_reproducible_and_differs_per_article(tmp_path: Path) -> None:
    ids = []
    for name in ("a", "b"):
        site = make_site(tmp_path / name)
        assert run("--site", str(site), "new", "Same headline") == 0
        assert run("--site", str(site), "new", "Other headline") == 0
        ids.append([split((site / "content" / f).read_text(), f).data["id"]
                    for f in ("same-headline.md", "other-headline.md")])
    assert ids[0] == ids[1]
    assert ids[0][0] != ids[0][1]


def test_new_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    target = site / "content" / "gas-talks.md"
    target.write_text("mine", encoding="utf-8")
    assert run("--site", str(site), "new", "Gas talks") == 1
    err = capsys.readouterr().err
    assert "already exists" in err and "gas-talks.md" in err
    assert target.read_text(encoding="utf-8") == "mine"
    # a clipping of the same slug would be the same page: refused as well
    assert run("--site", str(site), "new", "--clipping", "Gas talks") == 1
    assert not (site / "content" / "gas-talks.txt").exists()


def test_new_rejects_a_headline_without_slug(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    assert run("--site", str(site), "new", "!!!") == 2  # the argument: a usage error
    assert "file name" in capsys.readouterr().err
    assert list((site / "content").iterdir()) == []


def test_new_keeps_non_latin_headlines(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    assert run("--site", str(site), "new", "Переговоры в Минске") == 0
    path = site / "content" / "переговоры-в-минске.md"
    assert split(path.read_text(encoding="utf-8"), "x").data["title"] == "Переговоры в Минске"


def test_new_clipping_skeleton_parses(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    assert run("--site", str(site), "new", "--clipping", "Refinery output rises") == 0
    path = site / "content" / "refinery-output-rises.txt"
    lines = [ln for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip()]
    body = lines[lines.index("Refinery output rises"):]
    assert body[1] == "03:26, 24 December"  # HH:MM, D Month in the site zone
    assert body[2].startswith("Photo:")
    assert len(body) == 4  # one placeholder paragraph
    [art] = listed(site, "--drafts", capsys=capsys)
    assert art["kind"] == "clipping" and art["date"] == "2024-12-24T03:26:00+03:00"
    assert art["year_inferred"] is False


def test_new_honours_content_dir(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / "digest.yaml").write_text("content_dir: posts\n", encoding="utf-8")
    assert run("--site", str(site), "new", "Into posts") == 0
    assert (site / "posts" / "into-posts.md").is_file()
    assert run("--site", str(site), "new", "--content", "other", "Into other") == 0
    assert (site / "other" / "into-other.md").is_file()


# --------------------------------------------------------------------------- clean

def test_clean_removes_output_and_cache(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    (site / "content" / "a.md").write_text("---\ntitle: A\ndate: 2024-12-01\n---\nText.\n")
    assert run("--site", str(site), "build", "-q") == 0
    (site / ".digest-cache" / "x").mkdir(parents=True)
    assert (site / "output" / ".digest-build").is_file()
    assert run("--site", str(site), "clean") == 0
    assert "Removed" in capsys.readouterr().out
    assert not (site / "output").exists() and not (site / ".digest-cache").exists()
    assert (site / "content" / "a.md").is_file()
    assert run("--site", str(site), "clean") == 0
    assert "Nothing to clean" in capsys.readouterr().out


def test_clean_refuses_output_without_marker(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    (site / "output").mkdir()
    (site / "output" / "precious.html").write_text("keep", encoding="utf-8")
    (site / ".digest-cache").mkdir()
    assert run("--site", str(site), "clean") == 1
    assert "not built by digest" in capsys.readouterr().err
    assert (site / "output" / "precious.html").is_file()


def test_clean_removes_leftovers_of_an_interrupted_build(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    stale = site / "output.tmp-abc"
    stale.mkdir()
    (stale / ".digest-build").write_text("digest\n")
    assert run("--site", str(site), "clean") == 0
    assert not stale.exists()
