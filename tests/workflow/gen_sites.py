"""Generate migration fixture sites: Pelican, Hugo (TOML) and Jekyll posts as found.

Deterministic: the same arguments always write the same bytes (no clock, no
randomness; variety comes from the post number).  The text is our own,
assembled from short sentence templates about a fictional region.  Every
form the migration tests care about appears many times:

- Pelican: ``Key: value`` header, dates without zero padding (``2016-3-21``),
  ``Tags: a, b`` as one string, ``Category:``, some ``.markdown`` files, some
  headers preceded by a blank line;
- Hugo: ``+++`` TOML front matter with native datetimes, ``categories``,
  ``draft = false``, shortcodes (``{{< figure >}}``, ``{{% note %}}``) in bodies;
- Jekyll: ``_posts/YYYY-MM-DD-slug.md`` names, most without ``date:`` (the
  name gives it), some with dates YAML would leave as strings
  (``2019-03-01 10:00:00 -0800``), ``layout: post``, Liquid (``{% include %}``,
  ``{{ site.baseurl }}``) in bodies.

Usage: ``python tests/workflow/gen_sites.py DIR [COUNT]`` writes DIR/pelican,
DIR/hugo and DIR/jekyll.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

PLACES = ("Northport", "Eastvale", "Lindenfeld", "Marrow Bay", "Crestholm", "Oakridge")
SUBJECTS = ("harbour dredging", "tram line", "grain exports", "water tariffs",
            "school budget", "wind farm", "bridge repairs", "ferry timetable")
VERBS = ("approves", "delays", "reviews", "expands", "questions", "funds")
SENTENCES = (
    "Officials in {place} said the decision on the {subject} would be published next week.",
    "Residents asked the council to explain how the {subject} will be paid for.",
    "The regional assembly of {place} is expected to vote on the plan in the spring.",
    "Engineers warned that the {subject} could take longer than the two years announced.",
    "Business groups in {place} welcomed the move but asked for a clearer timetable.",
    "Opposition members said the {subject} had been discussed for a decade without result.",
)
TAGS = ("council", "budget", "infrastructure", "energy", "transport", "trade", "schools")
CATEGORIES = ("Politics", "Economy", "Society")
START = date(2015, 1, 3)


def _post(n: int) -> dict:
    """Fields of post ``n``: a unique headline and a few paragraphs."""
    place = PLACES[n % len(PLACES)]
    subject = SUBJECTS[(n // len(PLACES)) % len(SUBJECTS)]
    verb = VERBS[n % len(VERBS)]
    title = f"{place} council {verb} {subject} plan, item {n}"
    paragraphs = []
    for k in range(3):
        sentences = [SENTENCES[(n + k + j) % len(SENTENCES)] for j in range(2)]
        paragraphs.append(" ".join(s.format(place=place, subject=subject) for s in sentences))
    # One post every five days: real archives rarely have two posts in a minute,
    # and date-only Jekyll names would otherwise share midnight.
    day = START + timedelta(days=5 * n)
    return {
        "n": n, "title": title, "slug": f"{place.lower().replace(' ', '-')}-{n:04d}",
        "year": day.year, "month": day.month, "day": day.day, "hour": 6 + n % 14,
        "minute": (n * 13) % 60,
        "tags": [TAGS[n % len(TAGS)], TAGS[(n + 3) % len(TAGS)]],
        "category": CATEGORIES[n % len(CATEGORIES)], "body": "\n\n".join(paragraphs),
    }


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def pelican(root: Path, count: int) -> list[Path]:
    """``content/*.md``: Pelican metadata headers, unpadded dates."""
    written = []
    for n in range(count):
        p = _post(n)
        lead = "\n" if n % 10 == 3 else ""  # a blank line before the header
        header = (f"{lead}Title: {p['title']}\n"
                  f"Date: {p['year']}-{p['month']}-{p['day']} {p['hour']}:{p['minute']:02d}\n"
                  f"Category: {p['category']}\n"
                  f"Tags: {', '.join(p['tags'])}\n"
                  f"Slug: {p['slug']}\n"
                  f"Author: Desk {n % 4}\n"
                  f"Summary: {p['title']}.\n")
        suffix = ".markdown" if n % 7 == 0 else ".md"
        path = root / "content" / f"{p['slug']}{suffix}"
        _write(path, f"{header}\n{p['body']}\n")
        written.append(path)
    return written


def hugo(root: Path, count: int) -> list[Path]:
    """``content/posts/*.md``: TOML front matter, shortcodes in some bodies."""
    written = []
    for n in range(count):
        p = _post(n)
        offset = ("+03:00", "Z", "-08:00")[n % 3]
        tags = ", ".join(f'"{t}"' for t in p["tags"])
        front = (f'+++\ntitle = "{p["title"]}"\n'
                 f"date = {p['year']}-{p['month']:02d}-{p['day']:02d}T"
                 f"{p['hour']:02d}:{p['minute']:02d}:00{offset}\n"
                 f"draft = false\ntags = [{tags}]\n"
                 f'categories = ["{p["category"]}"]\nslug = "{p["slug"]}"\n+++\n')
        body = p["body"]
        if n % 5 == 0:
            body += '\n\n{{< figure src="/images/harbour.jpg" title="The harbour" >}}'
        if n % 11 == 0:
            body += "\n\n{{% note %}}Figures are provisional.{{% /note %}}"
        path = root / "content" / "posts" / f"{p['slug']}.md"
        _write(path, f"{front}\n{body}\n")
        written.append(path)
    return written


def jekyll(root: Path, count: int) -> list[Path]:
    """``_posts/YYYY-MM-DD-slug.md``: dates from names, Liquid in some bodies."""
    written = []
    for n in range(count):
        p = _post(n)
        lines = ["---", "layout: post", f'title: "{p["title"]}"']
        if n % 6 == 0:  # a date YAML 1.1 would read as a timestamp, kept as text
            lines.append(f"date: {p['year']}-{p['month']:02d}-{p['day']:02d} "
                         f"{p['hour']:02d}:{p['minute']:02d}:00 -0800")
        lines += [f"categories: [{p['category']}]", f"tags: [{', '.join(p['tags'])}]", "---"]
        body = p["body"]
        if n % 4 == 0:
            body += "\n\n{% include related.html %}"
        if n % 9 == 0:
            # resolved to /editions/ (render/templating.py), which digest writes;
            # check reports a link to a page the site lacks as broken
            body += "\n\nSee the [editions]({{ site.baseurl }}/editions/)."
        # Jekyll allows unpadded numbers in post names, as old posts have them.
        month = f"{p['month']}" if n % 8 == 0 else f"{p['month']:02d}"
        suffix = ".markdown" if n % 10 == 1 else ".md"
        name = f"{p['year']}-{month}-{p['day']:02d}-{p['slug']}{suffix}"
        path = root / "_posts" / name
        _write(path, "\n".join(lines) + f"\n\n{body}\n")
        written.append(path)
    _write(root / "_config.yml", "title: An old Jekyll site\n")
    return written


def generate(root: Path, count: int = 300) -> dict[str, list[Path]]:
    """Write all three sites under ``root``; return the posts written per site."""
    return {"pelican": pelican(root / "pelican", count), "hugo": hugo(root / "hugo", count),
            "jekyll": jekyll(root / "jekyll", count)}


if __name__ == "__main__":
    target = Path(sys.argv[1])
    total = generate(target, int(sys.argv[2]) if len(sys.argv) > 2 else 300)
    print({name: len(paths) for name, paths in total.items()})
