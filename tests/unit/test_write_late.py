"""write_site's late files (the search index, made while the pages are
written: digest.output.publish): they join the new tree before the swap; a
failure to make them, or one of them landing on a page, leaves output/ as it
was."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.errors import OutputError
from digest.output.write import Late, scan_output, write_site

PAGES = {"index.html": b"<p>home</p>", "a/index.html": b"<p>a</p>"}


def _tree(output: Path) -> dict[str, bytes]:
    return {rel: (output / rel).read_bytes() for rel in scan_output(output)}


def test_late_files_join_the_tree(tmp_path: Path) -> None:
    output = tmp_path / "output"
    late = Late("pagefind/", lambda: ({"pagefind/x/entry.json": b"{}"}, {"pagefind/x/entry.json": "k"}))
    report = write_site(PAGES, output, stamp="s1", late=late)
    tree = _tree(output)
    assert tree["pagefind/x/entry.json"] == b"{}" and tree["a/index.html"] == b"<p>a</p>"
    assert set(report.files) == set(tree)
    # None: no late files (search off)
    write_site(PAGES, output, stamp="s2", late=Late("pagefind/", lambda: None))
    assert "pagefind/x/entry.json" not in _tree(output)


@pytest.mark.parametrize("files", [{"a/index.html": b"index"},  # onto a page
                                   {"elsewhere.js": b"x"},  # outside its folder
                                   {"index.html/x": b"x"}])  # a page's path as a folder
def test_late_files_never_replace_a_page(tmp_path: Path, files: dict[str, bytes]) -> None:
    output = tmp_path / "output"
    write_site(PAGES, output, stamp="s1")
    before = _tree(output)
    folder = "index.html/" if "index.html/x" in files else "a/" if "a/index.html" in files \
        else "pagefind/"
    with pytest.raises(OutputError) as info:
        write_site({**PAGES, "a/index.html": b"<p>a, edited</p>"}, output, stamp="s2",
                   late=Late(folder, lambda: (files, {})))
    assert info.value.diagnostics[0].code == "url-collision"
    assert _tree(output) == before
    assert not list(tmp_path.glob("output.*"))


def test_a_failed_index_leaves_output_as_it_was(tmp_path: Path) -> None:
    output = tmp_path / "output"
    write_site(PAGES, output, stamp="s1")
    before = _tree(output)

    def fail() -> None:
        raise RuntimeError("Pagefind failed")

    with pytest.raises(RuntimeError, match="Pagefind failed"):
        write_site({**PAGES, "a/index.html": b"<p>a, edited</p>"}, output, stamp="s2",
                   late=Late("pagefind/", fail))
    assert _tree(output) == before
    assert not list(tmp_path.glob("output.*"))


def test_a_page_in_the_late_folder_stays(tmp_path: Path) -> None:
    """A site page at /pagefind/ (an undated page of that slug) and the index's
    files share the folder: neither replaces the other, fresh tree or not."""
    output = tmp_path / "output"
    pages = {**PAGES, "pagefind/index.html": b"<p>about our search</p>"}
    late = Late("pagefind/", lambda: ({"pagefind/x/entry.json": b"{}"}, {}))
    write_site(pages, output, stamp="s1", late=late)
    tree = _tree(output)
    assert tree["pagefind/index.html"] == b"<p>about our search</p>"
    assert tree["pagefind/x/entry.json"] == b"{}"
