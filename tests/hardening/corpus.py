"""A site full of hostile content, and checks that no output file carries live code.

"Live" means markup a browser or feed reader would act on: a ``<script``
element (other than the JSON-LD block and the theme's own search script), an
``on*=`` event-handler attribute, or a ``javascript:``/``vbscript:``/``data:``
URL in an ``href``/``src``/``action``... attribute.  The same words as *text*
(escaped, e.g. ``&lt;img onerror=...&gt;`` or a link Markdown refused to make)
are harmless and expected.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.etree
import lxml.html

SENTINEL = "SENTINEL-CREATED"
PAYLOAD = f"touch {SENTINEL}"

HOSTILE_TITLE = '"><script>alert(1)</script></title><img src=x onerror=alert(2)> & {{ config }}'
HOSTILE_SUMMARY = '</title><script>alert(1)</script> & " quotes'
HOSTILE_SOURCE = 'A&B <i>Agency</i> "quoted"'
HOSTILE_BODY = f"""\
Intro <script>alert(1)</script> and <img src=x onerror=alert(1)> and
<iframe src="javascript:alert(1)"></iframe> <svg onload=alert(1)>

<a href="javascript:alert(1)" onclick="alert(1)">raw link</a>

[click](javascript:alert(1)) [v](vbscript:msgbox(1)) [f](file:///etc/passwd)
[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) <javascript:alert(1)>
![i](javascript:alert(1)) [x](JaVaScRiPt:alert(1)) [e](&#106;avascript:alert(1)) [ref]

[ref]: javascript:alert(1)

{{{{ config }}}} {{{{ site.title }}}} {{% include "../../../etc/passwd" %}}
{{{{ cycler.__init__.__globals__.os.popen("{PAYLOAD}").read() }}}}
{{% for x in range(10**9) %}}loop{{% endfor %}} {{# comment #}}

Control \x01 \x0b \x1f characters, a CDATA end ]]> and & ampersands; emoji \U0001F389.

<style>body{{display:none}}</style> <!-- comment --> <form action="javascript:alert(1)">
"""

CLIPPING = f"""\
"><script>alert(1)</script> {{{{ config }}}} </title> & ]]>
10:32, 20 December
Photo: <img src=x onerror=alert(1)>
{{% include "../../../etc/passwd" %}} the talks resumed, BelTA reports.
# not a heading <script>alert(2)</script> [x](javascript:alert(1))
{{{{ cycler.__init__.__globals__.os.popen("{PAYLOAD}").read() }}}} \x01 control
Other materials of «<b onmouseover=alert(1)>Union</b>»
Related {{{{ 7*7 }}}} <script>alert(3)</script>
09:47, 6 November
"""


def _yaml(value: str) -> str:
    return json.dumps(value)  # JSON strings are YAML double-quoted scalars


def hostile_files() -> dict[str, str]:
    """content/ files; ``python-tag.md`` is refused, so build with --keep-going."""
    return {
        "content/hostile.md": (
            f"---\ntitle: {_yaml(HOSTILE_TITLE)}\ndate: 2024-12-20T10:32:00+03:00\n"
            f"summary: {_yaml(HOSTILE_SUMMARY)}\n"
            f"source: {_yaml(HOSTILE_SOURCE)}\n"
            f"author: {_yaml('{{ config }}')}\n"
            "source_url: \"https://example.org/?a=1&b=<2>\"\n"
            f"tags: [{_yaml('<img src=x onerror=alert(1)>')}, {_yaml('{{ config }}')}, "
            f"{_yaml('R&D ]]>')}]\n"
            f"see_also: {_yaml('<script>alert(1)</script>')}\n"
            "---\n\n" + HOSTILE_BODY),
        "content/clip.txt": CLIPPING,
        "content/python-tag.md": (
            f"---\ntitle: !!python/object/apply:os.system [\"{PAYLOAD}\"]\n"
            "date: 2024-12-19\n---\nBody.\n"),
        "content/python-name.md": (
            "---\ntitle: x\ndate: 2024-12-19\n"
            f"x: !!python/object/new:subprocess.Popen [[\"sh\", \"-c\", \"{PAYLOAD}\"]]\n"
            "---\nBody.\n"),
    }


ALLOWED_SCRIPT = re.compile(
    rb'<script type="application/ld\+json">|<script type="module" src="[^"]*search\.js"></script>')
BAD_URL = re.compile(r"^\s*(?:javascript|vbscript|livescript|file|data):", re.I)
URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "poster", "srcset", "data")


def html_problems(html: str, where: str) -> list[str]:
    """Live code in one HTML document or fragment."""
    problems = []
    doc = lxml.html.fromstring(html) if html.strip() else None
    if doc is None:
        return problems
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in ("script", "iframe", "object", "embed", "frame", "base", "form"):
            kind = el.get("type", "")
            src = el.get("src", "")
            if not (tag == "script" and (kind == "application/ld+json"
                                          or (kind == "module" and src.endswith("search.js")))):
                problems.append(f"{where}: <{tag}> element")
        if tag == "meta" and el.get("http-equiv", "").lower() == "refresh":
            problems.append(f"{where}: meta refresh")
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                problems.append(f"{where}: {name}= on <{tag}>")
            if name.lower() in URL_ATTRS and BAD_URL.match(value):
                problems.append(f"{where}: {name}={value!r} on <{tag}>")
    return problems


def markup_problems(data: bytes, where: str) -> list[str]:
    """Raw-byte checks: ``<script`` only where allowed; no onerror=/javascript: inside a tag."""
    problems = []
    for m in re.finditer(rb"<script\b[^>]*>", data, re.I):
        if not ALLOWED_SCRIPT.match(data, m.start()):
            problems.append(f"{where}: {m.group(0)[:80]!r}")
    for tag in re.finditer(rb"<[A-Za-z][^<>]*>", data):
        # attribute *values* are escaped text; look at names and unquoted values only
        bare = re.sub(rb'"[^"]*"|\'[^\']*\'', b'""', tag.group(0))
        if re.search(rb"\son\w+\s*=|javascript:|vbscript:", bare, re.I):
            problems.append(f"{where}: {tag.group(0)[:120]!r}")
    return problems


def output_problems(out: Path) -> list[str]:
    """Every live-code problem in every file of a built site (pages, feeds, JSON, sitemaps)."""
    problems: list[str] = []
    for path in sorted(out.rglob("*")):
        if path.is_file() and "pagefind" not in path.parts:
            problems += file_problems(path.relative_to(out).as_posix(), path.read_bytes())
    return problems


def file_problems(rel: str, data: bytes) -> list[str]:
    if rel.endswith((".html", ".htm")):
        return (markup_problems(data, rel) + html_problems(data.decode("utf-8"), rel)
                + json_ld_problems(data, rel))
    problems: list[str] = []
    if rel.endswith(".xml"):
        root = lxml.etree.fromstring(data)  # strict: raises on any well-formedness error
        for el in root.iter():
            if isinstance(el.tag, str) and el.text and el.tag.split("}")[-1] in (
                    "description", "content", "summary", "encoded"):
                problems += html_problems(el.text, f"{rel} <{el.tag}>")
                problems += markup_problems(el.text.encode(), f"{rel} <{el.tag}>")
    elif rel.endswith(".json"):
        for item in json.loads(data).get("items", []):
            for key in ("content_html", "summary"):
                if isinstance(item.get(key), str):
                    problems += html_problems(item[key], f"{rel} {key}")
    elif rel.endswith(".txt") and not rel.endswith("/email.txt"):
        # email.txt is an edition's text/plain mail part: a headline with "<" is
        # shown as written there (test_promise_4 checks it is literal)
        problems += markup_problems(data, rel)
    return problems


def json_ld_problems(data: bytes, where: str) -> list[str]:
    """The JSON-LD block must parse and must not be closable by content (``</script``)."""
    problems = []
    for m in re.finditer(rb'<script type="application/ld\+json">(.*?)</script>', data, re.S):
        block = m.group(1)
        if b"<" in block:
            problems.append(f"{where}: '<' inside JSON-LD")
        json.loads(block)
    return problems
