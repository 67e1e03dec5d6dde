"""Issue 21, "What the browser shows": the default theme judged in headless Chromium.

The example site is built once and served with netlify.toml's headers (its strict
Content-Security-Policy included).  Layouts are measured with bounding boxes at
the sizes readers use: a 1280 px desktop and a 390x844 phone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.output.write import write_site
from digest.pipeline import BuildOptions, BuildResult, build
from tests.integration.theme_support import NOW, CspWatch, serve_with_headers, site_headers
from tests.tools import REPO_ROOT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def example() -> BuildResult:
    return build(REPO_ROOT, BuildOptions(now=NOW))


@pytest.fixture(scope="module")
def output(example: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("theme21") / "output"
    write_site(example.rendered, dest)
    return dest


@pytest.fixture(scope="module")
def base_url(output: Path) -> Iterator[str]:
    with serve_with_headers(output, site_headers()) as url:
        yield url


@pytest.fixture
def context(browser):  # noqa: ANN001 - playwright Browser
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield ctx
    finally:
        ctx.close()


def test_favicon_is_linked_allowed_and_never_a_404(context, base_url: str) -> None:  # noqa: ANN001
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400
            else None)
    watch = CspWatch(page)
    page.goto(base_url + "/", wait_until="load")
    icon = page.locator('link[rel="icon"]')
    assert icon.count() == 1
    href = icon.get_attribute("href")
    assert icon.get_attribute("type") == "image/svg+xml"
    # both icons decode as images under the page's CSP (img-src 'self')
    sizes = page.evaluate(
        """async (urls) => Promise.all(urls.map(u => new Promise(done => {
               const img = new Image();
               img.onload = () => done(img.naturalWidth);
               img.onerror = () => done(0);
               img.src = u; })))""", [href, "/favicon.ico"])
    assert all(size > 0 for size in sizes), sizes
    # a static host answers what browsers ask for without a link: /favicon.ico
    response = page.request.get(base_url + "/favicon.ico")
    assert response.status == 200
    assert response.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file, not a page
    assert not failed, failed
    assert not watch.violations()


def test_article_pages_list_each_related_article_once(context, example: BuildResult,  # noqa: ANN001
                                                      base_url: str) -> None:
    """"Related" used to repeat the stories of "Earlier/Later in this story": now
    the sections linking other articles of the digest (also reported, earlier,
    later) are disjoint and together show every related article of the model
    (nothing was lost on the way).  The agency's own trailer ("Other materials")
    is a quotation of the clipping and stays whole."""
    page = context.new_page()
    checked = 0
    for article in example.site.articles:
        if not article.related:
            continue
        page.goto(base_url + article.url, wait_until="load")
        sections = page.evaluate(
            """() => [...document.querySelectorAll('article section:not(.mentions)')].map(s => [
                   s.querySelector('h2').textContent,
                   [...s.querySelectorAll('li > a')].map(a => a.getAttribute('href'))])""")
        seen: dict[str, str] = {}
        for heading, hrefs in sections:
            for href in hrefs:
                assert href not in seen, (f"{article.url}: {href} under both "
                                          f"{seen[href]!r} and {heading!r}")
                seen[href] = heading
        story = {href for heading, hrefs in sections if heading.endswith("in this story")
                 for href in hrefs}
        assert story == set(article.related), article.url
        checked += 1
    assert checked >= 5


def test_week_views_run_newest_first_and_count_what_they_list(  # noqa: ANN001
        context, output: Path, example: BuildResult, base_url: str) -> None:
    dates = {a.url: a.date for a in example.site.articles}
    page = context.new_page()
    weeks = sorted(p.parent.name for p in (output / "editions").glob("*-W*/index.html"))
    assert len(weeks) >= 3
    for week in weeks:
        page.goto(f"{base_url}/editions/{week}/", wait_until="load")
        days = page.locator(".week-day h2 time").evaluate_all(
            "ts => ts.map(t => t.getAttribute('datetime'))")
        assert days == sorted(days, reverse=True) and len(set(days)) == len(days), week
        leads = page.locator(".week-day li.item").evaluate_all(
            "lis => lis.map(li => li.querySelector('a').getAttribute('href'))")
        assert [dates[u] for u in leads] == sorted((dates[u] for u in leads), reverse=True)
        meta = page.locator(".page-meta").inner_text()
        assert meta.startswith(f"{len(leads)} stor"), (week, meta, len(leads))
        assert f"on {len(days)} day" in meta


# For every .dots list: the dot of an item that starts a line lies wholly in the
# strip the list clips away, and every other item's dot sits between two items of
# one line.  Returns [wrapped lines seen, problems].
DOTS_JS = """() => {
  const problems = [];
  let wraps = 0;
  for (const ul of document.querySelectorAll('.dots')) {
    if (!ul.offsetParent) continue;  // not shown (print-only rules and the like)
    const box = ul.getBoundingClientRect();
    const clip = getComputedStyle(ul).clipPath;
    const items = [...ul.children];
    items.forEach((li, i) => {
      const r = li.getBoundingClientRect();
      const dot = parseFloat(getComputedStyle(li, '::before').width);
      const prev = i ? items[i - 1].getBoundingClientRect() : null;
      const startsLine = !prev || r.top >= prev.bottom - 1;
      if (startsLine) {
        if (i) wraps++;
        if (!(r.left - dot >= box.left - 0.5 && r.left <= box.left + dot + 0.5)
            || !clip.startsWith('inset('))
          problems.push(`line-start dot shown: ${li.textContent.trim()} (${ul.className})`);
      } else if (Math.abs(prev.top - r.top) > 1 || prev.right > r.left - dot + 0.5) {
        problems.push(`dot not between two items: ${li.textContent.trim()}`);
      }
    });
  }
  // every separator is drawn by CSS: none is left in the text
  if (document.body.innerText.includes('\\u00b7')) problems.push('a text separator');
  return [wraps, problems];
}"""


def test_no_lone_separator_where_a_line_wraps(browser, output: Path,  # noqa: ANN001
                                               base_url: str) -> None:
    article = next(p.parent for p in sorted(output.glob("2024/12/20/*/index.html")))
    paths = ["/", "/" + article.relative_to(output).as_posix() + "/", "/editions/2024-W51/",
             "/editions/2024-12-20/", "/topics/energy/"]
    wraps = 0
    for width in (320, 390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800})
        try:
            page = context.new_page()
            for path in paths:
                page.goto(base_url + path, wait_until="load")
                assert page.locator(".dots").count() >= 2, path
                seen, problems = page.evaluate(DOTS_JS)
                assert not problems, (width, path, problems)
                wraps += seen
        finally:
            context.close()
    assert wraps >= 3  # narrow screens do wrap these lines: the case above was met


@pytest.mark.parametrize("javascript", [True, False])
def test_phone_header_is_compact_and_every_section_reachable(  # noqa: ANN001
        browser, base_url: str, javascript: bool) -> None:
    """At 390x844 the masthead and the section links used to take 300 px: now one
    short line and one row of links that scrolls sideways, with or without
    JavaScript; every link stays reachable (scrolled into view when focused)."""
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(base_url + "/", wait_until="load")
        header = page.locator(".site-header").bounding_box()
        assert header is not None and header["height"] < 160, header
        assert page.locator("main h1").bounding_box()["y"] < 200
        links = page.locator(".site-nav a")
        assert links.count() >= 8
        boxes = [links.nth(i).bounding_box() for i in range(links.count())]
        assert len({round(b["y"]) for b in boxes}) == 1  # one row
        row = page.locator(".site-nav ul")
        assert row.evaluate("u => getComputedStyle(u).overflowX") == "auto"
        assert row.evaluate("u => u.scrollWidth > u.clientWidth")  # it does scroll
        last = links.nth(links.count() - 1)
        last.focus()  # keyboard users get there: the row scrolls the link into view
        box = last.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        # no page-wide sideways scrolling for all that
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def _box(page, selector: str) -> dict:  # noqa: ANN001
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def test_wide_screens_get_a_lead_and_a_second_column(browser, output: Path,  # noqa: ANN001
                                                     base_url: str) -> None:
    """At 1280x900 the home page was one 736 px column with two stories above the
    fold: now the latest edition leads and earlier news runs beside it; term pages
    put their cards in two columns, articles their timeline beside the text.  At
    390 px the same pages are one column in the order of the HTML."""
    article = next(p.parent for p in sorted(output.glob("2024/12/20/*/index.html")))
    article_path = "/" + article.relative_to(output).as_posix() + "/"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(base_url + "/", wait_until="load")
        lead, second = _box(page, ".edition-latest"), _box(page, ".front-latest")
        assert lead["x"] + lead["width"] <= second["x"]  # side by side...
        assert abs(lead["y"] - second["y"]) < 2  # ...from the same top line
        assert lead["width"] > 1.5 * second["width"] and second["width"] >= 300
        assert lead["x"] + lead["width"] > 640 and second["x"] + second["width"] > 1100
        headlines = page.locator(".edition-latest .item a, .front-latest .item h3 a")
        above = [i for i in range(headlines.count())
                 if headlines.nth(i).bounding_box()["y"] + 20 < 900]
        assert len(above) >= 4, f"{len(above)} stories above the fold"

        page.goto(base_url + "/topics/energy/", wait_until="load")
        first, other = _box(page, ".cards > li:nth-child(1)"), _box(page, ".cards > li:nth-child(2)")
        assert first["x"] + first["width"] <= other["x"] and abs(first["y"] - other["y"]) < 2

        page.goto(base_url + article_path, wait_until="load")
        text, side = _box(page, ".article-main"), _box(page, ".article-side")
        assert text["x"] + text["width"] <= side["x"] and side["y"] < 300
        assert 560 <= text["width"] <= 720  # the reading measure stays a measure
    finally:
        context.close()

    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(base_url + "/", wait_until="load")
        lead, second = _box(page, ".edition-latest"), _box(page, ".front-latest")
        assert second["y"] >= lead["y"] + lead["height"]  # stacked, lead first
        page.goto(base_url + article_path, wait_until="load")
        text, side = _box(page, ".article-main"), _box(page, ".article-side")
        assert side["y"] >= text["y"] + text["height"]
    finally:
        context.close()


def test_axe_passes_the_new_layouts_in_both_colour_schemes(browser, output: Path,  # noqa: ANN001
                                                          base_url: str) -> None:
    """The phone header, the front page's columns, the week view and the dotted
    lines, checked by axe-core at both widths; colours in light and dark
    (emulate_media switches prefers-color-scheme on the loaded page)."""
    from tests.integration.theme_support import inject_axe
    from tests.tools.axe import format_violations, run_axe

    article = next(p.parent for p in sorted(output.glob("2024/12/20/*/index.html")))
    paths = ["/", "/" + article.relative_to(output).as_posix() + "/", "/editions/2024-W51/",
             "/topics/energy/"]
    problems = []
    for width, height in ((390, 844), (1280, 900)):
        context = browser.new_context(viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            for path in paths:
                page.goto(base_url + path, wait_until="load")
                inject_axe(page)
                for scheme in ("light", "dark"):
                    page.emulate_media(color_scheme=scheme)
                    assert page.evaluate(
                        f"matchMedia('(prefers-color-scheme: {scheme})').matches")
                    violations = run_axe(page, None if scheme == "light" else {
                        "runOnly": {"type": "rule", "values": ["color-contrast"]}})
                    if violations:
                        problems.append(f"{path} {width}px {scheme}:\n"
                                        f"{format_violations(violations)}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)
