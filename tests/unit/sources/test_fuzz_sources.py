"""Fuzz: decode/split/parse_markdown raise only DigestError, whatever the input."""

from __future__ import annotations

import contextlib
from pathlib import PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import DigestError
from digest.site.config import SiteConfig, TaxonomyConfig
from digest.site.records import SourceDoc
from digest.site.render.template_scan import find_constructs
from digest.site.sources.frontmatter import split
from digest.site.sources.markdown_doc import parse_markdown
from digest.site.sources.text import decode, strip_xml_illegal

CONFIG = SiteConfig(timezone="Europe/Minsk", taxonomies=(
    TaxonomyConfig(name="topics", title="Topics"), TaxonomyConfig(name="tags", title="Tags")))
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces that reach the interesting branches of the parsers far more often
# than uniform random text does.
_KEYS = ["title", "date", "updated", "tags", "slug", "draft", "source_url", "image", "id",
         "year", "topics", "topics_remove", "related", "mentions", "x", "<<", "on", "?"]
_VALUES = ["NO", "yes", "1.10", "017", "2024-02-30", "2024-12-20 10:32", "../../x", "CON",
           "javascript:alert(1)", "[a, b]", "{a: 1}", "&a x", "*a", "!!python/name:os.system",
           "!!int abc", "!!binary x", "|\n  text", '"quoted"', "~", "", "[", "- a", "\t",
           "\x00", "\ud800", "2019-03-01 10:00:00 -0800", "{{ x }}", "1:30", "!!set {a}"]
_line = st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(_KEYS),
                  st.one_of(st.sampled_from(_VALUES), st.text(max_size=20)))
_front_matter = st.builds(
    lambda opener, lines, closer, body: f"{opener}\n" + "\n".join(lines) + f"\n{closer}\n{body}",
    st.sampled_from(["---", "+++", "", "\n---"]),
    st.lists(st.one_of(_line, st.text(max_size=30)), max_size=8),
    st.sampled_from(["---", "...", "+++", ""]),
    st.text(max_size=50))


def _only_digest_errors(fn, *args) -> None:  # noqa: ANN001 - any callable
    with contextlib.suppress(DigestError):
        fn(*args)


@FUZZ
@given(st.binary(max_size=400))
def test_decode_random_bytes(raw: bytes) -> None:
    _only_digest_errors(decode, raw, "a.md")


@FUZZ
@given(st.one_of(_front_matter, st.text(max_size=300)))
def test_split_random_text(text: str) -> None:
    _only_digest_errors(split, text, "a.md")
    strip_xml_illegal(text)
    find_constructs(text)


@FUZZ
@given(st.one_of(_front_matter.map(lambda t: t.encode("utf-8", "surrogatepass")),
                 st.binary(max_size=300)),
       st.sampled_from(["note.md", "_posts/2016-3-21-a.md", "_posts/2024-02-30-b.markdown"]))
def test_parse_markdown_random_documents(raw: bytes, name: str) -> None:
    doc = SourceDoc(rel_path=PurePosixPath("content") / name, raw=raw)
    _only_digest_errors(parse_markdown, doc, CONFIG)
