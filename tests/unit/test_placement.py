"""digest.output.placement: hints that change where folders go, never what they hold."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from digest.output import placement


def test_top_folders_are_made_under_their_own_name(tmp_path: Path) -> None:
    placement.spread_tree(tmp_path)  # True on ext2/3/4, False elsewhere: both fine
    placement.make_top_folder(str(tmp_path), "2024")
    (tmp_path / "2024" / "x.html").write_text("x")
    assert sorted(os.listdir(tmp_path)) == ["2024"]  # no temporary name left behind
    with pytest.raises(FileExistsError):
        placement.make_top_folder(str(tmp_path), "2024")
    assert (tmp_path / "2024" / "x.html").read_text() == "x"  # never replaced


def test_racing_threads_make_one_folder_and_lose_no_file(tmp_path: Path) -> None:
    """rename() would replace an empty folder: the second maker must fail instead."""
    errors: list[BaseException] = []

    def make(k: int) -> None:
        try:
            placement.make_top_folder(str(tmp_path), "tags")
        except FileExistsError:
            pass
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        (tmp_path / "tags" / f"{k}.html").write_text(str(k))

    threads = [threading.Thread(target=make, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(os.listdir(tmp_path / "tags")) == sorted(f"{k}.html" for k in range(8))
    assert os.listdir(tmp_path) == ["tags"]


def test_spread_tree_never_fails_on_what_it_cannot_mark(tmp_path: Path) -> None:
    assert placement.spread_tree(tmp_path / "missing") is False
    (tmp_path / "file").write_text("x")
    assert placement.spread_tree(tmp_path / "file") is False
