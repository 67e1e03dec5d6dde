"""Source readers: files -> Article records.  Explicit dispatch by suffix."""

from __future__ import annotations

from datetime import datetime

from digest.config import SiteConfig
from digest.errors import source_error
from digest.records import Article, SourceDoc


def parse_source(doc: SourceDoc, config: SiteConfig, *, now: datetime) -> Article:
    """Parse one content file.  Raises SourceError naming the file and line.

    ``now`` is the build's reference instant (SOURCE_DATE_EPOCH or the clock);
    clippings without a year infer it from ``now``.
    """
    suffix = doc.rel_path.suffix.lower()
    if suffix in (".md", ".markdown"):
        from digest.sources.markdown_doc import parse_markdown

        return parse_markdown(doc, config)
    if suffix == ".txt":
        from digest.sources.clipping import parse_clipping

        return parse_clipping(doc, config, now=now)
    raise source_error(str(doc.rel_path), f"unsupported file type '{suffix}'",
                       hint="use .md for notes or .txt for clippings")
