"""The netlify.toml and requirements.txt that `digest init` writes (issue 21, §2).

The deploy itself (the build command installing this digest from a package
index) runs in tests/integration/test_wheel_install.py.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from digest import __version__, cli
from tests.tools import REPO_ROOT


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735000000")
    assert cli.main(["init", str(tmp_path / "news")]) == 0
    return tmp_path / "news"


def test_init_netlify_toml_installs_the_pinned_requirements(site: Path) -> None:
    config = tomllib.loads((site / "netlify.toml").read_text(encoding="utf-8"))
    assert config["build"]["command"] == "pip install -r requirements.txt && digest build"
    assert config["build"]["publish"] == "output"
    pins = [line for line in (site / "requirements.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    # The package index's "digest" is another project: never install that.
    assert pins == [f"digest-news[search]=={__version__}"]


def test_init_netlify_toml_sends_the_repositorys_security_headers(site: Path) -> None:
    ours = tomllib.loads((REPO_ROOT / "netlify.toml").read_text(encoding="utf-8"))
    theirs = tomllib.loads((site / "netlify.toml").read_text(encoding="utf-8"))
    assert theirs["headers"] == ours["headers"]
    assert theirs["build"]["environment"] == ours["build"]["environment"]
    csp = theirs["headers"][0]["values"]["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp


def test_the_distribution_is_not_the_unrelated_digest() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "digest-news"
    assert project["project"]["scripts"] == {"digest": "digest.cli:entry"}
