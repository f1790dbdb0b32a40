"""verifyCredential with Open Badges 2.0 (JSON, JWS, baked image) against the real server:
reported, indeterminate — the service fetches no OB 2.0 documents — never verified."""

from __future__ import annotations

import base64

from tests.api.graphql.conftest import OPERATIONS, Server
from tests.conftest import VECTORS
from tests.core.ob2.ob2_badges import Ob2Issuer

VERIFY = (OPERATIONS / "verify_credential.graphql").read_text(encoding="utf-8")
ISSUER = Ob2Issuer()


def test_verify_credential_accepts_ob2(server: Server) -> None:
    key = server.tenant("OB2").key
    token = ISSUER.sign(ISSUER.assertion(signed=True))
    baked = base64.b64encode((VECTORS / "1edtech-validator/ob20/simple-badge.png").read_bytes()).decode()
    for given, fmt in (
        ({"jwt": token}, "ob2-signed"),
        ({"credential": ISSUER.assertion()}, "ob2-hosted"),
        ({"imageBase64": baked}, "ob2-hosted"),
    ):
        payload = server.ok(VERIFY, {"input": given}, key)["verifyCredential"]
        assert payload["userErrors"] == []
        report = payload["report"]
        assert report["verdict"] == "INDETERMINATE" and not report["verified"] and report["format"] == fmt
        assert [c["check"] for c in report["checks"]][:2] == ["syntax", "proof"]
        assert report["checks"][1]["outcome"] == "INDETERMINATE"
