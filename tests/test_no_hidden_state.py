"""Issue 23: no hidden state in the frozen core, checked on the source (AST).

- No module sets an attribute on a records class (``Article.__repr__ = ...``,
  ``setattr(Article, ...)``), and none calls ``object.__setattr__`` (or
  ``__delattr__``) to change a frozen record after it was made.
- Only digest/site/recordcopy.py reaches the records' slot descriptors
  (``Article.__dict__[...]``), and each of its functions that sets fields
  through them sets them on records it makes itself (``Article.__new__``):
  a record is never changed once returned.
- No module in digest/site/render writes another module's globals: no attribute
  of an imported module is assigned or deleted, and no function imported from
  another digest module writes that module's globals (``global`` statements,
  or a module-level container changed in place).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.tools import REPO_ROOT

PACKAGE = REPO_ROOT / "digest"
# Functions that write their own module's globals, callable from render anyway:
# (module, name) -> why that is not state.
ALLOWED_WRITERS = {
    ("digest.engine.parallel", "start"): "sets and clears _SHARED within the call, to hand "
                                  "the function to the process it forks",
}
MUTATORS = {"append", "extend", "insert", "update", "clear", "pop", "popitem", "remove",
            "setdefault", "add", "discard", "__setitem__", "__delitem__"}


def _rel(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def _modules(under: Path | None = None) -> list[Path]:
    return sorted((under or PACKAGE).rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _record_classes() -> set[str]:
    return {node.name for node in _tree(PACKAGE / "site" / "records.py").body
            if isinstance(node, ast.ClassDef)}


def _written_targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return list(node.targets)
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        return [node.target]
    if isinstance(node, ast.Delete):
        return list(node.targets)
    return []


def _base_name(node: ast.expr) -> str | None:
    """``a`` of ``a.b``, ``a.b.c`` or ``a.b[...]``."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _record_class_writes(tree: ast.Module, classes: set[str]) -> list[str]:
    found = []
    for node in ast.walk(tree):
        for target in _written_targets(node):
            if isinstance(target, ast.Attribute) and _base_name(target) in classes | {"records"}:
                found.append(f"line {node.lineno}: {ast.unparse(target)} is assigned")
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            if func in {"setattr", "delattr"} and node.args \
                    and _base_name(node.args[0]) in classes | {"records"}:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
            if func in {"object.__setattr__", "object.__delattr__"}:
                found.append(f"line {node.lineno}: {func}(...) changes an object after __init__")
    return found


def test_no_module_patches_or_mutates_a_record() -> None:
    classes = _record_classes()
    problems = {_rel(p): found for p in _modules()
                if (found := _record_class_writes(_tree(p), classes))}
    assert not problems, problems


def test_slot_setters_only_fill_records_being_made() -> None:
    reach = {_rel(p) for p in _modules() if ".__dict__[" in p.read_text(encoding="utf-8")
             and any(f"{c}.__dict__[" in p.read_text(encoding="utf-8")
                     for c in _record_classes())}
    assert reach <= {"digest/site/recordcopy.py"}, reach
    # recordcopy fills a _Draft it has just made, then makes it an Article
    # (__class__ assignment): nothing else in digest assigns __class__.
    changers = {_rel(p) for p in _modules()
                if any(isinstance(t, ast.Attribute) and t.attr == "__class__"
                       for node in ast.walk(_tree(p)) for t in _written_targets(node))}
    assert changers <= {"digest/site/recordcopy.py"}, changers
    from digest.site import recordcopy

    for made in (recordcopy._from_values, recordcopy._copier(("title", "url"))):
        code = made.__code__
        assert code.co_names[:2] == ("_new", "_Draft"), code.co_names  # n = _new(_Draft) first
        assert code.co_names[-2:] == ("_Article", "__class__"), code.co_names


def _module_globals(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        for target in _written_targets(node):
            if isinstance(target, ast.Name):
                names.add(target.id)
    return names


def _global_writers(tree: ast.Module) -> set[str]:
    """Module-level functions that rebind or change in place the module's globals."""
    module_names = _module_globals(tree)
    writers = set()
    for fn in tree.body:
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        local = {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)}
        for node in ast.walk(fn):
            if isinstance(node, ast.Global):
                writers.add(fn.name)
            for target in _written_targets(node):
                if isinstance(target, ast.Name):
                    local.add(target.id)
        for node in ast.walk(fn):
            hit = None
            for target in _written_targets(node):
                if isinstance(target, (ast.Subscript, ast.Attribute)):
                    hit = _base_name(target)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in MUTATORS and isinstance(node.func.value, ast.Name):
                hit = node.func.value.id
            if hit is not None and hit in module_names and hit not in local:
                writers.add(fn.name)
    return writers


def _module_path(module: str) -> Path | None:
    path = REPO_ROOT / (module.replace(".", "/") + ".py")
    if path.is_file():
        return path
    path = REPO_ROOT / module.replace(".", "/") / "__init__.py"
    return path if path.is_file() else None


def _foreign_global_writes(path: Path) -> list[str]:
    tree = _tree(path)
    found = []
    modules: set[str] = set()  # names bound to imported modules
    writers: dict[str, str] = {}  # imported function -> its module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if _module_path(f"{node.module}.{alias.name}") is not None:
                    modules.add(alias.asname or alias.name)
                    continue
                source = _module_path(node.module)
                if source is not None and source != path \
                        and (node.module, alias.name) not in ALLOWED_WRITERS \
                        and alias.name in _global_writers(_tree(source)):
                    writers[alias.asname or alias.name] = node.module
    for node in ast.walk(tree):
        for target in _written_targets(node):
            if isinstance(target, (ast.Attribute, ast.Subscript)) and _base_name(target) in modules:
                found.append(f"line {node.lineno}: {ast.unparse(target)} is another module's")
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            if func in {"setattr", "delattr"} and node.args and _base_name(node.args[0]) in modules:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
            if isinstance(node.func, ast.Name) and node.func.id in writers:
                found.append(f"line {node.lineno}: {func}() writes the globals of "
                             f"{writers[node.func.id]}")
    return found


def test_render_modules_write_no_other_modules_globals() -> None:
    problems = {_rel(p): found for p in _modules(PACKAGE / "site" / "render")
                if (found := _foreign_global_writes(p))}
    assert not problems, problems


def test_the_checks_see_what_they_forbid(tmp_path: Path) -> None:
    """The patterns issue 23 found, as they were written."""
    patched = ast.parse("from digest.site.records import Article\n"
                        "Article.__repr__ = _watched_repr\n"
                        "def f(a):\n    object.__setattr__(a, 'url', 'x')\n")
    assert len(_record_class_writes(patched, _record_classes())) == 2
    feeds = ast.parse("_known: list = []\n"
                      "def remember(articles, groups):\n    _known[:] = [(articles, groups)]\n"
                      "def mine(x):\n    known = []\n    known.append(x)\n")
    assert _global_writers(feeds) == {"remember"}
    (tmp_path / "early.py").write_text("import digest.site.render.feeds as feeds\n"
                                       "def go(a):\n    feeds._known = a\n", encoding="utf-8")
    assert _foreign_global_writes(tmp_path / "early.py")
