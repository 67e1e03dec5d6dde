"""digest.site.sources.frontmatter: splitting, the hardened YAML loader, TOML, Pelican."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from digest.errors import SourceError
from digest.site.sources import yaml_safe
from digest.site.sources.frontmatter import split
from tests.tools import HANG_GUARD

LOADERS = [yaml_safe._PyLoader]
if hasattr(yaml_safe, "_CLoader"):
    LOADERS.append(yaml_safe._CLoader)


@pytest.fixture(params=LOADERS, ids=lambda c: c.__name__, autouse=True)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with the libyaml loader and the pure-Python fallback."""
    monkeypatch.setattr(yaml_safe, "_LOADER", request.param)


def _errors(text: str) -> list:
    with pytest.raises(SourceError) as info:
        split(text, "content/a.md")
    return info.value.diagnostics


def test_yaml_block_is_split_with_lines() -> None:
    fm = split("---\ntitle: Hello\ndate: 2024-12-20 10:32\n---\nBody\n", "a.md")
    assert fm.data == {"title": "Hello", "date": "2024-12-20 10:32"}
    assert fm.format == "yaml"
    assert fm.body == "Body\n" and fm.body_line == 5
    assert fm.key_lines == {"title": 2, "date": 3}


def test_leading_blank_line_and_dots_closing_fence() -> None:
    fm = split("\n---\ntitle: Hi\n...\nBody", "a.md")
    assert fm.data == {"title": "Hi"} and fm.key_lines == {"title": 3}
    assert fm.body == "Body" and fm.body_line == 5


def test_timestamps_stay_strings() -> None:
    fm = split("---\ndate: 2024-03-10 09:30:00\nupdated: 2024-03-10\n---\n", "a.md")
    assert fm.data == {"date": "2024-03-10 09:30:00", "updated": "2024-03-10"}


def test_no_front_matter() -> None:
    fm = split("# Heading\n\ntext\n", "a.md")
    assert fm.data == {} and fm.format is None and fm.body == "# Heading\n\ntext\n"
    assert fm.body_line == 1


def test_empty_front_matter_is_an_empty_mapping() -> None:
    fm = split("---\n# only a comment\n---\nbody", "a.md")
    assert fm.data == {} and fm.body == "body" and fm.body_line == 4


def test_unclosed_fence() -> None:
    (diag,) = _errors("---\ntitle: x\n\nbody without a closing fence\n")
    assert "never closed" in diag.message and diag.line == 1 and diag.hint


def test_yaml_syntax_error_has_file_line() -> None:
    (diag,) = _errors("\n---\ntitle: ok\nsummary: Minsk: talks\n---\n")
    assert diag.line == 4 and diag.column is not None
    assert "not valid YAML" in diag.message and "quote" in (diag.hint or "")


def test_tab_indentation_hint() -> None:
    (diag,) = _errors("---\ntags:\n\t- a\n---\n")
    assert "tabs" in (diag.hint or "")


@pytest.mark.parametrize(("text", "kind"), [
    ("---\n- a\n- b\n---\n", "a list"),
    ("---\njust a sentence\n---\n", "a single value"),
])
def test_front_matter_must_be_a_mapping(text: str, kind: str) -> None:
    (diag,) = _errors(text)
    assert f"not {kind}" in diag.message and diag.line == 2


def test_python_tag_is_refused_and_never_executed(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    text = f"---\ntitle: x\nx: !!python/object/apply:os.system ['touch {sentinel}']\n---\n"
    (diag,) = _errors(text)
    assert "tag" in diag.message and diag.line == 3
    assert not sentinel.exists()


@pytest.mark.parametrize("tag", ["!!binary aGk=", "!!set {a}", "!custom x",
                                 "!!timestamp 2024-01-01"])
def test_non_core_tags_are_refused(tag: str) -> None:
    (diag,) = _errors(f"---\nx: {tag}\n---\n")
    assert "not allowed" in diag.message


def test_core_str_tag_is_allowed() -> None:
    assert split("---\ntitle: !!str NO\n---\n", "a.md").data == {"title": "NO"}


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    text = "---\n" + "\n".join(lines) + "\n---\n"
    start = time.perf_counter()
    (diag,) = _errors(text)
    assert time.perf_counter() - start < HANG_GUARD
    assert "expands to more than 10,000 values" in diag.message and diag.line == 6


def test_anchors_and_aliases_share_a_value() -> None:
    """Real front matter uses them (one list of tags for two keys); the data
    is as if each alias were written out."""
    fm = split("---\ntitle: &t Hello\ntags: &common [energy, grid]\n"
               "categories: *common\nsubtitle: *t\n---\n", "a.md")
    assert fm.data == {"title": "Hello", "tags": ["energy", "grid"],
                       "categories": ["energy", "grid"], "subtitle": "Hello"}


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    (diag,) = _errors("---\ntitle: x\nloop: &a [1, *a]\n---\n")
    assert "refers to itself" in diag.message and diag.line == 3


def test_an_undefined_alias_names_its_line() -> None:
    (diag,) = _errors("---\ntitle: x\ntags: *nowhere\n---\n")
    assert diag.line == 3 and "alias *nowhere has no anchor &nowhere" in diag.message


def test_front_matter_over_64_kib() -> None:
    text = "---\n" + "".join(f"k{i}: {'x' * 70}\n" for i in range(1000)) + "---\n"
    start = time.perf_counter()
    (diag,) = _errors(text)
    assert "64 KiB" in diag.message and time.perf_counter() - start < HANG_GUARD


def test_deep_nesting_is_refused() -> None:
    (diag,) = _errors("---\nx: " + "[" * 5000 + "\n---\n")
    assert "nested" in diag.message


class _StrictLoader(yaml_safe._PyLoader):
    """A YAML library with a nesting limit of its own, below digest's (PyYAML
    6.0.4's libyaml has one), raising in its own words while it scans."""

    LIMIT = 8

    def fetch_flow_collection_start(self, token_class: type) -> None:  # noqa: D102
        if self.flow_level >= self.LIMIT:
            raise yaml.scanner.ScannerError("while scanning", self.get_mark(),
                                            "library limit reached", self.get_mark())
        super().fetch_flow_collection_start(token_class)


def test_depth_message_is_digests_whatever_the_librarys_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_safe, "_LOADER", _StrictLoader)
    (diag,) = _errors("---\ntitle: x\nn: " + "[" * 5000 + "]" * 5000 + "\n---\n")
    assert diag.message == "front matter is nested deeper than 32 levels"
    assert diag.line == 3
    # Within digest's bound the library's own refusal stands, as a YAML error at its line.
    (diag,) = _errors("---\ntitle: x\nn: " + "[" * 12 + "]" * 12 + "\n---\n")
    assert diag.message.startswith("front matter is not valid YAML") and diag.line == 3


def test_duplicate_keys() -> None:
    (diag,) = _errors("---\ntitle: A\ndate: 2024-01-01\ntags: [a]\ntitle: B\n---\n")
    assert diag.message == "title given twice at lines 2 and 5" and diag.line == 5


def test_nested_duplicate_keys() -> None:
    (diag,) = _errors("---\nparams:\n  a: 1\n  a: 2\n---\n")
    assert diag.message == "a given twice at lines 3 and 4"


@pytest.mark.parametrize(("line", "message"), [
    ("title: NO", 'title: NO is read as a boolean; quote it: title: "NO"'),
    ("title: on", 'title: on is read as a boolean; quote it: title: "on"'),
    ("author: yes", 'author: yes is read as a boolean; quote it: author: "yes"'),
    ("section: Off", 'section: Off is read as a boolean; quote it: section: "Off"'),
    ("title: 2024", 'title: 2024 is read as a number; quote it: title: "2024"'),
    ("id: 12345", 'id: 12345 is read as a number; quote it: id: "12345"'),
    ("summary: 1.10", 'summary: 1.10 is read as a number; quote it: summary: "1.10"'),
    ("version: 1.10", 'version: 1.10 is read as the number 1.1; quote it: version: "1.10"'),
    ("zip: 0123", 'zip: 0123 is read as the number 83; quote it: zip: "0123"'),
    ("runtime: 1:30", 'runtime: 1:30 is read as the number 90; quote it: runtime: "1:30"'),
    ("tags: [Norway, NO]", 'tags: NO is read as a boolean; quote it: "NO"'),
])
def test_silent_coercions_are_errors(line: str, message: str) -> None:
    (diag,) = _errors(f"---\ndate: 2024-01-01\n{line}\n---\n")
    assert diag.message == message and diag.line == 3
    assert "quote" in diag.message


def test_all_coercions_of_a_file_are_reported_together() -> None:
    diags = _errors("---\ntitle: NO\nslug: 1.5\non: x\nversion: 2.50\n---\n")
    assert [d.line for d in diags] == [2, 3, 4, 5]


@pytest.mark.parametrize("line", [
    'title: "NO"', "title: 'on'", "draft: yes", "weight: 10", "ratio: 1.5",
    "tags: [2024, Energy]", "title: |\n  NO",
])
def test_harmless_scalars_are_accepted(line: str) -> None:
    split(f"---\n{line}\n---\n", "a.md")


def test_toml_front_matter() -> None:
    fm = split('+++\ntitle = "Hello"\ntags = ["a"]\n[params]\nx = 1\n+++\nBody', "a.md")
    assert fm.format == "toml"
    assert fm.data == {"title": "Hello", "tags": ["a"], "params": {"x": 1}}
    assert fm.key_lines == {"title": 2, "tags": 3, "params": 4}
    assert fm.body == "Body" and fm.body_line == 7


def test_toml_error_has_file_line() -> None:
    (diag,) = _errors('+++\ntitle = "ok"\ndate = yesterday\n+++\n')
    assert diag.line == 3 and "TOML" in diag.message


def test_pelican_header_is_normalised() -> None:
    text = ("Title: Hello\nDate: 2010-12-03 10:20\nTags: energy, minsk ,\n"
            "Category: News\nStatus: draft\nModified: 2010-12-04\nSave_as: x.html\n\nBody\n")
    fm = split(text, "a.md")
    assert fm.format == "pelican"
    assert fm.data == {"title": "Hello", "date": "2010-12-03 10:20", "tags": ["energy", "minsk"],
                       "category": "News", "draft": True, "updated": "2010-12-04",
                       "save_as": "x.html"}
    assert fm.key_lines["category"] == 4 and fm.key_lines["draft"] == 5
    assert fm.body == "Body\n" and fm.body_line == 9


def test_pelican_published_status_and_continuation_line() -> None:
    fm = split("Title: A long\n    headline\nStatus: published\n\nBody", "a.md")
    assert fm.data == {"title": "A long headline", "draft": False}


def test_pelican_duplicate_key() -> None:
    (diag,) = _errors("Title: A\nDate: 2020-01-01\nTitle: B\n\nbody")
    assert diag.message == "title given twice at lines 1 and 3"


@pytest.mark.parametrize("text", [
    "Note: this is body text\n\nMore.",  # unknown first key
    "Title: x\nthis line is prose\n\nMore.",  # a non-header line
    "Title:x\n\nbody",  # no space after the colon
])
def test_text_that_is_not_a_pelican_header(text: str) -> None:
    fm = split(text, "a.md")
    assert fm.format is None and fm.data == {} and fm.body == text


def test_pelican_header_without_body() -> None:
    fm = split("Title: Only a header\nDate: 2020-01-01\n", "a.md")
    assert fm.data == {"title": "Only a header", "date": "2020-01-01"} and fm.body == ""


def test_pelican_header_over_64_kib() -> None:
    (diag,) = _errors("Title: x\n" + "Tags: a\n" * 10_000)
    assert "64 KiB" in diag.message


def test_deeply_nested_toml_is_refused() -> None:
    (diag,) = _errors("+++\na = " + "[" * 5000 + "\n+++\n")
    assert "TOML" in diag.message or "nested" in diag.message


def test_event_check_is_skipped_only_when_nothing_can_be_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The second libyaml pass (_check_events) runs whenever a block could hold
    an anchor, alias, tag, deep nesting or a second document."""
    calls: list[str] = []
    real = yaml_safe._check_events
    monkeypatch.setattr(yaml_safe, "_check_events",
                        lambda cls, block, path, first: calls.append(block)
                        or real(cls, block, path, first))
    nested = "title: Hi\nparams:\n  a: 1\n  b: [x, y]\n"
    assert split(f"---\n{nested}---\n", "a.md").data["params"] == {"a": 1, "b": ["x", "y"]}
    assert calls == []
    for risky in ("x: !custom 1\n", "x: *a\n",
                  "x: " + "[" * 40 + "]" * 40 + "\n", "a: 1\n--- b\n"):
        with pytest.raises(SourceError):
            split(f"---\n{nested}{risky}---\n", "a.md")
    assert split(f"---\n{nested}x: &a 1\ny: *a\n---\n", "a.md").data["y"] == 1
    assert len(calls) == 5


@pytest.mark.parametrize("text", [
    "---\ntitle: x\n--- [\n---\n", "---\nparams:\n  a: 1\n--- [\n---\n",
    "---\nparams:\n  a: [1\n---\n", "---\nparams: {a: 1}\n b: 2\n---\n",
    "---\nx: [a, b]\ny: c: d\n---\n", "---\n%YAML 1.1\nx: 1\n---\n",
])
def test_skipping_the_event_check_changes_no_error(text: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    skipped = [(d.message, d.line, d.column) for d in _errors(text)]
    monkeypatch.setattr(yaml_safe, "_may_hold_refused", lambda block: True)
    assert [(d.message, d.line, d.column) for d in _errors(text)] == skipped


def test_pelican_literal_draft_header_is_left_to_the_field_check() -> None:
    """`Draft: NO` is not a Pelican status: kept as written (the field check
    then judges the value), never a crash (found by test_fuzz_sources)."""
    fm = split("Title: NO\nDraft: NO\n\nBody", "a.md")
    assert fm.data == {"title": "NO", "draft": "NO"}
