"""Fuzz: random bytes and random front matter into the clipping reader, random
mappings into parse_config, random documents through load_config.  Only
DigestError (a located, user-facing error) may come out; the Markdown reader
is fuzzed in tests/unit/sources/test_fuzz_sources.py.  Bounded: a few hundred
examples each, no deadline per example, well under a minute in total.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.errors import DigestError
from digest.site.config import VALID_KEYS, SiteConfig, load_config, parse_config
from digest.site.records import SourceDoc
from digest.site.sources import parse_source
from digest.site.sources.clipping import parse_clipping

NOW = datetime(2024, 12, 24, tzinfo=UTC)
CONFIG = SiteConfig(timezone="Europe/Minsk")
FUZZ = settings(max_examples=250, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# Lines that steer the clipping parser into its branches.
_CLIP_LINES = ["Headline of the day", "10:32, 20 December", "09:47, 6 November 2019",
               "23:59, 31 February", "25:61, 40 Smarch", "Photo: BelTA", "Фото: ТАСС",
               "The talks resumed, BelTA reports.", "По данным Интерфакс, ...",
               "Other materials of «Union State»", "Другие материалы рубрики «Экономика»",
               "---", "+++", "title: x", "date: 2024-02-30", "year: 0", "year: 99999",
               "source: TASS", "{{ config }}", "# heading", "1. item", "<script>", "]]>",
               "\ufeff", "\x01", "\u2028", "", " ", "\t", "\r"]
_clipping_text = st.lists(st.one_of(st.sampled_from(_CLIP_LINES), st.text(max_size=40)),
                          max_size=14).map("\n".join)
_FM_VALUES = ["NO", "2024-12-20", "2024-12-20 10:32", "yesterday", "[a, b]", "{a: 1}", "~",
              "!!python/name:os.system", "*a", "&a x", "1.10", "017", "9999999999999999999",
              '"x"', "|\n  block", "[", "2024-12-20T10:32:00+25:00"]
_front = st.lists(st.builds(lambda k, v: f"{k}: {v}",
                            st.sampled_from(["title", "date", "year", "source", "slug", "id",
                                             "tags", "source_url", "mentions", "draft"]),
                            st.one_of(st.sampled_from(_FM_VALUES), st.text(max_size=15))),
                  max_size=6).map(lambda lines: "---\n" + "\n".join(lines) + "\n---\n")


def _only_digest_errors(fn, *args, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
    with contextlib.suppress(DigestError):
        fn(*args, **kwargs)


@FUZZ
@given(st.one_of(st.binary(max_size=600),
                 _clipping_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
                 st.tuples(_front, _clipping_text).map(
                     lambda p: (p[0] + p[1]).encode("utf-8", "surrogatepass"))))
def test_clipping_reader_random_input(raw: bytes) -> None:
    doc = SourceDoc(rel_path=PurePosixPath("content/c.txt"), raw=raw)
    _only_digest_errors(parse_clipping, doc, CONFIG, now=NOW)


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(["a.md", "a.txt", "a.markdown", "a.MD"]))
def test_parse_source_dispatch_random_bytes(raw: bytes, name: str) -> None:
    doc = SourceDoc(rel_path=PurePosixPath("content") / name, raw=raw)
    _only_digest_errors(parse_source, doc, CONFIG, now=NOW)


_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20),
                     st.floats(allow_nan=True), st.text(max_size=20),
                     st.sampled_from(["UTC", "Europe/Minsk", "../etc", "", "\x00", "/",
                                      "https://x.org/", "/{slug}/", "{year}", "default", "~"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(
        ["name", "title", "terms", "label", "slug", "aliases", "timezone", "url",
         "min_mentions", "auto", "case_sensitive", "plurals"])), inner, max_size=4)),
    max_leaves=12)
_config = st.dictionaries(st.one_of(st.sampled_from(VALID_KEYS), st.text(max_size=10),
                                    st.integers(), st.none()), _values, max_size=8)


@FUZZ
@given(st.one_of(_config, _values))
def test_parse_config_random_mappings(data: object) -> None:
    _only_digest_errors(parse_config, data)


@FUZZ
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(
    lambda t: t.encode("utf-8", "surrogatepass"))))
def test_load_config_random_files(tmp_path_factory, raw: bytes) -> None:  # noqa: ANN001
    root = Path(tmp_path_factory.mktemp("cfg"))
    (root / "digest.yaml").write_bytes(raw)
    _only_digest_errors(load_config, root)
