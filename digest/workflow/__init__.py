"""Curator workflow commands: ``init``, ``new``, ``check`` and ``clean``.

``commands`` wires them into the CLI (``cli._register_extensions`` calls
``commands.register``); ``scaffold`` holds the files they write, ``check``
the site-wide validation and ``links`` the URL rules both need.
"""
