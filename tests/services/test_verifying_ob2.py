"""Open Badges 2.0 through the verifying service: accepted as JSON, JWS or baked image, checked
for form, dates and recipient — and never verified, because the service fetches no documents."""

from __future__ import annotations

import json

import pytest

from tests.conftest import VECTORS
from tests.core.ob2.ob2_badges import Ob2Issuer, ob2_png
from vcengine.core.verify import VerificationReport
from vcengine.services import verifying
from vcengine.services.context import Services

pytestmark = pytest.mark.anyio

ISSUER = Ob2Issuer()


def outcomes(report: VerificationReport) -> dict[str, tuple[str, str | None]]:
    return {c.name: (c.outcome, c.code) for c in report.checks}


async def test_signed_assertion_is_indeterminate_with_the_reason(services: Services) -> None:
    token = ISSUER.sign(ISSUER.assertion(signed=True))
    for data in (token, ob2_png(token)):
        report = await verifying.verify(services, data)
        assert report.verdict == "indeterminate" and report.format == "ob2-signed"
        proof = report.check("proof")
        assert proof is not None and proof.code == "unresolved-key"
        assert "does not fetch Open Badges 2.0 documents" in report.check("issuer").reason  # type: ignore[union-attr]


async def test_hosted_assertion_is_indeterminate(services: Services) -> None:
    assertion = ISSUER.assertion()
    for data in (assertion, json.dumps(assertion)):
        report = await verifying.verify(services, data)  # type: ignore[arg-type]
        assert report.verdict == "indeterminate" and outcomes(report)["proof"] == (
            "indeterminate",
            "hosted-unavailable",
        )
    baked = (VECTORS / "1edtech-validator/ob20/simple-badge.png").read_bytes()
    report = await verifying.verify(services, baked)
    assert report.verdict == "indeterminate" and report.format == "ob2-hosted"


async def test_what_can_be_checked_offline_still_fails(services: Services) -> None:
    expired = ISSUER.sign(
        ISSUER.assertion(signed=True, issuedOn="2000-01-01T00:00:00Z", expires="2001-01-01T00:00:00Z")
    )
    report = await verifying.verify(services, expired)
    assert report.verdict == "failed" and outcomes(report)["validity"] == ("fail", "expired")
    no_recipient = {k: v for k, v in ISSUER.assertion().items() if k != "recipient"}
    report = await verifying.verify(services, no_recipient)
    assert report.verdict == "failed" and outcomes(report) == {"syntax": ("fail", "malformed")}
