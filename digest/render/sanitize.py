"""Allow-list HTML sanitizer for the ``raw_html: true`` opt-in (nh3, optional extra)."""

from __future__ import annotations

from digest.errors import ConfigError


def sanitize_html(html: str) -> str:
    """Keep only harmless tags and attributes; drop scripts, handlers and bad URLs."""
    try:
        import nh3
    except ImportError:  # pragma: no cover - depends on the install
        raise ConfigError("raw_html: true needs the sanitizer: pip install 'digest[html]'") from None
    return nh3.clean(html, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")
