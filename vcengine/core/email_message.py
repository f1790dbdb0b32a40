"""The badge email as a MIME message: ``multipart/alternative`` with a text and an HTML part.

RFC 5322 headers: ``From``, ``To``, ``Subject``, ``Date`` and a ``Message-ID`` the caller
derives from the delivery (so a retried send carries the same id and a receiving system can tell
a duplicate). Header values are folded to one line: a subject or name cannot add headers.
"""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from vcengine.core.email_template import EmailContent
from vcengine.errors import InputError

__all__ = ["compose", "message_id"]


def message_id(delivery_id: str, domain: str) -> str:
    """``<delivery id@domain>``: stable across the attempts of one delivery."""
    return f"<{delivery_id.replace(':', '.')}@{domain}>"


def _one_line(value: str) -> str:
    return " ".join(value.split())


def compose(
    content: EmailContent,
    *,
    sender: str,
    to: str,
    to_name: str | None,
    msg_id: str,
    date: datetime,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """The message; ``InputError`` if an address is not one."""
    message = EmailMessage()
    try:
        message["From"] = sender
        message["To"] = Address(display_name=_one_line(to_name or ""), addr_spec=to)
    except (ValueError, IndexError) as exc:
        raise InputError(f"not an email address: {exc}", path="to") from None
    message["Subject"] = _one_line(content.subject)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = msg_id
    for name, value in (headers or {}).items():
        message[name] = _one_line(value)
    message.set_content(content.text)
    message.add_alternative(content.html, subtype="html")
    return message
