"""digest.site.sources.yaml_fast: the plain front matter fast path agrees with the
hardened loader on everything it accepts, and declines everything else."""

from __future__ import annotations

import random

import pytest

from digest.errors import SourceError
from digest.site.sources import yaml_safe
from digest.site.sources.frontmatter import split
from digest.site.sources.yaml_fast import load_simple

LOADERS = [yaml_safe._PyLoader]
if hasattr(yaml_safe, "_CLoader"):
    LOADERS.append(yaml_safe._CLoader)

GOOD_KEYS = ["title", "tags", "date", "source", "author", "summary", "weight", "a-b", "_x"]
GOOD_VALUES = ['"plain quoted"', "Hello world", "'it''s'", "2024-01-01", "a:b", "C#", "1.5",
               "10", "true", "~", "Ünïcødé ✓", '"Minsk: talks #1"', "a, b"]
KEYS = ["title", "tags", "date", "on", "No", "null", "y", "a-b", "_x", "id", "summary",
        "draft", "weight", "Title", "x" * 70, "2024", "a b", "<<", "-x", "é"]
SEPARATORS = [": ", ":", ":  ", " : ", ":\t", ": \t"]
VALUES = [
    '"plain quoted"', '"Minsk: talks #1"', '"a \\"b\\""', '"a\\nb"', '"a"b"', '"', '""',
    "'it''s'", "'a' 'b'", "''", "'", "'x", "Hello world", "a: b", "a:b", "a #b", "a#b",
    "ends:", "-5", "- x", "-x", "?x", "? x", ":x", "1.10", "0123", "1:30", "2024", "1_000",
    "0x1F", "0b101", "+1", "1e5", "1.5e+3", ".inf", "-.inf", ".nan", "~", "null", "Null",
    "", "yes", "NO", "on", "Off", "true", "2024-01-01", "2024-01-01 10:00",
    "2023-10-21T06:26:00+00:00", "[a, b]", "{a: 1}", "|", ">", "&a x", "*a", "!!str x",
    "!x", "%x", "@x", "`x`", "<<", "=", "a\\b", "x   ", "Ünïcødé ✓", "nbsp\u00a0x",
    "ls\u2028x", "nel\u0085x", "bom\ufeffx", "ctl\x07x", "a, b", "a]", "x{y}", "http://e.org/a?b=c",
    "emoji \U0001f600", "\udc80", "C#", "a - b", "a -- b", "tab\tx",
]
EXTRA_LINES = ["# comment", "  # indented comment", "", "   ", "  continued", "---", "...",
               "--- x", "%YAML 1.1", "\t- a", "- ", "-", "  -", "? k", ": v"]
ITEM_PREFIXES = ["- ", "  - ", "    - ", "-  ", "-", "  -   ", "\t- "]


def _random_block(rng: random.Random, tricky: float) -> str:
    """Front matter mostly of GOOD_* pieces, each piece tricky with that probability."""
    def pick(good: list[str], bad: list[str]) -> str:
        return rng.choice(bad if rng.random() < tricky else good)

    lines = []
    for _ in range(rng.randint(1, 6)):
        key = pick(GOOD_KEYS, KEYS)
        roll = rng.random()
        if roll < 0.55:
            lines.append(key + pick([": "], SEPARATORS) + pick(GOOD_VALUES, VALUES))
        elif roll < 0.85:
            lines.append(key + rng.choice([":", ":  ", ": ", ": # c"]))
            prefix = rng.choice(ITEM_PREFIXES[:3])
            for _ in range(rng.randint(0, 4)):
                lines.append(pick([prefix], ITEM_PREFIXES) + pick(GOOD_VALUES, VALUES))
                if rng.random() < tricky:
                    lines.append(rng.choice(EXTRA_LINES))
        elif roll < 0.85 + tricky:
            lines.append(rng.choice(EXTRA_LINES))
    return "\n".join(lines) + rng.choice(["\n", "", "\n\n"])


def _slow(block: str) -> object:
    try:
        return yaml_safe.load_yaml(block, "a.md", 2)
    except SourceError as exc:
        return exc


@pytest.mark.parametrize("loader", LOADERS, ids=lambda c: c.__name__)
def test_fast_path_agrees_with_the_hardened_loader(loader: type,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_safe, "_LOADER", loader)
    rng = random.Random(20241220)
    accepted = 0
    for n in range(6000):
        block = _random_block(rng, (0.02, 0.1, 0.5)[n % 3])
        fast = load_simple(block, 2)
        if fast is None:
            continue
        accepted += 1
        slow = _slow(block)
        # repr tells 1 from 1.0 from True, and keeps the key order
        assert repr(fast) == repr(slow), block
    assert accepted > 1000  # the generator does reach the fast path


@pytest.mark.parametrize("block", [
    'title: "Hello"\ndate: 2024-03-22T11:49:00+00:00\ntags:\n  - a\n  - b\nsource: "X"\n',
    "title: it's\ntags:\n- a\n- 'b'\n\n# note\ndraft: true\nweight: 10\nratio: 1.5\nx:\n",
    "tags:\n  - 2024\n  - ~\nsummary: a, b [c] {d}\n",
])
def test_typical_front_matter_takes_the_fast_path(block: str) -> None:
    fast = load_simple(block, 5)
    assert fast is not None and repr(fast) == repr(yaml_safe.load_yaml(block, "a.md", 5))


@pytest.mark.parametrize("block", [
    "title: NO\n", "slug: 1.5\n", "on: x\n", "title: a\ntitle: b\n", "x: &a 1\n", "x: !!str 1\n",
    "params:\n  a: 1\n", "tags: [a, b]\n", "title: |\n  text\n", "title: a\n  b\n",
    "# only a comment\n", "", "tags:\n  - a\n - b\n", "x: <<\n", "x: 'a\n  b'\n",
])
def test_everything_else_takes_the_hardened_loader(block: str) -> None:
    assert load_simple(block, 2) is None


def test_errors_still_come_from_the_hardened_loader() -> None:
    with pytest.raises(SourceError) as info:
        split("---\ntitle: NO\ndate: 2024-01-01\ntitle: x\n---\n", "a.md")
    assert [d.line for d in info.value.diagnostics] == [2, 4]


def _outcome(block: str) -> object:
    got = _slow(block)
    if isinstance(got, SourceError):
        return [(d.message, d.line, d.column) for d in got.diagnostics]
    return repr(got)


@pytest.mark.parametrize("loader", LOADERS, ids=lambda c: c.__name__)
def test_skipping_the_event_check_changes_nothing(loader: type,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """load_yaml skips its first libyaml pass when yaml_safe._may_hold_refused
    says nothing can be refused: same data, same errors as with the pass."""
    monkeypatch.setattr(yaml_safe, "_LOADER", loader)
    rng = random.Random(1729)
    blocks = [_random_block(rng, (0.1, 0.3, 0.6)[n % 3]) for n in range(3000)]
    skipped = [_outcome(b) for b in blocks]
    monkeypatch.setattr(yaml_safe, "_may_hold_refused", lambda block: True)
    assert [_outcome(b) for b in blocks] == skipped
