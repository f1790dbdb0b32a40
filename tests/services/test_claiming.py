"""Claim links: unguessable, stored as a hash, for one credential, expiring; accepted once."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest

from tests.services.support import Clock, make_services, make_tenant
from vcengine.services import claiming, issuing
from vcengine.services.delivery import DeliverySettings

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_a_claim_link_opens_is_accepted_once_and_expires(tmp_path: Path) -> None:
    clock = Clock()
    services = await make_services(tmp_path, clock=clock, delivery=DeliverySettings(claim_days=2))
    try:
        tenant = await make_tenant(services)
        request = issuing.IssueRequest(tenant.achievement_id, issuing.RecipientInput(email="ada@example.com"))
        record = (await issuing.issue_credential(services, tenant.actor, request)).record
        link = await claiming.new_claim_link(services, record)
        token = link.url.rsplit("/", 1)[1]
        assert link.url.startswith(f"{services.base_url}/claim/") and len(token) == 43
        assert link.expires_at == clock.now + timedelta(days=2)
        stored = await services.store.find_claim_token(hashlib.sha256(token.encode()).hexdigest())
        assert stored is not None and stored.credential_id == record.id  # only the hash is stored
        assert await services.store.find_claim_token(token) is None

        assert (await claiming.open_claim(services, token)).state == "open"
        assert (
            await claiming.open_claim(services, token[:-1] + ("A" if token[-1] != "A" else "B"))
        ).state == ("unknown")
        accepted = await claiming.accept_claim(services, token)
        assert accepted.state == "claimed" and accepted.token and accepted.token.claimed_at == clock.now
        clock.now += timedelta(days=3)
        again = await claiming.accept_claim(services, token)  # past expiry, but accepted already
        assert (
            again.state == "claimed"
            and again.token
            and again.token.claimed_at == clock.now - timedelta(days=3)
        )
        assert await services.store.count_events(tenant.org_id, "claimed") == 1

        late = await claiming.new_claim_link(services, record)
        clock.now += timedelta(days=2)
        late_token = late.url.rsplit("/", 1)[1]
        assert (await claiming.open_claim(services, late_token)).state == "expired"
        assert (await claiming.accept_claim(services, late_token)).state == "expired"
        assert await services.store.count_events(tenant.org_id, "claimed") == 1
    finally:
        await services.close()
        await services.store.close()
