"""What ``digest init`` writes for publishing on Netlify: ``netlify.toml``
and the ``requirements.txt`` that pins this digest.

The distribution is ``digest-news``: ``digest`` on PyPI is another project
("pip install digest" deployed it). The pin lives in one place, the site's
``requirements.txt``, which the build command installs, so a deploy runs the
digest the site was made with until the curator changes that line. The
security headers are the repository's own (``tests/workflow/test_netlify.py``
keeps the two files equal): the default theme is written for that
Content-Security-Policy.
"""

from __future__ import annotations

import json
from importlib import metadata

from digest import __version__

DISTRIBUTION = "digest-news"

REQUIREMENTS_TXT = """\
# The digest this site is built with, pinned: the Netlify build installs
# exactly this (netlify.toml). To upgrade, change the line and commit; this
# file is the one place. The [search] extra brings the Pagefind binary.
{requirement}
"""

NETLIFY_TOML = """\
# Netlify: install the digest pinned in requirements.txt, build the site and
# publish output/. A failed build keeps the previous deploy live.
[build]
  command = "pip install -r requirements.txt && digest build"
  publish = "output"

[build.environment]
  PYTHON_VERSION = "3.11"

# Security headers for every response. The default theme has no inline
# scripts or styles, so the policy needs no 'unsafe-inline'; the search page
# runs Pagefind's WebAssembly ('wasm-unsafe-eval' allows compiling it).
[[headers]]
  for = "/*"
  [headers.values]
    Content-Security-Policy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    X-Content-Type-Options = "nosniff"
    Referrer-Policy = "strict-origin-when-cross-origin"
    X-Frame-Options = "DENY"
    Permissions-Policy = "camera=(), microphone=(), geolocation=()"

# Pagefind's index and fragment files are named by their content hash (one
# bundle per month of articles, pagefind/<month>-<name>/): cached for a year.
[[headers]]
  for = "/pagefind/:shard/index/*"
  [headers.values]
    Cache-Control = "public, max-age=31536000, immutable"

[[headers]]
  for = "/pagefind/:shard/fragment/*"
  [headers.values]
    Cache-Control = "public, max-age=31536000, immutable"

# The theme's CSS and JS keep fixed names: a short cache, then revalidation.
[[headers]]
  for = "/static/*"
  [headers.values]
    Cache-Control = "public, max-age=3600, must-revalidate"
"""


def requirement() -> str:
    """The requirement line for the running digest.

    Installed from a git repository (``pip install git+https://...``), the
    line names that repository at the exact commit; otherwise the released
    version from the package index. A local folder or wheel cannot be
    reached from Netlify, so it gets the version pin too.
    """
    try:
        text = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
        direct = json.loads(text) if text else {}
    except (metadata.PackageNotFoundError, ValueError):
        direct = {}
    vcs = direct.get("vcs_info") if isinstance(direct, dict) else None
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return f"{DISTRIBUTION}[search] @ git+{direct['url']}@{vcs['commit_id']}"
    return f"{DISTRIBUTION}[search]=={__version__}"


def files() -> dict[str, str]:
    """netlify.toml and requirements.txt of a new site, by relative path."""
    return {"netlify.toml": NETLIFY_TOML,
            "requirements.txt": REQUIREMENTS_TXT.format(requirement=requirement())}
