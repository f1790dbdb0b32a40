"""Any JSON in any member of any linked OB 2.0 document gives a report — never an exception —
and a signed assertion whose payload changed after signing is never verified."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.ob2.ob2_badges import Ob2Issuer
from vcengine.core.ob2 import MappedDocuments, Presented, verify_ob2

NOW = datetime(2026, 6, 1, tzinfo=UTC)
ISSUER = Ob2Issuer()
HOSTED = ISSUER.assertion()
SIGNED = ISSUER.assertion(signed=True)
TOKEN = ISSUER.sign(SIGNED)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(
        ["https://badges.example/issuer.json", "urn:uuid:1", "hosted", "SignedBadge", "Assertion"]
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
members = st.sampled_from(
    [
        "@context",
        "id",
        "type",
        "recipient",
        "badge",
        "verification",
        "verify",
        "issuedOn",
        "expires",
        "revoked",
        "issuer",
        "publicKey",
        "publicKeyPem",
        "owner",
        "revocationList",
        "revokedAssertions",
        "name",
        "url",
        "email",
        "criteria",
        "obi:badge",
        "allowedOrigins",
    ]
)
targets = st.sampled_from(["hosted", "payload", "badge", "issuer", "key", "list"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=targets, member=members, value=json_values, signed=st.booleans())
def test_any_member_any_value_gives_a_report(target: str, member: str, value: Any, signed: bool) -> None:
    docs = ISSUER.documents(HOSTED)
    urls = {
        "hosted": HOSTED["id"],
        "badge": ISSUER.badge_id,
        "issuer": ISSUER.issuer_id,
        "key": ISSUER.key_id,
        "list": ISSUER.list_id,
    }
    presented = Presented("jws", TOKEN) if signed else Presented("json", HOSTED)
    if target == "payload":
        header, _, signature = TOKEN.split(".")
        changed = {**SIGNED, member: value}
        payload = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
        presented = Presented("jws", f"{header}.{payload}.{signature}")
    else:
        docs[urls[target]] = {**docs[urls[target]], member: value}
    report = verify_ob2(presented, documents=MappedDocuments(docs), now=NOW)
    assert report.verdict in ("verified", "failed", "indeterminate")
    assert report.checks[0].name == "syntax"
    if target == "payload" and SIGNED.get(member) != value:
        assert report.verdict != "verified", report.to_json()
