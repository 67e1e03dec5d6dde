"""An edition as mail: what the email templates' output becomes (``PageSpec.finish``).

``email-html``: the CSS of the template's ``<style>`` is moved into ``style``
attributes by css-inline (mail clients ignore or strip stylesheets; Gmail
keeps only inline styles), with the ``@media`` rules (dark mode, narrow
screens) kept in the head, where clients that read them do.  Gmail clips a
message whose HTML passes 102 KB ("[Message clipped] View entire message"),
hiding the end of the edition and the unsubscribe footer: an edition that
would be larger is rendered again with fewer stories (``story_limit``, the
first N in the edition's order), the template then linking the rest on the
site ("12 more stories on the site").

``email-text``: the plain-text part.  Its template is an ``.html`` template,
escaped like every template of the theme (a headline's ``<`` never becomes
markup anywhere), and unescaped here into text.

Both depend only on the rendered template, so the fast engine's reused pages
and the plain engine's renders stay byte-identical.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import css_inline

# Gmail clips at 102 KB of HTML; a margin for the bytes a mail's transfer
# encoding and headers add before Gmail measures.
MAX_EMAIL_BYTES = 100_000
EMAIL_HTML = "email-html"
EMAIL_TEXT = "email-text"
_CHARSET = '<meta charset="utf-8">'

Render = Callable[[Mapping[str, Any]], str]  # extra template variables -> the template's text


def finish(kind: str, context: Mapping[str, Any], render: Render) -> str:
    """What a page whose ``finish`` is ``kind`` is written as."""
    if kind == EMAIL_HTML:
        return email_html(context, render)
    if kind == EMAIL_TEXT:
        return email_text(render({"story_limit": None}))
    raise ValueError(f"unknown page finish {kind!r}")


def story_count(context: Mapping[str, Any]) -> int:
    """Stories an email template lists: an edition's, or a week's days'."""
    edition, week = context.get("edition"), context.get("week")
    days = [edition] if edition is not None else list(week.days if week is not None else ())
    return sum(len(group.stories) for day in days for group in day.groups)


def inline(text: str) -> str:
    """CSS into style attributes; at-rules (``@media``) stay in a <style> in the head.
    Never fetches anything: a stylesheet link elsewhere would be dropped, not loaded."""
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    text = inliner.inline(text)
    # The kept <style> lands first in the head: the charset declaration goes
    # back before it (HTML wants it in the document's first 1024 bytes).
    if text.count(_CHARSET) == 1 and "<head>" in text:
        text = text.replace(_CHARSET, "", 1).replace("<head>", "<head>" + _CHARSET, 1)
    return text.rstrip("\n") + "\n"  # a file's last line ends (and a mail part's does)


def email_html(context: Mapping[str, Any], render: Render,
               limit: int = MAX_EMAIL_BYTES) -> str:
    """The inlined HTML with every story, or with as many as fit in ``limit``
    bytes: the most that fit (a week of a busy site is 100 stories and more).

    Each guess counts stories of the average size from the nearer (in bytes
    from the limit) of the two closest counts known to fit and not to fit
    (at first none and all), and its neighbour is tried with it: stories
    vary little in size, so a round or two settles it (four to six renders).
    From the third round on a guess stays in the middle half of what is
    left, so stories of very uneven sizes still take few rounds.  (Bisection
    after the first guess took six renders a week on average at 10,000
    articles.)"""
    full = inline(render({"story_limit": None}))
    size = len(full.encode("utf-8"))
    if size <= limit:
        return full
    fits, fails = 0, story_count(context)  # fits: 0 stories always kept (the link to the rest)
    best = inline(render({"story_limit": 0}))
    sizes = {fits: len(best.encode("utf-8")), fails: size}

    def attempt(count: int) -> bool:
        nonlocal fits, fails, best
        text = inline(render({"story_limit": count}))
        sizes[count] = len(text.encode("utf-8"))
        if sizes[count] <= limit:
            fits, best = count, text
            return True
        fails = count
        return False

    story = (size - sizes[0]) / fails if fails else 0.0  # the average story's bytes
    rounds = 0
    while fails - fits > 1:
        # From the nearer of the two closest counts known (in bytes from the limit)
        if story <= 0:  # a template whose size does not follow its stories: halve
            guess = (fits + fails) // 2
        elif limit - sizes[fits] <= sizes[fails] - limit:
            guess = fits + int((limit - sizes[fits]) / story)
        else:
            guess = fails - math.ceil((sizes[fails] - limit) / story)
        if rounds >= 2:  # uneven stories: at least a quarter of what is left goes
            quarter = (fails - fits) // 4
            guess = max(fits + quarter, min(guess, fails - quarter))
        guess = max(fits + 1, min(guess, fails - 1))
        rounds += 1
        if attempt(guess):
            if guess + 1 < fails:
                attempt(guess + 1)
        elif guess - 1 > fits:
            attempt(guess - 1)
    return best


_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ \t]+\n")


def email_text(text: str) -> str:
    """Plain text from the escaped template output: entities back to
    characters, trailing blanks and runs of empty lines removed."""
    text = _TRAILING.sub("\n", html.unescape(text))
    return _BLANK_RUNS.sub("\n\n", text).strip("\n") + "\n"
