"""Helpers for integration tests: temporary sites, running digest, hashing trees.

Every site here is written by the tests themselves (own fixture text); the
example site of the repository is copied into a temporary folder before it is
built, so no test writes into the repository.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.tools import REPO_ROOT

# 2024-12-24T00:26:40Z: every build in these tests is pinned to this instant.
EPOCH = "1735000000"


@dataclass
class Run:
    """Outcome of one digest invocation."""

    code: int
    out: str
    err: str

    def __str__(self) -> str:  # shown by pytest when an assertion fails
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def note(title: str, date: str, body: str = "Some body text for this note.", **fields: str
         ) -> str:
    """A Markdown article with YAML front matter; extra fields are written verbatim."""
    lines = ["---", f"title: {json.dumps(title)}", f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    lines += ["---", "", body, ""]
    return "\n".join(lines)


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def make_site(root: Path, files: Mapping[str, str | bytes] | None = None,
              config: str | None = None) -> Path:
    """A site folder at ``root``: ``files`` are paths relative to the site root."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "content").mkdir(exist_ok=True)
    if config is not None:
        (root / "digest.yaml").write_text(config, encoding="utf-8")
    write_files(root, files or {})
    return root


def small_site(root: Path, config: str | None = None) -> Path:
    """Three ordinary notes in two folders; builds cleanly.

    Each file is named after the slug its URL should carry (the slug comes from
    the file name).
    """
    return make_site(root, {
        "content/ferry-service-resumes-on-the-lake.md": note(
            "Ferry service resumes on the lake", "2024-05-02T09:15:00+02:00",
            "The lake ferry runs again after the winter pause.", tags="[transport, lake]"),
        "content/2024/farmers-market-moves-to-the-square.md": note(
            "Farmers market moves to the square", "2024-05-03T11:00:00+02:00",
            "Stalls will stand on the main square from June.", tags="[economy]"),
        "content/2024/old-bridge-closes-for-repairs.md": note(
            "Old bridge closes for repairs", "2024-05-04T08:00:00+02:00",
            "The footbridge is closed until the autumn.", tags="[transport]"),
    }, config=config)


def copy_example_site(dest: Path) -> Path:
    """The repository's example site (content and digest.yaml) without its themes/."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO_ROOT / "content", dest / "content")
    if (REPO_ROOT / "digest.yaml").exists():
        shutil.copy2(REPO_ROOT / "digest.yaml", dest / "digest.yaml")
    return dest


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a digest subprocess: pinned clock, the repository importable."""
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = EPOCH
    env["PYTHONPATH"] = str(REPO_ROOT)
    env.pop("PYTHONHASHSEED", None)
    env.update(extra)
    return env


def run_digest(site: Path, *args: str, env: Mapping[str, str] | None = None,
               timeout: float = 120) -> Run:
    """``python -m digest --site SITE ARGS`` in a fresh process."""
    proc = subprocess.run([sys.executable, "-m", "digest", "--site", str(site), *args],
                          capture_output=True, text=True, timeout=timeout,
                          env=dict(env) if env is not None else child_env(), cwd=site,
                          check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def cli(site: Path, *args: str) -> Run:
    """Run ``digest.cli.main`` in this process (fast); the clock is pinned to EPOCH."""
    from digest.cli import main

    out, err = io.StringIO(), io.StringIO()
    with _pinned_epoch(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--site", str(site), *args])
    return Run(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _pinned_epoch() -> Iterator[None]:
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def tree_hash(root: Path) -> dict[str, str]:
    """Relative path -> sha256 (files), 'dir' (folders) or 'link:<target>' (symlinks).

    A missing root gives {}; compare two results for an identical tree.
    """
    result: dict[str, str] = {}
    if not root.exists() and not root.is_symlink():
        return result
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        for name in dirnames:
            p = here / name
            result[p.relative_to(root).as_posix()] = (
                f"link:{os.readlink(p)}" if p.is_symlink() else "dir")
        for name in filenames:
            p = here / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                result[rel] = f"link:{os.readlink(p)}"
            else:
                result[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return result


def leftovers(site: Path, output: str = "output") -> list[str]:
    """Staging or old trees of interrupted runs beside output/."""
    return sorted(p.name for p in site.iterdir()
                  if p.name.startswith((f"{output}.tmp-", f"{output}.old-")))


def output_files(site: Path) -> list[str]:
    out = site / "output"
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small valid site (not yet built)."""
    return small_site(tmp_path / "site")


@pytest.fixture
def built_site(site: Path) -> Path:
    """The small site, built once; output/ exists."""
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    return site


# ------------------------------------------------------------------ reading pages

ARTICLE_URL = re.compile(r"^/\d{4}/\d{2}/\d{2}/[^/]+/$")


def parse_html(source: Path | str) -> Any:
    """An lxml document (markup details of the theme are not the tests' business)."""
    import lxml.html

    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    return lxml.html.document_fromstring(text)


def main_links(doc: Any) -> list[str]:
    """hrefs inside <main>, in document order."""
    return [str(h) for h in doc.xpath("//main//a/@href")]


def article_links(doc: Any) -> list[str]:
    """Links to article pages inside <main>, in order, without repeats."""
    seen: list[str] = []
    for href in main_links(doc):
        if ARTICLE_URL.match(href) and href not in seen:
            seen.append(href)
    return seen


def h1_text(doc: Any) -> str:
    return " ".join(doc.xpath("//h1")[0].text_content().split())


def paged_article_links(out: Path, url: str, per_page: int | None = None) -> list[str]:
    """Article links of a paginated list at ``url`` and its page/2/, page/3/...

    With ``per_page``, every page after the first must hold 1..per_page articles
    (the first page may lead with extra content, e.g. the latest edition).
    """
    links = article_links(parse_html(out / url.lstrip("/") / "index.html"))
    number = 2
    while (page := out / url.lstrip("/") / f"page/{number}/index.html").is_file():
        more = article_links(parse_html(page))
        if per_page is not None:
            assert 0 < len(more) <= per_page, f"{url}page/{number}/: {more}"
        links += more
        number += 1
    return links
