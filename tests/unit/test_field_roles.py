"""Issue 23: every Article field declares its role once (digest/site/records.py),
and what model.assemble reads agrees with it.

Page fingerprints leave the body-derived fields and the links out of the
CARD digests list pages are checked by, and the fingerprinter reuses a
page's last fingerprint when no card digest changed and neither did the
body and link fields declared ``model=True`` (Digests.structure).  A model
page computed from another body or link field would silently go stale after
an edit: these tests record what assemble reads and name the field and
where to declare it.
"""

from __future__ import annotations

import ast
import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.site import records
from digest.site.model import assemble
from digest.site.records import (
    BODY_FIELDS,
    DERIVED,
    LINK_FIELDS,
    LOCAL_FIELDS,
    MODEL_FIELDS,
    PARSED_FIELDS,
    ROLE_OF,
    SITE_FIELDS,
    Article,
    field_roles,
    local,
    parsed,
    site,
)

MODEL_DIR = Path(records.__file__).resolve().parent / "model"
REPO = MODEL_DIR.parents[2]  # digest/site/model -> the repository
# Body and link fields model code may not read without model=True.
UNCOVERED = frozenset((*BODY_FIELDS, *LINK_FIELDS)) - frozenset(MODEL_FIELDS)


def _declare_hint(name: str) -> str:
    role = ROLE_OF[name]
    kind = "body-derived" if role.body else "a link field"
    return (f"Article.{name} ({kind}): page fingerprints do not cover model reads of it; "
            f"declare `model=True` on it in digest/site/records.py (in its "
            f"{role.kind}(...) call), which puts it in records.MODEL_FIELDS and so in "
            "Digests.structure (render/digests.py): then a change to it re-checks every page")


# --------------------------------------------------------------------------- declarations

def test_every_field_has_a_role_and_the_tuples_follow_from_them() -> None:
    names = tuple(f.name for f in dataclasses.fields(Article))
    assert tuple(ROLE_OF) == names
    assert set(PARSED_FIELDS) | set(DERIVED) == set(names)
    assert not set(PARSED_FIELDS) & set(DERIVED)
    assert set(DERIVED) == {"url", "lang", "translations", *LOCAL_FIELDS, *SITE_FIELDS}
    assert set(MODEL_FIELDS) <= set(BODY_FIELDS) | set(LINK_FIELDS)
    # body fields are parsed or local: a function of the source (its id in digests)
    assert all(ROLE_OF[n].kind in ("parsed", "local") for n in BODY_FIELDS)


def test_the_consumers_read_the_declared_tuples() -> None:
    from digest.engine import access, digests, fingerprint
    from digest.serve import preview
    from digest.site import enrich

    assert enrich.LOCAL_FIELDS is LOCAL_FIELDS and enrich.SITE_FIELDS is SITE_FIELDS
    assert fingerprint.DERIVED is DERIVED and digests.DERIVED is DERIVED
    assert frozenset(BODY_FIELDS) == access._BODY
    assert frozenset(LINK_FIELDS) == access._LINKS
    assert preview.SITE_WIDE is SITE_FIELDS


def test_a_field_without_a_role_fails_naming_it_and_where_to_declare() -> None:
    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Throwaway:
        title: str = parsed()
        shares: int = 0  # no role

    with pytest.raises(TypeError) as err:
        field_roles(Throwaway)
    message = str(err.value)
    assert "Throwaway.shares has no role" in message
    assert "declare its role in digest/site/records.py with parsed()/assigned()/local()/site()" \
        in message


def test_roles_the_fingerprints_cannot_honour_are_refused() -> None:
    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Both:
        x: int = dataclasses.field(default=0, metadata={
            records.ROLE_KEY: records.Role("local", body=True, links=True)})

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class NeedlessModel:
        x: int = parsed(0, model=True)

    with pytest.raises(TypeError, match=r"Both\.x is declared both body=True and links=True"):
        field_roles(Both)
    with pytest.raises(TypeError, match=r"NeedlessModel\.x: model=True is only for body"):
        field_roles(NeedlessModel)
    # and these are fine
    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Fine:
        a: int = local(0, body=True, model=True)
        b: tuple[str, ...] = site((), links=True)

    assert set(field_roles(Fine)) == {"a", "b"}


# --------------------------------------------------------------------------- model reads

class _Recorded(Article):
    """An Article that notes who reads its body and link fields."""

    __slots__ = ()
    reads: list[tuple[str, str, int]] = []  # (field, file, line)

    def __getattribute__(self, name: str) -> object:
        if name in UNCOVERED:
            _Recorded.reads.append((name, *_reader(sys._getframe(1))))
        return object.__getattribute__(self, name)


def _reader(frame: object) -> tuple[str, int]:
    """The innermost frame in digest/site/model/ (else the given one): file, line."""
    first = frame
    while frame is not None:
        path = Path(frame.f_code.co_filename)  # type: ignore[attr-defined]
        if path.parent == MODEL_DIR:
            break
        frame = frame.f_back  # type: ignore[attr-defined]
    frame = frame or first
    path = Path(frame.f_code.co_filename)  # type: ignore[attr-defined]
    shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    return str(shown), frame.f_lineno  # type: ignore[attr-defined]


def _recorded(article: Article) -> Article:
    new = _Recorded.__new__(_Recorded)
    for f in dataclasses.fields(Article):
        Article.__dict__[f.name].__set__(new, object.__getattribute__(article, f.name))
    return new


def _built_sites(tmp_path: Path) -> Iterator[tuple[str, object]]:
    from digest.pipeline import BuildOptions, build
    from tests.integration.conftest import copy_example_site
    from tests.integration.test_incremental import make_incremental_site

    for name, root in (("example", copy_example_site(tmp_path / "example")),
                       ("incremental", make_incremental_site(tmp_path / "incremental"))):
        yield name, build(root, BuildOptions(search=True, cache=False, jobs=1))


def test_model_reads_no_body_or_link_field_it_does_not_declare(tmp_path: Path) -> None:
    """assemble, run on the articles of two built sites (one with stories and
    editions), reads a body or link field only if it is declared model=True."""
    stories = 0
    _Recorded.reads = []
    for _, result in _built_sites(tmp_path):
        arts = tuple(_recorded(a) for a in result.site.articles)  # type: ignore[attr-defined]
        stories += sum(1 for a in result.site.articles if a.also_reported)  # type: ignore[attr-defined]
        assemble(arts, result.config)  # type: ignore[attr-defined]
    assert stories, "no site with stories: editions were not exercised"
    problems = sorted({f"{where}:{line} reads {_declare_hint(name)}"
                       for name, where, line in _Recorded.reads})
    assert not problems, "\n".join(problems)


def test_model_sources_name_no_body_or_link_field_they_do_not_declare() -> None:
    """The same, read from the source of digest/site/model/ (branches a test site
    does not take): an attribute named like such a field."""
    problems = []
    for path in sorted(MODEL_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Attribute):
                names.append(node.attr)
            elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(
                    node.func, "attr", None)) in ("getattr", "attrgetter"):
                names += [a.value for a in node.args if isinstance(a, ast.Constant)]
            problems += [f"{path.relative_to(REPO)}:{node.lineno} reads {_declare_hint(n)}"
                         for n in names if n in UNCOVERED]
    assert not problems, "\n".join(problems)


def test_recording_sees_what_model_code_reads() -> None:
    """The recorder itself: a read of an undeclared field in a model file is
    caught and placed there (the message the two tests above fail with)."""
    from datetime import UTC, datetime
    from pathlib import PurePosixPath

    art = Article(path=PurePosixPath("content/a.md"), kind="markdown", title="A",
                  date=datetime(2024, 1, 1, tzinfo=UTC), slug="a", body="one two")
    name = next(n for n in (*BODY_FIELDS, *LINK_FIELDS) if n in UNCOVERED)
    _Recorded.reads = []
    code = compile(f"total = [a.{name} for a in arts]", str(MODEL_DIR / "indexes.py"), "exec")
    exec(code, {"arts": [_recorded(art)]})
    assert [(n, w) for n, w, _ in _Recorded.reads] == [(name, "digest/site/model/indexes.py")]
    assert f"Article.{name} (" in _declare_hint(name)
    assert "declare `model=True` on it in digest/site/records.py" in _declare_hint(name)
