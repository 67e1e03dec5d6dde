"""`digest serve`: an I/O shell around ``pipeline.build`` for previewing a site.

- ``builder``: the served state (last good site, error, epoch) and the build thread;
- ``server``: HTTP over that state only (no disk), Host checks, script injection;
- ``watch``: the only watchdog import; filtered, debounced change batches;
- ``overlay``: the reload script tag and the HTML-escaped error overlay;
- ``progress``: the page shown while the first build runs;
- ``notices``: what a rebuild prints about warnings (only what changed);
- ``command``: the ``serve`` subcommand that wires them together.
"""
