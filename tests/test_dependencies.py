"""Every third-party module digest (or its test suite) imports is declared.

An import that works only because another package happened to pull its
distribution in (lxml via feedgen, markupsafe via jinja2) breaks the day that
package drops it, or in a user's virtualenv that lacks the test extra.  The
scan reads the import statements (ast), so imports inside functions count too.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.tools import REPO_ROOT

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCAL = {"digest", "tests"}


def _name(requirement: str) -> str:
    return _normal(re.split(r"[\s\[<>=!~;@]", requirement, maxsplit=1)[0])


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imports(folder: Path) -> dict[str, str]:
    """Top-level third-party modules imported under ``folder`` -> first file."""
    found: dict[str, str] = {}
    scripts = {p.stem for p in folder.rglob("*.py")}  # bench scripts import their siblings
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in LOCAL | scripts:
                    found.setdefault(top, path.relative_to(folder.parent).as_posix())
    return found


def _undeclared(imports: dict[str, str], declared: set[str]) -> list[str]:
    owners = packages_distributions()
    missing = []
    for module, where in sorted(imports.items()):
        dists = {_normal(d) for d in owners.get(module, [module])}
        if not dists & declared:
            missing.append(f"{where} imports {module} (distribution {sorted(dists)}) "
                           "but pyproject.toml does not declare it")
    return missing


def test_every_import_of_digest_is_a_declared_dependency() -> None:
    project = PYPROJECT["project"]
    extras = {k: v for k, v in project["optional-dependencies"].items() if k != "test"}
    declared = {_name(r) for r in project["dependencies"]}
    declared |= {_name(r) for reqs in extras.values() for r in reqs}
    assert _undeclared(_imports(REPO_ROOT / "digest"), declared) == []


def test_every_import_of_the_tests_is_declared_in_the_test_extra() -> None:
    project = PYPROJECT["project"]
    declared = {_name(r) for r in project["dependencies"]}
    declared |= {_name(r) for r in project["optional-dependencies"]["test"]}
    assert _undeclared(_imports(REPO_ROOT / "tests"), declared) == []


def test_the_scan_sees_imports_inside_functions(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("def f():\n    from lxml import etree\n    import os\n",
                                   encoding="utf-8")
    assert set(_imports(tmp_path)) == {"lxml"}
    assert _undeclared({"lxml": "m.py"}, {"jinja2"}) == [
        "m.py imports lxml (distribution ['lxml']) but pyproject.toml does not declare it"]


def test_lowest_constraints_pin_every_lower_bound() -> None:
    """The lower bounds in pyproject.toml are the ones .ci/constraints-lowest.txt tests."""
    pins = {}
    for line in (REPO_ROOT / ".ci" / "constraints-lowest.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[_normal(name)] = version
    for requirement in PYPROJECT["project"]["dependencies"]:
        bound = re.search(r">=\s*([\w.]+)", requirement)
        assert bound, f"{requirement}: give it a lower bound (and pin it in the constraints)"
        pinned = pins.get(_name(requirement), "")
        assert _release(pinned) == _release(bound.group(1)), (
            f"{requirement}: .ci/constraints-lowest.txt pins {pinned or 'nothing'}")


def _release(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)
