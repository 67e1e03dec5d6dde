"""How the recipe (digest.site.build) runs fast, and the plain reference it is tested against.

- :mod:`digest.engine.plain`: every step in order, in this process, from
  scratch: no cache, no workers.  The reference.
- :mod:`digest.engine.fast`: the same steps with the persistent cache
  (.digest-cache/), forked workers and the garbage collector's tuning, exact
  incremental enrichment, page fingerprints and template access levels.  It
  must produce the plain engine's bytes (tests/integration/test_engine_differential.py).

An engine object may live across builds (``digest serve``): what it carries
from one build to the next (the loaded cache, the last build's fingerprints)
lives in it, not in BuildOptions.
"""

from digest.engine.fast import FastEngine  # noqa: F401 - the API
from digest.engine.plain import PlainEngine  # noqa: F401 - the API
