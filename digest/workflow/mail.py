"""``digest email [DATE]``: a built edition as a mail, printed, saved or sent.

The message is made from what ``digest build`` wrote beside the edition
(``output/editions/DATE/email.html`` and ``email.txt``), so what readers get is
what was published: a multipart/alternative message, text first and HTML
last (the part a client prefers).  Subject: the HTML's <title> (the site
title and the date, ``email.subject`` in digest.yaml); From and
List-Unsubscribe: ``email:`` in digest.yaml.  Date and Message-ID follow
SOURCE_DATE_EPOCH and the content, so the same edition prints the same bytes.

``--send`` delivers it over SMTP.  Where and as whom come from environment
variables only (``SMTP_VARIABLES``): the site folder is often a public
repository, and a password must never be in it.  STARTTLS is used when the
server offers it, and a password is never sent over a connection that is not
encrypted (except to this machine).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import os
import re
import smtplib
import socket
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from pathlib import Path
from urllib.parse import urlsplit

from digest.errors import Diagnostic, DigestError
from digest.site.config import SiteConfig
from digest.usage import usage_error

SMTP_VARIABLES = {
    "DIGEST_SMTP_HOST": "the SMTP server (required by --send), e.g. smtp.example.org",
    "DIGEST_SMTP_PORT": "its port (default 587; 465 means TLS from the start)",
    "DIGEST_SMTP_USER": "the user name to log in with (optional)",
    "DIGEST_SMTP_PASSWORD": "its password (with DIGEST_SMTP_USER)",
    "DIGEST_SMTP_TO": "recipients, comma-separated (or --to)",
    "DIGEST_SMTP_CAFILE": "a CA certificate file to trust (a private relay's own CA)",
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WEEK = re.compile(r"^\d{4}-W\d{2}$")
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_LOCAL = {"localhost", "127.0.0.1", "::1"}
TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Smtp:
    host: str
    port: int
    user: str | None
    password: str | None
    cafile: str | None


def cmd_email(args: argparse.Namespace) -> int:
    from digest.site.build import build_now  # noqa: PLC0415
    from digest.site.config import load_config  # noqa: PLC0415 - as importer does

    site = Path(args.site)
    config = load_config(site)
    env = os.environ
    recipients = _recipients(args.to or [], env.get("DIGEST_SMTP_TO", ""))
    if config.email.sender is None:
        raise DigestError(Diagnostic(
            severity="error", code="config", path="digest.yaml",
            message="a mail needs a sender: email.from is not set",
            hint='add to digest.yaml: email: {from: "Digest <news@example.org>"}'))
    folder, date = edition_folder(site / config.output_dir, args.date)
    message = make_message(folder, date, config, recipients, build_now())
    if args.output:  # CRLF line ends, as RFC 5322 and mail programs want them
        try:
            Path(args.output).write_bytes(message.as_bytes(policy=policy.SMTP))
        except OSError as exc:
            raise DigestError(Diagnostic(
                severity="error", code="output", path=args.output,
                message=f"cannot write the message: {exc.strerror or exc}",
                hint="give -o a file in an existing folder you can write to")) from None
    if args.send:
        if not recipients:
            raise usage_error("--send needs recipients", "give --to ADDRESS or set "
                              "DIGEST_SMTP_TO=a@example.org,b@example.org")
        send(message, recipients, smtp_settings(env))
        print(f"digest email: sent {date} to {len(recipients)} recipient"
              f"{'s' if len(recipients) != 1 else ''}", file=sys.stderr)
    elif not args.output:
        data = message.as_bytes(policy=policy.default)
        out = getattr(sys.stdout, "buffer", None)  # a text stream with no bytes (tests)
        if out is not None:
            sys.stdout.flush()
            out.write(data)
            out.flush()
        else:
            sys.stdout.write(data.decode("utf-8"))
    return 0


def _recipients(given: list[str], from_env: str) -> list[str]:
    found = getaddresses([*given] if given else [from_env])
    out = [addr for _, addr in found if addr]
    bad = [addr for addr in out if "@" not in addr]
    if bad:
        raise usage_error(f"{bad[0]!r} is not a mail address", "write recipients as "
                          "name@example.org (comma-separated in DIGEST_SMTP_TO)")
    return out


def edition_folder(output: Path, date: str | None) -> tuple[Path, str]:
    """The built edition's folder (with email.html and email.txt) and its date."""
    editions = output / "editions"
    if date is not None and not (_DAY.match(date) or _WEEK.match(date)):
        raise usage_error(f"{date!r} is not an edition's date",
                          "write a day as 2024-12-20 or a week as 2024-W51")
    if date is None:
        days = sorted(p.name for p in editions.glob("*-*-*")
                      if _DAY.match(p.name) and (p / "email.html").is_file()) \
            if editions.is_dir() else []
        if not days:
            raise DigestError(Diagnostic(
                severity="error", code="no-edition", path=str(output),
                message="no edition has been built yet (no editions/*/email.html)",
                hint="run `digest build` first (it writes each edition's mail beside it)"))
        date = days[-1]
    folder = editions / date
    missing = [n for n in ("email.html", "email.txt") if not (folder / n).is_file()]
    if missing:
        raise DigestError(Diagnostic(
            severity="error", code="no-edition", path=str(folder),
            message=f"no built edition for {date}: {', '.join(missing)} missing",
            hint="check the date (an edition exists for days with published articles) "
                 "and run `digest build` first"))
    return folder, date


def make_message(folder: Path, date: str, config: SiteConfig, to: list[str],
                 now: datetime) -> EmailMessage:
    """multipart/alternative: email.txt, then email.html."""
    page = (folder / "email.html").read_text(encoding="utf-8")
    text = (folder / "email.txt").read_text(encoding="utf-8")
    found = _TITLE.search(page)
    subject = " ".join(html.unescape(found.group(1)).split()) if found else date
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = config.email.sender or ""
    if to:
        msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(now)
    domain = urlsplit(config.base_url).hostname or "digest.invalid"
    digest = hashlib.sha256((page + text).encode("utf-8")).hexdigest()[:16]
    msg["Message-ID"] = f"<{date}.{digest}@{domain}>"
    if config.email.list_unsubscribe:  # RFC 2369: clients show an "Unsubscribe" button
        msg["List-Unsubscribe"] = ", ".join(f"<{item}>" for item in config.email.list_unsubscribe)
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(page, subtype="html", charset="utf-8")
    msg.set_boundary(f"=_digest_{digest}")  # not a random one: the same edition, the same bytes
    return msg


def smtp_settings(env: Mapping[str, str]) -> Smtp:
    host = env.get("DIGEST_SMTP_HOST", "").strip()
    if not host:
        raise usage_error("--send needs an SMTP server: DIGEST_SMTP_HOST is not set",
                          "set DIGEST_SMTP_HOST (and DIGEST_SMTP_PORT, DIGEST_SMTP_USER, "
                          "DIGEST_SMTP_PASSWORD) in the environment, never in the site's files")
    port_text = env.get("DIGEST_SMTP_PORT", "587").strip()
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise usage_error(f"DIGEST_SMTP_PORT={port_text!r} is not a port",
                          "e.g. DIGEST_SMTP_PORT=587 (STARTTLS) or 465 (TLS)")
    user, password = env.get("DIGEST_SMTP_USER") or None, env.get("DIGEST_SMTP_PASSWORD") or None
    if (user is None) != (password is None):
        raise usage_error("DIGEST_SMTP_USER and DIGEST_SMTP_PASSWORD go together",
                          "set both to log in, or neither for a server that needs no login")
    return Smtp(host=host, port=int(port_text), user=user, password=password,
                cafile=env.get("DIGEST_SMTP_CAFILE") or None)


def send(message: EmailMessage, to: list[str], smtp: Smtp) -> None:
    """Deliver ``message``; every failure is a DigestError saying what to do."""
    where = f"{smtp.host}:{smtp.port}"
    try:
        context = ssl.create_default_context(cafile=smtp.cafile)
    except (OSError, ssl.SSLError) as exc:
        raise _failed(f"cannot read DIGEST_SMTP_CAFILE={smtp.cafile!r}: {exc}",
                      "give the path of a PEM file of CA certificates") from None
    try:
        _deliver(message, to, smtp, context)
    except smtplib.SMTPAuthenticationError as exc:
        raise _failed(f"{where} refused the login ({exc.smtp_code} {_text(exc.smtp_error)})",
                      "check DIGEST_SMTP_USER and DIGEST_SMTP_PASSWORD (many providers want "
                      "an app password for SMTP)") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise _failed(f"{where} does not support this: {exc}",
                      "unset DIGEST_SMTP_USER if the server needs no login") from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(f"{addr} ({code} {_text(err)})"
                            for addr, (code, err) in sorted(exc.recipients.items()))
        raise _failed(f"{where} refused every recipient: {refused}",
                      "check the addresses in --to or DIGEST_SMTP_TO") from None
    except smtplib.SMTPResponseException as exc:
        raise _failed(f"{where} answered {exc.smtp_code} {_text(exc.smtp_error)}",
                      "the server refused the message; its answer says why") from None
    except ssl.SSLError as exc:
        raise _failed(f"TLS with {where} failed: {exc}",
                      "if the server's certificate is signed by a private CA, set "
                      "DIGEST_SMTP_CAFILE to that CA's certificate file") from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = "no answer in time" if isinstance(exc, socket.timeout | TimeoutError) \
            else (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc))
        raise _failed(f"could not deliver through {where}: {reason}",
                      "check DIGEST_SMTP_HOST and DIGEST_SMTP_PORT, and that the server "
                      "is running and reachable from here") from None


def _deliver(message: EmailMessage, to: list[str], smtp: Smtp,
             context: ssl.SSLContext) -> None:
    """One SMTP session: TLS (from the start on port 465, else STARTTLS when
    the server offers it), the login if configured, the message."""
    if smtp.port == 465:
        client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT,
                                                context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT)
    with client:
        client.ehlo()
        secure = smtp.port == 465
        if not secure and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()  # the server's extensions again, now over TLS
            secure = True
        if smtp.user is not None:
            if not secure and smtp.host not in _LOCAL:
                raise _failed(f"{smtp.host}:{smtp.port} does not offer STARTTLS: digest will "
                              "not send your password unencrypted",
                              "use the server's submission port (587, or 465 for TLS) "
                              "or a server that offers STARTTLS")
            client.login(smtp.user, smtp.password or "")
        client.send_message(message, to_addrs=to)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _failed(message: str, hint: str) -> DigestError:
    return DigestError(Diagnostic(severity="error", code="smtp", message=message, hint=hint))
