"""Architecture rules, checked on the source (AST), not by convention.

Three parts (README, "Architecture"): *the site* (what it is: records,
settings, sources, enrich, model, render and the recipe in digest/site/build.py)
never imports the speed machinery: multiprocessing, gc, pickle, the cache or
anything in digest/engine/ (how the recipe runs fast), nor the output tree.

Pure modules turn data into data: they never import the edges (watchdog, HTTP,
sockets, digest.serve / digest.output / digest.cli) and never touch files.  I/O
lives in the edge modules: cli, output/, theme, sources/discover, serve, and
config.load_config (the one I/O function of an otherwise pure module).

The output package (digest/output/) puts a rendered mapping on disk and keeps
the record of what output/ holds: it never imports the stages that make the
site (sources, enrich, model, render, pipeline).
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pytest

from tests.tools import REPO_ROOT

PACKAGE = REPO_ROOT / "digest"
MAX_LINES = 500
REPORT_LINES = 300

FORBIDDEN_IMPORTS = ("watchdog", "http", "socket", "socketserver", "urllib.request",
                     "subprocess", "digest.serve", "digest.output", "digest.cli")
FILE_METHODS = {"read_text", "read_bytes", "write_text", "write_bytes"}
FILE_FUNCTIONS = {"open"}
# What digest/output/ must not import, and the exceptions (module -> names).
OUTPUT_FORBIDDEN = ("digest.site.sources", "digest.site.enrich", "digest.site.model", "digest.site.render",
                    "digest.pipeline")
# paths.path_conflicts compares output paths as URL assignment does: one
# definition of "the same file on a case-insensitive, NFC file system".
OUTPUT_ALLOWED = {"digest/output/paths.py": {"digest.site.model.urls",
                                             "digest.site.model.urls.collision_key"}}
# Functions in pure modules that are allowed to do I/O (module -> function names).
IO_ALLOWED = {"digest/site/config.py": {"load_config", "_nested_lines"}}


def _modules(*patterns: str) -> list[Path]:
    found: set[Path] = set()
    for pattern in patterns:
        found.update(p for p in REPO_ROOT.glob(pattern) if p.suffix == ".py")
    return sorted(found)


PURE = [p for p in _modules(
    "digest/site/records.py", "digest/site/config.py", "digest/errors.py",
    "digest/site/slugs.py", "digest/site/vocabulary.py", "digest/site/listing.py",
    "digest/site/sources/*.py", "digest/site/enrich/*.py", "digest/site/model/*.py",
    "digest/site/render/*.py",
) if p.name != "discover.py"]


# The site: serial and pure.  How it runs fast is digest/engine/'s business.
SITE = _modules("digest/site/**/*.py")
# Known exceptions (module, import) with their reasons; none today: keep it so.
SITE_EXCEPTIONS: set[tuple[str, str]] = set()
SPEED_IMPORTS = ("multiprocessing", "concurrent", "threading", "gc", "pickle", "pickletools",
                 "digest.engine", "digest.output", "digest.pipeline", "digest.cli")
OUTPUT = _modules("digest/output/*.py")


def _rel(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def _imported_names(tree: ast.AST, module: str) -> list[tuple[str, int]]:
    names = []
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import: resolve against this package
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.append((base, node.lineno))
            names += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and _called_name(node.func) in ("__import__", "import_module")):
            names.append((str(node.args[0].value), node.lineno))
    return names


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_forbidden(name: str, forbidden: tuple[str, ...] = FORBIDDEN_IMPORTS) -> bool:
    return any(name == bad or name.startswith(bad + ".") for bad in forbidden)


def _io_calls(tree: ast.AST, allowed: set[str]) -> list[tuple[str, int]]:
    found = []

    def visit(node: ast.AST, inside_allowed: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in allowed:
            inside_allowed = True
        if isinstance(node, ast.Call) and not inside_allowed:
            func = node.func
            if isinstance(func, ast.Name) and func.id in FILE_FUNCTIONS:
                found.append((f"{func.id}(", node.lineno))
            elif isinstance(func, ast.Attribute) and func.attr in FILE_METHODS | {"open"} and not (
                    isinstance(func.value, ast.Name) and func.value.id in {"gzip", "tarfile"}):
                found.append((f".{func.attr}(", node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, inside_allowed)

    visit(tree, False)
    return found


def test_pure_module_list_is_not_empty() -> None:
    names = {_rel(p) for p in PURE}
    assert "digest/site/records.py" in names and "digest/site/model/urls.py" in names
    assert "digest/site/render/__init__.py" in names and "digest/site/sources/clipping.py" in names
    assert "digest/site/sources/discover.py" not in names
    assert len(PURE) >= 20


@pytest.mark.parametrize("path", PURE, ids=_rel)
def test_pure_modules_do_not_import_edges(path: Path) -> None:
    module = _rel(path)[:-3].replace("/", ".").removesuffix(".__init__")
    if path.name == "__init__.py":
        module += ".__init__"  # so relative imports resolve against the package itself
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [f"{_rel(path)}:{line}: imports {name}"
           for name, line in _imported_names(tree, module) if _is_forbidden(name)]
    assert bad == []


@pytest.mark.parametrize("path", OUTPUT, ids=_rel)
def test_output_does_not_import_the_site_stages(path: Path) -> None:
    module = _rel(path)[:-3].replace("/", ".").removesuffix(".__init__")
    if path.name == "__init__.py":
        module += ".__init__"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    allowed = OUTPUT_ALLOWED.get(_rel(path), set())
    bad = [f"{_rel(path)}:{line}: imports {name}"
           for name, line in _imported_names(tree, module)
           if _is_forbidden(name, OUTPUT_FORBIDDEN) and name not in allowed]
    assert bad == []


def test_output_module_list_is_not_empty() -> None:
    names = {_rel(p) for p in OUTPUT}
    assert {"digest/output/publish.py", "digest/output/write.py",
            "digest/output/record.py"} <= names


@pytest.mark.parametrize("path", PURE, ids=_rel)
def test_pure_modules_do_no_file_io(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [f"{_rel(path)}:{line}: calls {what}"
           for what, line in _io_calls(tree, IO_ALLOWED.get(_rel(path), set()))]
    assert bad == []


def test_the_scanner_catches_violations() -> None:
    """The checks above would fail on code that breaks the rules."""
    sample = ast.parse(
        "import http.server\nfrom digest.output.write import write_site\nfrom ...serve import x\n"
        "from digest.output import publish\nfrom digest.pipeline import build\n"
        "importlib.import_module('watchdog.events')\n"
        "def f(p):\n    open(p)\n    return p.read_text()\n"
        "def load_config(p):\n    return p.read_bytes()\n")
    imports = [n for n, _ in _imported_names(sample, "digest.site.model.urls") if _is_forbidden(n)]
    assert "http.server" in imports and "digest.output.write" in imports
    assert "digest.serve" in imports and "watchdog.events" in imports
    assert "digest.output.publish" in imports
    stages = [n for n, _ in _imported_names(sample, "digest.output.paths")
              if _is_forbidden(n, OUTPUT_FORBIDDEN)]
    assert "digest.pipeline.build" in stages
    calls = _io_calls(sample, {"load_config"})
    assert [c for c, _ in calls] == ["open(", ".read_text("]


def test_modules_stay_small() -> None:
    sizes = {_rel(p): len(p.read_text(encoding="utf-8").splitlines())
             for p in sorted(PACKAGE.rglob("*.py"))}
    assert len(sizes) > 30
    too_long = {k: v for k, v in sizes.items() if v > MAX_LINES}
    assert too_long == {}, f"modules over {MAX_LINES} lines: {too_long}"
    large = {k: v for k, v in sizes.items() if v > REPORT_LINES}
    if large:
        warnings.warn(f"modules over {REPORT_LINES} lines (split before {MAX_LINES}): "
                      + ", ".join(f"{k} ({v})" for k, v in sorted(large.items())),
                      stacklevel=1)


@pytest.mark.parametrize("path", SITE, ids=lambda p: _rel(p))
def test_the_site_never_imports_the_speed_machinery(path: Path) -> None:
    """What the site is stays apart from how it is built fast (and written out):
    a step states what is independent (digest.site.work), the engine runs it."""
    module = _rel(path)[:-3].replace("/", ".").removesuffix(".__init__")
    if path.name == "__init__.py":
        module += ".__init__"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [f"{_rel(path)}:{line}: imports {name} (the site must not: move the speed part "
           f"into digest/engine/ and pass it in, as digest.site.work does)"
           for name, line in _imported_names(tree, module)
           if any(name == s or name.startswith(s + ".") for s in SPEED_IMPORTS)
           and (_rel(path), name) not in SITE_EXCEPTIONS]
    assert bad == []


def test_the_site_list_covers_the_stages() -> None:
    names = {_rel(p) for p in SITE}
    assert {"digest/site/build.py", "digest/site/records.py", "digest/site/enrich/__init__.py",
            "digest/site/render/__init__.py", "digest/site/model/__init__.py"} <= names
    assert not any(n.startswith("digest/engine/") for n in names)


def test_the_recipe_is_one_short_function() -> None:
    """The build, top to bottom, reads as one function of the stages."""
    path = PACKAGE / "site" / "build.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    (build,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "build"]
    assert build.end_lineno - build.lineno <= 45
    called = {_called_name(n.func) for n in ast.walk(build) if isinstance(n, ast.Call)}
    assert {"parse", "select", "assign_urls", "enrich", "assemble", "render",
            "check_feeds"} <= called


def test_every_package_ships_in_the_wheel() -> None:
    """pyproject lists its packages one by one: a new package left out would
    install without it (and fail only outside a checkout)."""
    import tomllib

    listed = set(tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {_rel(p.parent).replace("/", ".") for p in PACKAGE.rglob("__init__.py")
             if "__pycache__" not in p.parts}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
