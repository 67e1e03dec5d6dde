"""Allow-list HTML sanitizer for the ``raw_html: true`` opt-in (nh3, optional extra)."""

from __future__ import annotations

from digest.errors import ConfigError


def sanitize_html(html: str) -> str:
    """Keep only harmless tags and attributes; drop scripts, handlers and bad URLs."""
    try:
        import nh3
    except ImportError:  # pragma: no cover - depends on the install
        raise ConfigError("raw_html: true needs the sanitizer: pip install 'digest[html]'") from None
    # ids too: heading anchors and footnote links point at them (issue 25).
    # nh3 versions without ALLOWED_ATTRIBUTES keep their own list (ids dropped).
    allowed = getattr(nh3, "ALLOWED_ATTRIBUTES", None)
    extra = {} if allowed is None else {"attributes": {
        **{tag: set(names) for tag, names in allowed.items()},
        "*": {*allowed.get("*", ()), "id"}}}
    return nh3.clean(html, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer", **extra)
