"""OID4VCI offers, tokens, nonces and issuance at the service layer, with the clock in hand:
expiry of codes, tokens and nonces, transaction-code attempts, replays, races and tenancy."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.services.support import Tenant
from vcengine.core.keys import KeyPair
from vcengine.core.oid4vci.metadata import JWT_VC_JSON, LDP_VC, PRE_AUTHORIZED_CODE_GRANT
from vcengine.core.oid4vci.proof_jwt import PROOF_TYP
from vcengine.errors import InputError, NotFound, PermissionDenied, ProtocolError
from vcengine.services import issuing, oid4vci_issuance, oid4vci_offers, oid4vci_tokens, status_changes
from vcengine.services.context import Actor, Services

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HOLDER = KeyPair.from_seed(bytes(range(32)))


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(services: Services) -> Clock:
    c = Clock()
    services.clock = c
    return c


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def proof(services: Services, issuer_id: str, nonce: str | None, key: KeyPair = HOLDER, **claims: Any) -> str:
    header = {"typ": PROOF_TYP, "alg": "EdDSA", "kid": key.public.did_key_verification_method}
    body = {
        "aud": oid4vci_offers.credential_issuer_id(services, issuer_id),
        "iat": int(services.now().timestamp()),
    }
    if nonce is not None:
        body["nonce"] = nonce
    body.update(claims)
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(body).encode())}"
    return f"{signing_input}.{b64(key.sign(signing_input.encode()))}"


async def issued(services: Services, tenant: Tenant, **request: Any) -> str:
    recipient = issuing.RecipientInput(email="ada@example.org")
    out = await issuing.issue_credential(
        services, tenant.actor, issuing.IssueRequest(tenant.achievement_id, recipient, **request)
    )
    return out.record.id


def code_of(created: oid4vci_offers.CreatedOffer) -> str:
    code: str = created.offer["grants"][PRE_AUTHORIZED_CODE_GRANT]["pre-authorized_code"]
    return code


async def token(services: Services, created: oid4vci_offers.CreatedOffer, **form: str) -> str:
    grant = await oid4vci_tokens.exchange_pre_authorized_code(
        services,
        created.record.issuer_id,
        {"grant_type": PRE_AUTHORIZED_CODE_GRANT, "pre-authorized_code": code_of(created), **form},
    )
    return grant.access_token


async def refused(code: str, awaitable: Any) -> str:
    with pytest.raises(ProtocolError) as caught:
        await awaitable
    assert caught.value.code == code, caught.value.message
    return caught.value.message


async def test_a_credential_is_issued_bound_with_its_status_entry_and_the_record_unchanged(
    services: Services, tenant: Tenant, clock: Clock
) -> None:
    credential_id = await issued(services, tenant)
    before = await services.store.get_credential(tenant.org_id, credential_id)
    created = await oid4vci_offers.create_credential_offer(services, tenant.actor, credential_id)
    access = await token(services, created)
    nonce, _ = oid4vci_tokens.new_nonce(services)
    response = await oid4vci_issuance.issue_to_wallet(
        services,
        tenant.issuer_id,
        f"Bearer {access}",
        {
            "credential_configuration_id": LDP_VC,
            "proofs": {"jwt": [proof(services, tenant.issuer_id, nonce)]},
        },
    )
    (entry,) = response["credentials"]
    assert entry["credential"]["credentialSubject"]["id"] == HOLDER.public.did_key
    assert before is not None
    assert entry["credential"]["credentialStatus"] == before.document["credentialStatus"]
    assert entry["credential"]["proof"]["created"].startswith("2026-12-01T09:00:00")  # signed at that moment
    assert await services.store.get_credential(tenant.org_id, credential_id) == before
    assert await services.store.count_events(tenant.org_id, "wallet_issued") == 1
    assert response["notification_id"] == LDP_VC and "credential" not in response


async def test_codes_tokens_and_nonces_expire(services: Services, tenant: Tenant, clock: Clock) -> None:
    credential_id = await issued(services, tenant)
    created = await oid4vci_offers.create_credential_offer(
        services, tenant.actor, credential_id, lifetime=timedelta(seconds=60)
    )
    assert created.record.expires_at == T0 + timedelta(seconds=60)
    clock.advance(seconds=60)
    assert "expired" in await refused("invalid_grant", token(services, created))
    with pytest.raises(NotFound):
        await oid4vci_offers.offer_by_reference(services, tenant.issuer_id, "not-a-handle")

    fresh = await oid4vci_offers.create_credential_offer(services, tenant.actor, credential_id)
    access = await token(services, fresh)
    nonce, lifetime = oid4vci_tokens.new_nonce(services)
    clock.advance(seconds=lifetime)
    body = {
        "credential_configuration_id": LDP_VC,
        "proofs": {"jwt": [proof(services, tenant.issuer_id, nonce)]},
    }
    assert "expired" in await refused(
        "invalid_nonce",
        oid4vci_issuance.issue_to_wallet(services, tenant.issuer_id, f"Bearer {access}", body),
    )
    clock.advance(seconds=oid4vci_tokens.TOKEN_LIFETIME.total_seconds())
    assert "expired" in await refused(
        "invalid_token",
        oid4vci_issuance.issue_to_wallet(services, tenant.issuer_id, f"Bearer {access}", body),
    )


async def test_wrong_transaction_codes_run_out_and_a_missing_or_unexpected_one_is_invalid_request(
    services: Services, tenant: Tenant, clock: Clock
) -> None:
    credential_id = await issued(services, tenant)
    created = await oid4vci_offers.create_credential_offer(
        services, tenant.actor, credential_id, tx_code=True
    )
    assert created.tx_code is not None and created.tx_code not in repr(created)
    await refused("invalid_request", token(services, created))
    wrong = "000000" if created.tx_code != "000000" else "111111"
    messages = [await refused("invalid_grant", token(services, created, tx_code=wrong)) for _ in range(5)]
    assert "4 attempts left" in messages[0] and "0 attempts left" in messages[-1]
    assert "too many" in await refused("invalid_grant", token(services, created, tx_code=created.tx_code))

    plain = await oid4vci_offers.create_credential_offer(services, tenant.actor, credential_id)
    await refused("invalid_request", token(services, plain, tx_code="123456"))
    assert await token(services, plain)


async def test_a_code_is_redeemed_once_even_when_raced(
    services: Services, tenant: Tenant, clock: Clock
) -> None:
    credential_id = await issued(services, tenant)
    created = await oid4vci_offers.create_credential_offer(services, tenant.actor, credential_id)
    outcomes = await asyncio.gather(*(token(services, created) for _ in range(6)), return_exceptions=True)
    assert sum(isinstance(o, str) for o in outcomes) == 1
    assert all(
        isinstance(o, ProtocolError) and o.code == "invalid_grant" for o in outcomes if not isinstance(o, str)
    )


async def test_a_nonce_is_accepted_once_and_each_configuration_issued_once(
    services: Services, tenant: Tenant, clock: Clock
) -> None:
    credential_id = await issued(services, tenant)
    created = await oid4vci_offers.create_credential_offer(services, tenant.actor, credential_id)
    bearer = f"Bearer {await token(services, created)}"
    nonce, _ = oid4vci_tokens.new_nonce(services)

    def request(configuration: str, n: str | None) -> dict[str, Any]:
        return {
            "credential_configuration_id": configuration,
            "proofs": {"jwt": [proof(services, tenant.issuer_id, n)]},
        }

    await oid4vci_issuance.issue_to_wallet(services, tenant.issuer_id, bearer, request(LDP_VC, nonce))
    assert "used already" in await refused(
        "invalid_nonce",
        oid4vci_issuance.issue_to_wallet(services, tenant.issuer_id, bearer, request(JWT_VC_JSON, nonce)),
    )
    await refused(
        "invalid_nonce",
        oid4vci_issuance.issue_to_wallet(services, tenant.issuer_id, bearer, request(JWT_VC_JSON, "forged")),
    )
    await refused(
        "invalid_proof",
        oid4vci_issuance.issue_to_wallet(services, tenant.issuer_id, bearer, request(JWT_VC_JSON, None)),
    )
    again, _ = oid4vci_tokens.new_nonce(services)
    await refused(
        "credential_request_denied",
        oid4vci_issuance.issue_to_wallet(services, tenant.issuer_id, bearer, request(LDP_VC, again)),
    )
    fresh, _ = oid4vci_tokens.new_nonce(services)
    jwt = await oid4vci_issuance.issue_to_wallet(
        services, tenant.issuer_id, bearer, request(JWT_VC_JSON, fresh)
    )
    assert isinstance(jwt["credentials"][0]["credential"], str)


async def test_a_credential_revoked_after_the_offer_is_denied(
    services: Services, tenant: Tenant, clock: Clock
) -> None:
    credential_id = await issued(services, tenant)
    created = await oid4vci_offers.create_credential_offer(services, tenant.actor, credential_id)
    bearer = f"Bearer {await token(services, created)}"
    await status_changes.change_status(services, tenant.actor, [credential_id], "revoke")
    nonce, _ = oid4vci_tokens.new_nonce(services)
    body = {
        "credential_configuration_id": LDP_VC,
        "proofs": {"jwt": [proof(services, tenant.issuer_id, nonce)]},
    }
    await refused(
        "credential_request_denied",
        oid4vci_issuance.issue_to_wallet(services, tenant.issuer_id, bearer, body),
    )
    with pytest.raises(InputError, match="revoked"):
        await oid4vci_offers.create_credential_offer(services, tenant.actor, credential_id)


async def test_notifications_are_recorded_once_per_event(
    services: Services, tenant: Tenant, clock: Clock
) -> None:
    credential_id = await issued(services, tenant)
    created = await oid4vci_offers.create_credential_offer(services, tenant.actor, credential_id)
    bearer = f"Bearer {await token(services, created)}"
    await refused(
        "invalid_notification_id",
        oid4vci_issuance.notify(
            services, tenant.issuer_id, bearer, {"notification_id": LDP_VC, "event": "credential_accepted"}
        ),
    )
    nonce, _ = oid4vci_tokens.new_nonce(services)
    body = {
        "credential_configuration_id": LDP_VC,
        "proofs": {"jwt": [proof(services, tenant.issuer_id, nonce)]},
    }
    nid = (await oid4vci_issuance.issue_to_wallet(services, tenant.issuer_id, bearer, body))[
        "notification_id"
    ]
    for _ in range(2):
        await oid4vci_issuance.notify(
            services, tenant.issuer_id, bearer, {"notification_id": nid, "event": "credential_accepted"}
        )
    await oid4vci_issuance.notify(
        services, tenant.issuer_id, bearer, {"notification_id": nid, "event": "credential_deleted"}
    )
    await refused(
        "invalid_notification_request",
        oid4vci_issuance.notify(
            services, tenant.issuer_id, bearer, {"notification_id": nid, "event": "credential_lost"}
        ),
    )
    assert await services.store.count_events(tenant.org_id, "wallet_imported") == 1
    assert await services.store.count_events(tenant.org_id, "wallet_deleted") == 1


async def test_offers_are_org_scoped_need_the_issue_scope_and_bounded_lifetimes(
    services: Services, tenant: Tenant, clock: Clock
) -> None:
    from tests.services.support import make_tenant

    credential_id = await issued(services, tenant)
    other = await make_tenant(services, "Other")
    with pytest.raises(NotFound):
        await oid4vci_offers.create_credential_offer(services, other.actor, credential_id)
    with pytest.raises(PermissionDenied):
        await oid4vci_offers.create_credential_offer(
            services, Actor(tenant.org_id, frozenset({"read"})), credential_id
        )
    for lifetime in (timedelta(seconds=59), timedelta(days=8)):
        with pytest.raises(InputError):
            await oid4vci_offers.create_credential_offer(
                services, tenant.actor, credential_id, lifetime=lifetime
            )
    created = await oid4vci_offers.create_credential_offer(services, tenant.actor, credential_id)
    await refused(  # the code of one issuer at another issuer's token endpoint
        "invalid_grant",
        oid4vci_tokens.exchange_pre_authorized_code(
            services,
            other.issuer_id,
            {"grant_type": PRE_AUTHORIZED_CODE_GRANT, "pre-authorized_code": code_of(created)},
        ),
    )
    bearer = f"Bearer {await token(services, created)}"
    await refused("invalid_token", oid4vci_tokens.offer_for_token(services, other.issuer_id, bearer))


async def test_a_suspended_credential_is_neither_offered_nor_delivered(
    services: Services, tenant: Tenant, clock: Clock
) -> None:
    credential_id = await issued(services, tenant, status_purpose="suspension")
    created = await oid4vci_offers.create_credential_offer(services, tenant.actor, credential_id)
    bearer = f"Bearer {await token(services, created)}"
    await status_changes.change_status(services, tenant.actor, [credential_id], "suspend")
    nonce, _ = oid4vci_tokens.new_nonce(services)
    body = {
        "credential_configuration_id": LDP_VC,
        "proofs": {"jwt": [proof(services, tenant.issuer_id, nonce)]},
    }
    await refused(
        "credential_request_denied",
        oid4vci_issuance.issue_to_wallet(services, tenant.issuer_id, bearer, body),
    )
    with pytest.raises(InputError, match="suspended"):
        await oid4vci_offers.create_credential_offer(services, tenant.actor, credential_id)
