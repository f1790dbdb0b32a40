"""Sending a message over SMTP (aiosmtplib): where to, how securely, and what a failure means.

``VCENGINE_SMTP_URL`` names the server:

- ``smtp://[user:password@]host[:port]`` (port 587 by default): STARTTLS, required — except to a
  loopback host, where it is used if the server offers it (a local relay or test server);
- ``smtps://[user:password@]host[:port]`` (port 465 by default): TLS from the first byte.

User and password are percent-decoded; the password is a ``Secret`` (masked in reprs). A
failure is ``Bounced`` when the server refuses the recipient for good (a 5xx reply to RCPT or
DATA): sending again cannot help. Anything else (no connection, a timeout, a 4xx) is
``SendFailed``: it may pass.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib
from starlette.datastructures import Secret

from vcengine.errors import InputError

__all__ = ["Bounced", "SendFailed", "SmtpSettings", "parse_smtp_url", "send"]


class SendFailed(Exception):
    """The message was not accepted this time; it may be next time."""


class Bounced(SendFailed):
    """The server refused the message for good (a permanent, 5xx, reply)."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool
    require_starttls: bool
    username: str | None = None
    password: Secret | None = field(default=None, repr=False)
    timeout: float = 30.0
    tls_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_smtp_url(url: str, *, timeout: float = 30.0) -> SmtpSettings:
    """``SmtpSettings`` from an ``smtp://`` or ``smtps://`` URL; ``InputError`` saying what is wrong
    (without the password)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise InputError("VCENGINE_SMTP_URL is not a URL (smtp://user:password@host:587)") from None
    if parts.scheme not in ("smtp", "smtps"):
        raise InputError("VCENGINE_SMTP_URL must start with smtp:// (STARTTLS) or smtps:// (TLS)")
    if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InputError("VCENGINE_SMTP_URL must be smtp[s]://[user:password@]host[:port], nothing more")
    implicit = parts.scheme == "smtps"
    return SmtpSettings(
        host=parts.hostname,
        port=port or (465 if implicit else 587),
        implicit_tls=implicit,
        require_starttls=not implicit and not _loopback(parts.hostname),
        username=unquote(parts.username) if parts.username else None,
        password=Secret(unquote(parts.password)) if parts.password else None,
        timeout=timeout,
    )


def _permanent(exc: aiosmtplib.SMTPException) -> bool:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= r.code < 600 for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
        return 500 <= exc.code < 600
    return False


async def send(settings: SmtpSettings, message: EmailMessage) -> str:
    """Send ``message`` to its ``To``; the server's reply to the data. ``Bounced`` / ``SendFailed``.
    The whole session takes at most ``settings.timeout`` seconds (job leases rely on it)."""
    try:
        async with asyncio.timeout(settings.timeout):  # the whole session, not each command
            _, reply = await _send(settings, message)
    except TimeoutError:
        raise SendFailed(f"{settings.host}:{settings.port} took over {settings.timeout:g} s") from None
    return reply


async def _send(settings: SmtpSettings, message: EmailMessage) -> tuple[object, str]:
    try:
        return await aiosmtplib.send(
            message,
            hostname=settings.host,
            port=settings.port,
            username=settings.username,
            password=None if settings.password is None else str(settings.password),
            use_tls=settings.implicit_tls,
            start_tls=None if settings.implicit_tls else (True if settings.require_starttls else None),
            timeout=settings.timeout,
            tls_context=settings.tls_context,
        )
    except aiosmtplib.SMTPException as exc:
        if _permanent(exc):
            raise Bounced(f"refused: {exc}") from None
        raise SendFailed(f"{type(exc).__name__}: {exc}") from None
    except OSError as exc:
        raise SendFailed(f"cannot reach {settings.host}:{settings.port}: {exc}") from None
