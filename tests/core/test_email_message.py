"""The badge email as MIME: both parts, the headers, and what a stdlib parser reads back."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

import pytest

from vcengine.core.email_message import compose, message_id
from vcengine.core.email_template import EmailContent
from vcengine.errors import InputError

CONTENT = EmailContent("You earned Python", "<p>Hello <b>Ada</b></p>", "Hello Ada\n")
AT = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def test_a_message_parses_back_with_both_parts_and_its_headers() -> None:
    mid = message_id("email:1234", "acme.example")
    message = compose(
        CONTENT, sender="Acme <badges@acme.example>", to="ada@example.com", to_name="Ada\nLovelace",
        msg_id=mid, date=AT, headers={"Auto-Submitted": "auto-generated"},
    )  # fmt: skip
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "You earned Python"
    assert parsed["To"] == "Ada Lovelace <ada@example.com>"
    assert parsed["Message-ID"] == "<email.1234@acme.example>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed.get_body(("plain",)).get_content() == "Hello Ada\n"  # type: ignore[union-attr]
    assert "<b>Ada</b>" in parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_a_recipient_that_is_not_an_address_is_refused() -> None:
    with pytest.raises(InputError):
        compose(CONTENT, sender="a@b.example", to="not an address", to_name=None, msg_id="<x@y>", date=AT)
