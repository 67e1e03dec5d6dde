#!/usr/bin/env python3
"""Build-time benchmark of ``digest build`` (cold, no-op and one-edit), optionally against Hugo.

A script, not part of the test run:

    python tests/bench/bench_build.py [--sizes 1000 10000 50000] [--runs 3] [--keep DIR]
                                      [--hugo] [--jobs N]

For each size it writes a synthetic corpus with ``make_corpus.py`` (found via
$DIGEST_SHARED/bench/, else <repo>/../shared/bench/) into a fresh site, then,
per run, in fresh processes with SOURCE_DATE_EPOCH pinned:

  cold      ``digest clean`` (output/ and .digest-cache/ set aside first, see
            below), then build
  no-op     build again, nothing changed
  one-edit  append a paragraph to one article (a different one each run), build
            (the first edit after a cold build: output/ is written as a new tree)
  next-edit then edit another article and build again: the steady state of a
            day of edits, where the tree replaced two builds ago is recycled
            (digest.output.spare) instead of writing a new one

Only the CLI is used (``python -m digest --site DIR build -v``), so the numbers
are comparable across internal changes.  The search index is built (Pagefind,
as a site with ``search: true`` has it) unless --no-search is given; its stage
is read from the ``search`` line that ``-v`` prints and shown in its own
column.  The no-op build runs with ``-q`` instead (``-v`` would skip the
nothing-changed shortcut it times).  Measured per build:

  wall      time.perf_counter() around the child process
  search    the search stage of that build, as digest reports it (-v)
  CPU       user+sys of the child (getrusage(RUSAGE_CHILDREN) deltas)
  peak RSS  ru_maxrss of that child alone, from os.wait4() (with worker
            processes this is the largest single process of the tree, not a sum)
  all MiB   the peak, over samples every 50 ms, of the proportional set size
            (PSS, /proc/PID/smaps_rollup) summed over the child and all its
            descendants (workers, Pagefind): memory the build holds, each
            shared page counted once (a forked worker's inherited pages are
            split between the processes sharing them, not counted twice).
            A peak shorter than 50 ms can be missed.  Taken in a round of its
            own after the timed runs (a cold build, a no-op and an edit, each
            tool), not in the timed ones: on 2 cores the sampler's own work
            (every process's smaps, 20 times a second) slowed a 2.9 s edit by
            about 0.4 s.

With --hugo (or when ``hugo`` is on PATH) the same corpus (flavor hugo) is built
by a minimal Hugo site written here (paginated home, tag term pages, RSS) with
``hugo --quiet`` after rm -rf public/ resources/, followed, when search is on
(the default), by ``python -m pagefind --site public``: the peer a curator
would pick.  Then one article is edited and both run again (neither has an
incremental mode), and the ratios digest / peer of the cold and one-edit
medians are printed.  Hugo uses every core; digest uses --jobs if given.
The runs alternate (digest's run 1, Hugo's run 1, digest's run 2, ...), so
both tools meet the same drift of the machine.

Trees a cold build starts without (digest's output/ and .digest-cache/, Hugo's
public/ and resources/) are *set aside* (renamed into ``<root>/trash``) and
deleted only after the last timing.  On a file system like this VM's (ext4
without a journal), creating a file or folder right after many were deleted
walks the recently freed inodes one by one (ext4 does not reuse an inode within
60-300 s of its deletion there): 14,000 folders with a page each took 1.0 s to
create normally and 5.7 s just after deleting as many.  Deleting in the timed
window would time the benchmark's own clean-up, not the tools.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DIGEST_ROOT = REPO_ROOT  # the checkout whose digest is timed (--digest-root)
EPOCH = "1735689600"  # 2025-01-01T00:00:00Z: after every corpus date
SCENARIOS = ("cold", "no-op", "one-edit", "next-edit")

SITE_CONFIG = """\
title: Bench digest
base_url: https://bench.example.org/
search: {search}
"""
SEARCH = True  # build the search index (--no-search: main() sets it off)
SEARCH_LINE = re.compile(r"^\s+search\s+([0-9.]+) s", re.MULTILINE)


# --------------------------------------------------------------------------- measuring

class BuildFailed(Exception):
    """A timed command exited non-zero."""


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mib: float
    tree_mib: float = 0.0  # peak PSS summed over the process tree (0: not sampled)
    search: float | None = None  # seconds of the search stage (-v), when it ran


@dataclass
class Result:
    size: int
    tool: str
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    # the memory round's sampled builds (see "all MiB"), not in the timings
    memory: dict[str, list[Sample]] = field(default_factory=dict)

    def add(self, scenario: str, sample: Sample) -> None:
        self.samples.setdefault(scenario, []).append(sample)

    def add_memory(self, scenario: str, sample: Sample) -> None:
        self.memory.setdefault(scenario, []).append(sample)

    def median(self, scenario: str, attr: str) -> float:
        return statistics.median(getattr(s, attr) for s in self.samples[scenario])

    def peak(self, scenario: str) -> float:
        return max(s.rss_mib for s in self.samples[scenario])

    def tree_peak(self, scenario: str) -> float:
        """The memory round's peak PSS of all processes (0.0: not sampled)."""
        return max((s.tree_mib for s in self.memory.get(scenario, ())), default=0.0)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = EPOCH
    env["PYTHONPATH"] = str(DIGEST_ROOT) + (os.pathsep + env["PYTHONPATH"]
                                          if env.get("PYTHONPATH") else "")
    env.setdefault("TZ", "UTC")
    # As an installed digest runs: with its modules' bytecode cached (a test
    # environment's PYTHONDONTWRITEBYTECODE would compile them on every build).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


class Trash:
    """Where trees are set aside during the timings (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "trash"
        self.count = 0

    def set_aside(self, path: Path) -> None:
        if not path.exists():
            return
        self.dir.mkdir(exist_ok=True)
        self.count += 1
        os.rename(path, self.dir / f"{self.count:04d}-{path.name}")

    def empty(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


TRASH: Trash | None = None  # set by main()


def set_aside(path: Path) -> None:
    if TRASH is None:
        shutil.rmtree(path, ignore_errors=True)
    else:
        TRASH.set_aside(path)


def _children() -> dict[int, list[int]]:
    """ppid -> pids, from /proc/*/stat."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory:
    """Samples the PSS of a process and all its descendants every 50 ms, in a
    thread, and keeps the largest sum (Linux only; 0 elsewhere)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kib = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        if os.path.exists("/proc/self/smaps_rollup"):
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            tree, todo, total = _children(), [self.pid], 0
            while todo:
                pid = todo.pop()
                total += _pss_kib(pid)
                todo.extend(tree.get(pid, ()))
            self.peak_kib = max(self.peak_kib, total)

    def stop(self) -> float:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        return self.peak_kib / 1024


def measure(cmd: list[str], cwd: Path, log: Path, *, sample: bool = False) -> Sample:
    """Run ``cmd`` to completion; its wall time, CPU time (user+sys) and peak RSS;
    with ``sample``, also the peak PSS of its process tree (TreeMemory)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=child_env(), stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        sampler = TreeMemory(proc.pid) if sample else None
        # wait4 reaps this one child and gives its own rusage (its ru_maxrss is
        # the max over it and the children it waited for, never an earlier build).
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        tree_mib = sampler.stop() if sampler is not None else 0.0
    proc.returncode = os.waitstatus_to_exitcode(status)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise BuildFailed(f"command failed (exit {proc.returncode}): {' '.join(cmd)}\n{tail}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss_kib = usage.ru_maxrss  # KiB on Linux
    if sys.platform == "darwin":  # bytes there
        rss_kib /= 1024
    found = SEARCH_LINE.search(log.read_text(encoding="utf-8", errors="replace"))
    return Sample(wall=wall, cpu=cpu, rss_mib=rss_kib / 1024, tree_mib=tree_mib,
                  search=float(found.group(1)) if found else None)


# --------------------------------------------------------------------------- corpus

def find_make_corpus() -> Path:
    shared = os.environ.get("DIGEST_SHARED")
    candidates = []
    if shared:
        candidates += [Path(shared) / "bench" / "make_corpus.py", Path(shared) / "make_corpus.py"]
    candidates.append(REPO_ROOT.parent / "shared" / "bench" / "make_corpus.py")
    for path in candidates:
        if path.is_file():
            return path
    raise SystemExit("make_corpus.py not found; set DIGEST_SHARED to the shared folder "
                     f"(tried: {', '.join(map(str, candidates))})")


def make_corpus(outdir: Path, articles: int, flavor: str) -> None:
    subprocess.run([sys.executable, str(find_make_corpus()), str(outdir),
                    "--articles", str(articles), "--flavor", flavor, "--force", "--quiet"],
                   check=True)


def article_files(content: Path) -> list[Path]:
    return sorted(content.rglob("*.md"))


def append_paragraph(path: Path, run: int) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\nBench edit {run}: an appended paragraph so that this article "
                "changes and the build has to notice it.\n")


def edit_target(files: list[Path], run: int) -> Path:
    # a different article each run, spread over the corpus
    return files[(run * 7919 + 13) % len(files)]


# --------------------------------------------------------------------------- digest

def digest_cmd(site: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "digest", "--site", str(site), *args]


def bench_digest(result: Result, site: Path, run: int, runs: int, jobs: int | None,
                 logs: Path) -> None:
    """One run of the digest scenarios (cold, no-op, one-edit, next-edit)."""
    flags = (["--jobs", str(jobs)] if jobs else []) + ([] if SEARCH else ["--no-search"])
    build, quiet = ["build", "-v", *flags], ["build", "-q", *flags]
    size = result.size
    files = article_files(site / "content")
    for leftover in ("output", ".digest-cache"):
        set_aside(site / leftover)
    subprocess.run(digest_cmd(site, "clean"), cwd=site, env=child_env(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    result.add("cold", measure(digest_cmd(site, *build), site, logs / f"d{size}-cold.log"))
    result.add("no-op", measure(digest_cmd(site, *quiet), site, logs / f"d{size}-noop.log"))
    append_paragraph(edit_target(files, run), run)
    result.add("one-edit", measure(digest_cmd(site, *build), site,
                                   logs / f"d{size}-edit.log"))
    append_paragraph(edit_target(files, run + runs), run + runs)
    result.add("next-edit", measure(digest_cmd(site, *build), site,
                                    logs / f"d{size}-edit2.log"))
    progress(result, run)


def memory_digest(result: Result, site: Path, runs: int, jobs: int | None, logs: Path) -> None:
    """The memory round (see "all MiB"): a cold build, a no-op and an edit, sampled."""
    flags = (["--jobs", str(jobs)] if jobs else []) + ([] if SEARCH else ["--no-search"])
    size = result.size
    for leftover in ("output", ".digest-cache"):
        set_aside(site / leftover)
    for scenario, mode in (("cold", "-v"), ("no-op", "-q"), ("one-edit", "-v")):
        if scenario == "one-edit":
            append_paragraph(edit_target(article_files(site / "content"), 2 * runs), 2 * runs)
        result.add_memory(scenario, measure(digest_cmd(site, "build", mode, *flags), site,
                                            logs / f"d{size}-memory-{scenario}.log",
                                            sample=True))
    print(f"  digest {size}: memory round: "
          + ", ".join(f"{sc} {s[-1].tree_mib:.0f} MiB" for sc, s in result.memory.items()),
          file=sys.stderr)


def make_digest_site(root: Path, size: int) -> Path:
    site = root / f"digest-{size}"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    make_corpus(site / "content", size, "digest")
    (site / "digest.yaml").write_text(SITE_CONFIG.format(search=str(SEARCH).lower()),
                                      encoding="utf-8")
    return site


# --------------------------------------------------------------------------- hugo

HUGO_CONFIG = """\
baseURL = "https://bench.example.org/"
languageCode = "en"
title = "Bench digest"
paginate = 20
disableKinds = []

[taxonomies]
tag = "tags"

[outputs]
home = ["HTML", "RSS"]
section = ["HTML", "RSS"]
taxonomy = ["HTML"]
term = ["HTML", "RSS"]
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<title>{{ if not .IsHome }}{{ .Title }} | {{ end }}{{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}
<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">
{{ end }}
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_default/single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">
{{ .Date.Format "2 January 2006" }}</time>
{{ with .Params.source }} · {{ . }}{{ end }}{{ with .Params.author }} · {{ . }}{{ end }}</p>
{{ with .Params.summary }}<p><em>{{ . }}</em></p>{{ end }}
{{ .Content }}
{{ with .GetTerms "tags" }}<ul>
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}
</ul>{{ end }}
</article>
{{ end }}
""",
    "partials/pager.html": """\
<ul>
{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time>{{ .Date.Format "2006-01-02" }}</time></li>
{{ end }}</ul>
<nav>{{ with .Paginator.Prev }}<a href="{{ .URL }}">newer</a>{{ end }}
page {{ .Paginator.PageNumber }} of {{ .Paginator.TotalPages }}
{{ with .Paginator.Next }}<a href="{{ .URL }}">older</a>{{ end }}</nav>
""",
    "index.html": """\
{{ define "main" }}
{{/* site.RegularPages is already newest first (Hugo's default sort); a
     where/ByDate here would be re-run for every pager page, the slow pattern
     the issue warns about, so it is left out to give Hugo its fair time. */}}
{{ $pag := .Paginate site.RegularPages }}
<h1>{{ site.Title }}</h1>
{{ partial "pager.html" . }}
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
{{ $pag := .Paginate .Pages.ByDate.Reverse }}
<h1>{{ .Title }}</h1>
{{ partial "pager.html" . }}
{{ end }}
""",
    "_default/term.html": """\
{{ define "main" }}
{{ $pag := .Paginate .Pages.ByDate.Reverse }}
<h1>Tag: {{ .Title }}</h1>
{{ partial "pager.html" . }}
{{ end }}
""",
    "_default/taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul>
{{ end }}
""",
}


def make_hugo_site(root: Path, size: int) -> Path:
    site = root / f"hugo-{size}"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    (site / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for rel, text in HUGO_LAYOUTS.items():
        path = site / "layouts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    make_corpus(site / "content" / "posts", size, "hugo")
    return site


def hugo_cmd() -> list[str]:
    """Hugo, then (search on, as digest's runs) the Pagefind CLI over its public/:
    what a curator would run instead of digest, search included."""
    hugo = shutil.which("hugo") or "hugo"
    if not SEARCH:
        return [hugo, "--quiet"]
    # wait4 on the shell: its ru_maxrss is the largest of hugo and pagefind
    return ["sh", "-c", f"{hugo} --quiet && {sys.executable} -m pagefind --site public"]


def bench_hugo(result: Result, site: Path, run: int, logs: Path) -> None:
    """One cold Hugo (+ Pagefind) build, then one after an edited article: Hugo's
    CLI and Pagefind have no incremental mode, so an edit is a whole build again."""
    size = result.size
    for leftover in ("public", "resources"):
        set_aside(site / leftover)
    result.add("cold", measure(hugo_cmd(), site, logs / f"h{size}-cold.log"))
    append_paragraph(edit_target(article_files(site / "content"), run), run)
    result.add("one-edit", measure(hugo_cmd(), site, logs / f"h{size}-edit.log"))
    progress(result, run)


def memory_hugo(result: Result, site: Path, runs: int, logs: Path) -> None:
    """The memory round (see "all MiB"): a cold build and one after an edit, sampled."""
    size = result.size
    for leftover in ("public", "resources"):
        set_aside(site / leftover)
    result.add_memory("cold", measure(hugo_cmd(), site, logs / f"h{size}-memory-cold.log",
                                      sample=True))
    append_paragraph(edit_target(article_files(site / "content"), runs), runs)
    result.add_memory("one-edit", measure(hugo_cmd(), site, logs / f"h{size}-memory-edit.log",
                                          sample=True))
    print(f"  hugo {size}: memory round: "
          + ", ".join(f"{sc} {s[-1].tree_mib:.0f} MiB" for sc, s in result.memory.items()),
          file=sys.stderr)


# --------------------------------------------------------------------------- report

def progress(result: Result, run: int) -> None:
    parts = [f"{sc} {result.samples[sc][-1].wall:.2f}s"
             + (f" (search {s.search:.2f}s)" if (s := result.samples[sc][-1]).search else "")
             for sc in SCENARIOS if sc in result.samples]
    print(f"  {result.tool} {result.size}: run {run + 1}: {', '.join(parts)}", file=sys.stderr)


def print_table(results: list[Result]) -> None:
    print()
    print(f"{'tool':<7} {'articles':>8}  {'scenario':<9} {'wall s':>8} {'search s':>9} "
          f"{'CPU s':>8} {'peak MiB':>9} {'all MiB':>8} {'runs':>5}")
    print("-" * 81)
    for r in results:
        for sc in SCENARIOS:
            if sc not in r.samples:
                continue
            searched = [s.search for s in r.samples[sc] if s.search is not None]
            search = f"{statistics.median(searched):>9.2f}" if searched else f"{'-':>9}"
            print(f"{r.tool:<7} {r.size:>8}  {sc:<9} {r.median(sc, 'wall'):>8.2f} {search} "
                  f"{r.median(sc, 'cpu'):>8.2f} {r.peak(sc):>9.1f} "
                  f"{f'{r.tree_peak(sc):.1f}' if r.tree_peak(sc) else '-':>8} "
                  f"{len(r.samples[sc]):>5}")
    print("(wall, search and CPU: medians over runs, search included in wall; "
          "peak MiB: max RSS of the largest process; all MiB: peak PSS summed over "
          "all the build's processes, from the memory round's sampled builds, not the "
          "timed ones)")


def print_growth(results: list[Result]) -> None:
    digest = sorted((r for r in results if r.tool == "digest"), key=lambda r: r.size)
    if not digest:
        return
    print()
    print("Growth (digest): per 1,000 articles, and marginal cost between sizes")
    print(f"{'articles':>8}  {'scenario':<9} {'wall s/1k':>10} {'CPU s/1k':>9} {'MiB/1k':>8}"
          f" {'Δwall s/1k':>11} {'ΔMiB/1k':>8}")
    print("-" * 70)
    for sc in SCENARIOS:
        prev: Result | None = None
        for r in digest:
            if sc not in r.samples:
                continue
            k = r.size / 1000
            line = (f"{r.size:>8}  {sc:<9} {r.median(sc, 'wall') / k:>10.3f} "
                    f"{r.median(sc, 'cpu') / k:>9.3f} {r.peak(sc) / k:>8.1f}")
            if prev is not None:
                dk = (r.size - prev.size) / 1000
                line += (f" {(r.median(sc, 'wall') - prev.median(sc, 'wall')) / dk:>11.3f}"
                         f" {(r.peak(sc) - prev.peak(sc)) / dk:>8.1f}")
            print(line)
            prev = r
    if len(digest) > 1:
        first, last = digest[0], digest[-1]
        factor = last.size / first.size
        for sc in ("cold", "no-op"):
            if sc not in first.samples or sc not in last.samples:
                continue
            t = last.median(sc, "wall") / first.median(sc, "wall")
            m = last.peak(sc) / first.peak(sc)
            print(f"{sc}: {factor:.3g}x the articles -> {t:.1f}x the wall time, "
                  f"{m:.1f}x the peak memory (linear would be {factor:.3g}x)")


def print_ratio(results: list[Result]) -> None:
    hugo = {r.size: r for r in results if r.tool == "hugo"}
    if not hugo:
        return
    peer = "hugo + pagefind" if SEARCH else "hugo"
    print()
    print(f"digest / {peer} (medians)")
    for r in results:
        if r.tool != "digest" or r.size not in hugo:
            continue
        h = hugo[r.size]
        for sc in ("cold", "one-edit"):
            if sc not in r.samples or sc not in h.samples:
                continue
            dw, hw = r.median(sc, "wall"), h.median(sc, "wall")
            print(f"{r.size:>8} articles, {sc:<8}: wall {dw:.2f} s / {hw:.2f} s = {dw / hw:.2f}x"
                  f"   CPU {r.median(sc, 'cpu') / h.median(sc, 'cpu'):.2f}x"
                  f"   memory (all processes) {r.tree_peak(sc):.0f} / {h.tree_peak(sc):.0f} MiB"
                  f" = {r.tree_peak(sc) / max(h.tree_peak(sc), 1e-9):.2f}x")


# --------------------------------------------------------------------------- main

def bench_size(root: Path, size: int, args: argparse.Namespace, want_hugo: bool,
               results: list[Result]) -> None:
    logs = root / "logs"
    print(f"generating {size} articles...", file=sys.stderr)
    site = make_digest_site(root, size)
    ours = Result(size, "digest")
    results.append(ours)
    hugo = hsite = None
    if want_hugo:
        hsite = make_hugo_site(root, size)
        hugo = Result(size, "hugo")
        results.append(hugo)
    # Runs alternate between the two tools, so that both see the same drift
    # of this machine's disk and neighbours over the run.
    for run in range(args.runs):
        bench_digest(ours, site, run, args.runs, args.jobs, logs)
        if hugo is not None:
            bench_hugo(hugo, hsite, run, logs)
    # Memory is sampled apart from the timings (see "all MiB"), once per tool.
    memory_digest(ours, site, args.runs, args.jobs, logs)
    if hugo is not None:
        memory_hugo(hugo, hsite, args.runs, logs)
    if hsite is not None:
        pages = sum(1 for _ in (hsite / "public").rglob("index.html"))
        print(f"    (hugo wrote {pages} index.html pages)", file=sys.stderr)
    if not args.keep:  # the disk is freed at the end (Trash.empty)
        set_aside(site)
        set_aside(root / f"hugo-{size}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000],
                        help="corpus sizes in articles (default: 1000 10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per size (default 3)")
    parser.add_argument("--keep", metavar="DIR", help="build the sites in DIR and keep them")
    parser.add_argument("--hugo", action="store_true",
                        help="also time Hugo (default: when hugo is on PATH)")
    parser.add_argument("--no-hugo", action="store_true", help="never time Hugo")
    parser.add_argument("--jobs", type=int, help="pass --jobs N to digest build")
    parser.add_argument("--no-search", action="store_true",
                        help="build without the search index (search: false)")
    parser.add_argument("--digest-root", metavar="DIR",
                        help="time the digest of this checkout (default: this repository), "
                             "e.g. an export of an older commit for before/after numbers "
                             "(git archive; link digest/default_theme -> ../themes/default "
                             "there, or the installed default theme is used)")
    args = parser.parse_args(argv)
    global DIGEST_ROOT  # noqa: PLW0603 - read by child_env() for every child
    if args.digest_root:
        DIGEST_ROOT = Path(args.digest_root).resolve()
    global SEARCH  # noqa: PLW0603 - read by bench_digest() and make_digest_site()
    SEARCH = not args.no_search
    if args.runs < 1 or any(s < 1 for s in args.sizes):
        parser.error("--runs and --sizes must be positive")

    want_hugo = not args.no_hugo and (args.hugo or shutil.which("hugo") is not None)
    if want_hugo and shutil.which("hugo") is None:
        parser.error("--hugo given but hugo is not on PATH (Debian: apt-get install hugo)")

    if args.keep:
        root = Path(args.keep).resolve()
        root.mkdir(parents=True, exist_ok=True)
        tmp = None
    else:
        tmp = tempfile.TemporaryDirectory(prefix="digest-bench-")
        root = Path(tmp.name)
    (root / "logs").mkdir(exist_ok=True)
    global TRASH  # noqa: PLW0603 - one per run of the script
    TRASH = Trash(root)

    print(f"digest bench: sizes {args.sizes}, {args.runs} run(s), jobs {args.jobs or '-'}, "
          f"cpus {os.cpu_count()}, python {sys.version.split()[0]}, in {root}", file=sys.stderr)
    if want_hugo:
        version = subprocess.run(["hugo", "version"], capture_output=True, text=True,
                                 check=False).stdout.strip()
        print(f"hugo: {version}", file=sys.stderr)
    results: list[Result] = []
    status = 0
    try:
        for size in sorted(args.sizes):
            bench_size(root, size, args, want_hugo, results)
    except BuildFailed as exc:
        print(f"\n{exc}", file=sys.stderr)
        status = 1
    finally:
        results = [r for r in results if r.samples]
        if results:
            print_table(results)
            print_growth(results)
            print_ratio(results)
        TRASH.empty()
        if tmp is not None:
            tmp.cleanup()
    return status


if __name__ == "__main__":
    sys.exit(main())
