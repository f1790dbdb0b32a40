"""Issue 7, finding 5 "Lost revocation": status changes racing each other, in one instance and
across two instances on one store (SQLite file, MongoDB database).

Revocation is final in the record and in the published bit under any interleaving; concurrent
identical requests are idempotent (one event, no CONFLICT); once the calls return, the record,
the stored list and what every instance's verifier reports agree.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.services.instances import Instances, instances, list_state
from tests.storage.stores import mongo_uri
from vcengine.services import status_changes, verifying
from vcengine.services.context import Services
from vcengine.services.status_changes import Action, InvalidTransition

__all__ = ["instances", "mongo_uri"]

pytestmark = pytest.mark.anyio


async def change(
    services: Services, pair: Instances, ids: list[str], action: Action
) -> status_changes.StatusChange:
    return await status_changes.change_status(services, pair.tenant.actor, ids, action)


async def verified_status(services: Services, pair: Instances, credential_id: str) -> str:
    record = await services.store.get_credential(pair.tenant.org_id, credential_id)
    assert record is not None
    check = (await verifying.verify(services, dict(record.document))).check("status")
    assert check is not None
    return check.code if check.outcome == "fail" and check.code else check.outcome


@pytest.mark.parametrize("rival", ["suspend", "unsuspend"])
@pytest.mark.parametrize("across", [False, True], ids=["one-instance", "two-instances"])
async def test_revoke_racing_suspend_or_unsuspend_stays_revoked(
    instances: Instances, rival: Action, across: bool
) -> None:
    runs = 10
    ids = await instances.issue(runs, "suspension")
    if rival == "unsuspend":
        await change(instances.a, instances, ids, "suspend")
    other = instances.b if across else instances.a
    revokes = []
    for credential_id in ids:  # ten separate races, one per credential
        revoked, _ = await asyncio.gather(
            change(instances.a, instances, [credential_id], "revoke"),
            change(other, instances, [credential_id], rival),
        )
        revokes.append(revoked)
    for revoked in revokes:
        assert not revoked.errors and [r.status for r in revoked.changed] == ["revoked"]
    for credential_id in ids:
        record = await instances.a.store.get_credential(instances.tenant.org_id, credential_id)
        assert record is not None and record.status == "revoked"
    assert await list_state(instances.a, instances.tenant.org_id, ids) == dict.fromkeys(ids, "revoked")
    # a later unsuspend is refused and changes nothing
    later = await change(instances.b, instances, ids, "unsuspend")
    assert not later.changed and all(isinstance(e, InvalidTransition) for _, e in later.errors)
    assert await list_state(instances.b, instances.tenant.org_id, ids) == dict.fromkeys(ids, "revoked")
    for services in (instances.a, instances.b):  # a suspension list's set bit reads "suspended"
        assert {await verified_status(services, instances, i) for i in ids} == {"suspended"}
    assert await instances.a.store.count_events(instances.tenant.org_id, "revoked") == runs


@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
async def test_twenty_concurrent_identical_revokes_give_one_event_and_no_conflict(
    instances: Instances, purpose: str
) -> None:
    [credential_id] = await instances.issue(1, purpose)
    results = await asyncio.gather(
        *(change(instances.pick(i), instances, [credential_id], "revoke") for i in range(20)),
        return_exceptions=True,
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    outcomes = [r for r in results if not isinstance(r, BaseException)]
    assert all(not r.errors and [c.status for c in r.changed] == ["revoked"] for r in outcomes)
    assert await instances.a.store.count_events(instances.tenant.org_id, "revoked") == 1
    assert await list_state(instances.a, instances.tenant.org_id, [credential_id]) == {
        credential_id: "revoked"
    }


async def test_concurrent_changes_of_many_credentials_on_one_list_all_land(instances: Instances) -> None:
    """Forty single-credential requests on one list from two instances: no CONFLICT, each lands."""
    ids = await instances.issue(40, "suspension")
    actions: list[Action] = ["revoke", "suspend"] * 20
    results = await asyncio.gather(
        *(
            change(instances.pick(i), instances, [c], a)
            for i, (c, a) in enumerate(zip(ids, actions, strict=True))
        )
    )
    assert all(not r.errors for r in results)
    expected = {c: "revoked" if a == "revoke" else "suspended" for c, a in zip(ids, actions, strict=True)}
    assert await list_state(instances.a, instances.tenant.org_id, ids) == expected
    records = [await instances.b.store.get_credential(instances.tenant.org_id, c) for c in ids]
    assert {r.id: r.status for r in records if r is not None} == expected
    assert await instances.a.store.count_events(instances.tenant.org_id, "revoked") == 20
    assert await instances.a.store.count_events(instances.tenant.org_id, "suspended") == 20
