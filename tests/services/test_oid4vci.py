"""OID4VCI offers, tokens, nonces and issuance at the service layer, with the clock in hand:
expiry of codes, tokens and nonces, transaction-code attempts, replays, races and tenancy."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.services.support import Clock, Tenant, make_tenant
from vcengine.core.keys import KeyPair
from vcengine.core.oid4vci.metadata import JWT_VC_JSON, LDP_VC, PRE_AUTHORIZED_CODE_GRANT
from vcengine.core.oid4vci.proof_jwt import PROOF_TYP
from vcengine.errors import InputError, NotFound, PermissionDenied, ProtocolError
from vcengine.services import (
    issuing,
    oid4vci_authorization,
    oid4vci_issuance,
    oid4vci_offers,
    oid4vci_tokens,
    status_changes,
)
from vcengine.services.context import Actor, Services

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HOLDER = KeyPair.from_seed(bytes(range(32)))


@pytest.fixture
def clock(services: Services) -> Clock:
    c = Clock(T0)
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


# --- the authorization code flow with PKCE -------------------------------------------------------

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def authorization_params(**extra: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": "wallet-app",
        "redirect_uri": "eu.wallet.app://cb?x=1",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        "scope": "OpenBadgeCredential",
        "state": "st-1",
        **extra,
    }


async def signed_in(services: Services, tenant: Tenant, email: str = "ada@example.org") -> tuple[str, Any]:
    """Start a request, give the email, take the emailed link (as the sign-in job makes it)."""
    issuer = await services.store.get_issuer(tenant.org_id, tenant.issuer_id)
    assert issuer is not None
    _, ticket = oid4vci_authorization.start(services, issuer, authorization_params())
    await oid4vci_authorization.request_sign_in(services, issuer, ticket, email)
    request = await services.store.find_authorization_request(
        "handle_hash", oid4vci_offers.secret_hash(ticket)
    )
    assert request is not None  # the job's payload names it; the job itself would make this link
    made = await oid4vci_authorization.issue_sign_in_link(services, request.id)
    assert made is not None
    return made[1].rsplit("/", 1)[1], made[0]


async def test_the_authorization_code_flow_issues_a_chosen_badge_with_pkce(
    services: Services, tenant: Tenant, clock: Clock
) -> None:
    credential_id = await issued(services, tenant)
    await issued(services, tenant, idempotency_key="other")  # a second badge of the same learner
    token, _ = await signed_in(services, tenant)
    opened = await oid4vci_authorization.open_sign_in(services, tenant.issuer_id, token)
    assert {c.id for c in opened.credentials} >= {credential_id} and len(opened.credentials) == 2
    target = await oid4vci_authorization.choose(services, tenant.issuer_id, token, credential_id)
    from urllib.parse import parse_qs, urlsplit

    back = urlsplit(target)
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    assert f"{back.scheme}://{back.netloc}{back.path}" == "eu.wallet.app://cb" and query["x"] == "1"
    assert query["state"] == "st-1" and query["iss"] == oid4vci_offers.credential_issuer_id(
        services, tenant.issuer_id
    )
    form = {
        "grant_type": "authorization_code",
        "code": query["code"],
        "client_id": "wallet-app",
        "redirect_uri": "eu.wallet.app://cb?x=1",
    }
    await refused(
        "invalid_grant",
        oid4vci_authorization.exchange_authorization_code(
            services, tenant.issuer_id, {**form, "code_verifier": VERIFIER[:-1] + "A"}
        ),
    )
    await refused(
        "invalid_grant",
        oid4vci_authorization.exchange_authorization_code(
            services,
            tenant.issuer_id,
            {**form, "code_verifier": VERIFIER, "redirect_uri": "eu.wallet.app://evil"},
        ),
    )
    await refused(  # an authorization code is not a pre-authorized code
        "invalid_grant",
        oid4vci_tokens.exchange_pre_authorized_code(
            services,
            tenant.issuer_id,
            {"grant_type": PRE_AUTHORIZED_CODE_GRANT, "pre-authorized_code": query["code"]},
        ),
    )
    grant = await oid4vci_authorization.exchange_authorization_code(
        services, tenant.issuer_id, {**form, "code_verifier": VERIFIER}
    )
    assert grant.authorization_details == [
        {
            "type": "openid_credential",
            "credential_configuration_id": LDP_VC,
            "credential_identifiers": [LDP_VC],
        }
    ]
    await refused(
        "invalid_grant",
        oid4vci_authorization.exchange_authorization_code(
            services, tenant.issuer_id, {**form, "code_verifier": VERIFIER}
        ),
    )
    nonce, _ = oid4vci_tokens.new_nonce(services)
    body = {"credential_identifier": LDP_VC, "proofs": {"jwt": [proof(services, tenant.issuer_id, nonce)]}}
    response = await oid4vci_issuance.issue_to_wallet(
        services, tenant.issuer_id, f"Bearer {grant.access_token}", body
    )
    received = response["credentials"][0]["credential"]
    assert (
        received["id"].endswith(credential_id)
        and received["credentialSubject"]["id"] == HOLDER.public.did_key
    )
    with pytest.raises(NotFound):  # the link is used
        await oid4vci_authorization.open_sign_in(services, tenant.issuer_id, token)


async def test_sign_in_links_expire_work_once_and_only_for_the_learners_badges(
    services: Services, tenant: Tenant, clock: Clock
) -> None:
    credential_id = await issued(services, tenant)
    token, request = await signed_in(services, tenant, email="eve@example.org")  # no badges of Eve
    assert (await oid4vci_authorization.open_sign_in(services, tenant.issuer_id, token)).credentials == ()
    with pytest.raises(NotFound):
        await oid4vci_authorization.choose(services, tenant.issuer_id, token, credential_id)
    issuer = await services.store.get_issuer(tenant.org_id, tenant.issuer_id)
    assert issuer is not None
    for forged in ("unknown-ticket", "e30.AAAA"):
        with pytest.raises(NotFound):
            await oid4vci_authorization.request_sign_in(services, issuer, forged, "x@example.org")
    fresh, _ = await signed_in(services, tenant)
    clock.advance(seconds=oid4vci_authorization.SIGN_IN_LIFETIME.total_seconds())
    with pytest.raises(NotFound):
        await oid4vci_authorization.open_sign_in(services, tenant.issuer_id, fresh)
    _, ticket = oid4vci_authorization.start(services, issuer, authorization_params())
    with pytest.raises(InputError):
        await oid4vci_authorization.request_sign_in(services, issuer, ticket, "not an email")
    await oid4vci_authorization.request_sign_in(services, issuer, ticket, "Ada@Example.org")
    await oid4vci_authorization.request_sign_in(
        services, issuer, ticket, "eve@example.org"
    )  # once per ticket
    jobs = await services.store.list_jobs(tenant.org_id, oid4vci_authorization.SIGN_IN_KIND, None, None, 10)
    assert len(jobs.items) == 3  # Eve's, Ada's first ticket, Ada's second: one per ticket
    stored = await services.store.find_authorization_request(
        "handle_hash", oid4vci_offers.secret_hash(ticket)
    )
    assert stored is not None and stored.email == "ada@example.org"
    assert stored.id in {j.payload["requestId"] for j in jobs.items}
    other = await make_tenant(services, "Other")
    other_issuer = await services.store.get_issuer(other.org_id, other.issuer_id)
    assert other_issuer is not None
    with pytest.raises(NotFound):  # a ticket of one issuer is not another's
        await oid4vci_authorization.request_sign_in(services, other_issuer, ticket, "ada@example.org")
    clock.advance(seconds=oid4vci_authorization.REQUEST_LIFETIME.total_seconds())
    with pytest.raises(NotFound, match="expired"):
        await oid4vci_authorization.request_sign_in(services, issuer, ticket, "ada@example.org")


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


async def test_the_sign_in_job_sends_nothing_without_smtp_badges_or_a_live_request(
    services: Services, tenant: Tenant, clock: Clock
) -> None:
    from dataclasses import replace

    from vcengine.services import oid4vci_emails as oid4vci_sign_in_email
    from vcengine.services.smtp import parse_smtp_url

    await issued(services, tenant)
    issuer = await services.store.get_issuer(tenant.org_id, tenant.issuer_id)
    assert issuer is not None
    _, ticket = oid4vci_authorization.start(services, issuer, authorization_params())
    await oid4vci_authorization.request_sign_in(services, issuer, ticket, "ada@example.org")
    (job,) = (
        await services.store.list_jobs(tenant.org_id, oid4vci_authorization.SIGN_IN_KIND, None, None, 5)
    ).items
    no_smtp = await oid4vci_sign_in_email.send_sign_in_link(services, job)
    assert no_smtp["outcome"] == "skipped" and "SMTP" in no_smtp["reason"]
    services.delivery = replace(
        services.delivery, smtp=parse_smtp_url("smtp://127.0.0.1:9")
    )  # nothing listens
    _, other = oid4vci_authorization.start(services, issuer, authorization_params())
    await oid4vci_authorization.request_sign_in(services, issuer, other, "nobody@example.org")
    jobs = (
        await services.store.list_jobs(tenant.org_id, oid4vci_authorization.SIGN_IN_KIND, None, None, 5)
    ).items
    (second,) = [j for j in jobs if j.id != job.id]
    nobody = await oid4vci_sign_in_email.send_sign_in_link(services, second)
    assert nobody == {"outcome": "skipped", "reason": "no badges of this issuer for that address"}
    clock.advance(seconds=oid4vci_authorization.REQUEST_LIFETIME.total_seconds())
    expired = await oid4vci_sign_in_email.send_sign_in_link(services, job)
    assert expired["outcome"] == "skipped" and "expired" in expired["reason"]
