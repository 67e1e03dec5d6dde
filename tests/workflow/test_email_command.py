"""Issue 26: `digest email [DATE]` makes a MIME multipart/alternative message of a
built edition, prints it or writes an .eml, and `--send` delivers it to a real
SMTP server on 127.0.0.1 (aiosmtpd), plain or with STARTTLS and a login; the
message is parsed back with Python's email package."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import lxml.html
import pytest

from tests.integration.conftest import EPOCH, cli, make_site, note
from tests.workflow.mailserver import PASSWORD, USER, free_port, make_ca, smtp_server

BASE = "https://news.example.org"
CONFIG = (f"title: Harbour Digest\nbase_url: {BASE}/\ntimezone: Europe/Minsk\n"
          "email:\n  from: \"Harbour Digest <digest@example.org>\"\n"
          "  list_unsubscribe: [\"mailto:leave@example.org?subject=unsubscribe\", "
          "\"https://news.example.org/leave/\"]\n")
TALKS = ("Port authorities met in Minsk to agree on mooring fees, ferry timetables, "
         "crane repairs and the dredging of the outer harbour channel. ") * 3
SMTP_VARS = ("DIGEST_SMTP_HOST", "DIGEST_SMTP_PORT", "DIGEST_SMTP_USER", "DIGEST_SMTP_PASSWORD",
             "DIGEST_SMTP_TO", "DIGEST_SMTP_CAFILE")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("mail") / "site", {
        "content/a.md": note("Ferry crews end strike", "2024-12-20T09:30:00+03:00", TALKS,
                             source="Harbour Wire"),
        "content/b.md": note("Ferry strike is over", "2024-12-20T11:00:00+03:00", TALKS,
                             source="Coast Courier"),
        "content/c.md": note("Crane repairs start", "2024-12-19T15:00:00+03:00",
                             "The old crane is being repaired.", source="Harbour Wire"),
    }, config=CONFIG)
    run = cli(site, "build", "-q", "--no-search")
    assert run.code == 0, run
    return site


@pytest.fixture
def site(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built site per test, and no SMTP settings from outside."""
    for name in SMTP_VARS:
        monkeypatch.delenv(name, raising=False)
    return Path(shutil.copytree(built, tmp_path / "site"))


def _parse(data: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(data)  # type: ignore[return-value]


def _check_edition_message(msg: EmailMessage, site: Path, day: str = "2024-12-20") -> None:
    assert msg["Subject"] == "Harbour Digest: Friday, 20 December 2024"
    assert msg["From"].addresses[0].addr_spec == "digest@example.org"
    assert msg["From"].addresses[0].display_name == "Harbour Digest"
    assert msg["List-Unsubscribe"] == ("<mailto:leave@example.org?subject=unsubscribe>, "
                                       "<https://news.example.org/leave/>")
    assert msg["Message-ID"].endswith("@news.example.org>")
    assert msg.get_content_type() == "multipart/alternative"
    text, page = msg.iter_parts()
    assert text.get_content_type() == "text/plain" and page.get_content_type() == "text/html"
    folder = site / "output" / "editions" / day
    # (an .eml's CRLF line ends stay in the parsed parts)
    assert text.get_content().replace("\r\n", "\n") == (folder / "email.txt").read_text("utf-8")
    assert page.get_content().replace("\r\n", "\n") == (folder / "email.html").read_text("utf-8")
    doc = lxml.html.document_fromstring(page.get_content())
    assert doc.xpath("//script") == [] and doc.xpath("//link[@rel='stylesheet']") == []
    assert doc.xpath("//td[@style]") and doc.xpath("//h3[@style]")
    hrefs = doc.xpath("//a/@href")
    assert all(h.startswith(f"{BASE}/") for h in hrefs), hrefs
    assert [h.text_content().strip() for h in doc.xpath("//h3")] == ["Ferry crews end strike"]
    assert "Also reported by Coast Courier" in doc.text_content()


def test_prints_the_latest_edition_as_a_mime_message(site: Path) -> None:
    run = cli(site, "email")
    assert run.code == 0, run
    msg = _parse(run.out.encode("utf-8"))
    _check_edition_message(msg, site)
    assert msg["Date"].datetime == datetime.fromtimestamp(int(EPOCH), UTC)  # SOURCE_DATE_EPOCH
    assert msg["To"] is None


def test_writes_an_eml_file_the_same_bytes_every_time(site: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.eml", tmp_path / "b.eml"
    assert cli(site, "email", "2024-12-20", "-o", str(first), "--to", "r@example.org").code == 0
    assert cli(site, "email", "2024-12-20", "-o", str(second), "--to", "r@example.org").code == 0
    data = first.read_bytes()
    assert data == second.read_bytes()  # boundary and Message-ID from the content
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # RFC 5322 line ends
    msg = _parse(data)
    _check_edition_message(msg, site)
    assert msg["To"] == "r@example.org"


def test_a_day_or_a_week_by_date(site: Path) -> None:
    run = cli(site, "email", "2024-12-19")
    assert run.code == 0, run
    assert _parse(run.out.encode())["Subject"] == "Harbour Digest: Thursday, 19 December 2024"
    run = cli(site, "email", "2024-W51")
    assert run.code == 0, run
    msg = _parse(run.out.encode())
    assert msg["Subject"] == "Harbour Digest: Week 51, 2024"
    assert "Crane repairs start" in msg.get_body(("plain",)).get_content()


@pytest.mark.parametrize(("args", "code", "words"), [
    (["20-12-2024"], 2, "not an edition's date"),
    (["2024-12-01"], 1, "no built edition for 2024-12-01"),
    (["--send", "--to", "r@example.org"], 2, "DIGEST_SMTP_HOST is not set"),
    (["--send"], 2, "--send needs recipients"),
    (["--to", "nobody"], 2, "'nobody' is not a mail address"),
])
def test_usage_errors(site: Path, args: list[str], code: int, words: str) -> None:
    run = cli(site, "email", *args)
    assert run.code == code and words in run.err, run
    assert run.out == "" and "Traceback" not in run.err
    if code == 2:
        assert run.err.rstrip().endswith(
            "digest email: usage error; nothing was sent (see digest email --help)"), run


def test_an_eml_that_cannot_be_written(site: Path, tmp_path: Path) -> None:
    run = cli(site, "email", "-o", str(tmp_path / "no" / "such" / "folder" / "a.eml"))
    assert run.code == 1 and "cannot write the message" in run.err, run
    assert "existing folder" in run.err


def test_no_sender_configured(site: Path) -> None:
    (site / "digest.yaml").write_text(CONFIG.partition("email:")[0], encoding="utf-8")
    run = cli(site, "email")
    assert run.code == 1 and "email.from is not set" in run.err and "email: {from:" in run.err


def test_nothing_built_yet(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("A", "2024-12-20")}, config=CONFIG)
    run = cli(site, "email")
    assert run.code == 1 and "no edition has been built yet" in run.err
    assert "run `digest build` first" in run.err


def test_send_delivers_to_a_real_smtp_server(site: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server() as inbox:
        monkeypatch.setenv("DIGEST_SMTP_HOST", inbox.host)
        monkeypatch.setenv("DIGEST_SMTP_PORT", str(inbox.port))
        monkeypatch.setenv("DIGEST_SMTP_TO", "one@example.org, Two <two@example.org>")
        run = cli(site, "email", "--send")
    assert run.code == 0, run
    assert run.out == "" and "sent 2024-12-20 to 2 recipients" in run.err
    (got,) = inbox.messages
    assert got.mail_from == "digest@example.org"
    assert got.rcpt_tos == ["one@example.org", "two@example.org"]
    assert not got.tls  # the server offers no STARTTLS, and no password was to be sent
    msg = _parse(got.data)
    _check_edition_message(msg, site)
    assert msg["To"] == "one@example.org, two@example.org"


def test_send_uses_starttls_and_logs_in(site: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ca_file, context = make_ca(tmp_path)
    with smtp_server(tls=context, login=True) as inbox:
        monkeypatch.setenv("DIGEST_SMTP_HOST", inbox.host)
        monkeypatch.setenv("DIGEST_SMTP_PORT", str(inbox.port))
        monkeypatch.setenv("DIGEST_SMTP_USER", USER)
        monkeypatch.setenv("DIGEST_SMTP_PASSWORD", PASSWORD)
        monkeypatch.setenv("DIGEST_SMTP_CAFILE", str(ca_file))
        run = cli(site, "email", "--send", "--to", "reader@example.org")
        assert run.code == 0, run
        monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "wrong")
        refused = cli(site, "email", "--send", "--to", "reader@example.org")
        monkeypatch.delenv("DIGEST_SMTP_CAFILE")
        monkeypatch.setenv("DIGEST_SMTP_PASSWORD", PASSWORD)
        untrusted = cli(site, "email", "--send", "--to", "reader@example.org")
    (got,) = inbox.messages
    assert got.tls and got.login == USER and got.rcpt_tos == ["reader@example.org"]
    _check_edition_message(_parse(got.data), site)
    assert refused.code == 1 and "refused the login (535" in refused.err, refused
    assert "DIGEST_SMTP_PASSWORD" in refused.err
    assert untrusted.code == 1 and "TLS with 127.0.0.1" in untrusted.err, untrusted
    assert "DIGEST_SMTP_CAFILE" in untrusted.err


def test_no_password_over_an_unencrypted_connection(site: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """127.0.0.2 is this machine too, but not a name digest treats as local:
    a server there without STARTTLS never sees the password."""
    with smtp_server(host="127.0.0.2", login=True) as inbox:
        monkeypatch.setenv("DIGEST_SMTP_HOST", inbox.host)
        monkeypatch.setenv("DIGEST_SMTP_PORT", str(inbox.port))
        monkeypatch.setenv("DIGEST_SMTP_USER", USER)
        monkeypatch.setenv("DIGEST_SMTP_PASSWORD", PASSWORD)
        run = cli(site, "email", "--send", "--to", "reader@example.org")
    assert run.code == 1 and "will not send your password unencrypted" in run.err, run
    assert inbox.messages == []


def test_connection_refused_says_what_to_check(site: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DIGEST_SMTP_PORT", str(free_port()))  # nothing listens there
    run = cli(site, "email", "--send", "--to", "reader@example.org")
    assert run.code == 1, run
    assert "could not deliver through 127.0.0.1:" in run.err and "Connection refused" in run.err
    assert "check DIGEST_SMTP_HOST and DIGEST_SMTP_PORT" in run.err
    assert "nothing was sent" in run.err
