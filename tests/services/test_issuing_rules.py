"""GraphQL-side issuance runs the same pre-flight (ensure_signable) on the complete credential: a
stored achievement whose JSON would make a credential break a VC Data Model rule yields a
SchemaError naming the rule, nothing is stored, and in bulk the other items are still issued."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from tests.services.support import Tenant, make_services, make_tenant
from vcengine.errors import SchemaError
from vcengine.services import issuing
from vcengine.services.context import Services
from vcengine.services.issuing import IssueRequest, RecipientInput
from vcengine.services.ports import CredentialFilter

pytestmark = pytest.mark.anyio


async def broken_achievement(services: Services, tenant: Tenant, **patch: Any) -> str:
    """A copy of the tenant's achievement, stored with JSON that breaks a rule (as an old or
    hand-edited record could be)."""
    record = await services.store.get_achievement(tenant.org_id, tenant.achievement_id)
    assert record is not None
    broken = dataclasses.replace(record, id=services.new_id(), achievement={**record.achievement, **patch})
    await services.store.create_achievement(broken)
    return broken.id


async def stored(services: Services, tenant: Tenant) -> int:
    page = await services.store.list_credentials(tenant.org_id, CredentialFilter(), None, 500)
    return len(page.items)


@pytest.mark.parametrize("proof_format", ["eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt"])
async def test_a_rule_violation_is_refused_before_signing_and_nothing_is_stored(
    services: Services, tenant: Tenant, proof_format: str
) -> None:
    achievement_id = await broken_achievement(services, tenant, id="badge-1")
    request = IssueRequest(achievement_id, RecipientInput(email="ada@example.org"), proof_format=proof_format)  # type: ignore[arg-type]
    with pytest.raises(SchemaError) as caught:
        await issuing.issue_credential(services, tenant.actor, request)
    assert caught.value.rule == "VCDM2-4.4-id-url"
    assert caught.value.path == "$.credentialSubject.achievement.id"
    assert await stored(services, tenant) == 0


async def test_bulk_issues_the_good_items_and_names_the_rule_of_the_bad(
    services: Services, tenant: Tenant
) -> None:
    bad = await broken_achievement(services, tenant, type=["Achievement", ""])
    requests = [
        IssueRequest(
            bad if i % 3 == 1 else tenant.achievement_id, RecipientInput(identifier=f"did:example:{i}")
        )
        for i in range(9)
    ]
    results = await issuing.bulk_issue(services, tenant.actor, requests, chunk=4)
    for i, result in enumerate(results):
        if i % 3 == 1:
            assert result.issued is None and isinstance(result.error, SchemaError)
            assert result.error.rule == "VCDM2-4.5-type-values"
        else:
            assert result.issued is not None and result.issued.created, result.error
    assert await stored(services, tenant) == 6


async def test_bulk_in_worker_processes_isolates_a_refused_credential(tmp_path: Path) -> None:
    services = await make_services(tmp_path, signing_processes=2)
    try:
        tenant = await make_tenant(services)
        bad = await broken_achievement(services, tenant, criteria={"id": "criteria 1", "narrative": "x"})
        requests = [
            IssueRequest(
                bad if i == 70 else tenant.achievement_id, RecipientInput(identifier=f"did:example:{i}")
            )
            for i in range(80)
        ]
        results = await issuing.bulk_issue(services, tenant.actor, requests)
        assert isinstance(results[70].error, SchemaError)
        assert results[70].error.rule == "VCDM2-4.4-id-url"
        assert sum(1 for r in results if r.issued and r.issued.created) == 79
    finally:
        await services.close()
        await services.store.close()
