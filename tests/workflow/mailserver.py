"""A real SMTP server on 127.0.0.1 for the `digest email --send` tests (aiosmtpd,
in a thread of the test process), plain or with STARTTLS and a login, and a
certificate authority of our own for it (cryptography)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

USER, PASSWORD = "curator", "s3cret pass"


@dataclass
class Received:
    """What the server was handed: one entry per message."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    tls: bool  # the session was encrypted (STARTTLS) when the message came
    login: str | None


@dataclass
class Inbox:
    host: str
    port: int
    messages: list[Received] = field(default_factory=list)


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        self.inbox.messages.append(Received(
            mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos),
            data=envelope.original_content or envelope.content,
            tls=session.ssl is not None,
            login=session.auth_data.login.decode() if isinstance(session.auth_data,
                                                                 LoginPassword) else None))
        return "250 Message accepted for delivery"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server(host: str = "127.0.0.1", tls: ssl.SSLContext | None = None,
                login: bool = False) -> Iterator[Inbox]:
    """An SMTP server; with ``tls``, STARTTLS is offered and required; with
    ``login``, AUTH (only over TLS) with USER and PASSWORD."""
    inbox = Inbox(host=host, port=free_port(host))
    options: dict[str, object] = {}
    if tls is not None:
        options.update(tls_context=tls, require_starttls=True)
    if login:
        options.update(authenticator=_authenticate, auth_require_tls=tls is not None,
                       auth_required=True)
    controller = Controller(_Handler(inbox), hostname=host, port=inbox.port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def make_ca(folder: Path, host: str = "127.0.0.1") -> tuple[Path, ssl.SSLContext]:
    """A CA certificate (written to ``folder/ca.pem``, for DIGEST_SMTP_CAFILE)
    and the server's SSL context, with a certificate for ``host`` it signed."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "digest test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address(host)), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return ca_file, context
