"""The ``languages`` setting of digest.yaml (config.parse_config calls these):
the site's languages, the default first, and ``language`` agreeing with them.
What they mean for the content: digest/site/model/languages.py."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

# BCP 47 as sites write it: a language (2-3 letters), then subtags (zh-Hant, pt-BR).
LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def check_languages(value: Any, values: dict[str, Any], err: Callable[..., None],
                    lines: Mapping[str, int]) -> None:
    """``languages: [en, ja]``: codes, each once; the first is the default
    (None: not set)."""
    if value is None:
        return
    line = lines.get("languages")
    hint = "write a list of language codes, the default first, e.g. languages: [en, ja]"
    if not isinstance(value, list) or not value:
        err("'languages' must be a list of language codes" + (
            ", at least one" if isinstance(value, list) else ""), line, hint)
        return
    seen: list[str] = []
    for i, code in enumerate(value):
        at = lines.get(f"languages.{i}", line)
        if not isinstance(code, str) or not LANGUAGE_CODE.fullmatch(code):
            err(f"'languages' entry {code!r} is not a language code", at,
                "use BCP 47 codes such as en, ja, pt-BR, zh-Hant")
        elif code.casefold() in (s.casefold() for s in seen):
            err(f"language {code!r} is listed twice in 'languages'", at,
                "list each language once")
        else:
            seen.append(code)
    values["languages"] = tuple(seen)


def language_default(data: Mapping[str, Any], values: dict[str, Any],
                     err: Callable[..., None], lines: Mapping[str, int]) -> None:
    """``language`` is the first of ``languages``: taken from it when not
    given, an error when it names another."""
    given = isinstance(values.get("language"), str)
    values["language_set"] = given
    langs = values.get("languages")
    if not langs or "languages" not in data:
        return
    if not given:
        values["language"] = langs[0]
    elif values["language"] != langs[0]:
        err(f"language {values['language']!r} is not the first of languages "
            f"{list(langs)} (the first is the site's default language)",
            lines.get("language"), f"remove `language:` or write language: {langs[0]}, "
            f"or put {values['language']} first in languages")
