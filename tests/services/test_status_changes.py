"""Revoke, suspend, unsuspend: bits flipped, each list re-signed once per batch, transitions kept."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from tests.services.support import Tenant
from vcengine.errors import PermissionDenied
from vcengine.services import issuing, status_changes, verifying
from vcengine.services.context import Actor, Services
from vcengine.services.issuing import IssueRequest, RecipientInput
from vcengine.services.status_changes import InvalidTransition

pytestmark = pytest.mark.anyio


async def issue(services: Services, tenant: Tenant, count: int = 1, purpose: str = "revocation") -> list[str]:
    reqs = [
        IssueRequest(
            tenant.achievement_id, RecipientInput(identifier=f"did:example:{i}"), status_purpose=purpose
        )
        for i in range(count)
    ]  # type: ignore[arg-type]
    return [r.issued.record.id for r in await issuing.bulk_issue(services, tenant.actor, reqs)]  # type: ignore[union-attr]


async def status_of(services: Services, tenant: Tenant, credential_id: str) -> str | None:
    record = await services.store.get_credential(tenant.org_id, credential_id)
    assert record is not None
    check = (await verifying.verify(services, dict(record.document))).check("status")
    assert check is not None
    return check.code if check.outcome == "fail" else check.outcome


async def test_a_batch_re_signs_its_list_once(services: Services, tenant: Tenant) -> None:
    ids = await issue(services, tenant, 6)
    record = await services.store.get_credential(tenant.org_id, ids[0])
    assert record is not None and record.status_list_id is not None
    url = record.document["credentialStatus"]["statusListCredential"]
    before = await services.store.find_status_list_by_url(url)
    assert before is not None
    result = await status_changes.change_status(services, tenant.actor, [*ids[:5], "nope"], "revoke")
    assert len(result.changed) == 5 and [i for i, _ in result.errors] == ["nope"]
    after = await services.store.find_status_list_by_url(url)
    assert after is not None and after.version == before.version + 1
    assert await status_of(services, tenant, ids[0]) == "revoked"
    assert await status_of(services, tenant, ids[5]) == "pass"
    again = await status_changes.change_status(services, tenant.actor, ids[:1], "revoke")
    assert len(again.changed) == 1 and not again.errors  # revoking twice is a no-op


async def test_suspend_and_unsuspend_then_revoke_for_good(services: Services, tenant: Tenant) -> None:
    [cid] = await issue(services, tenant, purpose="suspension")
    await status_changes.change_status(services, tenant.actor, [cid], "suspend")
    assert await status_of(services, tenant, cid) == "suspended"
    await status_changes.change_status(services, tenant.actor, [cid], "unsuspend")
    assert await status_of(services, tenant, cid) == "pass"
    await status_changes.change_status(services, tenant.actor, [cid], "revoke")
    record = await services.store.get_credential(tenant.org_id, cid)
    assert record is not None and record.status == "revoked"
    result = await status_changes.change_status(services, tenant.actor, [cid], "unsuspend")
    assert isinstance(result.errors[0][1], InvalidTransition)


async def test_a_revocation_entry_cannot_be_suspended(services: Services, tenant: Tenant) -> None:
    [cid] = await issue(services, tenant)
    result = await status_changes.change_status(services, tenant.actor, [cid], "suspend")
    assert isinstance(result.errors[0][1], InvalidTransition)


async def test_concurrent_batches_on_one_list_both_land(services: Services, tenant: Tenant) -> None:
    ids = await issue(services, tenant, 4)
    await asyncio.gather(
        status_changes.change_status(services, tenant.actor, ids[:2], "revoke"),
        status_changes.change_status(services, tenant.actor, ids[2:], "revoke"),
    )
    services.cache.clear()
    assert [await status_of(services, tenant, i) for i in ids] == ["revoked"] * 4


async def test_only_revoke_scope_in_the_own_organization(services: Services, tenant: Tenant) -> None:
    [cid] = await issue(services, tenant)
    with pytest.raises(PermissionDenied):
        await status_changes.change_status(
            services, Actor(tenant.org_id, frozenset({"issue"})), [cid], "revoke"
        )
    stranger = Actor("another-org", frozenset({"admin"}))
    result = await status_changes.change_status(services, stranger, [cid], "revoke")
    assert not result.changed and result.errors
    assert await status_of(services, tenant, cid) == "pass"


async def test_an_entry_the_service_did_not_allocate_is_never_changed(
    services: Services, tenant: Tenant
) -> None:
    """A credential signed elsewhere with a copy of another credential's entry (a VC API caller
    can sign any entry) must not flip that credential's bit."""
    [victim] = await issue(services, tenant, purpose="suspension")
    original = await services.store.get_credential(tenant.org_id, victim)
    assert original is not None
    copy = replace(original, id="copycat", status_list_id=None, status_index=None, idempotency_key=None)
    await services.store.insert_credential(copy)
    for action in ("suspend", "revoke"):
        result = await status_changes.change_status(services, tenant.actor, ["copycat"], action)  # type: ignore[arg-type]
        assert not result.changed and isinstance(result.errors[0][1], InvalidTransition)
        assert "not allocated by this service" in result.errors[0][1].message
    assert await status_of(services, tenant, victim) == "pass"
