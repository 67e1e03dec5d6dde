"""Summaries, word counts and reading times.

The summary is the front-matter ``summary`` when the curator wrote one;
otherwise the lead (first real paragraph of the body) cut at a sentence
boundary.  Feeds, OpenGraph cards and ``<meta name="description">`` all use
it, so it is plain text, never Markdown.

The sentence splitter is a small in-house regex: ``pysbd`` is ~60x slower
than needed and can hang, and NLTK's punkt needs data downloaded separately.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import filterfalse
from typing import Any

from digest.site.config import SiteConfig
from digest.site.records import Article

WORDS_PER_MINUTE = 220

# A candidate boundary: terminal punctuation, optional closing quotes or
# brackets (the sentence ends after them: `.»`, `.”`), then whitespace.
_CANDIDATE = re.compile(r"[.!?\u2026]+[\"'\u00bb\u201d\u2019)\]]*\s+")
_OPENERS = "\"'\u00ab\u201c\u201e\u2018"

# Abbreviations that are followed by a capitalised word inside a sentence.
# "No." is deliberately absent: "No. 1229" never splits (a digit follows) and
# "No. We get gas" must split.  "etc." usually ends a sentence, so it splits.
_ABBREVIATIONS = frozenset([
    "mr", "mrs", "ms", "messrs", "dr", "prof", "st", "jr", "sr", "gen", "col", "lt", "maj",
    "sgt", "capt", "cmdr", "adm", "gov", "sen", "rep", "pres", "amb", "rev", "fr", "vs",
    "v", "fig", "approx", "dept", "est", "mt", "ft", "ave", "blvd", "rd", "г", "гг", "т",
    "тт", "ул", "пр", "пл", "им", "др", "проф", "акад", "ген", "млн", "млрд", "тыс", "руб",
    "коп", "долл", "евро", "см", "стр", "рис", "обл"
])
_MULTI_DOT = re.compile(r"(?:[^\W\d_]{1,2}\.){2,}")  # U.S., p.m., e.g., т.е.
_INITIAL = re.compile(r"[^\W\d_]\.")  # A. Lukashenko


def _vetoed(text: str, start: int, punct: str) -> bool:
    """True when the "." at ``start`` ends an abbreviation, not a sentence."""
    if punct != ".":
        return False  # "!", "?", "…" and "..." always end a sentence here
    word_start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    token = text[word_start:start + 1].lstrip(_OPENERS + "([")
    if _MULTI_DOT.fullmatch(token):
        return True
    if _INITIAL.fullmatch(token) and token[0].isupper():
        return True
    return token[:-1].casefold() in _ABBREVIATIONS


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences; blank lines always end one."""
    sentences: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        pos = 0
        for m in _CANDIDATE.finditer(para):
            nxt = para[m.end():m.end() + 1]
            if not (nxt.isupper() or (nxt and nxt in _OPENERS)):
                continue
            punct = m.group().rstrip().rstrip("\"'\u00bb\u201d\u2019)]")
            if _vetoed(para, m.start(), punct):
                continue
            sentences.append(para[pos:m.end()])
            pos = m.end()
        sentences.append(para[pos:])
    return [" ".join(s.split()) for s in sentences if s.strip()]


# --- Markdown to plain text -----------------------------------------------

# The text is read from markdown-it's tokens, as the body is rendered: a link's
# address and title (which may hold parentheses and quotes), an image, inline
# HTML and footnote markers never leak into the text, and an escaped "\\*"
# stays a star.  (Regular expressions here left `")` behind, issue 25.)
_TAGS = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.S)
_SKIPPED = frozenset({"image", "html_inline", "footnote_ref"})
_BREAKS = frozenset({"softbreak", "hardbreak"})


# Text markdown-it reads as plain paragraphs and nothing else: none of the
# characters that start inline markup, an entity, HTML, an escape or a table
# cell, and no line that could start another block (a list, a quote, code,
# a heading's underline).  Most leads of news prose are such text; for them
# the parse (0.1 ms each: a tenth of a first build's enrich stage) is skipped.
_MARKUP = re.compile(r"[\\`*_\[\]!<>&~|#=\x00\r]|^[ \t]*(?:[-+]|\d+[.)])|^(?: {4}|\t)", re.M)


@lru_cache(maxsize=1)
def _parser() -> Any:
    # Imported here: the summary of a cached article never needs it.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    return md.enable(["table", "strikethrough"]).use(footnote_plugin)


def plain_text(markdown: str, env: dict[str, Any] | None = None) -> str:
    """Markdown reduced to plain text on one line: the text a reader sees.

    ``env``: markdown-it's environment of the whole body (reference links and
    footnotes defined elsewhere in it), see :func:`lead`."""
    if not markdown.strip():
        return ""
    if not _MARKUP.search(markdown):
        return " ".join(markdown.split())  # what the tokens of plain paragraphs give
    return parsed_text(markdown, env)


def parsed_text(markdown: str, env: dict[str, Any] | None = None) -> str:
    """:func:`plain_text` read from markdown-it's tokens (always parsed)."""
    out: list[str] = []
    notes = 0  # inside footnote definitions: not part of the text they follow
    for token in _parser().parse(markdown, dict(env or {})):
        if token.type in ("footnote_block_open", "footnote_block_close"):
            notes += 1 if token.type.endswith("open") else -1
        elif notes:
            continue
        elif token.type == "inline":
            out.extend(" " if c.type in _BREAKS else c.content for c in token.children or ()
                       if c.type not in _SKIPPED)
            out.append(" ")
        elif token.type == "html_block":
            out.append(_TAGS.sub(" ", token.content))
        elif token.type in ("fence", "code_block"):
            out.append(token.content + " ")
    return " ".join("".join(out).split())


# --- the lead --------------------------------------------------------------

_DATELINE = re.compile(
    r"\d{1,2}:\d{2}(?:\s*,\s*\d{1,2}\s+\w+(?:\s+\d{4})?)?"  # 10:32, 20 December
    r"|\d{1,2}\s+\w+\s+\d{4}(?:,?\s+\d{1,2}:\d{2})?"  # 20 December 2024, 10:32
    r"|\w+\s+\d{1,2},\s+\d{4}(?:,?\s+\d{1,2}:\d{2})?"  # December 20, 2024
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"
    r"|[A-ZА-ЯЁ][A-ZА-ЯЁ .'-]+,\s+\d{1,2}\s+\w+(?:\s+\d{4})?(?:\s*\([^)]*\))?")
# "MINSK, 20 December (BelTA) – The talks..." : the place/date prefix goes.
_DATELINE_PREFIX = re.compile(
    r"^[A-ZА-ЯЁ][A-ZА-ЯЁ .'-]{1,40},\s+\d{1,2}\s+\w+(?:\s+\d{4})?\s*(?:\([^)]*\))?"
    r"\s*[-\u2013\u2014]+\s*")
_PHOTO = re.compile(r"(?:photo|фото|image|picture|credit)\s*:", re.I)
# (also a paragraph opening with Liquid or a Hugo shortcode: {% include %},
# {{< figure >}}, {% raw %}; render/templating.py)
_NOT_PROSE = re.compile(
    r"#{1,6}\s|```|~~~|<!--|\||!\[[^\]]*\]\([^)]*\)\s*$|(?:[-*_]\s*){3,}$|\{%|\{\{[<%]")


def _is_lead(para: str) -> bool:
    first = para.lstrip()
    if not first or _NOT_PROSE.match(first) or _PHOTO.match(first):
        return False
    if re.search(r"\n\s*(?:=+|-+)\s*$", para):  # setext heading
        return False
    return not _DATELINE.fullmatch(" ".join(first.split()))


def lead(body: str) -> str:
    """The first paragraph that is prose: not a dateline, photo credit or heading."""
    env: dict[str, Any] | None = None
    for para in re.split(r"\n\s*\n", body):
        if _is_lead(para):
            if env is None:
                env = {}
                if "]:" in body:  # reference links or footnotes defined elsewhere
                    _parser().parse(body, env)
            text = plain_text(_DATELINE_PREFIX.sub("", para.strip()), env)
            if text:
                return text
    return ""


def cut(text: str, max_len: int) -> str:
    """``text`` cut to at most ``max_len`` characters at a sentence, else a word, + "…"."""
    if len(text) <= max_len:
        return text
    kept = ""
    for sentence in split_sentences(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > max_len:
            break
        kept = candidate
    if kept:
        return kept
    head = text[:max_len - 1]
    if text[max_len - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]  # never end on half a word
    return head.rstrip(" ,;:\u2013\u2014-") + "\u2026"


# One match per whitespace-separated token that holds a letter or digit: the
# match starts at the token's first alphanumeric and runs to its end.
_WORD_TOKEN = re.compile(r"[^\W_]\S*")


def count_words(plain: str) -> int:
    """Whitespace-separated tokens holding at least one letter or digit."""
    # Most tokens are letters or digits only (str.isalnum, tested in C); only
    # the others (punctuation attached, markup) go through the regex, whose
    # per-token matching was most of the cost.  str.split() and the regex's
    # \s agree on whitespace, so the tokens are the same.
    tokens = plain.split()
    others = list(filterfalse(str.isalnum, tokens))
    words = len(tokens) - len(others)
    if others:
        words += len(_WORD_TOKEN.findall(" ".join(others)))
    return words


def summarize(article: Article, max_len: int = 200) -> Article:
    """Fill ``summary_text``, ``word_count`` and ``reading_minutes``."""
    summary, words, minutes = summary_fields(article, max_len)
    return dataclasses.replace(article, summary_text=summary, word_count=words,
                               reading_minutes=minutes)


def summary_fields(article: Article, max_len: int = 200) -> tuple[str, int, int]:
    """``(summary_text, word_count, reading_minutes)`` as :func:`summarize` fills them."""
    # Markup tokens (#, -, >, **) hold no letters and a link's "text](url)" is
    # one token either way, so the raw body counts like its plain text.
    words = count_words(article.body)
    if article.summary and article.summary.strip():
        # The curator's own words are kept whole; themes may shorten them further.
        summary = plain_text(article.summary)
    else:
        summary = cut(lead(article.body), max_len)
    return summary, words, max(1, math.ceil(words / WORDS_PER_MINUTE))


def summarize_articles(articles: Iterable[Article], config: SiteConfig) -> tuple[Article, ...]:
    """:func:`summarize` every article with the site's ``summary_length``."""
    return tuple(summarize(a, config.summary_length) for a in articles)
