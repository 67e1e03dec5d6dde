"""Feed items as draft articles: the front matter and file names ``digest
import`` writes (pure: records in, text out).

Every value from a feed is untrusted text and is written as a YAML
double-quoted string (JSON's string syntax is a subset of it), so a title
such as ``NO`` or ``: x`` stays that text for digest's loader, and the body
escapes Markdown punctuation so nothing in a summary becomes a link or markup.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from urllib.parse import urlsplit

from digest.site.config import SiteConfig
from digest.site.slugs import check_slug, slugify
from digest.site.vocabulary import normalize
from digest.workflow.feedread import Item
from digest.workflow.links import normalize_url

# CommonMark lets a backslash escape any ASCII punctuation: escaping all of it
# keeps a summary plain text whatever it holds (links, emphasis, HTML, {{ }}).
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
SUFFIXES = (".md", ".markdown", ".txt")


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address (the only kind a draft links)."""
    if not url or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def keys(item: Item) -> set[str]:
    """What identifies an item across feeds and runs: its normalised URL, its id."""
    found = set()
    if link := web_url(item.link):
        found.add("url:" + normalize_url(link))
    if item.entry_id:
        found.add("id:" + item.entry_id)
    return found


def stable_id(item: Item, feed_url: str) -> str:
    """The draft's ``id:``: the entry's own id, else its link, else a hash of
    what the feed says about it (the same entry gives the same id every run)."""
    if item.entry_id:
        return item.entry_id
    if link := web_url(item.link):
        return link
    basis = f"{feed_url}\n{item.title}\n{item.date.isoformat() if item.date else ''}"
    return "urn:digest:" + hashlib.sha256(basis.encode()).hexdigest()[:16]


def vocabulary_index(config: SiteConfig) -> dict[str, tuple[str, str]]:
    """Normalised label or alias -> (taxonomy, term label), first taxonomy wins."""
    index: dict[str, tuple[str, str]] = {}
    for tax in config.taxonomies:
        for term in tax.terms:
            for name in (term.label, *term.aliases, *term.case_sensitive):
                index.setdefault(normalize(name), (tax.name, term.label))
    return index


def terms(categories: tuple[str, ...], index: dict[str, tuple[str, str]]
          ) -> dict[str, list[str]]:
    """Feed categories as terms: vocabulary labels where an alias matches, the
    rest as ``tags``; each list sorted, without repeats."""
    found: dict[str, set[str]] = {}
    for category in categories:
        tax, label = index.get(normalize(category), ("tags", category))
        found.setdefault(tax, set()).add(label)
    return {tax: sorted(labels, key=str.casefold) for tax, labels in sorted(found.items())}


def file_slug(item: Item, draft_id: str) -> str:
    """The file name ``digest new`` would give the headline; a headline with
    no usable word gets one from the id."""
    slug = slugify(item.title)
    if not item.title or check_slug(slug):
        slug = "item-" + hashlib.sha256(draft_id.encode()).hexdigest()[:10]
    return slug


# Characters YAML does not allow raw in a document, or would read as a line
# break inside a quoted string: written as \uXXXX escapes instead.
_NOT_YAML_TEXT = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _q(value: str) -> str:
    return _NOT_YAML_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}",
                              json.dumps(value, ensure_ascii=False))


def draft_text(item: Item, *, source: str, draft_id: str, date: datetime,
               index: dict[str, tuple[str, str]]) -> str:
    """The Markdown file of one imported item."""
    title = item.title or "(untitled)"
    lines = ["---", f"title: {_q(title)}", f"date: {date.isoformat()}",
             f"source: {_q(source)}"]
    if link := web_url(item.link):
        lines.append(f"source_url: {_q(link)}")
    lines.append("# Feed readers use `id` to recognise this article; keep it when you edit.")
    lines.append(f"id: {_q(draft_id)}")
    if item.summary:
        lines.append(f"summary: {_q(item.summary)}")
    for tax, labels in terms(item.categories, index).items():
        lines.append(f"{tax}: [{', '.join(_q(label) for label in labels)}]")
    lines += ["# Imported from a feed: review it, then set draft: false to publish.",
              "draft: true", "---", ""]
    lines += [_PUNCTUATION.sub(r"\\\1", item.summary) if item.summary
              else "The feed gave no summary: write the article here.", ""]
    return "\n".join(lines)
