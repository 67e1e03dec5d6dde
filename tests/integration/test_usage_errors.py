"""Issue 21, section 3: a wrong command-line argument is a usage error (exit 2)
saying how to write it, and every closing line is true of its command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.conftest import cli, note, small_site, tree_hash, write_files

# argv after `--site SITE` -> what the message must say (a regex)
CASES: dict[str, tuple[tuple[str, ...], str]] = {
    "list-since": (("list", "--since", "yesterday"),
                   r"error: --since 'yesterday' is not a date\n\s+hint: write a date such as "
                   r"2024-12-01"),
    "list-term-taxonomy": (("list", "--term", "topic:trade"),
                           r"error: --term 'topic:trade': this site has no taxonomy 'topic'\n"
                           r"\s+hint: did you mean --term topics:trade\? taxonomies: topics"),
    "list-term-shape": (("list", "--term", "trade"),
                        r"error: --term 'trade' is not TAXONOMY:TERM\n\s+hint: write the "
                        r"taxonomy, a colon and the term, e.g. --term topics:energy"),
    "build-jobs-zero": (("build", "--jobs", "0"),
                        r"argument --jobs/-j: '0' is not a number of worker processes: "
                        r"use 1 or more"),
    "build-jobs-negative": (("build", "-j", "-2"), r"'-2' is not a number of worker processes"),
    "build-content-missing": (("build", "--content", "posts"),
                              r"error: --content 'posts': no such folder in the site\n"
                              r"\s+hint: name an existing folder"),
    "build-content-outside": (("build", "--content", "../elsewhere"),
                              r"error: --content '\.\./elsewhere' is outside the site folder"),
    "check-content-missing": (("check", "--content", "posts"),
                              r"error: --content 'posts': no such folder in the site"),
    "serve-port": (("serve", "--port", "70000"),
                   r"argument --port: '70000' is not a port number \(0-65535\)"),
    # The host cannot be bound: were --content not checked first, serve would fail
    # on it at once (exit 1) instead of serving for ever.
    "serve-content-missing": (("serve", "--content", "posts", "--host", "256.0.0.1"),
                              r"error: --content 'posts': no such folder in the site"),
    "new-headline": (("new", "!!!"),
                     r"error: cannot make a file name from the headline '!!!'.*\n\s+hint: write "
                     r"a headline with letters or digits"),
    "new-content-outside": (("new", "Grain deal", "--content", "../elsewhere"),
                            r"error: --content '\.\./elsewhere' is outside the site folder"),
    "init-timezone": (("init", "fresh", "--timezone", "Mars/Olympus"),
                      r"error: --timezone 'Mars/Olympus' is not a known time zone\n"
                      r"\s+hint: use an IANA name"),
    "init-base-url": (("init", "fresh", "--base-url", "news.example.org"),
                      r"error: --base-url 'news\.example\.org' is not an absolute http\(s\) "
                      r"address\n\s+hint: give the address"),
}
CLOSING = {"list": "nothing was listed", "build": "nothing was written",
           "check": "the check did not finish", "serve": "the preview did not start",
           "new": "nothing was written", "init": "nothing was written"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_usage_error_exits_2_saying_how_to_fix_it(tmp_path: Path, case: str) -> None:
    argv, message = CASES[case]
    site = small_site(tmp_path / "site")
    assert cli(site, "build", "-q").code == 0
    argv = tuple(str(tmp_path / "site" / a) if a == "fresh" else a for a in argv)
    before = tree_hash(tmp_path)
    run = cli(site, *argv)
    assert run.code == 2, run
    assert re.search(message, run.err), run
    assert "Traceback" not in run.err and run.out == "", run
    if not case.startswith(("build-jobs", "serve-port")):  # argparse's own: usage line
        assert run.err.rstrip().endswith(
            f"digest {argv[0]}: usage error; {CLOSING[argv[0]]} "
            f"(see digest {argv[0]} --help)"), run
    assert tree_hash(tmp_path) == before  # nothing written, inside the site or beside it


def test_a_site_folder_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    run = cli(tmp_path / "nowhere", "build")
    assert run.code == 2, run
    assert "error: --site" in run.err and "no such folder" in run.err, run
    assert "hint: give the folder that holds digest.yaml" in run.err, run
    assert not (tmp_path / "nowhere").exists()


def test_list_filters_that_match_nothing_are_not_errors(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    run = cli(site, "list", "--term", "tags:no-such-tag", "--since", "2030-01-01")
    assert run.code == 0 and run.out.strip() == "[]", run


def test_a_site_problem_in_list_says_nothing_was_listed(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    write_files(site, {"content/bad.md": note("Bad", "2024-02-30")})
    run = cli(site, "list")
    assert run.code == 1, run
    assert run.err.rstrip().endswith("digest: 1 error; nothing was listed"), run
    assert "nothing was written" not in run.err
    build = cli(site, "build")
    assert build.code == 1 and build.err.rstrip().endswith("nothing was written"), build
