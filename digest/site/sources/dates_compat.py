"""Dates as Hugo and Jekyll accept them, where digest's own forms are stricter.

- Hugo takes a page's date from the first of ``date, publishDate, pubdate,
  published, lastmod, modified`` it finds; digest does the same.
- Jekyll reads dates with Ruby's lenient ``Time.parse``, which skips words it
  does not need: ``2023-01-29 18:30:22 2023 -0800`` (a year repeated before
  the offset) is a real post's date.  digest accepts that one shape only when
  it is unambiguous: the repeated year is the date's own and, when the file
  name gives a date (``2023-01-29-slug.md``), it is the same day.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

FALLBACK_KEYS = ("date", "publishDate", "pubdate", "published", "lastmod", "modified")
LOOKED_FOR = ", ".join(FALLBACK_KEYS) + " and a YYYY-MM-DD-slug.md file name"

_REPEATED_YEAR = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)\s+(\d{4})\s+([+-]\d{2}:?\d{2}|Z)")


def date_fields(data: Mapping[str, Any], key_lines: Mapping[str, int],
                file_date: str | None) -> tuple[dict[str, Any], dict[str, int]]:
    """``data`` and ``key_lines`` with ``date`` set as Hugo and Jekyll would
    find it (see the module); unchanged when there is nothing to do."""
    value = data.get("date")
    lines = dict(key_lines)
    if value is None and file_date is None:
        for key in FALLBACK_KEYS[1:]:
            # Jekyll's published: false is a draft flag, not a date
            if data.get(key) is not None and not isinstance(data[key], bool):
                value = data[key]
                lines["date"] = key_lines.get(key, 1)
                break
    if isinstance(value, str):
        value = _ruby_date(value, file_date)
    if value is None or value is data.get("date"):
        return dict(data), lines
    return {**data, "date": value}, lines


def _ruby_date(text: str, file_date: str | None) -> str:
    """``2023-01-29 18:30:22 2023 -0800`` -> ``2023-01-29 18:30:22 -0800`` when
    unambiguous; any other text is returned as it is."""
    m = _REPEATED_YEAR.fullmatch(text.strip())
    if not m:
        return text
    year, month, day, clock, again, offset = m.groups()
    day_of = f"{year}-{month}-{day}"
    if again != year or (file_date is not None and file_date != day_of):
        return text  # reported as an invalid date: which year, which day, is not clear
    return f"{day_of} {clock} {offset}"
