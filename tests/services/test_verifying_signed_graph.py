"""Issue 7, findings 1 and 2 through the service: a revoked or expired credential issued here,
re-expressed so that its proof still passes, is never reported verified."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from tests.services.support import Tenant
from vcengine.services import issuing, status_changes, verifying
from vcengine.services.context import Services
from vcengine.services.issuing import IssueRequest, RecipientInput

pytestmark = pytest.mark.anyio
CRED = "https://www.w3.org/2018/credentials#"


async def test_a_revoked_credential_with_its_status_under_a_full_iri_is_not_verified(
    services: Services, tenant: Tenant
) -> None:
    req = IssueRequest(tenant.achievement_id, RecipientInput(identifier="did:example:grace"))
    record = (await issuing.issue_credential(services, tenant.actor, req)).record
    await status_changes.change_status(services, tenant.actor, [record.id], "revoke")
    assert (await verifying.verify(services, dict(record.document))).check("status").code == "revoked"  # type: ignore[union-attr]
    for form in ("full", "compact"):
        hidden = copy.deepcopy(dict(record.document))
        entry = hidden.pop("credentialStatus")
        if form == "full":
            hidden[CRED + "credentialStatus"] = entry
        else:
            hidden["@context"] = [*hidden["@context"], {"cred": CRED}]
            hidden["cred:credentialStatus"] = entry
        report = await verifying.verify(services, hidden)
        assert report.check("proof").outcome == "pass"  # type: ignore[union-attr]
        assert report.verdict == "failed"
        assert report.check("signed-graph").code == "graph-mismatch"  # type: ignore[union-attr]


async def test_an_expired_credential_with_valid_until_as_a_value_object_is_not_verified(
    services: Services, tenant: Tenant
) -> None:
    issued_at = services.now()
    req = IssueRequest(
        tenant.achievement_id,
        RecipientInput(identifier="did:example:ada"),
        valid_until=issued_at + timedelta(days=1),
    )
    record = (await issuing.issue_credential(services, tenant.actor, req)).record
    services.clock = lambda: issued_at + timedelta(days=2)  # the credential has expired
    assert (await verifying.verify(services, dict(record.document))).check("validity").code == "expired"  # type: ignore[union-attr]
    hidden = copy.deepcopy(dict(record.document))
    hidden[CRED + "validUntil"] = {
        "@value": hidden.pop("validUntil"),
        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
    }
    report = await verifying.verify(services, hidden)
    assert report.check("proof").outcome == "pass"  # type: ignore[union-attr]
    assert report.verdict == "failed"
    assert report.check("signed-graph").code == "graph-mismatch"  # type: ignore[union-attr]
