"""The README's security model names the tests that hold each promise: every
file it names exists (a renamed test file must not leave a promise unheld)."""

from __future__ import annotations

import re

from tests.tools import REPO_ROOT


def test_every_test_file_the_security_model_names_exists() -> None:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Security model"):text.index("## Publishing on Netlify")]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "test" in line]
    assert len(rows) >= 10, "the promise table is missing"
    for row in rows:
        folder = "tests"
        names = re.findall(r"`([\w/]+\.py)`", row)
        assert names, row
        for name in names:
            if "/" in name:  # a path sets the folder of the bare names after it
                folder, path = name.rsplit("/", 1)[0], name
            else:
                path = f"{folder}/{name}"
            assert (REPO_ROOT / path).is_file(), f"{path} (README security model) is missing"
