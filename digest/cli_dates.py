"""Parsing dates typed on the command line (`--since 2024-12-01`)."""

from __future__ import annotations

from datetime import datetime

from digest.config import SiteConfig
from digest.errors import DigestError


def parse_since(text: str, config: SiteConfig) -> datetime:
    """ISO date or date-time; no offset = the site time zone."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise DigestError(f"--since {text!r} is not a date; use YYYY-MM-DD") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=config.tz)
    return value
