"""Wiring: the recipe (digest.site.build) with the engine the commands use.

``build(site_root, options)`` runs the recipe with a :class:`FastEngine`
(cache, workers, fingerprints) unless the caller passes its own engine:
``digest serve`` keeps one engine across its rebuilds; ``digest build`` tells
its engine what output/ holds (digest.output); tests pass
``engine=PlainEngine()`` for the reference build.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from digest.engine.fast import FastEngine, Probe  # noqa: F401 - Probe: the API
from digest.engine.plain import PlainEngine  # noqa: F401 - the API
from digest.site.build import (  # noqa: F401 - the API
    BuildOptions,
    BuildResult,
    Engine,
    build_now,
    configure,
    select,
)
from digest.site.build import build as run_recipe


def build(site_root: Path, options: BuildOptions | None = None,
          progress: Callable[[str], None] | None = None,
          counts: Callable[[str, int, int], None] | None = None,
          engine: Engine | None = None) -> BuildResult:
    """Build the site in memory (see digest.site.build.build)."""
    return run_recipe(site_root, options or BuildOptions(), engine or FastEngine(),
                      progress, counts)


def probe(site_root: Path, options: BuildOptions, engine: FastEngine | None = None) -> Probe:
    """What the no-op check needs (FastEngine.probe); ``engine``'s next build reuses it."""
    return (engine or FastEngine()).probe(site_root, options)


def quick_input_key(site_root: Path, options: BuildOptions) -> str | None:
    """:meth:`Probe.input_key` of a fresh :func:`probe`."""
    if not options.cache:
        return None
    return probe(site_root, options).input_key(options)
