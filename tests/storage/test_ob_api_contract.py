"""The Open Badges API part of the ``Store`` contract (clients, grants, tokens, a learner's
credentials and profile), on SQLite and MongoDB."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.storage.stores import second_instance, started
from tests.storage.test_contract import T0, at, cred
from vcengine.errors import Conflict
from vcengine.services.ports import (
    ObClientRecord,
    ObCredentialRecord,
    ObGrantRecord,
    ObProfileRecord,
    ObTokenRecord,
    Store,
)

pytestmark = pytest.mark.anyio


def grant(i: str = "g1", **kw: Any) -> ObGrantRecord:
    fields: dict[str, Any] = {
        "client_id": "cl1",
        "redirect_uri": "https://app.example/cb",
        "scope": "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "email": "ada@example.org",
        "handle_hash": f"handle-{i}",
        "created_at": at(0),
        "expires_at": at(1800),
    }
    fields.update(kw)
    return ObGrantRecord(id=i, **fields)


def token(i: str = "t1", grant_id: str = "g1", **kw: Any) -> ObTokenRecord:
    fields: dict[str, Any] = {
        "client_id": "cl1",
        "email": "ada@example.org",
        "scope": "s",
        "access_hash": f"access-{i}",
        "refresh_hash": f"refresh-{i}",
        "created_at": at(0),
        "access_expires_at": at(3600),
        "refresh_expires_at": at(86400),
    }
    fields.update(kw)
    return ObTokenRecord(id=i, grant_id=grant_id, **fields)


def brought(i: str, key: str, t: float, email: str = "ada@example.org") -> ObCredentialRecord:
    return ObCredentialRecord(i, email, key, {"id": key, "z": [1, "é", 10**20], "a": None}, at(t), at(100))


async def test_a_client_round_trips_and_its_id_is_unique(store: Store) -> None:
    client = ObClientRecord(
        "cl1", "hash", {"client_name": "Backpack", "redirect_uris": ["https://b.example/cb"]}, T0
    )
    await store.create_ob_client(client)
    assert await store.get_ob_client("cl1") == client
    assert await store.get_ob_client("cl2") is None
    with pytest.raises(Conflict):
        await store.create_ob_client(client)


async def test_a_grant_is_found_by_each_lookup_and_one_per_ticket(store: Store) -> None:
    record = grant(state="xyz")
    await store.create_ob_grant(record)
    assert await store.find_ob_grant("id", "g1") == record
    assert await store.find_ob_grant("handle_hash", "handle-g1") == record
    assert await store.find_ob_grant("login_hash", "handle-g1") is None
    with pytest.raises(Conflict):
        await store.create_ob_grant(grant("g2", handle_hash="handle-g1"))
    await store.set_ob_sign_in_link("g1", "login-1", at(900))
    await store.set_ob_sign_in_link("g1", "login-2", at(900))  # a new link replaces the first
    assert await store.find_ob_grant("login_hash", "login-1") is None
    found = await store.find_ob_grant("login_hash", "login-2")
    assert found is not None and found.login_expires_at == at(900)


async def test_a_link_approves_once_and_the_code_redeems_once_before_it_expires(store: Store) -> None:
    await store.create_ob_grant(grant())
    await store.set_ob_sign_in_link("g1", "login", at(900))
    assert not await store.approve_ob_grant("g1", "other", at(10), "code", at(310))
    assert not await store.approve_ob_grant("g1", "login", at(900), "code", at(1200))  # link expired
    assert await store.approve_ob_grant("g1", "login", at(10), "code", at(310))
    assert not await store.approve_ob_grant("g1", "login", at(11), "code2", at(311))  # used
    got = await store.find_ob_grant("code_hash", "code")
    assert got is not None and got.code_expires_at == at(310) and got.code_used_at is None
    assert not await store.redeem_ob_code("g1", at(310))  # expired
    assert await store.redeem_ob_code("g1", at(20))
    assert not await store.redeem_ob_code("g1", at(21))
    again = await store.find_ob_grant("id", "g1")
    assert again is not None and again.code_used_at == at(20)


async def test_concurrent_code_redemptions_from_two_instances_redeem_once(store: Store) -> None:
    await store.create_ob_grant(grant())
    await store.set_ob_sign_in_link("g1", "login", at(900))
    assert await store.approve_ob_grant("g1", "login", at(10), "code", at(310))
    async with started(second_instance(store)) as other:
        results = await asyncio.gather(
            *(s.redeem_ob_code("g1", at(20)) for s in (store, other, store, other))
        )
    assert sorted(results) == [False, False, False, True]


async def test_tokens_are_found_by_hash_and_revoked_once_or_by_grant(store: Store) -> None:
    for record in (token("t1"), token("t2"), token("t3", grant_id="g2")):
        await store.create_ob_token(record)
    assert await store.find_ob_token("access_hash", "access-t1") == token("t1")
    assert await store.find_ob_token("refresh_hash", "refresh-t2") == token("t2")
    assert await store.find_ob_token("access_hash", "refresh-t1") is None
    with pytest.raises(Conflict):
        await store.create_ob_token(token("t9", access_hash="access-t1"))
    assert await store.revoke_ob_token("t1", at(5))
    assert not await store.revoke_ob_token("t1", at(6))
    assert await store.revoke_ob_grant("g1", at(7)) == 1  # t2 only: t1 was revoked already
    revoked = await store.find_ob_token("access_hash", "access-t1")
    assert revoked is not None and revoked.revoked_at == at(5)
    other = await store.find_ob_token("access_hash", "access-t3")
    assert other is not None and other.revoked_at is None


async def test_a_learners_issued_credentials_are_found_across_orgs_not_revoked(store: Store) -> None:
    ada = {"email": "ada@example.org", "name": "Ada"}
    records = [
        cred("c1", "o1", t=30, recipient=ada),
        cred("c2", "o2", t=10, recipient=ada),
        cred("c3", "o1", t=20, recipient={"email": "bob@example.org"}),
        cred("c4", "o2", t=40, recipient=ada, status="revoked"),
        cred("c5", "o1", t=50, recipient=ada, status="suspended"),
    ]
    for record in records:
        await store.insert_credential(record)
    assert await store.count_learner_credentials("ada@example.org", None) == 3
    listed = await store.list_learner_credentials("ada@example.org", None, 0, 10)
    assert [c.id for c in listed] == ["c2", "c1", "c5"]
    assert listed[0] == records[1]
    assert [c.id for c in await store.list_learner_credentials("ada@example.org", None, 1, 1)] == ["c1"]
    assert await store.count_learner_credentials("ada@example.org", at(10)) == 2  # since is exclusive
    assert [c.id for c in await store.list_learner_credentials("ada@example.org", at(10), 0, 10)] == [
        "c1",
        "c5",
    ]
    assert await store.count_learner_credentials("nobody@example.org", None) == 0


async def test_an_upsert_creates_replaces_with_newer_and_keeps_newer(store: Store) -> None:
    assert await store.upsert_ob_credential(brought("u1", "k1", 10)) == "created"
    assert await store.upsert_ob_credential(brought("u2", "k2", 5)) == "created"
    assert await store.upsert_ob_credential(brought("u3", "k1", 20)) == "replaced"
    assert await store.upsert_ob_credential(brought("u4", "k1", 15)) == "unchanged"
    assert await store.upsert_ob_credential(brought("u5", "k1", 10, email="bob@example.org")) == "created"
    assert await store.count_ob_credentials("ada@example.org", None) == 2
    listed = await store.list_ob_credentials("ada@example.org", None, 0, 10)
    assert [(c.id, c.key, c.issued_at) for c in listed] == [("u2", "k2", at(5)), ("u1", "k1", at(20))]
    assert listed[1].document == brought("u3", "k1", 20).document
    assert list(listed[1].document) == ["id", "z", "a"]
    assert await store.count_ob_credentials("ada@example.org", at(5)) == 1
    assert [c.id for c in await store.list_ob_credentials("ada@example.org", None, 1, 5)] == ["u1"]


async def test_a_profile_is_put_and_replaced_per_learner(store: Store) -> None:
    assert await store.get_ob_profile("ada@example.org") is None
    first = ObProfileRecord("ada@example.org", {"id": "mailto:ada@example.org", "name": "Ada"}, at(1))
    await store.put_ob_profile(first)
    assert await store.get_ob_profile("ada@example.org") == first
    second = ObProfileRecord("ada@example.org", {"name": "Ada L.", "type": ["Profile"]}, at(2))
    await store.put_ob_profile(second)
    assert await store.get_ob_profile("ada@example.org") == second
    assert await store.get_ob_profile("bob@example.org") is None
