"""Which news agency a clipping comes from: its attribution phrase or photo credit.

Agencies are recognised from a built-in list plus the ones configured in
``digest.yaml`` (whose spelling wins), in the phrasings agencies use:
"..., BelTA reports", "has learned", "learned from", "informs", ", citing ...,
reports", "according to BelTA", "told BelTA", and a few Russian forms.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from digest.site.config import AgencyConfig

# Agencies recognised without configuration; values are extra spellings.
# Configured agencies (config.agencies) are added to these and win on names.
BUILTIN_AGENCIES: Mapping[str, tuple[str, ...]] = {
    "BelTA": ("БелТА", "Belarusian Telegraph Agency"),
    "TASS": ("ТАСС",),
    "Interfax": ("Интерфакс",),
    "RIA Novosti": ("РИА Новости",),
    "Sputnik": (),
    "Reuters": ("Рейтер",),
    "AP": ("Associated Press",),
    "AFP": ("Agence France-Presse",),
}


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


@functools.lru_cache(maxsize=32)
def _agency_table(agencies: tuple[AgencyConfig, ...]) -> tuple[dict[str, str], str]:
    """Casefolded spelling -> display name, and a regex alternation of all spellings."""
    names: dict[str, str] = {}
    for canonical, extra in BUILTIN_AGENCIES.items():
        for spelling in (canonical, *extra):
            names[_fold(spelling)] = canonical
    configured: dict[str, str] = {}
    for ag in agencies:
        for spelling in (ag.name, *ag.aliases):
            configured[_fold(spelling)] = ag.name
    # A built-in spelling resolves to the configured agency when the configured
    # one lists the built-in's name, so output uses the curator's spelling.
    names = {k: configured.get(_fold(v), v) for k, v in names.items()} | configured
    spellings = sorted(names, key=len, reverse=True)  # longest first: "RIA Novosti" over "RIA"
    alternation = "|".join(r"\s+".join(map(re.escape, s.split())) for s in spellings)
    return names, alternation


@functools.lru_cache(maxsize=32)
def _attribution(alternation: str) -> tuple[re.Pattern[str], ...]:
    n = rf"\b({alternation})\b"
    verbs = r"(?:reports|reported|learned|learnt|informs|informed|was\s+told)"
    return tuple(re.compile(p, re.IGNORECASE) for p in (
        rf"{n}(?:,\s+citing\s+[^,]+,)?\s+(?:has\s+|have\s+)?{verbs}\b",
        rf"\baccording\s+to\s+(?:the\s+)?{n}",
        rf"\btold\s+(?:a\s+|the\s+)?{n}",
        rf"(?:сообща\w*|переда\w*|информиру\w*|пишет)\s+(?:корреспондент\w*\s+)?{n}",
        rf"\bпо\s+(?:данным|информации|сообщению)\s+{n}",
        rf"{n}\s+(?:сообща\w*|переда\w*|узнал\w*)",
    ))


def detect_agency(first_paragraph: str, photo_credit: str | None,
                  agencies: tuple[AgencyConfig, ...] = ()) -> str | None:
    """The agency named by the attribution phrase, else by the photo credit.

    Returns the configured display name when the agency is configured (by
    name or alias), else the built-in name; None when nothing matches.
    """
    names, alternation = _agency_table(agencies)
    hits = [m for p in _attribution(alternation) if (m := p.search(first_paragraph))]
    if hits:
        best = min(hits, key=lambda m: m.start(1))
        return names[_fold(best[1])]
    if photo_credit and (m := re.search(rf"\b({alternation})\b", photo_credit, re.IGNORECASE)):
        return names[_fold(m[1])]
    return None
