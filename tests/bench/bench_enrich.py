#!/usr/bin/env python3
"""Benchmark of the enrich stage of ``digest build``: cold, and after one edit.

A script, not part of the test run:

    python tests/bench/bench_enrich.py [--articles 10000] [--runs 5] [--site DIR]
                                       [--workdir DIR] [--digest-root DIR]

Builds a ``make_corpus.py --flavor digest`` site (or a copy of ``--site``:
the original is never modified; its output/ and .digest-cache/ are not
copied) with ``python -m digest --site SITE build --no-search -v`` in fresh
processes (SOURCE_DATE_EPOCH pinned) and reads the stage timings it prints.
Per run:

  cold        no .digest-cache/ and no output/: everything computed
  edit-own    a paragraph appended to one article, of words from its own body
              (a follow-up on the same story: mostly counts change)
  edit-other  a paragraph of words from other articles appended to another
              one (new words for it: their idf changes, and with it the
              vectors of every article that keeps one of them)
  add         a new article: another set of articles, so the site-wide
              enrichment is recomputed in full (the fallback)

The first build after a pause can be slow for I/O reasons (the VM drops file
caches): one untimed warm-up build runs first.  Prints per scenario the median
(and range) of the enrich stage and of the whole build, then the snapshot's
size on disk and the median time to load it (read, check signature, unpickle,
Snapshot.from_data) in this process.  ``--digest-root`` times another
checkout of digest (e.g. an older commit exported with ``git archive``).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
EPOCH = "1735689600"  # 2025-01-01T00:00:00Z: after every corpus date
SITE_CONFIG = "title: Bench digest\nbase_url: https://bench.example.org/\nsearch: false\n"
SCENARIOS = ("cold", "edit-own", "edit-other", "add")
_STAGE = re.compile(r"^\s+(\w+)\s+([\d.]+) s$", re.M)
_TOTAL = re.compile(r" in ([\d.]+) s")


def find_make_corpus() -> Path:
    candidates = []
    if os.environ.get("DIGEST_SHARED"):
        candidates.append(Path(os.environ["DIGEST_SHARED"]) / "bench" / "make_corpus.py")
    candidates += [REPO_ROOT.parent / "shared" / "bench" / "make_corpus.py",
                   Path("/work/shared/bench/make_corpus.py")]
    for path in candidates:
        if path.is_file():
            return path
    sys.exit("make_corpus.py not found; set DIGEST_SHARED to the shared folder")


def make_site(args: argparse.Namespace, workdir: Path) -> Path:
    site = workdir / f"digest-{args.articles}"
    if site.exists():
        shutil.rmtree(site)
    if args.site:
        src = Path(args.site)
        shutil.copytree(src / "content", site / "content")
        shutil.copy2(src / "digest.yaml", site / "digest.yaml")
        return site
    subprocess.run([sys.executable, str(find_make_corpus()), str(site / "content"),
                    "--articles", str(args.articles), "--flavor", "digest", "--quiet"],
                   check=True)
    (site / "digest.yaml").write_text(SITE_CONFIG, encoding="utf-8")
    return site


def build(site: Path, digest_root: Path) -> tuple[dict[str, float], float]:
    """One build in a fresh process: its stage timings and its total (as printed)."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, TZ="UTC",
               PYTHONPATH=str(digest_root) + (os.pathsep + os.environ["PYTHONPATH"]
                                              if os.environ.get("PYTHONPATH") else ""))
    proc = subprocess.run([sys.executable, "-m", "digest", "--site", str(site), "build",
                           "--no-search", "-v"], cwd=site, env=env, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"build failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    text = proc.stdout + proc.stderr
    stages = {name: float(value) for name, value in _STAGE.findall(text)}
    total = _TOTAL.findall(text)
    return stages, float(total[-1]) if total else float("nan")


def words_of(path: Path) -> list[str]:
    body = path.read_text(encoding="utf-8").split("---", 2)[-1]
    return [w for w in re.findall(r"[A-Za-z]+", body) if len(w) > 3]


def append_paragraph(path: Path, words: list[str], rng: random.Random) -> None:
    sentence = " ".join(rng.choice(words) for _ in range(24))
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"\n\n{sentence.capitalize()}.\n")


def add_article(site: Path, k: int) -> None:
    (site / "content" / f"bench-added-{k}.md").write_text(
        f'---\ntitle: "Bench added article {k}"\ndate: 2024-12-30T10:00:00+00:00\n'
        f"tags: [bench]\n---\n\nA new article about the harbour and the ferry, number {k}.\n",
        encoding="utf-8")


def snapshot_load(site: Path, digest_root: Path) -> tuple[int, float] | None:
    """Size of the snapshot file and the median time to load it (5 loads)."""
    code = (
        "import sys, time, statistics\n"
        "from pathlib import Path\n"
        "from digest.engine.cache import BuildCache\n"
        "from digest.engine.snapshot import Snapshot\n"
        "from digest.engine.enrichcache import SITE_SECTION\n"
        "site = Path(sys.argv[1])\n"
        "ns = BuildCache(site, '')\n"
        "path = ns.dir / f'{SITE_SECTION}.pickle'\n"
        "import pickle\n"
        "from digest.engine.cache import _SCHEMA\n"
        "stored = pickle.loads(path.read_bytes()[32 + len(_SCHEMA):])[1]\n"
        "times = []\n"
        "for _ in range(5):\n"
        "    t0 = time.perf_counter()\n"
        "    cache = BuildCache(site, stored)\n"
        "    snap = Snapshot.from_data(cache.section(SITE_SECTION))\n"
        "    times.append(time.perf_counter() - t0)\n"
        "    assert snap is not None\n"
        "print(path.stat().st_size, statistics.median(times))\n")
    env = dict(os.environ, PYTHONPATH=str(digest_root))
    proc = subprocess.run([sys.executable, "-c", code, str(site)], env=env, check=False,
                          capture_output=True, text=True)
    if proc.returncode != 0:  # a digest without snapshots (--digest-root)
        return None
    out = proc.stdout.split()
    return int(out[0]), float(out[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--site", help="copy this site instead of generating one")
    ap.add_argument("--workdir", help="where the site is built (default: a temp folder)")
    ap.add_argument("--digest-root", default=str(REPO_ROOT), help="the digest checkout timed")
    args = ap.parse_args()
    root = Path(args.digest_root).resolve()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench-enrich-"))
    workdir.mkdir(parents=True, exist_ok=True)
    site = make_site(args, workdir)
    articles = sorted((site / "content").glob("*.md"))
    rng = random.Random(1)
    samples: dict[str, list[tuple[float, float]]] = {s: [] for s in SCENARIOS}
    build(site, root)  # warm-up: file caches, the user's cache key
    for run in range(args.runs):
        for junk in (site / "output", site / ".digest-cache"):
            shutil.rmtree(junk, ignore_errors=True)
        for added in (site / "content").glob("bench-added-*.md"):
            added.unlink()
        stages, total = build(site, root)
        samples["cold"].append((stages.get("enrich", float("nan")), total))
        own = articles[rng.randrange(len(articles))]
        append_paragraph(own, words_of(own), rng)
        stages, total = build(site, root)
        samples["edit-own"].append((stages.get("enrich", float("nan")), total))
        other, donor = rng.sample(articles, 2)
        append_paragraph(other, words_of(donor), rng)
        stages, total = build(site, root)
        samples["edit-other"].append((stages.get("enrich", float("nan")), total))
        add_article(site, run)
        stages, total = build(site, root)
        samples["add"].append((stages.get("enrich", float("nan")), total))
        print(f"run {run + 1}/{args.runs}: " + ", ".join(
            f"{s} {samples[s][-1][0]:.3f} s" for s in SCENARIOS), flush=True)
    loaded = snapshot_load(site, root)
    print(f"\n{args.articles} articles, digest from {root}, {args.runs} runs "
          "(median [min-max]):\n")
    print(f"{'scenario':<12} {'enrich stage':>26} {'whole build':>26}")
    for scenario in SCENARIOS:
        enrich = [e for e, _ in samples[scenario]]
        total = [t for _, t in samples[scenario]]
        print(f"{scenario:<12} {_fmt(enrich):>26} {_fmt(total):>26}")
    if loaded is None:
        print("\nno snapshot (this digest keeps none)")
    else:
        size, load = loaded
        print(f"\nsnapshot (.digest-cache/sitewide.pickle): {size / 2**20:.1f} MiB, "
              f"loaded in {1000 * load:.0f} ms")


def _fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} s [{min(values):.2f}-{max(values):.2f}]"


if __name__ == "__main__":
    main()
