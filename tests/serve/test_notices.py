"""Warnings on rebuilds: only what changed is printed (serve/notices.py)."""

from __future__ import annotations

import time
from pathlib import Path

from digest.errors import Diagnostic
from digest.serve.notices import WarningLog
from tests.serve.test_serve_cli import make_site, serving


def warning(path: str, line: int, message: str = "odd") -> Diagnostic:
    return Diagnostic(severity="warning", code="x", path=path, line=line, message=message,
                      hint="fix it")


def test_the_first_build_prints_every_warning_in_file_order() -> None:
    log = WarningLog()
    lines = log.report([warning("b.md", 1), warning("a.md", 9), warning("a.md", 2)])
    assert lines == ["a.md:2: warning: odd\n    hint: fix it",
                     "a.md:9: warning: odd\n    hint: fix it",
                     "b.md:1: warning: odd\n    hint: fix it"]


def test_rebuilds_print_a_summary_and_only_the_new_warnings() -> None:
    log = WarningLog()
    old = [warning("a.md", 2), warning("b.md", 1), warning("c.md", 4)]
    log.report(old)
    assert log.report(list(reversed(old))) == ["3 warnings as before"]
    lines = log.report([*old, warning("d.md", 3, "new one"), warning("a.md", 1, "newer")])
    assert lines == ["3 warnings as before; 2 new:",
                     "a.md:1: warning: newer\n    hint: fix it",
                     "d.md:3: warning: new one\n    hint: fix it"]
    assert log.report([warning("a.md", 1, "newer")]) == ["1 warning as before; 4 resolved"]
    assert log.report([warning("e.md", 1)]) == ["1 warning resolved; 1 new:",
                                                "e.md:1: warning: odd\n    hint: fix it"]
    assert log.report([]) == ["1 warning resolved"]
    assert log.report([]) == []  # nothing then, nothing now: silence
    assert log.report([warning("f.md", 1)]) == ["1 new warning:",
                                                "f.md:1: warning: odd\n    hint: fix it"]


def _wait_builds(srv, count: int, timeout: float = 20) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while srv.stdout().count("built in") < count:
        assert time.monotonic() < deadline, f"no build {count}: {srv.stderr()}"
        time.sleep(0.05)


def _article(path: Path, title: str, body: str) -> None:
    path.write_text(f"---\ntitle: {title}\nslug: {path.stem}\n"
                    f"date: 2024-12-20T10:32:00+03:00\n---\n\n{body}\n", encoding="utf-8")


def test_saves_do_not_reprint_unchanged_warnings(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    # a control character: the build removes it and warns (sources.clean_article)
    _article(site / "content" / "story-0.md", "Alpha story", "Text\x01 of Alpha.")
    known = "story-0.md:7: warning: removed control characters"
    with serving(site) as srv:
        _wait_builds(srv, 1)
        assert srv.stderr().count(known) == 1
        _article(site / "content" / "story-1.md", "Beta story", "Beta, edited.")
        _wait_builds(srv, 2)
        _article(site / "content" / "story-1.md", "Beta story", "Beta\x02, edited again.")
        _wait_builds(srv, 3)
        err = srv.stderr()
        assert err.count(known) == 1, err  # never printed again
        # the other warning: both stories share a minute (their feed ids are numbered)
        assert err.count("have the same feed id") == 1, err
        assert "2 warnings as before\n" in err
        new = "2 warnings as before; 1 new:\ncontent/story-1.md:7: warning: removed control"
        assert new in err, err
        assert srv.interrupt() == 0
