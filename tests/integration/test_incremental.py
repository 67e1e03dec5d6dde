"""Issue 3: output is identical, byte for byte, whether built cold, warm or incrementally.

Only the CLI contract is used (``digest --site DIR build [--no-cache] [--jobs N]``,
``digest clean``, the cache in ``<site>/.digest-cache/``), so these tests hold
whatever the cache stores.  The reference is always a *cold* build: the site's
sources (content/, digest.yaml, themes/) copied into a fresh folder that never
had a cache, built there.  Every build runs in its own process with
SOURCE_DATE_EPOCH pinned (conftest.child_env).

The site is generated here: ~30 articles over two years with shared tags,
overlapping vocabulary (so related links and story clusters connect them),
several agencies and authors, a draft, a scheduled article and a clipping,
and ``per_page: 4`` so that one edit moves articles across list pages.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import child_env, note, tree_hash, write_files
from tests.tools import REPO_ROOT

CACHE = ".digest-cache"
BUILD = ("build", "-q", "--no-search")

CONFIG = """\
title: Lakeside Digest
description: News from around the lake
base_url: https://lakeside.example.org/
timezone: Europe/Berlin
per_page: 4
feed_size: 6
search: false
"""

TAGS = ["transport", "ferry", "economy", "market", "weather", "council", "schools",
        "health", "culture", "sport"]
SOURCES = ["Lake Wire", "Harbour Courier", "Valley Press", "Town Hall Bulletin"]
AUTHORS = ["Mara Elling", "Inès Valcourt", "Niamh O'Dwyer", "Søren Hallberg"]
TOPICS = [  # (title words, body words) of a few story lines, so articles relate
    ("Ferry", "ferry crossing pier timetable boats passengers harbour winter pause"),
    ("Market", "market stalls square farmers vendors produce saturday prices"),
    ("Storm", "storm wind rain flooding shore damage warning forecast"),
    ("Council", "council vote budget mayor motion meeting residents plan"),
    ("School", "school pupils teachers term classrooms building repairs funding"),
]


def _article(rng: random.Random, i: int) -> tuple[str, str]:
    topic, words = TOPICS[i % len(TOPICS)]
    vocab = words.split()
    month = 1 + (i * 5) % 12
    year = 2023 + (i % 2)
    day = 1 + (i * 7) % 28
    tz = ["+00:00", "+02:00", "+01:00", "-05:00"][i % 4]
    date = f"{year}-{month:02d}-{day:02d}T{6 + i % 12:02d}:{(i * 13) % 60:02d}:00{tz}"
    tags = sorted(set(rng.sample(TAGS, 1 + i % 3) + [TAGS[i % len(TAGS)]]))
    paragraphs = []
    for p in range(2 + i % 3):
        sentence = " ".join(rng.choice(vocab) for _ in range(18))
        paragraphs.append(f"Paragraph {p + 1} of story {i}: the {sentence}.")
    if i % 6 == 0:
        paragraphs.append("> A quoted *remark* from a **resident**.")
    if i % 7 == 0:
        paragraphs.append("- first point\n- second point\n\nSee [the town](https://example.org/).")
    fields = {"tags": "[" + ", ".join(tags) + "]", "source": f'"{SOURCES[i % len(SOURCES)]}"',
              "author": f'"{AUTHORS[i % len(AUTHORS)]}"'}
    if i % 2:
        fields["summary"] = f'"A short summary of {topic.lower()} story {i}."'
    folder = f"{year}/" if i % 3 else ""
    title = f"{topic} story {i}: {rng.choice(vocab)} and {rng.choice(vocab)}"
    return (f"content/{folder}{topic.lower()}-{i:02d}.md",
            note(title, date, "\n\n".join(paragraphs), **fields))


def make_incremental_site(root: Path, articles: int = 30) -> Path:
    rng = random.Random(20240917)
    files: dict[str, str] = dict(_article(rng, i) for i in range(articles))
    files["content/draft-ferry.md"] = note("Ferry draft not to publish", "2024-06-01T10:00:00Z",
                                           "Draft ferry text.", tags="[ferry]", draft="true")
    files["content/scheduled-market.md"] = note("Market scheduled for next year",
                                                "2025-06-01T10:00:00Z", "Future market text.",
                                                tags="[market]")
    files["content/clippings/storm.txt"] = ("Storm closes the pier\n\n12:05, 13 April\n\n"
                                            "The storm warning closed the ferry pier for a day.\n")
    files["digest.yaml"] = CONFIG
    root.mkdir(parents=True, exist_ok=True)
    write_files(root, files)
    return root


# ---------------------------------------------------------------------------- helpers

def digest(site: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "digest", "--site", str(site), *args],
                            cwd=site, env=child_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen[str], timeout: float = 60) -> None:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"{proc.args}\nexit {proc.returncode}\n{out}\n{err}"


def build(site: Path, *extra: str) -> None:
    finish(digest(site, *BUILD, *extra))


def copy_sources(site: Path, dest: Path) -> Path:
    """content/, digest.yaml and themes/ of ``site`` in a fresh folder (no output, no cache)."""
    dest.mkdir(parents=True)
    shutil.copytree(site / "content", dest / "content")
    shutil.copy2(site / "digest.yaml", dest / "digest.yaml")
    if (site / "themes").exists():
        shutil.copytree(site / "themes", dest / "themes")
    return dest


def build_with_cold_reference(site: Path, scratch: Path, *extra: str) -> dict[str, str]:
    """Build ``site`` in place (cache as it is) and, at the same time, a cold copy of its
    sources; returns the cold copy's output tree hash."""
    cold = copy_sources(site, scratch)
    procs = [digest(site, *BUILD, *extra), digest(cold, *BUILD)]
    for proc in procs:
        finish(proc)
    return tree_hash(cold / "output")


def diff(got: dict[str, str], want: dict[str, str]) -> list[str]:
    """Paths that differ between two output trees ('+' only in got, '-' only in want)."""
    lines = []
    for key in sorted(got.keys() | want.keys()):
        if key not in want:
            lines.append(f"+ {key}")
        elif key not in got:
            lines.append(f"- {key}")
        elif got[key] != want[key]:
            lines.append(f"~ {key}")
    return lines


def assert_same_tree(got: dict[str, str], want: dict[str, str]) -> None:
    assert len(want) > 20, "the reference build wrote almost nothing"
    differing = diff(got, want)
    assert differing == [], f"{len(differing)} paths differ from the cold build: {differing[:40]}"


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def first_field(path: Path, key: str) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{key}: "):
            return line
    raise AssertionError(f"no {key}: in {path}")


# ---------------------------------------------------------------------------- edits
# Each edit takes the site folder and changes its sources the way a curator would.

def edit_title(site: Path) -> None:
    path = site / "content/2024/ferry-05.md"
    line = first_field(path, "title")
    replace_in(path, line, 'title: "Ferry timetable rewritten for the summer season"')


def edit_tags(site: Path) -> None:
    path = site / "content/2023/market-16.md"
    replace_in(path, first_field(path, "tags"), "tags: [weather, brand-new-tag, council]")


def edit_date(site: Path) -> None:
    # from early in the corpus to the newest article: moves across pages, archives, feeds
    path = site / "content/2024/storm-07.md"
    replace_in(path, first_field(path, "date"), "date: 2024-12-20T18:30:00+01:00")


def edit_body(site: Path) -> None:
    path = site / "content/school-09.md"
    with path.open("a", encoding="utf-8") as f:
        f.write("\nAn appended paragraph about the ferry pier and the market square.\n")


def add_article(site: Path) -> None:
    write_files(site, {"content/2024/ferry-new.md": note(
        "Ferry crossing adds a night boat", "2024-11-30T21:15:00+01:00",
        "The ferry crossing adds a night boat for passengers from the pier.\n\n"
        "The harbour timetable changes in winter.",
        tags="[ferry, transport, night]", source='"Lake Wire"', author='"Mara Elling"')})


def delete_article(site: Path) -> None:
    (site / "content/council-03.md").unlink()


def rename_article(site: Path) -> None:
    # the slug comes from the file name: the old URL must disappear from output/
    (site / "content/2023/school-04.md").rename(site / "content/school-moves-to-new-term.md")


def edit_clipping(site: Path) -> None:
    replace_in(site / "content/clippings/storm.txt", "for a day", "for two days and a night")


def edit_config(site: Path) -> None:
    replace_in(site / "digest.yaml", "title: Lakeside Digest", "title: Lakeshore Weekly")


def add_theme(site: Path) -> None:
    base = (REPO_ROOT / "themes/default/templates/base.html").read_text(encoding="utf-8")
    assert "</footer>" in base
    write_files(site, {
        "themes/custom/templates/base.html":
            base.replace("</footer>", '<p class="custom">Custom theme v1</p>\n</footer>', 1),
        "themes/custom/static/custom.css": ".custom { color: #333; }\n",
    })
    with (site / "digest.yaml").open("a", encoding="utf-8") as f:
        f.write("theme: custom\n")


def edit_theme(site: Path) -> None:
    replace_in(site / "themes/custom/templates/base.html", "Custom theme v1", "Custom theme v2")
    replace_in(site / "themes/custom/static/custom.css", "#333", "#444")


def restore_article(site: Path) -> None:
    """Bring back the deleted article (same path, same content as before)."""
    rng = random.Random(20240917)
    articles = dict(_article(rng, i) for i in range(30))
    write_files(site, {"content/council-03.md": articles["content/council-03.md"]})


EDITS = [  # applied in this order to one site, each followed by an incremental build
    ("title", edit_title),
    ("tags", edit_tags),
    ("date", edit_date),
    ("body", edit_body),
    ("add-article", add_article),
    ("delete-article", delete_article),
    ("restore-article", restore_article),
    ("rename-article", rename_article),
    ("clipping", edit_clipping),
    ("config-title", edit_config),
    ("add-theme", add_theme),
    ("edit-theme", edit_theme),
]


@pytest.fixture(scope="module")
def edit_chain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """One site, built once (warm cache), then each edit of EDITS followed by an
    incremental build; for each edit, the paths that differ from a cold build of
    the same sources ([] when identical).  Failures of a build are recorded too."""
    root = tmp_path_factory.mktemp("incremental")
    site = make_incremental_site(root / "site")
    build(site)
    assert (site / "output" / "index.html").is_file()
    results: dict[str, list[str]] = {}
    previous = tree_hash(site / "output")
    for n, (name, edit) in enumerate(EDITS):
        edit(site)
        try:
            want = build_with_cold_reference(site, root / f"cold-{n}-{name}")
        except AssertionError as exc:
            results[name] = [f"build failed: {exc}"]
            continue
        got = tree_hash(site / "output")
        results[name] = diff(got, want)
        # the edit must show in the output, or it tests nothing
        if want == previous:
            results[name].append("(test bug: the edit did not change the cold output)")
        previous = got
    return results


@pytest.mark.parametrize("name", [name for name, _ in EDITS])
def test_incremental_build_equals_cold_build(edit_chain: dict[str, list[str]], name: str
                                             ) -> None:
    differing = edit_chain[name]
    assert differing == [], (f"after edit '{name}', {len(differing)} paths differ from a cold "
                             f"build: {differing[:40]}")


def test_cache_is_written_in_the_site(tmp_path: Path) -> None:
    site = make_incremental_site(tmp_path / "site", articles=8)
    build(site)
    cache = site / CACHE
    assert cache.is_dir() and any(p.is_file() for p in cache.rglob("*")), \
        "no cache files under .digest-cache/ after a build"


def test_noop_rebuild_leaves_output_byte_identical(tmp_path: Path) -> None:
    site = make_incremental_site(tmp_path / "site")
    want = build_with_cold_reference(site, tmp_path / "cold")
    first = tree_hash(site / "output")
    assert_same_tree(first, want)
    build(site)  # warm, nothing changed
    assert tree_hash(site / "output") == first


def test_corrupt_cache_is_detected_and_rebuilt(tmp_path: Path) -> None:
    """Every cache file truncated or replaced by garbage: the build must not trust it."""
    site = make_incremental_site(tmp_path / "site")
    build(site)
    edit_tags(site)
    edit_title(site)
    cache_files = sorted(p for p in (site / CACHE).rglob("*") if p.is_file())
    assert cache_files, "no cache files to corrupt"
    for n, path in enumerate(cache_files):
        size = path.stat().st_size
        if n % 3 == 0:
            path.write_bytes(b"")                          # truncated to nothing
        elif n % 3 == 1:
            path.write_bytes(path.read_bytes()[: size // 2])  # cut in the middle
        else:
            path.write_bytes(os.urandom(max(size, 64)))   # garbage of the same size
    want = build_with_cold_reference(site, tmp_path / "cold")
    assert_same_tree(tree_hash(site / "output"), want)
    # and the rebuilt cache serves the next (no-op) build correctly
    build(site)
    assert_same_tree(tree_hash(site / "output"), want)


def test_garbage_in_same_named_cache_files_after_edit(tmp_path: Path) -> None:
    """A cache emptied of content but with its folder layout kept (e.g. a half-restored
    CI cache): same result as cold."""
    site = make_incremental_site(tmp_path / "site")
    build(site)
    cache_files = [p for p in (site / CACHE).rglob("*") if p.is_file()]
    assert cache_files, "no cache files to overwrite"
    for path in cache_files:
        path.write_bytes(b"\x00" * 16)
    add_article(site)
    want = build_with_cold_reference(site, tmp_path / "cold")
    assert_same_tree(tree_hash(site / "output"), want)


def test_hand_edited_output_is_not_trusted(tmp_path: Path) -> None:
    """Files of output/ changed or removed after a build (by hand, by a post-processor):
    the next build still writes exactly the cold output."""
    site = make_incremental_site(tmp_path / "site")
    build(site)
    out = site / "output"
    pages = sorted(p for p in out.rglob("index.html") if p.parent != out)
    assert len(pages) > 10
    with (out / "index.html").open("a", encoding="utf-8") as f:
        f.write("<!-- minified by hand -->\n")
    pages[0].write_text("<p>replaced</p>\n", encoding="utf-8")
    pages[len(pages) // 2].unlink()
    (out / "stray.html").write_text("<p>not built by digest</p>\n", encoding="utf-8")
    want = build_with_cold_reference(site, tmp_path / "cold")
    assert_same_tree(tree_hash(out), want)


def test_no_cache_flag(tmp_path: Path) -> None:
    """--no-cache builds from scratch: it works on a fresh site, and it ignores a warm
    cache that no longer matches the sources."""
    site = make_incremental_site(tmp_path / "site")
    build(site, "--no-cache")
    assert (site / "output" / "index.html").is_file()
    build(site)  # warm the cache
    edit_date(site)
    edit_config(site)
    want = build_with_cold_reference(site, tmp_path / "cold", "--no-cache")
    assert_same_tree(tree_hash(site / "output"), want)


def test_same_size_edit_with_restored_mtime(tmp_path: Path) -> None:
    """A content change that keeps the file's size and modification time (rsync -t,
    an archive restore, a fast editor within one timestamp tick) is still seen."""
    site = make_incremental_site(tmp_path / "site")
    build(site)
    path = site / "content/2024/ferry-05.md"
    stat = path.stat()
    line = first_field(path, "title")
    new = line.replace("Ferry story", "Ferry STORY")
    assert len(new) == len(line) and new != line
    replace_in(path, line, new)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    want = build_with_cold_reference(site, tmp_path / "cold")
    assert_same_tree(tree_hash(site / "output"), want)


def test_cache_survives_moving_the_site(tmp_path: Path) -> None:
    """A site folder moved (or a CI cache restored) elsewhere, with its cache: an edit
    after the move still gives the cold result."""
    site = make_incremental_site(tmp_path / "a" / "site")
    build(site)
    moved = tmp_path / "b" / "elsewhere"
    moved.parent.mkdir()
    shutil.copytree(site, moved, symlinks=True)
    shutil.rmtree(site)
    edit_tags(moved)
    delete_article(moved)
    want = build_with_cold_reference(moved, tmp_path / "cold")
    assert_same_tree(tree_hash(moved / "output"), want)


def test_parallel_build_equals_serial_cold_build(tmp_path: Path) -> None:
    """--jobs 2, cold and then incremental, writes the same bytes as a serial cold build."""
    site = make_incremental_site(tmp_path / "site")
    want = build_with_cold_reference(site, tmp_path / "cold0", "--jobs", "2")
    assert_same_tree(tree_hash(site / "output"), want)
    edit_tags(site)
    add_article(site)
    want = build_with_cold_reference(site, tmp_path / "cold1", "--jobs", "2")
    assert_same_tree(tree_hash(site / "output"), want)


def test_clean_then_build_equals_cold_build(tmp_path: Path) -> None:
    site = make_incremental_site(tmp_path / "site")
    build(site)
    edit_title(site)
    finish(digest(site, "clean"))
    assert not (site / CACHE).exists() and not (site / "output").exists()
    want = build_with_cold_reference(site, tmp_path / "cold")
    assert_same_tree(tree_hash(site / "output"), want)


def test_changing_base_url_rewrites_every_page(tmp_path: Path) -> None:
    """Parsing and enrichment are cached without the base URL (serve and build share
    them), but every page shows it (canonical links, feeds): a new base_url must
    not reuse a single page of the last build."""
    site = make_incremental_site(tmp_path / "site")
    build(site)
    replace_in(site / "digest.yaml", "https://lakeside.example.org/",
               "https://lake.example.net/")
    want = build_with_cold_reference(site, tmp_path / "cold")
    assert_same_tree(tree_hash(site / "output"), want)


def test_a_build_failing_in_render_keeps_output_and_its_early_cache_is_sound(
        tmp_path: Path) -> None:
    """Parsed articles and enrichment are written to the cache while the pages
    render (BuildCache.flush_early); a template error then fails the build:
    output/ and the record of what it holds stay as they were, and the next
    build, after the fix, equals a cold build."""
    site = make_incremental_site(tmp_path / "site")
    build(site)
    before = tree_hash(site / "output")
    pages_record = (site / CACHE / "pages.pickle").read_bytes()
    edit_body(site)
    base = (REPO_ROOT / "themes/default/templates/article.html").read_text(encoding="utf-8")
    write_files(site, {"themes/broken/templates/article.html":
                       base.replace("{% block main %}", "{% block main %}{{ article.nope.x }}", 1)})
    with (site / "digest.yaml").open("a", encoding="utf-8") as f:
        f.write("theme: broken\n")
    proc = digest(site, *BUILD)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, (out, err)
    assert "article.html" in err
    assert tree_hash(site / "output") == before
    assert (site / CACHE / "pages.pickle").read_bytes() == pages_record
    shutil.rmtree(site / "themes/broken")
    replace_in(site / "digest.yaml", "theme: broken\n", "")
    want = build_with_cold_reference(site, tmp_path / "cold")
    assert_same_tree(tree_hash(site / "output"), want)


def test_an_edit_that_duplicates_a_feed_id_fails_and_keeps_output(tmp_path: Path) -> None:
    """An incremental build makes feed ids in another process (render.early):
    a duplicate ``id:`` is still the error naming both files, exit non-zero,
    output/ as the last build left it; mended, the build equals a cold one."""
    site = make_incremental_site(tmp_path / "site", articles=12)
    files = [p for p in sorted((site / "content").rglob("*.md"))
             if not p.name.startswith(("draft", "scheduled"))]
    first, second = files[0], files[1]
    for path in (first, second):
        replace_in(path, "---\ntitle:", f"---\nid: tag:lakeside,{path.stem}\ntitle:")
    build(site)
    before = tree_hash(site / "output")
    original = second.read_text(encoding="utf-8")
    replace_in(second, f"id: tag:lakeside,{second.stem}", f"id: tag:lakeside,{first.stem}")
    proc = digest(site, *BUILD)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0, out + err
    rel_first, rel_second = (p.relative_to(site).as_posix() for p in (first, second))
    assert rel_first in err and rel_second in err and "feed id" in err, err
    assert tree_hash(site / "output") == before
    second.write_text(original, encoding="utf-8")
    want = build_with_cold_reference(site, tmp_path / "cold")
    assert_same_tree(tree_hash(site / "output"), want)
