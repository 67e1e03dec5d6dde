"""The ``email:`` block of ``digest.yaml``: who an edition's mail is from, how a
reader unsubscribes, and the subject line.

Only settings that may be public live here (the site's folder is often a public
repository): the SMTP server and its password come from environment variables
(digest.workflow.mail), never from this file.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import getaddresses
from typing import Any

from digest.errors import Diagnostic

SUBJECT_FIELDS = ("title", "date")
DEFAULT_SUBJECT = "{title}: {date}"
_KEYS = ("from", "list_unsubscribe", "subject")
_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailConfig:
    """Settings of ``digest email`` and of the editions' email.html/email.txt."""

    sender: str | None = None  # the From header, e.g. "Digest <news@example.org>"
    list_unsubscribe: tuple[str, ...] = ()  # <mailto:...>, <https://...> (RFC 2369)
    subject: str = DEFAULT_SUBJECT  # fields: {title} (the site's), {date} (the edition's)

    @property
    def unsubscribe_link(self) -> str | None:
        """The address the mail's footer links: a web page if there is one."""
        web = [item for item in self.list_unsubscribe if item.startswith("https://")]
        return (web or list(self.list_unsubscribe) or [None])[0]

    def subject_for(self, title: str, date: str) -> str:
        return self.subject.format(title=title, date=date)


def _line(lines: Mapping[str, int], key: str) -> int | None:
    while key and key not in lines:
        key = key.rpartition(".")[0]
    return lines.get(key)


def parse_email(value: Any, diags: list[Diagnostic], lines: Mapping[str, int]) -> EmailConfig:
    """Validate ``email:``; each problem is one diagnostic at its line."""
    def error(key: str, message: str, hint: str) -> None:
        diags.append(Diagnostic(severity="error", code="config", path="digest.yaml",
                                line=_line(lines, key), message=f"{key}: {message}",
                                hint=hint))

    if value is None:
        return EmailConfig()
    if not isinstance(value, Mapping):
        error("email", f"expected a mapping, got {value!r}",
              'e.g. email: {from: "Digest <news@example.org>"}')
        return EmailConfig()
    for key in value:
        if key not in _KEYS:
            close = difflib.get_close_matches(str(key), _KEYS, n=1)
            error(f"email.{key}", f"unknown key '{key}'",
                  f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(_KEYS))
    out: dict[str, Any] = {}
    for key, (name, check, hint) in _CHECKS.items():
        if value.get(key) is not None:
            good, problem = check(value[key])
            if problem:
                error(f"email.{key}", problem, hint)
            else:
                out[name] = good
    return EmailConfig(**out)


def _sender(value: Any) -> tuple[Any, str | None]:
    if _one_address(value):
        return value.strip(), None
    return None, f"{value!r} is not one mail address"


def _unsubscribe_list(value: Any) -> tuple[Any, str | None]:
    items = value if isinstance(value, list) else [value]
    good = tuple(item.strip() for item in items if isinstance(item, str) and _unsubscribe(item))
    if good and len(good) == len(items):
        return good, None
    return None, f"{value!r} is not a mailto: or https:// address"


def _subject(value: Any) -> tuple[Any, str | None]:
    problem = _subject_problem(value)
    return (None, problem) if problem else (value.strip(), None)


def _one_address(value: Any) -> bool:
    if not isinstance(value, str) or "\n" in value or "\r" in value:
        return False
    found = getaddresses([value])
    if len(found) != 1 or not _ADDRESS.match(found[0][1]):
        return False
    try:
        Address(addr_spec=found[0][1])
    except (ValueError, IndexError):
        return False
    return True


def _unsubscribe(item: str) -> bool:
    item = item.strip()
    if any(c in item for c in " <>\r\n\t"):
        return False
    if item.startswith("mailto:"):
        return bool(_ADDRESS.match(item[len("mailto:"):].partition("?")[0]))
    return bool(re.match(r"^https://[^/\s]+", item))


def _subject_problem(subject: Any) -> str | None:
    if not isinstance(subject, str) or not subject.strip() or "\n" in subject:
        return f"expected one line of text, got {subject!r}"
    try:
        names = [name for _, name, spec, conv in string.Formatter().parse(subject)
                 if name is not None or spec or conv]
    except ValueError as exc:  # a lone { or }
        return f"{subject!r} is not a subject pattern ({exc}; write {{{{ for a brace)"
    unknown = [name for name in names if name not in SUBJECT_FIELDS]
    if unknown:
        return f"{subject!r} has fields other than {{title}} and {{date}}: {unknown}"
    return None


_CHECKS = {  # key in digest.yaml -> (EmailConfig field, check, hint)
    "from": ("sender", _sender,
             'write an address, with a name if you like: from: "Digest <news@example.org>"'),
    "list_unsubscribe": ("list_unsubscribe", _unsubscribe_list,
                         "e.g. list_unsubscribe: mailto:leave@example.org?subject=unsubscribe "
                         "(or a list of one mailto: and one https:// address)"),
    "subject": ("subject", _subject,
                'use {title} (the site title) and {date}, e.g. subject: "{title}: {date}"'),
}
