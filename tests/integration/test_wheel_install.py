"""Issue 2: a real (non-editable) wheel installs and builds a site with the
built-in theme, which proves themes/default ships as digest.default_theme."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.integration.conftest import EPOCH, make_site, note, parse_html
from tests.tools import REPO_ROOT

SOURCES = ("digest", "themes", "pyproject.toml", "README.md", "LICENSE")


def _run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False,
                          **kwargs)  # type: ignore[call-overload]
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _copy_sources(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in SOURCES:
        path = REPO_ROOT / name
        if path.is_dir():
            shutil.copytree(path, dest / name, ignore=ignore)
        elif path.exists():
            shutil.copy2(path, dest / name)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from a copy of the sources (the checkout stays untouched)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    _copy_sources(src)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"),
          str(src)])
    wheels = list((tmp / "dist").glob("digest_news-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_wheel_contains_every_package_and_the_theme(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    src = wheel.parent.parent / "src"
    for init in (src / "digest").rglob("__init__.py"):
        if "__pycache__" in init.parts:
            continue
        rel = init.relative_to(src).as_posix()
        assert rel in names, f"{rel} is missing from the wheel (pyproject packages list?)"
    theme = wheel.parent.parent / "src" / "themes" / "default"  # the copy it was built from
    for path in theme.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = "digest/default_theme/" + path.relative_to(theme).as_posix()
            assert rel in names, rel
    assert "digest/serve/livereload.js" in names


@pytest.mark.slow
def test_installed_wheel_builds_a_site(wheel: Path, tmp_path: Path) -> None:
    # A clean virtualenv with only what the wheel declares, from the index:
    # an import that works only beside the test extra fails here.
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", str(wheel)])
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    where = _run([str(python), "-c",
                  "import digest, digest.theme as t; print(digest.__file__); "
                  "print(t.builtin_theme_dir())"], env=env, cwd=tmp_path).stdout.split()
    assert Path(where[0]).is_relative_to(venv), f"imported {where[0]}, not the wheel"
    assert Path(where[1]).is_relative_to(venv) and Path(where[1]).name == "default_theme"

    site = make_site(tmp_path / "site", {
        "content/wheel-built-article.md": note("Wheel-built article",
                                               "2024-08-01T12:00:00+00:00", tags="[packaging]"),
    })
    assert not (site / "themes").exists()
    run = _run([str(venv / "bin" / "digest"), "--site", str(site), "build"], env=env,
               cwd=tmp_path)
    assert "Built 1 articles" in run.stdout
    out = site / "output"
    doc = parse_html(out / "index.html")
    assert doc.xpath("//link[@rel='stylesheet']/@href"), "the default theme's base.html"
    assert "/2024/08/01/wheel-built-article/" in doc.xpath("//main//a/@href")
    builtin_css = zipfile.ZipFile(wheel).read("digest/default_theme/static/style.css")
    assert (out / "static/style.css").read_bytes() == builtin_css
    assert (out / "tags/packaging/index.html").is_file()


def _package_index(root: Path, wheel: Path) -> Path:
    """A PEP 503 "simple" index holding the wheel, as a folder to serve."""
    project = root / "simple" / "digest-news"
    project.mkdir(parents=True)
    shutil.copy2(wheel, project / wheel.name)
    (project / "index.html").write_text(
        f'<!DOCTYPE html><html><body><a href="{wheel.name}">{wheel.name}</a></body></html>\n',
        encoding="utf-8")
    (root / "simple" / "index.html").write_text(
        '<!DOCTYPE html><html><body><a href="digest-news/">digest-news</a></body></html>\n',
        encoding="utf-8")
    return root


@pytest.mark.slow
def test_an_initd_site_deploys_with_its_netlify_command(wheel: Path, tmp_path: Path) -> None:
    """What Netlify does with a site `digest init` made: in a fresh virtualenv,
    run netlify.toml's build command, which installs requirements.txt (this
    digest, from a package index started here on 127.0.0.1, beside the real
    index for Pagefind and the dependencies), then builds output/."""
    from tests.tools.browser import serve_directory

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    site = tmp_path / "news"
    _run([sys.executable, "-m", "digest", "init", str(site)],
         env={**env, "PYTHONPATH": str(REPO_ROOT)})
    config = tomllib.loads((site / "netlify.toml").read_text(encoding="utf-8"))

    url, stop = serve_directory(_package_index(tmp_path / "index", wheel))
    try:
        venv = tmp_path / "netlify-venv"
        _run([sys.executable, "-m", "venv", str(venv)])
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
        env["PIP_EXTRA_INDEX_URL"] = url + "simple/"
        _run(["bash", "-c", config["build"]["command"]], env=env, cwd=site)
    finally:
        stop()
    installed = _run([str(venv / "bin" / "python"), "-m", "pip", "show", "digest-news"],
                     env=env).stdout
    assert "Name: digest-news" in installed
    assert (site / config["build"]["publish"] / "index.html").is_file()
    assert list((site / "output" / "pagefind").glob("*/pagefind.js")), "the [search] extra"


@pytest.mark.slow
def test_init_pins_a_git_install_at_its_commit(tmp_path: Path) -> None:
    """digest installed with `pip install git+URL` pins the new site to that
    repository at that commit (nothing on an index would match it)."""
    repo = tmp_path / "repo"  # the sources as they are now, committed in a repository
    repo.mkdir()
    _copy_sources(repo)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    _run([*git, "init", "-q"])
    _run([*git, "add", "-A"])
    _run([*git, "commit", "-q", "-m", "sources"])
    commit = _run([*git, "rev-parse", "HEAD"]).stdout.strip()
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    python = str(venv / "bin" / "python")
    _run([python, "-m", "pip", "install", "-q", "--no-deps", f"git+file://{repo}@{commit}"])
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    where = _run([python, "-c", "import digest; print(digest.__file__)"], env=env,
                 cwd=tmp_path).stdout.strip()
    assert Path(where).is_relative_to(venv), f"imported {where}, not the git install"
    _run([python, "-m", "digest", "init", "news"], env=env, cwd=tmp_path)
    pins = [line for line in (tmp_path / "news" / "requirements.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    assert pins == [f"digest-news[search] @ git+file://{repo}@{commit}"]
