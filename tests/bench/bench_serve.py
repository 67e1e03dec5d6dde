#!/usr/bin/env python3
"""Save-to-reload benchmark of ``digest serve`` (issue 6: under 1 s at 10,000 articles).

A script, not part of the test run:

    python tests/bench/bench_serve.py [--sizes 1000 10000] [--edits 5] [--site DIR]

For each size it writes a corpus with ``make_corpus.py`` (as bench_build.py
does; ``--site`` uses an existing site instead), starts
``python -m digest --site DIR serve --port 0`` and waits for the first build.
Then, per edit, it appends a paragraph to one article (a different one each
time) and measures, from the moment the file is closed, until the server's
live-reload long-poll (``/__digest/poll?epoch=...``, what the page's script
uses when EventSource is unavailable) announces the new site, and then until
the edited article's page, fetched over HTTP, shows the new paragraph: that is
what a curator waits for between saving and seeing the change (the fast
preview, serve/preview.py).  It also times until the exact rebuild of the
whole site is served, and waits for it before the next edit.  It prints
medians per size, and the server's own preview and build lines.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_build import EPOCH, SITE_CONFIG, make_corpus  # noqa: E402

POLL = "/__digest/poll"


def start_server(site: Path) -> tuple[subprocess.Popen[str], str, list[str]]:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "digest", "--site", str(site), "serve",
                             "--port", "0"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: list[str] = []
    url: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            found = re.search(r"Serving at (http://\S+?/)", line)
            if found:
                url.append(found.group(1))
                ready.set()
    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(600):
        proc.kill()
        raise SystemExit("digest serve did not start:\n" + "\n".join(lines[-20:]))
    return proc, url[0], lines


def wait_for(condition, seconds: float) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("digest serve did not finish its build in time")
        time.sleep(0.05)


def get(url: str, timeout: float = 60) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (localhost)
        return response.read().decode("utf-8")


def article_url(base: str, site: Path, source: Path) -> str:
    """The page of ``source``: found by its file-name slug in the site's sitemap."""
    slug = source.stem
    sitemap = get(base + "sitemap.xml")
    for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap):
        if loc.rstrip("/").endswith("/" + slug):
            return base + loc.split("/", 3)[3]
    raise SystemExit(f"no page for {source.name} in the sitemap")


def bench_site(site: Path, edits: int) -> list[tuple[float, float]]:
    proc, base, lines = start_server(site)
    try:
        sources = sorted((site / "content").glob("*.md"))
        picks = [sources[(i * 7919) % len(sources)] for i in range(edits)]
        samples = []
        for n, source in enumerate(picks):
            # Edit an idle server: the full build of the previous edit (or the
            # first build: until then pages show its progress) has ended.
            wait_for(lambda n=n: sum("built in" in line for line in lines) > n, 600)
            page = article_url(base, site, source)
            marker = f"Benchmark paragraph {n} {time.time_ns()}."
            time.sleep(0.3)
            token = get(base + POLL + "?epoch=", timeout=600)  # the current token at once
            with source.open("a", encoding="utf-8") as fh:
                fh.write(f"\n{marker}\n")
            saved = time.perf_counter()
            get(f"{base}{POLL}?epoch={token}", timeout=600)
            announced = time.perf_counter() - saved
            while marker not in get(page):  # the announced site has the edit
                if time.perf_counter() - saved > 600:
                    raise SystemExit("the edit never appeared")
                time.sleep(0.01)
            shown = time.perf_counter() - saved
            wait_for(lambda n=n: sum("built in" in line for line in lines) > n + 1, 600)
            complete = time.perf_counter() - saved  # the exact rebuild is served too
            samples.append((announced, shown, complete))
            print(f"  edit {n + 1}: reload announced after {announced:.2f} s, page shows "
                  f"the edit after {shown:.2f} s, whole site rebuilt after {complete:.2f} s",
                  file=sys.stderr)
        server_lines = [line.split("] ", 1)[-1] for line in lines
                        if "built in" in line or "preview of" in line]
        print("  server: " + "; ".join(server_lines[1:]), file=sys.stderr)
        return samples
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--site", type=Path, help="benchmark this site instead of corpora")
    args = parser.parse_args()
    rows = []
    if args.site:
        rows.append((str(args.site), bench_site(args.site, args.edits)))
    else:
        for size in args.sizes:
            root = Path(tempfile.mkdtemp(prefix=f"digest-serve-{size}-"))
            try:
                (root / "digest.yaml").write_text(SITE_CONFIG, encoding="utf-8")
                make_corpus(root / "content", size, "digest")
                print(f"digest serve, {size} articles:", file=sys.stderr)
                rows.append((f"{size}", bench_site(root, args.edits)))
            finally:
                shutil.rmtree(root, ignore_errors=True)
    print()
    print(f"{'site':<10} {'edits':>5} {'announce med':>13} {'shown med':>10} "
          f"{'shown max':>10} {'rebuilt med':>12}")
    for name, samples in rows:
        print(f"{name:<10} {len(samples):>5} "
              f"{statistics.median(a for a, _, _ in samples):>12.2f}s "
              f"{statistics.median(s for _, s, _ in samples):>9.2f}s "
              f"{max(s for _, s, _ in samples):>9.2f}s "
              f"{statistics.median(c for _, _, c in samples):>11.2f}s")


if __name__ == "__main__":
    main()
