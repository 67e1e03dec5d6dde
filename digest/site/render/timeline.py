"""A small inline SVG bar chart: how many articles a term had per week.

Pure functions, computed at build time; the chart needs no JavaScript and no
styles of its own beyond CSS classes (the theme colours them, light and dark),
so it satisfies a Content-Security-Policy without 'unsafe-inline'.

Weeks start on Monday in the site time zone.  Every week between the first and
the last article is drawn, empty weeks included, so gaps in the coverage show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, tzinfo
from html import escape

from markupsafe import Markup

from digest.site.records import Article

MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# Geometry.  Horizontal positions are percentages of the chart's width, so the
# chart fills its column at any screen width while its text stays at its CSS
# size (a scaled viewBox would shrink the labels to nothing on a phone).
HEIGHT = 120  # px
TOP = 18  # room for the counts above the bars
BOTTOM = 22  # room for the month labels
MIN_SLOTS = 8  # fewer weeks than this are drawn as narrow bars, centred
BAR_SHARE = 0.68  # share of a week's slot covered by its bar
LABEL_BARS = 16  # up to this many weeks each bar shows its count; beyond, only the peak
MAX_WEEKS = 156  # three years; older weeks are left out (the description says so)


def week_start(moment: datetime, tz: tzinfo) -> date:
    """Monday of the week containing ``moment`` in time zone ``tz``."""
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def weekly_counts(dates: Iterable[datetime], tz: tzinfo) -> list[tuple[date, int]]:
    """(Monday, count) for every week from the earliest to the latest date, oldest first.

    Weeks without articles are included with count 0.  Empty input gives [].
    """
    counts = Counter(week_start(d, tz) for d in dates)
    if not counts:
        return []
    first, last = min(counts), max(counts)
    weeks = []
    current = first
    while current <= last:
        weeks.append((current, counts.get(current, 0)))
        current += timedelta(days=7)
    return weeks


def _day(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _plural(count: int, word: str = "article") -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def describe(weeks: list[tuple[date, int]], label: str = "") -> str:
    """One sentence for screen readers: span, total, busiest week."""
    if not weeks:
        return f"No articles{f' about {label}' if label else ''} yet."
    total = sum(c for _, c in weeks)
    peak_week, peak = max(weeks, key=lambda wc: (wc[1], wc[0]))
    about = f" about {label}" if label else ""
    if len(weeks) == 1:
        return f"{_plural(total)}{about}, all in the week of {_day(weeks[0][0])}."
    return (f"{_plural(total)}{about} over {len(weeks)} weeks, from the week of "
            f"{_day(weeks[0][0])} to the week of {_day(weeks[-1][0])}; the busiest week, "
            f"starting {_day(peak_week)}, had {_plural(peak)}.")


def timeline_svg(articles: Iterable[Article], tz: tzinfo, *, label: str = "",
                 chart_id: str = "timeline", min_weeks: int = 1) -> str:
    """Inline SVG markup of the weekly article counts of ``articles`` (any order).

    ``label`` names the term in the accessible title; ``chart_id`` prefixes the
    ids of the <title>/<desc> elements (one chart per page needs no more).
    Returns "" when the articles span fewer than ``min_weeks`` weeks (or none).
    """
    weeks = weekly_counts((a.date for a in articles), tz)
    if not weeks or len(weeks) < min_weeks:
        return ""
    omitted = max(0, len(weeks) - MAX_WEEKS)
    weeks = weeks[omitted:]
    peak = max(c for _, c in weeks)
    n = len(weeks)
    slots = max(n, MIN_SLOTS)
    pitch = 100.0 / slots  # percent of the width per week
    offset = (slots - n) * pitch / 2  # centre a short series
    bar_w = pitch * BAR_SHARE
    plot_h = HEIGHT - TOP - BOTTOM
    base_y = TOP + plot_h

    title = f"Articles per week{f' about {label}' if label else ''}"
    desc = describe(weeks, label)
    if omitted:
        desc += f" ({omitted} earlier weeks are not shown.)"
    tid, did = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="100%" height="{HEIGHT}" aria-labelledby="{tid} {did}">',
        f'<title id="{tid}">{escape(title)}</title>',
        f'<desc id="{did}">{escape(desc)}</desc>',
    ]
    for i, (monday, count) in enumerate(weeks):
        left = offset + i * pitch + (pitch - bar_w) / 2
        centre = left + bar_w / 2
        tip = escape(f"Week of {_day(monday)}: {_plural(count)}")
        if count:
            h = max(plot_h * count / peak, 2.0)
            parts.append(f'<rect class="timeline-bar" x="{left:.2f}%" y="{base_y - h:.1f}" '
                         f'width="{bar_w:.2f}%" height="{h:.1f}"><title>{tip}</title></rect>')
            if n <= LABEL_BARS:
                parts.append(f'<text class="timeline-count" x="{centre:.2f}%" '
                             f'y="{base_y - h - 5:.1f}" text-anchor="middle">{count}</text>')
        else:
            parts.append(f'<rect class="timeline-empty" x="{left:.2f}%" y="{base_y - 2}" '
                         f'width="{bar_w:.2f}%" height="2"><title>{tip}</title></rect>')
    parts.append(f'<line class="timeline-axis" x1="0" y1="{base_y + 0.5}" x2="100%" '
                 f'y2="{base_y + 0.5}"/>')
    parts.extend(_month_labels(weeks, offset, pitch, base_y))
    if n > LABEL_BARS:
        parts.append(f'<text class="timeline-label" x="100%" y="{TOP - 6}" '
                     f'text-anchor="end">busiest week: {_plural(peak)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _month_labels(weeks: list[tuple[date, int]], offset: float, pitch: float,
                  base_y: float) -> list[str]:
    """Label the first week of each month ('Nov', or 'Jan 2025' at a year change),
    skipping labels that would crowd the previous one on a narrow (320 px) chart."""
    out = []
    last_end = -100.0  # percent
    previous_month = None
    for i, (monday, _) in enumerate(weeks):
        # a week belongs to the month of its Thursday (as ISO weeks do to years)
        thursday = monday + timedelta(days=3)
        month = (thursday.year, thursday.month)
        if month == previous_month:
            continue
        first = previous_month is None
        previous_month = month
        text = MONTHS_SHORT[thursday.month - 1]
        if first or thursday.month == 1:
            text += f" {thursday.year}"
        x = offset + i * pitch
        width = len(text) * 7.0 / 320 * 100  # about 7 px per character at 12 px
        if x < last_end + 2 or x + width > 100:
            continue
        out.append(f'<text class="timeline-label" x="{x:.2f}%" y="{base_y + 16}">{text}</text>')
        last_end = x + width
    return out


def jinja_global(tz: tzinfo) -> Callable[..., Markup]:
    """The ``timeline(articles, label="", min_weeks=1)`` template global for ``tz``."""

    # Every paginated page of a term passes the same tuple of articles: draw the
    # chart once per term, not once per page (a busy tag has hundreds of pages).
    memo: dict[tuple[int, str, int], tuple[object, Markup]] = {}

    def timeline(articles: Iterable[Article], label: str = "", min_weeks: int = 1) -> Markup:
        key = (id(articles), label, min_weeks)
        hit = memo.get(key)
        if hit is not None and hit[0] is articles:
            return hit[1]
        svg = Markup(timeline_svg(articles, tz, label=label, min_weeks=min_weeks))
        if isinstance(articles, tuple):
            memo[key] = (articles, svg)  # keeps the tuple alive, so its id stays unique
        return svg

    return timeline
