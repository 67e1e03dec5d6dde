"""Screenshots of the default theme for the README: ``python tests/tools/screenshots.py``.

Builds the example site (pinned clock, search index included when Pagefind is
installed) into a temporary folder, serves it, and saves PNGs of the home, an
article, a topic and an edition page at phone (390x844) and desktop (1280x900)
widths, plus dark-mode shots, and the busiest day's email.html (the edition as
mail) at 600 px, light and dark, into docs/screenshots/ (``--email-only``: just
those two).  Not part of the test suite; needs the same tools as the browser
tests (``bash .ci/test``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `tests.tools` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.tools import REPO_ROOT  # noqa: E402
from tests.tools.browser import launch_browser, served  # noqa: E402

EPOCH = "1735000000"
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}
ARTICLE = "2024/12/20/putin-and-lukashenko-discuss-energy-transport-and-security-in-minsk/"
MAX_BYTES = 300_000


def build_example(dest: Path) -> Path:
    """Copy the example site to ``dest`` and build it with the CLI; returns output/."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO_ROOT / "content", dest / "content")
    if (REPO_ROOT / "digest.yaml").exists():
        shutil.copy2(REPO_ROOT / "digest.yaml", dest / "digest.yaml")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(REPO_ROOT)}
    subprocess.run([sys.executable, "-m", "digest", "--site", str(dest), "build", "-q"],
                   check=True, env=env, cwd=dest)
    return dest / "output"


def pick_pages(output: Path) -> dict[str, str]:
    """name -> URL path of the pages to photograph (those the site has)."""
    pages = {"home": "/"}
    if (output / ARTICLE / "index.html").is_file():
        pages["article"] = "/" + ARTICLE
    else:  # the example content changed: take the newest article
        dated = sorted(output.glob("[0-9][0-9][0-9][0-9]/*/*/*/index.html"))
        if dated:
            pages["article"] = "/" + dated[-1].parent.relative_to(output).as_posix() + "/"
    topics = [p for p in (output / "topics").glob("*/index.html")]
    if topics:  # the topic with the most articles listed (its chart has the most to show)
        best = max(topics, key=lambda p: (p.read_text("utf-8").count('class="item"'),
                                          p.parent.name))
        pages["topic"] = "/topics/" + best.parent.name + "/"
    editions = sorted(p.parent.name for p in (output / "editions").glob("*/index.html")
                      if re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.parent.name))
    if editions:
        pages["edition"] = f"/editions/{editions[-1]}/"
    return pages


def shoot(output: Path, out_dir: Path) -> list[Path]:
    pages = pick_pages(output)
    out_dir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    shots = [(name, size, "light") for name in pages for size in VIEWPORTS]
    shots += [("article", "phone", "dark"), ("topic", "desktop", "dark")]
    with served(output) as base, launch_browser() as browser:
        for name, size, scheme in shots:
            if name not in pages:
                continue
            width, height = VIEWPORTS[size]
            context = browser.new_context(viewport={"width": width, "height": height},
                                          device_scale_factor=1, color_scheme=scheme)
            page = context.new_page()
            page.goto(base.rstrip("/") + pages[name], wait_until="load")
            suffix = "" if scheme == "light" else "-dark"
            path = out_dir / f"{name}-{size}{suffix}.png"
            page.screenshot(path=str(path), full_page=False)
            context.close()
            saved.append(path)
    missing = sorted({"home", "article", "topic", "edition"} - set(pages))
    if missing:
        print(f"not in the example site (no screenshot): {', '.join(missing)}", file=sys.stderr)
    return saved


def shoot_email(output: Path, out_dir: Path) -> list[Path]:
    """The day whose mail lists the most stories, as a 600 px mail pane shows it."""
    mails = [p for p in (output / "editions").glob("*/email.html")
             if re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.parent.name)]
    if not mails:
        print("the example site has no edition: no email screenshot", file=sys.stderr)
        return []
    busiest = max(mails, key=lambda p: (p.read_text("utf-8").count("<h3"), p.parent.name))
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = []
    with launch_browser() as browser:
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport={"width": 600, "height": 900},
                                          device_scale_factor=1, color_scheme=scheme)
            page = context.new_page()
            page.goto(busiest.as_uri(), wait_until="load")
            path = out_dir / f"email-edition{'' if scheme == 'light' else '-dark'}.png"
            height = min(page.evaluate(  # the mail, not the empty window below it
                "Math.ceil(document.querySelector('table.outer')"
                ".getBoundingClientRect().bottom)"), 1600)
            page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": 600,
                                                  "height": height})
            context.close()
            saved.append(path)
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    parser.add_argument("--site-output", type=Path, metavar="DIR",
                        help="photograph this already built output folder instead")
    parser.add_argument("--email-only", action="store_true",
                        help="only the edition as mail (email-edition*.png)")
    args = parser.parse_args(argv)

    def both(output: Path) -> list[Path]:
        pages = [] if args.email_only else shoot(output, args.out)
        return pages + shoot_email(output, args.out)

    if args.site_output:
        saved = both(args.site_output)
    else:
        with tempfile.TemporaryDirectory(prefix="digest-shots-") as tmp:
            saved = both(build_example(Path(tmp) / "site"))
    status = 0
    for path in saved:
        size = path.stat().st_size
        flag = "" if size <= MAX_BYTES else f"  (over {MAX_BYTES // 1000} KB)"
        status |= size > MAX_BYTES
        print(f"{path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}"
              f"  {size // 1000} KB{flag}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
