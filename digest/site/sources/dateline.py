"""Agency datelines (``10:32, 20 December``) and the year they leave out.

Parsed with a regex and a month table rather than a date library: dateutil
fills a missing year from today (so we could not tell it was missing) and
``strptime`` without ``%Y`` assumes 1900, which rejects 29 February.  Month
names are matched case-insensitively and never through the process locale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

# English names and common abbreviations, plus Russian genitive forms (the case
# a Russian dateline uses: "20 декабря") and nominative ones, which people type
# by hand.  Keys are casefolded.
_ENGLISH = ("january", "february", "march", "april", "may", "june", "july",
            "august", "september", "october", "november", "december")
_RU_GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля",
                "августа", "сентября", "октября", "ноября", "декабря")
_RU_NOMINATIVE = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль",
                  "август", "сентябрь", "октябрь", "ноябрь", "декабрь")

MONTHS: dict[str, int] = {}
for _names in (_ENGLISH, _RU_GENITIVE, _RU_NOMINATIVE):
    MONTHS.update({name: i for i, name in enumerate(_names, start=1)})
MONTHS.update({name[:3]: i for i, name in enumerate(_ENGLISH, start=1)})
MONTHS["sept"] = 9

DATELINE = re.compile(
    r"^\s*(?P<H>[01]?\d|2[0-3]):(?P<M>[0-5]\d),\s*(?P<d>[0-3]?\d)\s+"
    r"(?P<mon>[^\W\d_]+)\.?(?:,?\s+(?P<y>\d{4}))?\s*$"
)

# How far past the reference instant a year-less date may fall: time-zone
# differences and copy lag (a clipping saved just after midnight, a reference
# taken from another zone) must not push the date back a whole year.
SLACK = timedelta(days=2)
# Candidate years around the reference: one ahead (a reference late on
# 31 December in another zone), four back (the oldest trailer items we expect;
# four years always include a leap year, so 29 February resolves).
YEARS_AHEAD = 1
YEARS_BACK = 4


class DatelineError(ValueError):
    """A dateline that names an impossible date (31 April, 29 February 2023)."""


@dataclass(frozen=True, slots=True)
class Dateline:
    """The parts of a dateline; ``year`` is None when the agency left it out."""

    hour: int
    minute: int
    day: int
    month: int
    year: int | None = None


def parse_dateline(line: str) -> Dateline | None:
    """Return the dateline on ``line``, or None when the line is not one.

    Only the shape and the month name are checked here; whether the day exists
    in that month depends on the year, which :func:`resolve` decides.
    """
    m = DATELINE.match(line)
    if not m:
        return None
    month = MONTHS.get(m["mon"].casefold())
    day = int(m["d"])
    if month is None or not 1 <= day <= 31:
        return None
    return Dateline(hour=int(m["H"]), minute=int(m["M"]), day=day, month=month,
                    year=int(m["y"]) if m["y"] else None)


def _build(year: int, d: Dateline, tz: tzinfo) -> datetime | None:
    try:
        return datetime(year, d.month, d.day, d.hour, d.minute, tzinfo=tz)
    except ValueError:
        return None


def infer_year(d: Dateline, reference: datetime, tz: tzinfo) -> datetime:
    """The latest candidate year that puts ``d`` no more than :data:`SLACK` after ``reference``.

    Candidates run from the reference year + 1 down to - 4, in ``tz`` (the
    agency's zone, where its datelines are written).  Invalid dates such as
    29 February in a common year are skipped, not errors.
    """
    ref = _aware(reference, tz)
    limit = ref + SLACK
    base = ref.astimezone(tz).year
    for year in range(base + YEARS_AHEAD, base - YEARS_BACK - 1, -1):
        candidate = _build(year, d, tz)
        if candidate is not None and candidate <= limit:
            return candidate
    raise DatelineError(
        f"no year between {base - YEARS_BACK} and {base + YEARS_AHEAD} has "
        f"{d.day} {_ENGLISH[d.month - 1].capitalize()} on or before "
        f"{limit.date().isoformat()}"
    )


def resolve(d: Dateline, reference: datetime, tz: tzinfo) -> tuple[datetime, bool]:
    """An aware datetime for ``d`` and whether its year was inferred.

    An explicit year is used as written; an impossible date raises
    :class:`DatelineError`.
    """
    if d.year is not None:
        return with_year(d, d.year, tz), False
    return infer_year(d, reference, tz), True


def with_year(d: Dateline, year: int, tz: tzinfo) -> datetime:
    """``d`` in a year the caller pinned (front-matter ``year:``)."""
    value = _build(year, d, tz)
    if value is None:
        raise DatelineError(
            f"{d.day} {_ENGLISH[d.month - 1].capitalize()} {year} is not a date")
    return value


def _aware(value: datetime, tz: tzinfo) -> datetime:
    # A naive reference has no zone of its own; read it in the dateline's zone
    # rather than the machine's, so builds do not depend on the host.
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def resolve_chain(datelines: list[Dateline | None] | tuple[Dateline | None, ...],
                  reference: datetime, tz: tzinfo) -> list[tuple[datetime | None, bool]]:
    """Resolve a newest-first list of datelines (an agency's related headlines).

    Each year is inferred relative to the item before it, starting from
    ``reference`` (the article's date): that is what catches the wrap in
    "6 November, then 28 December" (the previous year).  Missing or impossible
    datelines give ``(None, False)`` and leave the reference where it was: a
    bad date in someone else's list is not worth failing the article over.
    """
    out: list[tuple[datetime | None, bool]] = []
    for d in datelines:
        try:
            when, inferred = resolve(d, reference, tz) if d else (None, False)
        except DatelineError:
            when, inferred = None, False
        out.append((when, inferred))
        reference = when or reference
    return out
