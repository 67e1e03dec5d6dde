"""Files written by ``digest init`` (a new site) and ``digest new`` (one article).

Templates are plain strings filled with ``str.format``; the example texts
are our own.  Dates come from the caller's ``now`` (``pipeline.build_now``:
SOURCE_DATE_EPOCH or the clock), so output is reproducible in tests.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from digest.errors import DigestError
from digest.site.config import SiteConfig
from digest.site.slugs import check_slug, slugify
from digest.usage import usage_error
from digest.workflow import netlify

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

DIGEST_YAML = """\
# digest.yaml: settings of this digest site.  Every setting is optional;
# delete a line to get the default shown in the README.

# Site title and one-line description: page header, feeds, search engines.
title: {title}
description: "News and notes, curated"

# Absolute address the site is published at.  Feeds and the sitemap need
# absolute links, so set this before the first real publication.
base_url: {base_url}

# Language of the articles (BCP 47 code) and the IANA time zone used for
# dates written without an offset and for clipping datelines.
language: en
timezone: {timezone}

# Where articles live and where the built site goes (both relative to
# this file).  `digest build --content DIR` overrides content_dir once.
content_dir: content
output_dir: output

# URL of each article page; fields: {{year}}, {{month}}, {{day}}, {{slug}}.
permalink: /{{year}}/{{month}}/{{day}}/{{slug}}/

# Articles per index page, and entries per feed.
per_page: 20
feed_size: 20

# How many related articles each page lists.
related_count: 5

# Build a Pagefind search index when the pagefind binary is installed.
search: true

# The curated vocabulary.  digest tags an article with a term when the term's
# label or one of its aliases is in the headline, or appears min_mentions
# times in the text.  Front matter can add terms (topics: [Energy]) or remove
# them (topics_remove: [Trade]); `digest check` warns about labels that are
# not in the vocabulary and lists frequent names no term matches yet.
taxonomies:
  topics:
    title: Topics
    min_mentions: 2
    terms:
      - label: Energy
        aliases: [electricity, power grid, gas, oil, wind farm]
        plurals: true
      - label: Transport
        aliases: [railway, rail freight, road freight, port, ferry]
        plurals: true
      - label: Trade
        aliases: [exports, imports, tariff, customs]
        plurals: true
  places:
    title: Places
    terms:
      - label: Northport
      - label: Eastvale

# News agencies whose clippings you paste: the name used on the site, other
# spellings, and the time zone their datelines are written in.
agencies:
  - name: Example Wire
    aliases: [ExWire]
    timezone: {timezone}
"""

GITIGNORE = """\
# Built site and caches: digest recreates them from content/.
output/
output.tmp-*/
output.old-*/
.digest-cache/
"""

EXAMPLE_ARTICLE = """\
---
title: "New rail freight link between Northport and Eastvale opens"
date: {date}
tags: [example]
topics: [Transport]
source: Example Wire
source_url: https://example.org/wire/northport-eastvale-rail-freight
---

The first scheduled freight train between Northport and Eastvale left the
harbour on time this morning, carrying timber and machine parts inland.
Operators expect three trains a day once the line is fully staffed.

Shippers said the railway should take a share of the road freight that now
crowds the coastal highway, and that the port will be able to clear ships
faster.  Regional officials hope the link will also lift exports.

This is an example note written in Markdown.  Edit it, or delete it and run
`digest new "Your headline"`.  More stories on this subject are listed under
[Transport](/topics/transport/).
"""

# Clipping paragraphs are one line each (as pasted from a web page), so
# these templates do not wrap them.
EXAMPLE_CLIPPING = (
    "---\nyear: {year}\n---\n"
    "Northport grid operator completes wind farm connection\n\n"
    "{dateline}\n\n"
    "Photo: Example Wire\n\n"
    "The new offshore wind farm near Northport has been connected to the regional power "
    "grid, the operator said on Tuesday, Example Wire reports.\n\n"
    "Engineers will raise output in stages over the coming weeks.  Once at full capacity "
    "the wind farm is expected to supply electricity to about 40,000 homes.\n\n"
    "This is an example clipping: plain text pasted from a news site, with the headline "
    "on the first line and the agency's dateline under it.  Each line is one paragraph.\n"
)

NEW_ARTICLE = """\
---
title: {title}
date: {date}
# Feed readers use `id` to recognise this article; keep it when you edit.
id: {id}
# A draft is built only with `digest build --drafts`; set false to publish.
draft: true
tags: []
topics: []
source:
source_url:
---

Write the article here in Markdown.
"""

NEW_CLIPPING = """\
---
year: {year}
id: {id}
# A draft is built only with `digest build --drafts`; delete this to publish.
draft: true
---
{title}

{dateline}

Photo: agency name

Paste the clipping here, one paragraph per line; the first names the agency ("..., BelTA reports.").
"""


def dateline(moment: datetime) -> str:
    """An agency dateline, ``HH:MM, D Month``, for a local time."""
    return f"{moment:%H:%M}, {moment.day} {MONTHS[moment.month - 1]}"


def _fmt(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def init_site(target: Path, now: datetime, *, title: str = "My digest",
              base_url: str = "https://news.example.org/", timezone: str = "UTC") -> list[Path]:
    """Create a site in ``target`` (missing or empty); return the files written.

    The examples are dated an hour and two hours before ``now``, so the new
    site builds at once without ``--future``.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise DigestError(f"'{target}' is not empty; digest init only writes into a new "
                          "or empty folder, so nothing of yours is overwritten")
    local = now.astimezone(ZoneInfo(timezone))
    clip_time = local - timedelta(hours=2)
    files = {
        "digest.yaml": DIGEST_YAML.format(title=json.dumps(title, ensure_ascii=False),
                                          base_url=base_url, timezone=timezone),
        **netlify.files(),
        ".gitignore": GITIGNORE,
        "content/northport-eastvale-rail-freight.md": EXAMPLE_ARTICLE.format(
            date=_fmt(local - timedelta(hours=1))),
        "content/clippings/northport-wind-farm.txt": EXAMPLE_CLIPPING.format(
            year=clip_time.year, dateline=dateline(clip_time)),
    }
    written = []
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def entry_id(config: SiteConfig, slug: str, local: datetime) -> str:
    """A tag: URI (RFC 4151) for the feed GUID, fixed when the article is created.

    Hashing slug and creation instant makes it unique per article yet
    reproducible under SOURCE_DATE_EPOCH; later edits to the title or the date
    do not change it, so feed readers never show the article twice.
    """
    host = urlsplit(config.base_url).hostname or "localhost"
    digest = hashlib.sha256(f"{slug}\n{local.isoformat()}".encode()).hexdigest()[:12]
    return f"tag:{host},{local:%Y-%m-%d}:{digest}"


def new_article(content: Path, config: SiteConfig, title: str, now: datetime, *,
                clipping: bool = False) -> Path:
    """Write ``content/<slug>.md`` (or ``.txt`` with ``clipping``); return its path.

    Raises DigestError when the title gives no slug or a file of that slug exists.
    """
    title = " ".join(title.split())
    slug = slugify(title)
    problem = check_slug(slug) if title else "the headline is empty"
    if problem:  # the headline is the command's argument: a usage error
        raise usage_error(f"cannot make a file name from the headline {title!r}: {problem}",
                          'write a headline with letters or digits, e.g. '
                          'digest new "Minsk talks resume"')
    target = content / f"{slug}{'.txt' if clipping else '.md'}"
    # Another suffix with the same slug would be the same page: refuse that too.
    for suffix in (".md", ".markdown", ".txt"):
        existing = content / f"{slug}{suffix}"
        if existing.exists():
            raise DigestError(f"'{existing}' already exists; not overwriting it "
                              "(edit that file, or choose another headline)")
    local = now.astimezone(config.tz).replace(microsecond=0)
    ident = json.dumps(entry_id(config, slug, local))
    if clipping:
        text = NEW_CLIPPING.format(title=title, year=local.year, id=ident,
                                   dateline=dateline(local))
    else:
        text = NEW_ARTICLE.format(title=json.dumps(title, ensure_ascii=False),
                                  date=_fmt(local), id=ident)
    content.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as fh:  # "x": never clobber a racing save
        fh.write(text)
    return target
