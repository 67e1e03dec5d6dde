"""``exclude:`` in digest.yaml: files and folders of content/ digest never reads.

Jekyll has ``exclude:``, Hugo ``ignoreFiles``, Pelican ``STATIC_PATHS``: a
site moved over often keeps files in its content folder that are not
articles (``extra/robots.txt``, ``images/``, old drafts).  A pattern is
matched against the path relative to the content folder, with the rules
of a ``.gitignore`` line, kept to three:

- a pattern without ``/`` (but for a trailing one) matches a file or folder
  *name* at any depth: ``robots.txt``, ``*.bak``;
- a pattern with a ``/`` inside matches the path from the content folder:
  ``extra/robots.txt``, ``2019/*-draft.md``;
- a trailing ``/`` matches folders only: ``extra/``, ``images/``.

``*``, ``?`` and ``[...]`` are shell wildcards (fnmatch, case-sensitive);
an excluded folder is not walked at all.

Pure: no I/O.
"""

from __future__ import annotations

from fnmatch import fnmatchcase


def is_excluded(rel: str, is_dir: bool, patterns: tuple[str, ...]) -> bool:
    """Whether ``rel`` (a path relative to the content folder, POSIX) is excluded."""
    name = rel.rsplit("/", 1)[-1]
    for pattern in patterns:
        folder_only = pattern.endswith("/")
        body = pattern.rstrip("/")
        if folder_only and not is_dir:
            continue
        if fnmatchcase(rel if "/" in body else name, body):
            return True
    return False
