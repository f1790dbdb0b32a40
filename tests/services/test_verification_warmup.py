"""The fork server's warm-up runs a real verification, end to end, and it verifies."""

from __future__ import annotations

from vcengine.services.verification_pool import PRELOAD
from vcengine.services.verification_warmup import warm_up


def test_the_warm_up_verifies_a_badge_through_every_check() -> None:
    assert PRELOAD == ["vcengine.services.verification_warmup"]
    report = warm_up()
    assert report.verified, report.checks
    assert {c.name: c.outcome for c in report.checks} == {
        "syntax": "pass",
        "schema": "pass",
        "proof": "pass",
        "signed-graph": "pass",
        "issuer": "pass",
        "validity": "pass",
        "status": "skipped",
    }
