"""Two "API instances" (two ``Services``, each with its own store connection) on one SQLite file or
one MongoDB database, sharing the master key, as ``vcengine serve`` deployments do."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services.support import BASE_URL, Tenant, make_tenant, master_key
from tests.storage.stores import make_store, second_instance, started
from vcengine.core.status import StatusList
from vcengine.services import issuing
from vcengine.services.context import Services
from vcengine.services.issuing import IssueRequest, RecipientInput
from vcengine.services.ports import CredentialStatus

__all__ = ["Instances", "instances", "list_state", "two_instances"]


@dataclass
class Instances:
    a: Services
    b: Services
    tenant: Tenant

    def pick(self, i: int) -> Services:
        return self.b if i % 2 else self.a

    async def issue(self, count: int, purpose: str) -> list[str]:
        requests = [
            IssueRequest(
                self.tenant.achievement_id,
                RecipientInput(identifier=f"did:example:{i}"),
                status_purpose=purpose,  # type: ignore[arg-type]
            )
            for i in range(count)
        ]
        results = await issuing.bulk_issue(self.a, self.tenant.actor, requests)
        return [r.issued.record.id for r in results if r.issued is not None]


@asynccontextmanager
async def two_instances(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Instances]:
    async with make_store(kind, tmp_path, request) as store, started(second_instance(store)) as other:
        key = master_key()
        a, b = Services(store, key, BASE_URL), Services(other, key, BASE_URL)
        try:
            yield Instances(a, b, await make_tenant(a))
        finally:
            await a.close()
            await b.close()


@pytest.fixture(params=["sqlite", "mongo"])
async def instances(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Instances]:
    async with two_instances(request.param, tmp_path, request) as pair:
        yield pair


async def list_state(services: Services, org_id: str, ids: Sequence[str]) -> dict[str, CredentialStatus]:
    """Each credential's status as its stored status list says (the bit, and for a suspension
    list whether the entry is revoked for good)."""
    out: dict[str, CredentialStatus] = {}
    for credential_id in ids:
        record = await services.store.get_credential(org_id, credential_id)
        assert record is not None and record.status_list_id is not None and record.status_index is not None
        status_list = await services.store.get_status_list(record.status_list_id)
        assert status_list is not None
        bit = StatusList.decode(status_list.encoded_list, purpose=status_list.purpose).get(
            record.status_index
        )
        if status_list.purpose == "revocation":
            out[credential_id] = "revoked" if bit else "active"
            continue
        revoked = bool(status_list.revoked_list) and StatusList.decode(status_list.revoked_list).get(
            record.status_index
        )
        out[credential_id] = "revoked" if revoked else "suspended" if bit else "active"
    return out
