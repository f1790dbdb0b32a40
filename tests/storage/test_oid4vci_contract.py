"""The OID4VCI part of the ``Store`` contract (credential offers, used nonces), on SQLite and MongoDB."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.storage.stores import second_instance, started
from vcengine.errors import Conflict
from vcengine.services.ports import AuthorizationRequestRecord, CredentialOfferRecord, Store

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 12, 1, 9, 0, 0, 250000, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def offer(i: str = "of1", **kw: Any) -> CredentialOfferRecord:
    fields: dict[str, Any] = {
        "org_id": "o1",
        "issuer_id": "iss1",
        "credential_id": "c1",
        "configuration_ids": ("OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"),
        "code_hash": f"code-{i}",
        "handle_hash": f"handle-{i}",
        "created_at": at(0),
        "expires_at": at(600),
    }
    fields.update(kw)
    return CredentialOfferRecord(id=i, **fields)


async def test_an_offer_round_trips_and_is_found_by_each_hash_only(store: Store) -> None:
    record = offer(tx_code_mac="mac")
    await store.create_credential_offer(record)
    assert await store.get_credential_offer("o1", "of1") == record
    assert await store.get_credential_offer("o2", "of1") is None  # org-scoped
    assert await store.find_credential_offer("code_hash", "code-of1") == record
    assert await store.find_credential_offer("handle_hash", "handle-of1") == record
    assert await store.find_credential_offer("token_hash", "code-of1") is None
    assert await store.find_credential_offer("code_hash", "handle-of1") is None


async def test_an_offer_id_or_hash_stored_already_is_a_conflict(store: Store) -> None:
    await store.create_credential_offer(offer())
    for duplicate in (offer(), offer("of2", code_hash="code-of1"), offer("of3", handle_hash="handle-of1")):
        with pytest.raises(Conflict):
            await store.create_credential_offer(duplicate)


async def test_a_code_is_redeemed_once_before_it_expires(store: Store) -> None:
    await store.create_credential_offer(offer())
    assert not await store.redeem_credential_offer("of1", at(600), "tok", at(900), 5)  # expired
    assert await store.redeem_credential_offer("of1", at(10), "tok", at(310), 5)
    assert not await store.redeem_credential_offer("of1", at(11), "tok2", at(311), 5)
    redeemed = await store.find_credential_offer("token_hash", "tok")
    assert redeemed is not None
    assert (redeemed.redeemed_at, redeemed.token_expires_at) == (at(10), at(310))
    assert await store.find_credential_offer("token_hash", "tok2") is None
    assert not await store.redeem_credential_offer("nope", at(10), "tok3", at(310), 5)


async def test_concurrent_redemptions_on_two_instances_have_one_winner(store: Store) -> None:
    await store.create_credential_offer(offer())
    async with started(second_instance(store)) as other:
        wins = await asyncio.gather(
            *(
                s.redeem_credential_offer("of1", at(1), f"t{i}", at(300), 5)
                for i, s in enumerate([store, other] * 4)
            )
        )
    assert sum(wins) == 1


async def test_wrong_transaction_codes_are_counted_and_end_the_offer(store: Store) -> None:
    await store.create_credential_offer(offer(tx_code_mac="mac"))
    assert [await store.record_tx_code_failure("of1") for _ in range(3)] == [1, 2, 3]
    assert await store.record_tx_code_failure("missing") == 0
    assert not await store.redeem_credential_offer("of1", at(1), "tok", at(300), 3)
    assert await store.redeem_credential_offer("of1", at(1), "tok", at(300), 4)


async def test_each_configuration_is_issued_once_while_the_token_lives(store: Store) -> None:
    await store.create_credential_offer(offer())
    ldp, jwt = "OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"
    assert not await store.mark_configuration_issued("of1", ldp, at(5))  # no token yet
    await store.redeem_credential_offer("of1", at(1), "tok", at(300), 5)
    assert await store.mark_configuration_issued("of1", ldp, at(5))
    assert not await store.mark_configuration_issued("of1", ldp, at(6))
    assert not await store.mark_configuration_issued("of1", jwt, at(300))  # the token expired
    assert await store.mark_configuration_issued("of1", jwt, at(299))
    stored = await store.get_credential_offer("o1", "of1")
    assert stored is not None and stored.issued_configurations == (ldp, jwt)


async def test_a_nonce_is_used_once_and_forgotten_after_it_expires(store: Store) -> None:
    assert await store.use_nonce("n1", at(300), at(0))
    assert not await store.use_nonce("n1", at(300), at(10))
    assert await store.use_nonce("n2", at(20), at(10))
    assert await store.use_nonce("n1", at(900), at(301))  # expired, forgotten: a fresh record
    async with started(second_instance(store)) as other:
        wins = await asyncio.gather(*(s.use_nonce("n3", at(900), at(302)) for s in [store, other] * 3))
    assert sum(wins) == 1


def authorization(i: str = "ar1", **kw: Any) -> AuthorizationRequestRecord:
    fields: dict[str, Any] = {
        "org_id": "o1",
        "issuer_id": "iss1",
        "client_id": "wallet-app",
        "redirect_uri": "eu.wallet://callback",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "configuration_ids": ("OpenBadgeCredential_ldp_vc",),
        "handle_hash": f"page-{i}",
        "created_at": at(0),
        "expires_at": at(900),
    }
    fields.update(kw)
    return AuthorizationRequestRecord(id=i, **fields)


async def test_an_authorization_request_round_trips_and_is_found_by_handle_link_and_offer(
    store: Store,
) -> None:
    record = authorization(state="xyz")
    await store.create_authorization_request(record)
    assert await store.find_authorization_request("handle_hash", "page-ar1") == record
    assert await store.find_authorization_request("id", "ar1") == record
    assert await store.find_authorization_request("login_hash", "page-ar1") is None
    with pytest.raises(Conflict):
        await store.create_authorization_request(authorization("ar2", handle_hash="page-ar1"))
    await store.create_authorization_request(authorization("ar3"))  # no link, no offer: no clash


async def test_a_sign_in_link_is_used_once_and_only_the_current_one(store: Store) -> None:
    await store.create_authorization_request(authorization(email="ada@example.org"))
    await store.set_sign_in_link("ar1", "link-1", at(600))
    await store.set_sign_in_link("ar1", "link-2", at(700))  # a new link replaces the first
    assert not await store.complete_sign_in("ar1", "link-1", at(20), "of1")
    assert not await store.complete_sign_in("ar1", "link-2", at(700), "of1")  # the link expired
    async with started(second_instance(store)) as other:
        wins = await asyncio.gather(
            *(s.complete_sign_in("ar1", "link-2", at(30), f"of{i}") for i, s in enumerate([store, other] * 3))
        )
    assert sum(wins) == 1
    stored = await store.find_authorization_request("login_hash", "link-2")
    assert stored is not None and stored.email == "ada@example.org" and stored.signed_in_at == at(30)
    assert stored.offer_id is not None
    assert await store.find_authorization_request("offer_id", stored.offer_id) == stored


async def test_requests_long_expired_are_forgotten_when_new_ones_come(store: Store) -> None:
    await store.create_authorization_request(authorization("old", handle_hash="h-old", expires_at=at(900)))
    await store.create_authorization_request(
        authorization("new", handle_hash="h-new", created_at=at(900 + 3599))
    )
    assert await store.find_authorization_request("id", "old") is not None  # expired < 1 hour ago
    await store.create_authorization_request(
        authorization("newer", handle_hash="h-newer", created_at=at(900 + 3600))
    )
    assert await store.find_authorization_request("id", "old") is None


async def test_offers_long_dead_are_forgotten_when_new_ones_come(store: Store) -> None:
    await store.create_credential_offer(offer("dead"))  # expires at(600), never redeemed
    await store.create_credential_offer(offer("used", expires_at=at(600)))
    await store.redeem_credential_offer("used", at(10), "tok-used", at(600 + 86400 + 100), 5)  # a long token
    day = 86400
    await store.create_credential_offer(offer("new1", created_at=at(600 + day - 1)))
    assert await store.get_credential_offer("o1", "dead") is not None  # dead for less than a day
    await store.create_credential_offer(offer("new2", created_at=at(600 + day)))
    assert await store.get_credential_offer("o1", "dead") is None
    assert await store.get_credential_offer("o1", "used") is not None  # its token still lives
