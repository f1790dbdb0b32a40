"""Issuing: every proof format verifies, idempotency holds under concurrency, bulk issuance."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.services.support import BASE_URL, Tenant, make_services, make_tenant, master_key
from tests.storage.stores import make_store, mongo_uri
from vcengine.errors import InputError, NotFound, PermissionDenied, StoreUnavailable
from vcengine.services import issuing, verifying
from vcengine.services.context import Actor, Services
from vcengine.services.issuing import IssueRequest, RecipientInput
from vcengine.services.ports import CredentialFilter, Store

__all__ = ["mongo_uri"]

pytestmark = pytest.mark.anyio


def request(tenant: Tenant, **kw: object) -> IssueRequest:
    kw.setdefault("recipient", RecipientInput(email="Ada@Example.org", name="Ada"))
    return IssueRequest(tenant.achievement_id, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("proof_format", ["eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt"])
async def test_each_proof_format_issues_a_verified_credential(
    services: Services, tenant: Tenant, proof_format: str
) -> None:
    issued = await issuing.issue_credential(
        services, tenant.actor, request(tenant, proof_format=proof_format)
    )
    record = issued.record
    assert issued.created and record.status == "active" and record.recipient["email"] == "ada@example.org"
    credential = issuing.credential_json(record)
    assert credential["id"] == f"https://vc.example/credentials/{record.id}"
    assert "ada@example.org" not in str(credential)  # the email is hashed, the name disclosed
    assert credential["credentialStatus"]["statusPurpose"] == "revocation"
    data = record.document["jwt"] if proof_format == "vc-jwt" else dict(record.document)
    report = await verifying.verify(services, data)
    assert report.verdict == "verified", report.to_json()


async def test_the_same_idempotency_key_yields_one_credential_even_concurrently(
    services: Services, tenant: Tenant
) -> None:
    req = request(tenant, idempotency_key="order-42")
    results = await asyncio.gather(*(issuing.issue_credential(services, tenant.actor, req) for _ in range(8)))
    assert len({r.record.id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    again = await issuing.issue_credential(services, tenant.actor, req)
    assert not again.created and again.record.id == results[0].record.id
    page = await services.store.list_credentials(tenant.org_id, CredentialFilter(), None, 50)
    assert len(page.items) == 1
    assert await services.store.count_events(tenant.org_id, "issued") == 1


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"recipient": RecipientInput()}, "recipient"),
        ({"recipient": RecipientInput(email="not-an-email")}, "recipient.email"),
        ({"recipient": RecipientInput(identifier="no uri")}, "recipient.identifier"),
        ({"proof_format": "rsa"}, "proofFormat"),
        ({"idempotency_key": ""}, "idempotencyKey"),
        ({"status_purpose": "message"}, "statusPurpose"),
        ({"evidence": [issuing.EvidenceInput()]}, "evidence.0"),
    ],
)
async def test_invalid_requests_name_the_field(
    services: Services, tenant: Tenant, change: dict[str, object], path: str
) -> None:
    with pytest.raises(InputError) as caught:
        await issuing.issue_credential(services, tenant.actor, request(tenant, **change))
    assert caught.value.path == path


async def test_validity_must_be_in_the_future(services: Services, tenant: Tenant) -> None:
    with pytest.raises(InputError):
        await issuing.issue_credential(services, tenant.actor, request(tenant, valid_until=services.now()))
    later = services.now() + timedelta(days=30)
    issued = await issuing.issue_credential(services, tenant.actor, request(tenant, valid_until=later))
    assert issued.record.valid_until == later


async def test_scope_and_organization_are_enforced(services: Services, tenant: Tenant) -> None:
    with pytest.raises(PermissionDenied):
        await issuing.issue_credential(services, Actor(tenant.org_id, frozenset({"read"})), request(tenant))
    other = await make_tenant(services, "Other")
    with pytest.raises(NotFound):
        await issuing.issue_credential(services, other.actor, request(tenant))


async def test_bulk_issue_reports_each_item_and_never_reuses_an_index(
    services: Services, tenant: Tenant
) -> None:
    reqs = [
        request(tenant, recipient=RecipientInput(email=f"u{i}@example.org"), idempotency_key=f"k{i % 250}")
        for i in range(300)
    ]
    reqs[7] = request(tenant, recipient=RecipientInput(email="broken"))
    events = services.events.subscribe(tenant.org_id)
    waiting = asyncio.ensure_future(events.__anext__())
    await asyncio.sleep(0)
    results = await issuing.bulk_issue(services, tenant.actor, reqs, bulk_id="b1", chunk=100)
    assert results[7].error is not None and results[7].error.path == "recipient.email"
    issued = [r.issued for r in results if r.issued]
    assert len(issued) == 299
    assert sum(i.created for i in issued) == 250  # one per key; repeats return the first
    assert {i.record.id for i in issued if not i.created} <= {i.record.id for i in issued if i.created}
    indexes = {(i.record.status_list_id, i.record.status_index) for i in issued if i.created}
    assert len(indexes) == 250
    progress = await waiting
    assert progress.type == "bulk_progress" and progress.data["bulkId"] == "b1"
    await events.aclose()  # type: ignore[attr-defined]
    again = await issuing.bulk_issue(services, tenant.actor, reqs[:50])
    assert not any(r.issued and r.issued.created for r in again)


async def test_bulk_signing_in_worker_processes(tmp_path: Path) -> None:
    services = await make_services(tmp_path, signing_processes=2)
    try:
        tenant = await make_tenant(services)
        reqs = [request(tenant, recipient=RecipientInput(identifier=f"did:example:{i}")) for i in range(128)]
        results = await issuing.bulk_issue(services, tenant.actor, reqs)
        assert all(r.issued and r.issued.created for r in results)
        report = await verifying.verify(services, dict(results[-1].issued.record.document))  # type: ignore[union-attr]
        assert report.verified
    finally:
        await services.close()
        await services.store.close()


class _DiesAfter:
    """A store each of whose ``calls`` (method name -> n) does its work on call n and then fails,
    as a process killed right after that write would; every other call goes to ``store``."""

    def __init__(self, store: Store, calls: dict[str, int]) -> None:
        self._store, self._left = store, dict(calls)

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._store, name)
        if name not in self._left:
            return call

        async def dies_after(*args: Any, **kwargs: Any) -> Any:
            result = await call(*args, **kwargs)
            self._left[name] -= 1
            if self._left[name] == 0:
                raise StoreUnavailable("killed after the write")
            return result

        return dies_after


@pytest.mark.parametrize("kind", ["sqlite", "mongo"])
async def test_no_credential_is_ever_stored_without_its_issued_event(
    tmp_path: Path, request: pytest.FixtureRequest, kind: str
) -> None:
    """Finding 7 of issue 7: 11 of 2,011 credentials had no ``issued`` event after a crash. The
    process dies after a write in the middle of a bulk issue (after its second chunk of 20, one
    batch write each) and of single ones; whatever was stored, every credential has exactly one
    ``issued`` event."""
    async with make_store(kind, tmp_path, request) as store:
        plain = Services(store, master_key(), BASE_URL)
        tenant = await make_tenant(plain)
        dies = _DiesAfter(store, {"insert_credentials": 2, "insert_credential": 30})
        dying = Services(dies, plain.master_key, BASE_URL)  # type: ignore[arg-type]
        reqs = [request_for(tenant, i) for i in range(60)]
        with pytest.raises(StoreUnavailable):
            await issuing.bulk_issue(dying, tenant.actor, reqs, chunk=20)
        with pytest.raises(StoreUnavailable):
            for i in range(100, 140):
                await issuing.issue_credential(dying, tenant.actor, request_for(tenant, i))
        stored = await store.list_credentials(tenant.org_id, CredentialFilter(), None, 500)
        assert len(stored.items) == 40 + 30, "the crashes land after two chunks and 30 single ones"
        assert await store.count_events(tenant.org_id, "issued") == len(stored.items)
        # and the retry of every request issues the rest, one event each
        await issuing.bulk_issue(plain, tenant.actor, reqs)
        total = await store.list_credentials(tenant.org_id, CredentialFilter(), None, 500)
        assert len({c.idempotency_key for c in total.items}) == len(total.items)
        assert await store.count_events(tenant.org_id, "issued") == len(total.items)
        await dying.close()
        await plain.close()


def request_for(tenant: Tenant, i: int) -> IssueRequest:
    return request(tenant, recipient=RecipientInput(identifier=f"did:example:{i}"), idempotency_key=f"k{i}")
