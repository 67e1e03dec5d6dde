"""Find template syntax left over from Jekyll/Hugo in Markdown bodies.

digest never evaluates template syntax in content (reliability.md, item 4):
``{% include %}``, ``{{ page.title }}`` and ``{{< figure >}}`` are rendered as
the literal text they are.  ``digest check`` uses this module to list them so
a curator migrating a site can rewrite them.

Pure: takes the body text, returns findings.
"""

from __future__ import annotations

import re

# Hugo shortcodes first: "{{<" would otherwise read as a Liquid output tag.
# Each construct is bounded (500 characters) so an unclosed "{{" costs a
# bounded scan, not a quadratic one.
_CONSTRUCT = re.compile(
    r"(?P<hugo>\{\{[<%].{0,500}?[>%]\}\})"
    r"|(?P<tag>\{%.{0,500}?%\})"
    r"|(?P<output>\{\{.{0,500}?\}\})",
    re.S,
)
_KINDS = {"hugo": "hugo-shortcode", "tag": "liquid-tag", "output": "liquid-output"}
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def find_template_constructs(body: str) -> list[tuple[str, int]]:
    """Return (kind, 1-based body line) for each template construct in ``body``.

    kind is "liquid-tag" (``{% %}``), "liquid-output" (``{{ }}``) or
    "hugo-shortcode" (``{{< >}}``, ``{{% %}}``).  Constructs inside fenced code
    blocks are skipped: there they are examples, not leftovers.
    """
    if "{" not in body:
        return []
    masked = _mask_fences(body)
    found = []
    line, pos = 1, 0
    for m in _CONSTRUCT.finditer(masked):
        line += masked.count("\n", pos, m.start())
        pos = m.start()
        found.append((_KINDS[m.lastgroup or "output"], line))
    return found


def _mask_fences(body: str) -> str:
    """Blank out fenced code blocks, keeping line breaks so line numbers hold."""
    lines = body.split("\n")
    fence: str | None = None
    for i, text in enumerate(lines):
        m = _FENCE.match(text)
        if fence is None:
            if m and not (m.group(1)[0] == "`" and "`" in text[m.end():]):
                fence = m.group(1)
                lines[i] = ""
        else:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                    and not text[m.end():].strip():
                fence = None
            lines[i] = ""
    return "\n".join(lines)
