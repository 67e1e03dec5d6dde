"""Issue 2: output/ is replaced atomically or not at all.

Failures are injected into a child Python process (a full `digest build`)
so that real signals and real exits are exercised.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.integration.conftest import (
    child_env,
    cli,
    leftovers,
    make_site,
    note,
    output_files,
    tree_hash,
    write_files,
)

# Runs `digest build` with open() patched in digest/output/{write,staging,spare}.py: after K
# files it fails (ENOSPC / EACCES) or announces itself on stderr and sleeps (to be signalled).
CHILD = textwrap.dedent("""
    import builtins, errno, os, sys, time
    import digest.output.spare, digest.output.staging, digest.output.write

    how, limit, site = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    real_open = builtins.open
    count = 0

    def patched_open(file, mode="r", *args, **kwargs):
        global count
        if "w" in mode:
            count += 1
            if count > limit:
                if how == "enospc":
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
                if how == "eacces":
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
                if how == "sleep":
                    print("CHILD-WRITING", file=sys.stderr, flush=True)
                    time.sleep(120)
        return real_open(file, mode, *args, **kwargs)

    digest.output.write.open = patched_open
    digest.output.staging.open = patched_open  # the tree a cold build fills while rendering
    digest.output.spare.open = patched_open  # a recycled or prelinked spare tree
    from digest.cli import main
    sys.exit(main(["--site", site, "build", *sys.argv[4:]]))
""")


def start_child(site: Path, how: str, limit: int, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CHILD, how, str(limit), str(site), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=child_env(), cwd=site)


def staging_dirs(site: Path) -> list[Path]:
    return sorted(site.glob("output.tmp-*"))


@pytest.mark.parametrize(("how", "reason"), [("enospc", "No space left on device"),
                                             ("eacces", "Permission denied")])
def test_write_failure_leaves_output_untouched(built_site: Path, how: str, reason: str) -> None:
    write_files(built_site, {"content/a-new-article.md": note("A new article", "2024-05-06")})
    before = tree_hash(built_site / "output")
    child = start_child(built_site, how, 5)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 1, err
    assert f"could not write the site: {reason}; output/ was left as it was" in err
    assert "hint: check free disk space and permissions" in err
    assert "Traceback" not in err and out == ""
    assert tree_hash(built_site / "output") == before
    assert leftovers(built_site) == []


# --no-cache: a cold build, which writes pages into its staging tree while it
# still renders (digest.output.staging); otherwise write_site writes after rendering.
@pytest.mark.parametrize("args", [(), ("--no-cache",)], ids=["incremental", "cold"])
@pytest.mark.parametrize(("signum", "status", "said"), [
    (signal.SIGTERM, 128 + signal.SIGTERM, "terminated"),
    (signal.SIGINT, 130, "interrupted"),
])
def test_signal_mid_write_leaves_output_untouched(built_site: Path, signum: int, status: int,
                                                  said: str, args: tuple[str, ...]) -> None:
    write_files(built_site, {"content/a-new-article.md": note("A new article", "2024-05-06")})
    before = tree_hash(built_site / "output")
    child = start_child(built_site, "sleep", 4, *args)
    try:
        assert child.stderr is not None
        line = child.stderr.readline()
        assert "CHILD-WRITING" in line, line + child.stderr.read()
        assert len(staging_dirs(built_site)) == 1  # really in the middle of writing
        child.send_signal(signum)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == status, err
    assert f"digest: {said}; output/ was left as it was" in err
    assert "Traceback" not in err
    assert tree_hash(built_site / "output") == before
    assert leftovers(built_site) == []


def test_cli_restores_the_previous_sigterm_handler(site: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    assert cli(site, "build", "-q").code == 0
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.parametrize("args", [(), ("--no-cache",)], ids=["incremental", "cold"])
def test_sigkill_leftovers_are_cleaned_by_the_next_run(built_site: Path,
                                                       args: tuple[str, ...]) -> None:
    write_files(built_site, {"content/a-new-article.md": note("A new article", "2024-05-06")})
    before = tree_hash(built_site / "output")
    child = start_child(built_site, "sleep", 4, *args)
    try:
        assert child.stderr is not None
        assert "CHILD-WRITING" in child.stderr.readline()
        child.kill()  # no handler can run: the staging dir stays behind
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert tree_hash(built_site / "output") == before
    assert len(staging_dirs(built_site)) == 1
    run = cli(built_site, "build", "-q")
    assert run.code == 0, run
    assert leftovers(built_site) == []
    assert "2024/05/06/a-new-article/index.html" in output_files(built_site)


def test_signal_between_the_swap_renames_rolls_back(built_site: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C after output/ was moved aside but before the new tree took its place."""
    write_files(built_site, {"content/a-new-article.md": note("A new article", "2024-05-06")})
    before = tree_hash(built_site / "output")
    real_replace = os.replace
    calls: list[str] = []

    def replace(src: str | Path, dst: str | Path) -> None:
        calls.append(Path(src).name)
        real_replace(src, dst)
        if len(calls) == 1:  # output -> output.old-*: now the signal arrives
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", replace)
    run = cli(built_site, "build")
    monkeypatch.undo()
    assert run.code == 130, run
    assert calls[0] == "output" and calls[-1].startswith("output.old-")  # rolled back
    assert tree_hash(built_site / "output") == before
    assert leftovers(built_site) == []


def test_an_old_tree_without_output_is_restored(built_site: Path) -> None:
    """A run killed between the swap renames leaves only output.old-*: the next run
    puts it back instead of deleting the previous site."""
    from digest.output.write import clean_leftovers

    before = tree_hash(built_site / "output")
    os.replace(built_site / "output", built_site / "output.old-0123456789ab")
    foreign = built_site / "output.old-notours"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not digest's", encoding="utf-8")
    clean_leftovers(built_site / "output")
    assert tree_hash(built_site / "output") == before
    assert leftovers(built_site) == ["output.old-notours"]  # no marker: never touched


def test_stale_pages_disappear(built_site: Path) -> None:
    out = built_site / "output"
    page = out / "2024/05/02/ferry-service-resumes-on-the-lake/index.html"
    assert page.is_file() and (out / "tags/lake/index.html").is_file()
    (built_site / "content/ferry-service-resumes-on-the-lake.md").unlink()
    run = cli(built_site, "build", "-q")
    assert run.code == 0, run
    assert not page.exists()
    assert not (out / "2024/05/02").exists()
    assert not (out / "tags/lake").exists()  # its only article is gone
    assert "ferry-service" not in (out / "feed.xml").read_text(encoding="utf-8")
    assert (out / "2024/05/04/old-bridge-closes-for-repairs/index.html").is_file()


# ------------------------------------------------------------------ refusals

def _refused(site: Path, output_dir: str) -> None:
    write_files(site, {"digest.yaml": f"output_dir: {output_dir!r}\n"})
    before = tree_hash(site)
    run = cli(site, "build")
    assert run.code == 1, run
    assert "refusing to write the site to" in run.err, run
    assert "hint: set output_dir in digest.yaml" in run.err
    assert tree_hash(site) == before
    assert run.out == ""


@pytest.mark.parametrize(("output_dir", "why"), [
    (".", "is the site folder or one of its parents"),
    ("..", "is the site folder or one of its parents"),
    ("content", "overlaps the content or theme folder"),
    ("content/2024", "overlaps the content or theme folder"),
])
def test_refuses_site_and_content_folders(site: Path, output_dir: str, why: str) -> None:
    _refused(site, output_dir)
    assert why in cli(site, "build").err


def test_refuses_a_foreign_non_empty_folder(site: Path) -> None:
    write_files(site, {"public/index.html": "<p>my own page</p>\n"})
    _refused(site, "public")
    assert "is a non-empty folder that digest did not create" in cli(site, "build").err


def test_refuses_a_symlink(site: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    os.symlink(target, site / "output")
    _refused(site, "output")
    assert "is a symlink" in cli(site, "build").err
    assert list(target.iterdir()) == []


def test_refuses_a_file(site: Path) -> None:
    write_files(site, {"out.txt": "a file\n"})
    _refused(site, "out.txt")


def test_an_empty_folder_is_accepted(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("Lone article", "2024-01-02")},
                     config="output_dir: public\n")
    (site / "public").mkdir()
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    assert (site / "public/index.html").is_file()
    assert (site / "public/.digest-build").is_file()
    assert not (site / "output").exists()
