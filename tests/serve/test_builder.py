"""The builder thread and the last-good-site rule (with the real pipeline)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.errors import DigestError
from digest.pipeline import BuildOptions, build
from digest.serve.builder import SiteBuilder, SiteState

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def article(title: str, date: str = "2024-12-20T10:32:00+03:00") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n---\n\nBody of {title}.\n"


def make_site(root: Path) -> Path:
    (root / "content").mkdir()
    (root / "content" / "first-story.md").write_text(article("First story"))
    (root / "content" / "second-story.md").write_text(
        article("Second story", "2024-12-21T09:00:00+03:00"))
    return root


def html_containing(site: dict[str, bytes], needle: bytes) -> list[str]:
    return [k for k, v in site.items() if k.endswith(".html") and needle in v]


def test_last_good_site_rule_with_the_real_pipeline(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    options = BuildOptions(now=NOW, base_url="http://127.0.0.1:8000/")
    state = SiteState()
    builder = SiteBuilder(lambda: build(root, options).rendered, state)

    assert builder.build_once(), state.snapshot().errors
    good = state.snapshot()
    assert good.site is not None and not good.errors
    assert html_containing(dict(good.site), b"First story")
    assert "index.html" in good.site

    (root / "content" / "first-story.md").write_text("---\ntitle: [\ndate: x\n---\nbody\n")
    assert not builder.build_once()
    broken = state.snapshot()
    assert broken.site is good.site  # the very same mapping is still served
    assert broken.errors and broken.token != good.token
    assert any(d.path and d.path.endswith("first-story.md") for d in broken.errors)
    assert any(d.line is not None for d in broken.errors)

    (root / "content" / "first-story.md").write_text(article("First story, fixed"))
    assert builder.build_once()
    fixed = state.snapshot()
    assert not fixed.errors and fixed.token not in (good.token, broken.token)
    assert fixed.site is not None
    assert html_containing(dict(fixed.site), b"First story, fixed")


def test_broken_config_keeps_last_good_site(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    state = SiteState()
    builder = SiteBuilder(lambda: build(root, BuildOptions(now=NOW)).rendered, state)
    assert builder.build_once(), state.snapshot().errors
    good = state.snapshot().site
    (root / "digest.yaml").write_text("title: [unclosed\n")
    assert not builder.build_once()
    snap = state.snapshot()
    assert snap.site is good
    assert any(d.path == "digest.yaml" for d in snap.errors)


def test_broken_template_keeps_last_good_site(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    state = SiteState()
    builder = SiteBuilder(lambda: build(root, BuildOptions(now=NOW)).rendered, state)
    assert builder.build_once(), state.snapshot().errors
    good = state.snapshot().site
    templates = root / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "article.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<h1>{{ article.title }</h1>\n'
        "{% endblock %}\n")
    assert not builder.build_once()
    snap = state.snapshot()
    assert snap.site is good
    assert any(d.path and d.path.endswith("article.html") and d.line == 3 for d in snap.errors)


def test_first_build_failure_leaves_no_site() -> None:
    state = SiteState()
    builder = SiteBuilder(lambda: (_ for _ in ()).throw(DigestError("broken")), state)
    assert not builder.build_once()
    snap = state.snapshot()
    assert snap.site is None and snap.errors[0].message == "broken"


def test_unexpected_exception_is_reported_not_raised() -> None:
    state = SiteState()
    state.publish_site({"index.html": b"ok"})

    def boom() -> dict[str, bytes]:
        raise KeyError("surprise")

    builder = SiteBuilder(boom, state)
    assert not builder.build_once()
    snap = state.snapshot()
    assert snap.site == {"index.html": b"ok"}
    assert snap.errors[0].code == "internal" and "surprise" in snap.errors[0].message


def test_changes_during_a_build_cause_exactly_one_follow_up() -> None:
    state = SiteState()
    started, release = threading.Event(), threading.Event()
    running = threading.Lock()
    calls: list[int] = []

    def slow_build() -> dict[str, bytes]:
        assert running.acquire(blocking=False), "two builds at once"
        try:
            calls.append(len(calls))
            started.set()
            if len(calls) == 1:
                assert release.wait(5)
            return {"index.html": f"build {len(calls)}".encode()}
        finally:
            running.release()

    builder = SiteBuilder(slow_build, state)
    builder.start()
    try:
        builder.request()
        assert started.wait(5)
        for _ in range(10):  # a burst of changes while the first build runs
            builder.request()
        release.set()
        assert builder.wait_idle(5)
        assert len(calls) == 2
        assert state.snapshot().site == {"index.html": b"build 2"}
        assert state.epoch == 2
    finally:
        builder.stop()


def test_epoch_bumps_on_errors_too() -> None:
    state = SiteState()
    state.publish_site({"a": b"1"})
    token = state.snapshot().token
    state.publish_error([])
    assert state.wait_change(token, 0.01) != token


def test_wait_change_returns_none_after_close() -> None:
    state = SiteState()
    token = state.snapshot().token
    threading.Timer(0.05, state.close).start()
    assert state.wait_change(token, 5) is None


@pytest.mark.parametrize("count", [1, 3])
def test_stop_joins_builder_thread(count: int) -> None:
    builder = SiteBuilder(lambda: {}, SiteState())
    builder.start()
    for _ in range(count):
        builder.request()
    assert builder.wait_idle(5)
    builder.stop()
    assert not [t for t in threading.enumerate() if t.name == "digest-builder"]


# ------------------------------------------------------------------ quiet epochs

def test_unchanged_since_names_only_pages_that_did_not_change() -> None:
    state = SiteState()
    shared = b"<p>same object in both sites</p>"
    state.publish_site({"a/index.html": b"<p>a</p>", "b/index.html": shared})
    first = state.snapshot().token
    state.publish_site({"a/index.html": b"<p>a, edited</p>", "b/index.html": shared})
    assert state.unchanged_since(first, "b/index.html")      # only a/ changed
    assert not state.unchanged_since(first, "a/index.html")
    assert not state.unchanged_since(first, "missing/index.html")  # shows the 404 page
    assert not state.unchanged_since(first, None)            # page unknown: reload
    assert not state.unchanged_since("otherboot.1", "b/index.html")  # restarted server
    state.publish_site({"a/index.html": b"<p>a, edited</p>", "b/index.html": b"<p>b2</p>"})
    assert not state.unchanged_since(first, "b/index.html")  # b/ changed in between
    second = state.snapshot().token
    state.publish_error(DigestError("broken").diagnostics)
    assert not state.unchanged_since(second, "a/index.html")  # the overlay is everywhere
    errored = state.snapshot().token
    state.publish_site({"a/index.html": b"<p>a, edited</p>", "b/index.html": b"<p>b2</p>"})
    assert not state.unchanged_since(errored, "a/index.html")  # the overlay goes away


def test_a_preview_is_published_before_the_build() -> None:
    state = SiteState()
    seen: list[tuple[str, object]] = []

    def full() -> dict[str, bytes]:
        seen.append(("build", state.snapshot().site))
        return {"index.html": b"exact"}

    def preview(reasons: list[object]) -> dict[str, bytes] | None:
        seen.append(("preview", tuple(reasons)))
        return {"index.html": b"preview"}

    builder = SiteBuilder(full, state, preview=preview)
    assert builder.build_once()  # the first build: no preview (nothing was requested)
    assert seen == [("build", None)]
    builder.start()
    try:
        builder.request(["content/a.md", "content/b.md"])
        assert builder.wait_idle(10)
    finally:
        builder.stop()
    assert seen[1] == ("preview", ("content/a.md", "content/b.md"))
    assert seen[2] == ("build", {"index.html": b"preview"})  # served while building
    assert state.snapshot().site == {"index.html": b"exact"}


def test_a_failing_or_declined_preview_still_builds() -> None:
    state = SiteState()
    builds = []

    def full() -> dict[str, bytes]:
        builds.append(1)
        return {"index.html": b"exact"}

    for preview in (lambda reasons: None, lambda reasons: 1 / 0):
        builder = SiteBuilder(full, state, preview=preview)
        builder.start()
        try:
            before = state.epoch
            builder.request(["content/a.md"])
            assert builder.wait_idle(10)
            assert state.epoch == before + 1  # the build only: no preview epoch
        finally:
            builder.stop()
    assert len(builds) == 2


def test_files_published_beside_the_site(tmp_path: Path) -> None:
    """The search index in serve (serve/search.py): files made after a build are
    served with every later site until replaced; only tabs on the pages they
    name (or on the files) reload when they change."""
    state = SiteState()
    state.publish_files({"pagefind/shards.json": b"pending"})  # before any site: kept
    assert state.snapshot().site is None and state.epoch == 0
    state.publish_site({"index.html": b"home", "search/index.html": b"search"})
    first = state.snapshot()
    assert first.site["pagefind/shards.json"] == b"pending"
    index = {"pagefind/shards.json": b"[a]", "pagefind/a/pagefind.js": b"js"}
    state.publish_files(index, also=("search/index.html",))
    second = state.snapshot()
    assert dict(second.site) == {"index.html": b"home", "search/index.html": b"search", **index}
    assert state.unchanged_since(first.token, "index.html")
    assert not state.unchanged_since(first.token, "search/index.html")
    state.publish_files(dict(index), also=("search/index.html",))  # the same: no epoch
    assert state.snapshot().token == second.token
    state.publish_site({"index.html": b"home 2", "search/index.html": b"search"})
    third = state.snapshot()
    assert third.site["pagefind/a/pagefind.js"] == b"js" and third.site["index.html"] == b"home 2"
    state.publish_files({"pagefind/shards.json": b"[b]", "pagefind/b/pagefind.js": b"js"})
    assert "pagefind/a/pagefind.js" not in state.snapshot().site  # replaced as a whole
    state.publish_files({}, also=("search/index.html",))
    assert not [k for k in state.snapshot().site if k.startswith("pagefind/")]


def test_after_step_runs_only_when_no_build_is_pending(tmp_path: Path) -> None:
    state = SiteState()
    ran: list[int] = []
    gate = threading.Event()
    builds: list[int] = []

    def build_site() -> dict[str, bytes]:
        builds.append(1)
        if len(builds) == 1:
            gate.wait(5)  # a second request arrives meanwhile
        return {"index.html": str(len(builds)).encode()}

    builder = SiteBuilder(build_site, state, after=lambda stop: ran.append(len(builds)))
    builder.start()
    try:
        builder.request()
        while not builds:
            threading.Event().wait(0.01)
        builder.request()  # pending while the first build runs
        gate.set()
        assert builder.wait_idle(5)
        threading.Event().wait(0.1)
        assert builder.wait_idle(5)
    finally:
        builder.stop()
    assert len(builds) == 2 and ran == [2]  # after the last build only


def test_after_step_is_told_to_stop_when_a_build_is_requested(tmp_path: Path) -> None:
    """after(stop): stop() turns True as soon as another build is requested
    (or the builder stops), so a long step (the first search index) gives way
    to the edit's build instead of keeping it waiting."""
    state = SiteState()
    builds: list[int] = []
    told: list[bool] = []
    started = threading.Event()

    def build_site() -> dict[str, bytes]:
        builds.append(1)
        return {"index.html": str(len(builds)).encode()}

    def after(stop) -> None:  # noqa: ANN001
        if len(builds) > 1:
            return
        started.set()
        deadline = time.monotonic() + 5
        while not stop():
            assert time.monotonic() < deadline
            time.sleep(0.01)
        told.append(True)

    builder = SiteBuilder(build_site, state, after=after)
    builder.start()
    try:
        builder.request()
        assert started.wait(5) and not told
        builder.request()  # an edit while the after step runs
        assert builder.wait_idle(5)
        assert told == [True] and len(builds) == 2
        assert state.snapshot().site["index.html"] == b"2"
    finally:
        builder.stop()
