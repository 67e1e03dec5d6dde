"""Benchmark related links and story clustering on the shared synthetic corpus.

Not a pytest test.  Usage::

    python tests/bench/bench_related.py [--articles 1000 10000] [--keep DIR]

For each size it generates a corpus with ``make_corpus.py`` (found relative to
the repository, at ``../shared/bench/``, or under ``$DIGEST_SHARED``), loads it
with a deliberately tiny front-matter reader (independent of digest's own
parser, which is developed separately), then times ``cluster_stories`` and
``relate`` cold and prints precision@5 against the ground-truth clusters.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path, PurePosixPath

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from digest.site.config import SiteConfig  # noqa: E402
from digest.site.enrich import textvec  # noqa: E402
from digest.site.enrich.related import relate  # noqa: E402
from digest.site.enrich.stories import cluster_stories  # noqa: E402
from digest.site.records import Article  # noqa: E402


def find_make_corpus() -> Path:
    candidates = []
    if os.environ.get("DIGEST_SHARED"):
        candidates.append(Path(os.environ["DIGEST_SHARED"]) / "bench" / "make_corpus.py")
    candidates += [
        REPO / "shared" / "bench" / "make_corpus.py",
        REPO.parent / "shared" / "bench" / "make_corpus.py",
        Path("/work/shared/bench/make_corpus.py"),
    ]
    for path in candidates:
        if path.is_file():
            return path
    sys.exit("make_corpus.py not found; set DIGEST_SHARED to the shared folder")


def load(content: Path) -> tuple[Article, ...]:
    articles = []
    for path in sorted(content.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, head, body = text.split("---\n", 2)
        meta = yaml.load(head, Loader=yaml.CSafeLoader)
        date = meta["date"]
        if not isinstance(date, datetime):
            date = datetime.fromisoformat(str(date))
        slug = path.stem
        articles.append(Article(
            path=PurePosixPath("content", path.name), kind="markdown",
            title=meta["title"], date=date, slug=slug, body=body,
            tags=tuple(meta.get("tags") or ()), source=meta.get("source"),
            author=meta.get("author"), url=f"/{slug}/",
            terms={"tags": tuple(meta.get("tags") or ()),
                   "sources": (meta["source"],) if meta.get("source") else ()},
        ))
    return tuple(articles)


def run(size: int, workdir: Path, make_corpus: Path) -> None:
    content, truth_file = workdir / f"c{size}" / "content", workdir / f"c{size}" / "truth.json"
    if not truth_file.exists():
        subprocess.run([sys.executable, str(make_corpus), str(content), "--articles", str(size),
                        "--truth", str(truth_file), "--quiet", "--force"], check=True)
    truth = json.loads(truth_file.read_text(encoding="utf-8"))["articles"]
    t0 = time.perf_counter()
    articles = load(content)
    t_load = time.perf_counter() - t0
    cluster_of = {f"/{Path(p).stem}/": v["cluster"] for p, v in truth.items()}
    config = SiteConfig()

    textvec.clear_cache()
    t0, c0 = time.perf_counter(), time.process_time()
    storied = cluster_stories(articles, config)
    t_stories, c_stories = time.perf_counter() - t0, time.process_time() - c0

    textvec.clear_cache()
    t0, c0 = time.perf_counter(), time.process_time()
    related = relate(articles, config)
    t_related, c_related = time.perf_counter() - t0, time.process_time() - c0

    # The build runs both; the second stage reuses the memoised vectors.
    t0 = time.perf_counter()
    related_after = relate(storied, config)
    t_related_warm = time.perf_counter() - t0

    for label, result in (("related", related), ("related after stories", related_after)):
        links = hits = empty = 0
        for art in result:
            if not art.related:
                empty += 1
            for url in art.related:
                links += 1
                hits += cluster_of[url] == cluster_of[art.url]
        print(f"{size:>6} articles  {label:<22} precision@5 {hits / max(links, 1):.4f} "
              f"({hits}/{links} links, {empty} articles without related)")
    stories = {a.story for a in storied if a.story}
    in_story = sum(1 for a in storied if a.story)
    pure = sum(1 for a in storied if a.story and all(
        cluster_of[u] == cluster_of[a.url] for u in a.also_reported))
    print(f"{size:>6} articles  stories: {len(stories)} stories, {in_story} articles in one, "
          f"{pure / max(in_story, 1):.4f} with also_reported in the same cluster")
    # CPU seconds too: wall time on a shared machine includes other jobs.
    print(f"{size:>6} articles  load {t_load:.2f} s | cluster_stories {t_stories:.2f} s "
          f"({c_stories:.2f} s CPU) | relate, cold {t_related:.2f} s ({c_related:.2f} s CPU) | "
          f"relate after stories, warm vectors {t_related_warm:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="reuse/keep corpora in this folder")
    args = parser.parse_args()
    make_corpus = find_make_corpus()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for size in args.articles:
            run(size, args.keep, make_corpus)
    else:
        with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
            for size in args.articles:
                run(size, Path(tmp), make_corpus)


if __name__ == "__main__":
    main()
