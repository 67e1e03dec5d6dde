"""The ``memo`` filter: render a macro once per build for the same arguments.

A list "card" of an article appears on its term pages, archives and home
pages; the link to a related article on every article page relating to it;
a term's link on every article tagged with it; the site header and footer on
every page.  Rendering such a piece again costs the same escapes and lookups
each time, and pages are mostly made of them.  In a template::

    {% macro _card(article) %}<li>{{ article.title }}</li>{% endmacro %}
    {{ _card | memo(article) }}

is ``_card(article)``, rendered the first time these arguments are seen and
returned as it was afterwards (``memoised``, below, makes such a callable).  A filter, not a ``{% call %}`` block: Jinja
calls filters directly, while a call block builds a macro and goes through
``Context.call`` on every use, which cost as much as the markup it saved.

The contract: the macro's output must be a function of its arguments (and of
the build's globals: ``site``, filters), and the arguments must not change
during the build.  Pages stay a function of what they show, so page
fingerprints are unaffected (but a piece must not look up ``by_url`` itself:
see render/watch.py).  Keys: strings by value; anything else
(articles, numbers) by identity, the object kept alive so that its id cannot
be taken by another (1 and True are equal but do not render alike; a large
number merely misses).  The macro is keyed by its compiled code, so macros of
two templates (a custom theme's and the default's) never share entries, while
the new macro object each page's render makes still hits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
from jinja2.nodes import EvalContext
from markupsafe import Markup

from digest.site.render.watch import memo_piece


def make_memo() -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Fresh ``memo`` and ``memoised`` filters (one pair per environment, so
    per build), sharing their entries."""
    store: dict[tuple, tuple[tuple, Markup | str]] = {}

    @jinja2.pass_eval_context
    def memo(eval_ctx: EvalContext, macro: Any, *args: Any) -> Any:
        code = getattr(getattr(macro, "_func", None), "__code__", None)
        if code is None:  # not a Jinja macro: a plain callable, not remembered
            return macro(*args)
        key = (code, eval_ctx.autoescape, *[a if type(a) is str else id(a) for a in args])
        hit = store.get(key)
        if hit is None:
            # the eval context makes the macro escape as the calling template does;
            # other pages show the piece without running it (engine/access.py)
            with memo_piece():
                hit = store[key] = (args, macro(eval_ctx, *args))  # args kept alive
        return hit[1]

    @jinja2.pass_eval_context
    def memoised(eval_ctx: EvalContext, macro: Any) -> Callable[..., Any]:
        """``{% set card = _card | memoised %}``: ``card(x)`` is ``_card | memo(x)``.
        For a macro other templates import and call in loops (article_item):
        their calls stay as they are and skip a macro call of their own."""

        def call(*args: Any, **kwargs: Any) -> Any:
            if kwargs:  # keyword arguments: not remembered
                return macro(*args, **kwargs)
            return memo(eval_ctx, macro, *args)

        return call

    return memo, memoised
