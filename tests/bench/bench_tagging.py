"""Benchmark: tag 10,000 articles of ~500 words against 2,000 aliases.

    python tests/bench/bench_tagging.py [CORPUS_DIR] [--articles N] [--aliases N] [--seed S]

Not a pytest test (it takes seconds).  Without CORPUS_DIR the articles are
synthetic and deterministic; with it, the *.md files written by
/work/shared/bench/make_corpus.py are used and the aliases are drawn from their
words, so they really occur.  Target: compile + tagging under 2 s on one core.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from digest.site.config import SiteConfig, TaxonomyConfig, Term  # noqa: E402
from digest.site.enrich.taxonomy import compile_matcher, tag_article  # noqa: E402
from digest.site.records import Article  # noqa: E402
from digest.site.slugs import slugify  # noqa: E402


def _pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 10)))


def synthetic_corpus(n: int, rng: random.Random) -> tuple[list[str], list[tuple[str, str]]]:
    """A word pool and n (title, body) pairs of ~500 words in 4-8 paragraphs."""
    pool = list(dict.fromkeys(_pseudo_word(rng) for _ in range(12000)))
    weights = [1 / (rank + 3) for rank in range(len(pool))]  # Zipf-like
    docs = []
    for _ in range(n):
        words = rng.choices(pool, weights, k=rng.randint(380, 620))
        for i in range(0, len(words), 12):  # capitalise some, like names and sentence starts
            words[i] = words[i].capitalize()
        cut = sorted(rng.sample(range(1, len(words)), rng.randint(3, 7)))
        bounds = zip([0, *cut], [*cut, len(words)], strict=True)
        paras = [" ".join(words[a:b]) + "." for a, b in bounds]
        docs.append((" ".join(rng.choices(pool, weights, k=8)).capitalize(), "\n\n".join(paras)))
    return pool, docs


def read_corpus(folder: Path, n: int) -> tuple[list[str], list[tuple[str, str]]]:
    """(title, body) of make_corpus.py output; the pool is the words of its bodies."""
    docs = []
    for path in sorted(folder.glob("*.md"))[:n]:
        text = path.read_text(encoding="utf-8")
        _, head, body = text.split("---\n", 2)
        title = next((ln.split(":", 1)[1].strip().strip('"') for ln in head.splitlines()
                      if ln.startswith("title:")), path.stem)
        docs.append((title, body))
    freq = Counter(w.strip(".,;:*#>-()[]\"'").lower() for _, b in docs[:500] for w in b.split())
    freq.pop("", None)
    # Most frequent first, like the synthetic pool, so ranks mean the same.
    pool = sorted(freq, key=lambda w: (-freq[w], w))
    return pool, docs


def vocabulary(pool: list[str], n_aliases: int, rng: random.Random) -> tuple[TaxonomyConfig, ...]:
    """n_aliases aliases of 1-3 words over topics/people/places, ~3 aliases per term.

    Words come from frequency ranks 100-6,000 of the pool: a curated vocabulary
    names people, places and topics, never the commonest function words.
    """
    seen: set[str] = set()
    aliases: list[str] = []
    candidates = pool[100:6000]
    while len(aliases) < n_aliases:
        alias = " ".join(rng.sample(candidates, rng.choice((1, 1, 2, 2, 3))))
        if alias not in seen:
            seen.add(alias)
            aliases.append(alias)
    taxonomies = []
    for k, name in enumerate(("topics", "people", "places")):
        chunk = aliases[k::3]
        terms = tuple(
            Term(label=f"{name} {i}", slug=slugify(f"{name} {i}"),
                 aliases=tuple(chunk[i * 3:i * 3 + 3]), plurals=(i % 5 == 0))
            for i in range((len(chunk) + 2) // 3))
        taxonomies.append(TaxonomyConfig(name=name, title=name.title(), min_mentions=2,
                                         terms=terms))
    return tuple(taxonomies)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--aliases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs; the best is reported (other load on the host only adds)")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    if args.corpus:
        pool, docs = read_corpus(args.corpus, args.articles)
    else:
        pool, docs = synthetic_corpus(args.articles, rng)
    taxonomies = vocabulary(pool, args.aliases, rng)
    config = SiteConfig(taxonomies=taxonomies)
    when = datetime(2024, 12, 20, tzinfo=UTC)
    articles = [Article(path=PurePosixPath(f"content/{i}.md"), kind="markdown", title=t,
                        date=when, slug=f"a{i}", body=b) for i, (t, b) in enumerate(docs)]
    words = sum(len(b.split()) for _, b in docs)

    runs = []
    for _ in range(max(1, args.repeat)):
        t0, c0 = time.perf_counter(), time.process_time()
        matcher = compile_matcher(taxonomies)
        t1, c1 = time.perf_counter(), time.process_time()
        tagged = [tag_article(a, matcher, config) for a in articles]
        t2, c2 = time.perf_counter(), time.process_time()
        runs.append((t2 - t0, t1 - t0, c1 - c0, t2 - t1, c2 - c1))
    total, tc, cc, tt, ct = min(runs)

    n_terms = sum(len(a.terms[t.name]) for a in tagged for t in taxonomies)
    hits = sum(sum(matcher.count(a.title, a.body).values()) for a in articles[:500])
    print(f"articles: {len(articles):,}  words: {words:,} (avg {words / len(articles):.0f})  "
          f"aliases: {args.aliases:,}")
    print(f"mentions/article: {hits / min(500, len(articles)):.1f} (title x2)  "
          f"terms assigned/article: {n_terms / len(articles):.1f}")
    print(f"compile: {tc:.3f} s wall, {cc:.3f} s cpu")
    print(f"tagging: {tt:.3f} s wall, {ct:.3f} s cpu ({tt / len(articles) * 1e6:.0f} us/article)")
    print(f"total:   {total:.3f} s best of {len(runs)} (all: "
          f"{', '.join(f'{r[0]:.2f}' for r in runs)})  "
          f"{'OK' if total < 2 else 'SLOW'}: target < 2 s")
    return 0 if total < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
