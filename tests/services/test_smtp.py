"""Sending over SMTP with aiosmtplib to a real aiosmtpd server: plain (loopback), STARTTLS and
implicit TLS with a throwaway certificate; what a refusal means; the URL setting."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.loopback_https import self_signed
from tests.smtp_server import Inbox, free_port, smtp_server
from vcengine.errors import InputError
from vcengine.services.smtp import Bounced, SendFailed, SmtpSettings, parse_smtp_url, send

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def message(to: str = "ada@example.com") -> EmailMessage:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "badges@acme.example", to, "Hello"
    m.set_content("Hi Ada\n")
    return m


@pytest.mark.parametrize(
    ("url", "host", "port", "implicit", "require"),
    [
        ("smtp://user:p%40ss@mail.example", "mail.example", 587, False, True),
        ("smtps://mail.example", "mail.example", 465, True, False),
        ("smtp://127.0.0.1:2525", "127.0.0.1", 2525, False, False),
        ("smtp://localhost:25/", "localhost", 25, False, False),
    ],
)
def test_the_url_names_host_port_and_tls(
    url: str, host: str, port: int, implicit: bool, require: bool
) -> None:
    settings = parse_smtp_url(url)
    assert (settings.host, settings.port, settings.implicit_tls, settings.require_starttls) == (
        host, port, implicit, require,
    )  # fmt: skip


def test_the_password_is_decoded_and_never_in_the_repr() -> None:
    settings = parse_smtp_url("smtp://me%40acme.example:s3cr%2Ft@mail.example:587")
    assert settings.username == "me@acme.example" and str(settings.password) == "s3cr/t"
    assert "s3cr" not in repr(settings)


@pytest.mark.parametrize(
    "url", ["http://mail.example", "smtp://", "smtp://mail.example/path", "smtp://h:99999", "smtp://h?x=1"]
)
def test_a_malformed_url_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_smtp_url(url.replace("h", "user:topsecret@h", 1) if "://h" in url else url)
    assert "topsecret" not in str(caught.value)


async def test_a_message_reaches_the_server() -> None:
    with smtp_server() as inbox:
        await send(parse_smtp_url(inbox.url), message())
        (received,) = inbox.messages
    assert received["Subject"] == "Hello" and received.get_content().splitlines() == ["Hi Ada"]


async def test_a_temporary_refusal_may_pass_a_permanent_one_is_a_bounce() -> None:
    with smtp_server() as inbox:
        inbox.refuse_next = 1
        with pytest.raises(SendFailed) as temporary:
            await send(parse_smtp_url(inbox.url), message())
        assert not isinstance(temporary.value, Bounced) and "451" in str(temporary.value)
        inbox.bounce.add("gone@example.com")
        with pytest.raises(Bounced, match="550"):
            await send(parse_smtp_url(inbox.url), message("gone@example.com"))
        assert inbox.messages == []


async def test_no_server_fails_fast_and_may_pass() -> None:
    with smtp_server() as inbox:
        url = inbox.url  # the port is free again once the server stops
    started = time.monotonic()
    with pytest.raises(SendFailed, match=r"cannot reach|Connect"):
        await send(replace(parse_smtp_url(url), timeout=3), message())
    assert time.monotonic() - started < 3.5


async def test_a_stalling_server_is_given_up_on_after_the_session_timeout() -> None:
    with smtp_server() as inbox:
        inbox.delay = 5
        started = time.monotonic()
        with pytest.raises(SendFailed, match=r"took over 1 s|Timeout"):
            await send(replace(parse_smtp_url(inbox.url), timeout=1), message())
        assert time.monotonic() - started < 3  # the deadline, then at most one timeout of aiosmtplib cleanup


@pytest.fixture
def tls(tmp_path: Path) -> Iterator[tuple[ssl.SSLContext, ssl.SSLContext]]:
    cert, key = self_signed(tmp_path)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    yield server, client


async def test_starttls_and_implicit_tls(tls: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    server_ctx, client_ctx = tls
    for implicit in (False, True):
        inbox = Inbox()
        options = (
            {"ssl_context": server_ctx} if implicit else {"tls_context": server_ctx, "require_starttls": True}
        )
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)  # type: ignore[arg-type]
        controller.start()
        try:
            settings = SmtpSettings("127.0.0.1", port, implicit_tls=implicit, require_starttls=not implicit,
                                    tls_context=client_ctx)  # fmt: skip
            await send(settings, message())
            assert len(inbox.messages) == 1, implicit
            untrusted = replace(settings, tls_context=ssl.create_default_context())
            with pytest.raises(SendFailed):
                await send(untrusted, message())
        finally:
            controller.stop()
