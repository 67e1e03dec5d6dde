"""Datelines: the regex, the month table and year inference."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from digest.site.sources.dateline import (
    Dateline,
    DatelineError,
    infer_year,
    parse_dateline,
    resolve,
    resolve_chain,
    with_year,
)

MINSK = ZoneInfo("Europe/Minsk")


def at(*args: int, tz=MINSK) -> datetime:
    return datetime(*args, tzinfo=tz)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("10:32, 20 December", Dateline(10, 32, 20, 12)),
        ("9:05, 1 may", Dateline(9, 5, 1, 5)),
        ("  23:59,  31 DECEMBER  ", Dateline(23, 59, 31, 12)),
        ("00:00, 7 Sept", Dateline(0, 0, 7, 9)),
        ("14:20, 3 March 2023", Dateline(14, 20, 3, 3, 2023)),
        ("14:20, 3 Mar. 2023", Dateline(14, 20, 3, 3, 2023)),
        ("11:05, 14 апреля", Dateline(11, 5, 14, 4)),
        ("11:05, 14 Декабря 2024", Dateline(11, 5, 14, 12, 2024)),
        ("08:00, 1 май", Dateline(8, 0, 1, 5)),
    ],
)
def test_parse_dateline_accepts(line: str, expected: Dateline) -> None:
    assert parse_dateline(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Belarus and Russia sign documents",
        "24:00, 1 May",  # no such hour
        "10:60, 1 May",
        "10:32, 20 Smarch",  # unknown month
        "10:32, 0 May",
        "10:32 20 December",  # the comma is part of the agency format
        "10:32, 20 December 24",  # two-digit years are ambiguous; not a dateline
        "Photo: BelTA",
        "",
    ],
)
def test_parse_dateline_rejects(line: str) -> None:
    assert parse_dateline(line) is None


def test_reference_next_day_keeps_the_same_year() -> None:
    got = infer_year(Dateline(10, 32, 20, 12), at(2024, 12, 21, 12, 0), MINSK)
    assert got == at(2024, 12, 20, 10, 32)
    assert got.isoformat() == "2024-12-20T10:32:00+03:00"


def test_31_december_read_early_in_january_rolls_back() -> None:
    got = infer_year(Dateline(23, 40, 31, 12), at(2025, 1, 2, 9, 0), MINSK)
    assert got == at(2024, 12, 31, 23, 40)


def test_early_january_read_on_31_december_is_within_slack() -> None:
    # Two days of slack: a clipping dated 1 January seen late on 30 December
    # (another zone, clock skew) still belongs to the coming year.
    got = infer_year(Dateline(0, 30, 1, 1), at(2024, 12, 30, 23, 0), MINSK)
    assert got == at(2025, 1, 1, 0, 30)


def test_more_than_two_days_ahead_goes_to_previous_year() -> None:
    got = infer_year(Dateline(12, 0, 25, 12), at(2024, 12, 21, 12, 0), MINSK)
    assert got == at(2023, 12, 25, 12, 0)


@pytest.mark.parametrize(
    ("reference", "expected_year"),
    [
        (at(2025, 3, 10, 12, 0), 2024),
        (at(2024, 3, 1, 0, 0), 2024),
        (at(2024, 2, 28, 8, 0), 2024),  # within the two-day slack
        (at(2027, 6, 1, 0, 0), 2024),  # skips 2027, 2026, 2025 without crashing
        (at(2023, 1, 1, 0, 0), 2020),
    ],
)
def test_29_february_picks_a_leap_year(reference: datetime, expected_year: int) -> None:
    got = infer_year(Dateline(8, 15, 29, 2), reference, MINSK)
    assert got == at(expected_year, 2, 29, 8, 15)


def test_reference_is_read_in_the_dateline_zone() -> None:
    # 21:30 UTC on 31 December is already 1 January in Minsk: the reference
    # year is 2025 there, and "31 December" is the day before.
    got = infer_year(Dateline(23, 0, 31, 12), at(2024, 12, 31, 21, 30, tz=UTC), MINSK)
    assert got == at(2024, 12, 31, 23, 0)


def test_naive_reference_is_read_in_the_given_zone() -> None:
    got = infer_year(Dateline(10, 0, 1, 6), datetime(2024, 6, 2), MINSK)
    assert got == at(2024, 6, 1, 10, 0)


def test_resolve_explicit_year_is_not_inferred() -> None:
    assert resolve(Dateline(14, 20, 3, 3, 2023), at(2030, 1, 1), MINSK) == (
        at(2023, 3, 3, 14, 20), False)


def test_resolve_without_year_is_inferred() -> None:
    when, inferred = resolve(Dateline(9, 47, 6, 11), at(2024, 12, 20, 10, 32), MINSK)
    assert (when, inferred) == (at(2024, 11, 6, 9, 47), True)


def test_impossible_dates_raise() -> None:
    with pytest.raises(DatelineError):
        resolve(Dateline(10, 0, 29, 2, 2023), at(2024, 1, 1), MINSK)
    with pytest.raises(DatelineError):
        with_year(Dateline(10, 0, 31, 4), 2024, MINSK)
    with pytest.raises(DatelineError, match="31 April"):
        infer_year(Dateline(10, 0, 31, 4), at(2024, 1, 1), MINSK)


def test_pinned_year_and_utc_zone() -> None:
    got = with_year(Dateline(10, 32, 20, 12), 2023, UTC)
    assert got.isoformat() == "2023-12-20T10:32:00+00:00"


def test_pre_2011_minsk_offset_comes_from_tzdata() -> None:
    # Belarus kept DST until 2011; a fixed +03:00 would be wrong for old items.
    assert with_year(Dateline(12, 0, 15, 1), 2010, MINSK).utcoffset().total_seconds() == 7200


def test_resolve_chain_walks_the_reference_down_the_list() -> None:
    chain = [Dateline(9, 47, 6, 11), None, Dateline(18, 5, 28, 12), Dateline(10, 0, 31, 4),
             Dateline(12, 0, 3, 10), Dateline(8, 0, 1, 1, 2020)]
    assert resolve_chain(chain, at(2024, 12, 20, 10, 32), MINSK) == [
        (at(2024, 11, 6, 9, 47), True),
        (None, False),  # no dateline: the reference stays at 6 November
        (at(2023, 12, 28, 18, 5), True),
        (None, False),  # 31 April never exists: skipped, not an error
        (at(2023, 10, 3, 12, 0), True),
        (at(2020, 1, 1, 8, 0), False),
    ]
