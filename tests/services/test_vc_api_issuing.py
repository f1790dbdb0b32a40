"""VC API issuance as a use case: status entries, the stored record, refusals before any write."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.support import Tenant
from vcengine.core.status import StatusMessage
from vcengine.errors import Conflict, InputError, PermissionDenied, SchemaError
from vcengine.services import status_changes, vc_api_issuing
from vcengine.services.context import Actor, Services
from vcengine.services.vc_api_issuing import StatusRequest, VcApiIssue

pytestmark = pytest.mark.anyio
TWO_BITS = tuple(StatusMessage(i, f"m{i}") for i in range(4))


async def issuer_id(services: Services, tenant: Tenant) -> str:
    issuer = await services.store.get_issuer(tenant.org_id, tenant.issuer_id)
    assert issuer is not None
    return str(issuer.profile["id"])


async def credential(services: Services, tenant: Tenant, **extra: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": await issuer_id(services, tenant),
        "credentialSubject": {"id": "did:example:1"},
        **extra,
    }


async def test_the_record_points_at_the_revocable_entry(services: Services, tenant: Tenant) -> None:
    statuses = (StatusRequest("message", 2, TWO_BITS), StatusRequest("suspension"))
    wanted = VcApiIssue(await credential(services, tenant), statuses=statuses, status_array=True)
    record = await vc_api_issuing.issue(services, tenant.actor, wanted)
    message, suspension = record.document["credentialStatus"]
    assert record.achievement_id is None and record.status == "active"
    assert record.status_index == int(suspension["statusListIndex"])
    stored_list = await services.store.get_status_list(record.status_list_id or "")
    assert stored_list is not None and stored_list.url == suspension["statusListCredential"]
    message_list = await services.store.find_status_list_by_url(message["statusListCredential"])
    assert message_list is not None and (message_list.purpose, message_list.status_size) == ("message", 2)
    assert record.document["id"] == f"{services.base_url}/credentials/{record.id}"
    assert await services.store.get_credential(tenant.org_id, record.id) == record
    changed = await status_changes.change_status(services, tenant.actor, [record.id], "suspend")
    assert changed.changed[0].status == "suspended"


async def test_a_message_only_credential_has_no_changeable_entry(services: Services, tenant: Tenant) -> None:
    wanted = VcApiIssue(await credential(services, tenant), statuses=(StatusRequest("message"),))
    record = await vc_api_issuing.issue(services, tenant.actor, wanted)
    assert record.status_list_id is None and record.status_index is None
    result = await status_changes.change_status(services, tenant.actor, [record.id], "revoke")
    assert isinstance(result.errors[0][1], status_changes.InvalidTransition)


async def test_without_status_the_credential_is_signed_as_given(services: Services, tenant: Tenant) -> None:
    given = await credential(services, tenant, id="urn:uuid:same")
    first = await vc_api_issuing.issue(services, tenant.actor, VcApiIssue(given))
    second = await vc_api_issuing.issue(services, tenant.actor, VcApiIssue(given))
    assert first.id != second.id and first.document["id"] == second.document["id"] == "urn:uuid:same"
    assert "credentialStatus" not in first.document and first.status_list_id is None


async def test_record_ids_are_found_from_credential_ids(services: Services, tenant: Tenant) -> None:
    given = await credential(services, tenant, id="https://example.org/c/1")
    wanted = VcApiIssue(given, statuses=(StatusRequest("revocation"),))
    record = await vc_api_issuing.issue(services, tenant.actor, wanted)
    assert vc_api_issuing.record_id_for(services, tenant.org_id, "https://example.org/c/1") == record.id
    assert vc_api_issuing.record_id_for(services, "another-org", "https://example.org/c/1") != record.id
    ours = f"{services.base_url}/credentials/abc"
    assert vc_api_issuing.record_id_for(services, tenant.org_id, ours) == "abc"
    with pytest.raises(Conflict):
        await vc_api_issuing.issue(services, tenant.actor, wanted)


@pytest.mark.parametrize(
    ("statuses", "words"),
    [
        ((StatusRequest("revocation"), StatusRequest("suspension")), "not both"),
        ((StatusRequest("message"), StatusRequest("message")), "repeated"),
        ((StatusRequest("message", 2),), "statusMessage must be present"),
        ((StatusRequest("revocation", 2, TWO_BITS),), "message purpose"),
        ((StatusRequest("refresh"),), "statusPurpose must be one of"),  # type: ignore[arg-type]
    ],
)
async def test_refused_statuses_allocate_nothing(
    services: Services, tenant: Tenant, statuses: tuple[StatusRequest, ...], words: str
) -> None:
    wanted = VcApiIssue(await credential(services, tenant), statuses=statuses)
    with pytest.raises(InputError, match=words):
        await vc_api_issuing.issue(services, tenant.actor, wanted)
    for purpose, size in (("revocation", 1), ("suspension", 1), ("message", 1), ("message", 2)):
        assert await services.store.active_status_list(tenant.org_id, tenant.issuer_id, purpose, size) is None


async def test_data_model_rules_come_before_the_issuer(services: Services, tenant: Tenant) -> None:
    broken = await credential(services, tenant, issuer="https://not.ours.example", credentialSubject={})
    with pytest.raises(SchemaError):
        await vc_api_issuing.issue(services, tenant.actor, VcApiIssue(broken))
    elsewhere = await credential(services, tenant, issuer="https://not.ours.example")
    with pytest.raises(PermissionDenied):
        await vc_api_issuing.issue(services, tenant.actor, VcApiIssue(elsewhere))


async def test_issuing_needs_the_issue_scope(services: Services, tenant: Tenant) -> None:
    reader = Actor(tenant.org_id, frozenset({"read"}))
    with pytest.raises(PermissionDenied):
        await vc_api_issuing.issue(services, reader, VcApiIssue(await credential(services, tenant)))
