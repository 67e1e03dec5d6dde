"""digest.site.recordcopy: fast copies equal dataclasses.replace, field for field."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import PurePosixPath

import pytest

from digest.site import recordcopy
from digest.site.records import Article, Mention


def _article() -> Article:
    return Article(path=PurePosixPath("content/a.md"), kind="markdown", title="T",
                   date=datetime(2024, 1, 1, tzinfo=UTC), slug="t", body="Body",
                   tags=("x",), mentions=(Mention(title="M", date=None),),
                   extra={"k": 1})


def test_evolve_equals_replace() -> None:
    art = _article()
    changes = {"url": "/t/", "terms": {"tags": ("x",)}, "word_count": 3, "story": "s"}
    got = recordcopy.evolve(art, changes)
    want = dataclasses.replace(art, **changes)
    assert type(got) is Article
    assert dataclasses.astuple(got) == dataclasses.astuple(want)
    assert art.url == ""  # the original is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.url = "/x/"  # type: ignore[misc]


def test_values_round_trip() -> None:
    art = _article()
    back = recordcopy.from_values(recordcopy.values(art))
    assert dataclasses.astuple(back) == dataclasses.astuple(art)
    assert recordcopy.FIELDS == tuple(f.name for f in dataclasses.fields(Article))


def test_unknown_field_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        recordcopy.evolve(_article(), {"nope": 1})


def test_articles_pickle_as_their_values_and_come_back_equal_field_for_field() -> None:
    import pickle

    from digest.engine.cachepickle import loads as _loads

    art = _article()
    again = _loads(pickle.dumps(art, protocol=5))  # through the cache's safe unpickler
    assert again is not art and recordcopy.values(again) == recordcopy.values(art)


def test_from_values_refuses_a_wrong_number_of_fields() -> None:
    with pytest.raises(TypeError):
        recordcopy.from_values(recordcopy.values(_article())[:-1])


def test_with_columns_makes_new_records() -> None:
    arts = [_article(), recordcopy.evolve(_article(), {"title": "Other"})]
    before = [dataclasses.astuple(a) for a in arts]
    want = [dataclasses.replace(a, story=s, word_count=k) for a, s, k in zip(arts, "st", (4, 5))]
    got = recordcopy.with_columns(arts, {"story": ["s", "t"], "word_count": [4, 5]})
    assert [dataclasses.astuple(a) for a in got] == [dataclasses.astuple(a) for a in want]
    assert not set(map(id, got)) & set(map(id, arts))
    assert [dataclasses.astuple(a) for a in arts] == before  # untouched
    assert recordcopy.with_columns([], {"story": []}) == ()
    with pytest.raises(TypeError):
        recordcopy.with_columns(arts, {"no_such_field": [1, 2]})
    with pytest.raises(ValueError):
        recordcopy.with_columns(arts, {"story": ["s"]})
