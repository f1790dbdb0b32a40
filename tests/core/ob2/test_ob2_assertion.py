"""Reading an OB 2.0 Assertion: the 1EdTech validator's sample, and what is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import VECTORS
from vcengine.core.ob2.assertion import parse_assertion, parse_ob2_date
from vcengine.errors import InputError

BASIC = json.loads((VECTORS / "1edtech-validator/ob20/basic-assertion.json").read_text())


def test_reads_the_1edtech_basic_assertion() -> None:
    assertion = parse_assertion(BASIC)
    assert assertion.id == "https://example.org/beths-robotics-badge.json"
    assert assertion.method == "hosted" and assertion.creator is None
    assert assertion.badge_id == "https://example.org/robotics-badge.json"
    assert assertion.recipient.hashed and assertion.recipient.salt == "deadsea"
    assert assertion.issued_on.isoformat() == "2016-12-31T23:59:59+00:00" and assertion.expires is None


def test_verify_alias_and_signed_creator() -> None:
    doc = {
        **{k: v for k, v in BASIC.items() if k != "verification"},
        "verify": {"type": "SignedBadge", "creator": "https://k.example/1"},
    }
    assertion = parse_assertion(doc)
    assert assertion.method == "signed" and assertion.creator == "https://k.example/1"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"type": "BadgeClass"}, "does not include Assertion"),
        ({"badge": None}, "missing required properties: badge"),
        ({"verification": None}, "verification"),
        ({"badge": 7}, "BadgeClass URL"),
        ({"recipient": "nobody@example.org"}, "IdentityObject"),
        ({"recipient": {"type": "email", "identity": "x", "hashed": "yes"}}, "true or false"),
        ({"recipient": {"type": "email", "identity": "sha1$abc", "hashed": True}}, "sha256"),
        ({"recipient": {"type": "email", "identity": "x", "salt": 5}}, "salt"),
        ({"verification": {"type": "hosted", "creator": "https://k.example/1"}}, "creator"),
        ({"verification": {"type": "blockchain"}}, "neither HostedBadge"),
        ({"issuedOn": 1483228799}, "ISO 8601"),
        ({"issuedOn": "2016-12-31"}, "dateTime"),
        ({"expires": "2017-12-31T23:59:59"}, "time zone"),
        ({"revoked": "no"}, "revoked"),
        ({"id": ""}, "non-empty string"),
    ],
)
def test_refuses_what_is_not_an_assertion(changes: dict[str, Any], message: str) -> None:
    doc = {k: v for k, v in {**BASIC, **changes}.items() if v is not None}
    with pytest.raises(InputError, match=message):
        parse_assertion(doc)


def test_dates_keep_their_offset() -> None:
    assert parse_ob2_date("2016-12-31T23:59:59+02:00", "issuedOn").utcoffset().total_seconds() == 7200  # type: ignore[union-attr]
