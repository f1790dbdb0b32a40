"""The one contract every ``Store`` adapter passes (``store`` is SQLite, then MongoDB)."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from tests.storage.stores import second_instance, started
from vcengine.errors import Conflict, InputError, NotFound
from vcengine.services.ports import (
    AchievementRecord,
    ApiKeyRecord,
    CredentialFilter,
    CredentialRecord,
    EventRecord,
    IssuerKeyRecord,
    IssuerRecord,
    OrganizationRecord,
    StatusListRecord,
    StatusTransition,
    Store,
)

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 11, 27, 12, 0, 0, 123456, tzinfo=UTC)
DOCUMENT: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2", {"ex": "https://example.org/#"}],
    "z-first": "key order kept",
    "a-second": [1, 2.5, -0.0, 10**30, None, True, False, "ünïcødé ✓ 🎓"],
    "dotted.key": {"$dollar": {"nested": [{"x": []}, {}]}},
    "proof": {"type": "DataIntegrityProof", "proofValue": "z" + "3" * 80},
}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def org(i: str = "o1") -> OrganizationRecord:
    return OrganizationRecord(i, f"Org {i}", T0)


def cred(i: str, org_id: str = "o1", *, key: str | None = None, t: float = 0, **kw: Any) -> CredentialRecord:
    fields: dict[str, Any] = {
        "issuer_id": "iss1",
        "achievement_id": "ach1",
        "recipient": {"email": f"{i}@example.org", "name": "Ada"},
        "document": {**DOCUMENT, "id": f"urn:uuid:{i}"},
        "proof_format": "eddsa-rdfc-2022",
    }
    fields.update(kw)
    return CredentialRecord(id=i, org_id=org_id, issued_at=at(t), idempotency_key=key, **fields)


def issued(event_id: str, credential_id: str, org_id: str = "o1") -> EventRecord:
    return EventRecord(event_id, org_id, "issued", credential_id, at(0), {"achievementId": "ach1"})


def status_list(i: str = "L1", *, org_id: str = "o1", shards: int = 4, length: int = 400) -> StatusListRecord:
    return StatusListRecord(
        id=i,
        org_id=org_id,
        issuer_id="iss1",
        purpose="revocation",
        url=f"https://example.org/status/{i}",
        encoded_list="uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
        version=1,
        updated_at=T0,
        permutation_key=bytes(range(32)),
        length=length,
        shards=shards,
    )


# -- organizations and API keys ------------------------------------------------------------------


async def test_organizations(store: Store) -> None:
    assert await store.get_organization("o1") is None
    await store.create_organization(OrganizationRecord("o2", "Second", at(1)))
    await store.create_organization(org("o1"))
    assert await store.get_organization("o1") == org("o1")
    assert [o.id for o in await store.list_organizations()] == ["o1", "o2"]
    with pytest.raises(Conflict):
        await store.create_organization(org("o1"))


def api_key(i: str, org_id: str = "o1", *scopes: str, t: float = 0, **kw: Any) -> ApiKeyRecord:
    chosen: Any = frozenset(scopes or {"read"})
    return ApiKeyRecord(i, org_id, f"key {i}", f"p{i}", "hash", chosen, at(t), **kw)


async def test_api_keys_are_found_by_prefix_and_revoked_within_their_org(store: Store) -> None:
    key = ApiKeyRecord("k1", "o1", "ci", "vce_abc", "hash", frozenset({"read", "issue"}), T0)
    await store.create_api_key(key)
    assert await store.find_api_key("vce_abc") == key
    assert await store.find_api_key("vce_zzz") is None
    with pytest.raises(Conflict):
        await store.create_api_key(replace(key, id="k2"))  # same prefix
    assert await store.revoke_api_key("o2", "k1", at(5)) is None
    assert (await store.find_api_key("vce_abc")).revoked_at is None  # type: ignore[union-attr]
    assert await store.revoke_api_key("o1", "k1", at(5)) == replace(key, revoked_at=at(5))
    assert await store.revoke_api_key("o1", "k1", at(9)) == replace(key, revoked_at=at(5))
    assert (await store.find_api_key("vce_abc")).revoked_at == at(5)  # type: ignore[union-attr]
    assert await store.revoke_api_key("o1", "nope", at(5)) is None


async def test_api_keys_are_got_within_their_org_with_who_created_them_and_last_use(store: Store) -> None:
    key = api_key("k1", "o1", "admin", created_by="k0")
    await store.create_api_key(key)
    assert await store.get_api_key("o1", "k1") == key
    assert await store.get_api_key("o2", "k1") is None and await store.get_api_key("o1", "k2") is None
    await store.record_api_key_use("k1", at(60))
    await store.record_api_key_use("k1", at(30))  # never goes back
    await store.record_api_key_use("nope", at(30))
    assert await store.get_api_key("o1", "k1") == replace(key, last_used_at=at(60))
    await store.record_api_key_use("k1", at(120))
    assert (await store.find_api_key("pk1")) == replace(key, last_used_at=at(120))
    await store.create_api_key(api_key("k2", "o1", "read", t=1))
    await store.record_api_key_use("k2", at(200))  # only k2
    assert (await store.get_api_key("o1", "k1")) == replace(key, last_used_at=at(120))
    assert (await store.get_api_key("o1", "k2")).last_used_at == at(200)  # type: ignore[union-attr]


async def test_api_keys_are_listed_in_keyset_pages_of_their_org(store: Store) -> None:
    for i, t in (("c", 2), ("a", 2), ("b", 1), ("d", 3), ("e", 4)):
        await store.create_api_key(api_key(i, t=t))
    await store.create_api_key(api_key("x", "o2"))
    await store.revoke_api_key("o1", "d", at(9))
    seen, after = [], None
    while True:
        page = await store.list_api_keys("o1", after, 2)
        seen += [k.id for k in page.items]
        if page.next is None:
            break
        after = page.next
    assert seen == ["b", "a", "c", "d", "e"]
    active = await store.list_api_keys("o1", None, 10, include_revoked=False)
    assert [k.id for k in active.items] == ["b", "a", "c", "e"] and active.next is None
    rest = await store.list_api_keys(
        "o1", (await store.list_api_keys("o1", None, 3, include_revoked=False)).next, 5, include_revoked=False
    )
    assert [k.id for k in rest.items] == ["e"]
    assert (await store.list_api_keys("o3", None, 5)).items == []
    with pytest.raises(InputError):
        await store.list_api_keys("o1", "not a cursor", 5)
    with pytest.raises(InputError):
        await store.list_api_keys("o1", None, 0)


async def test_the_last_admin_key_is_kept_when_asked(store: Store) -> None:
    await store.create_api_key(api_key("a1", "o1", "admin"))
    await store.create_api_key(api_key("a2", "o1", "admin", "read"))
    await store.create_api_key(api_key("r1", "o1", "read"))
    await store.create_api_key(api_key("x1", "o2", "admin"))
    revoked = await store.revoke_api_key("o1", "a1", at(5), keep_admin=True)
    assert revoked is not None and revoked.revoked_at == at(5)
    kept = await store.revoke_api_key("o1", "a2", at(6), keep_admin=True)
    assert kept == api_key("a2", "o1", "admin", "read")  # the last admin key: not revoked
    assert (await store.revoke_api_key("o1", "r1", at(7), keep_admin=True)).revoked_at == at(7)  # type: ignore[union-attr]
    again = await store.revoke_api_key("o1", "a1", at(8), keep_admin=True)
    assert again is not None and again.revoked_at == at(5)
    assert (await store.revoke_api_key("o1", "a2", at(9))).revoked_at == at(9)  # type: ignore[union-attr]
    assert (await store.get_api_key("o2", "x1")).revoked_at is None  # type: ignore[union-attr]


async def test_concurrent_revocations_never_leave_an_org_without_an_admin_key(store: Store) -> None:
    other = second_instance(store)
    async with started(other):
        for round in range(8):
            org_id = f"o{round}"
            await store.create_api_key(api_key(f"{round}a", org_id, "admin"))
            await store.create_api_key(api_key(f"{round}b", org_id, "admin"))
            await store.create_api_key(api_key(f"{round}c", org_id, "admin", "read"))
            results = await asyncio.gather(
                store.revoke_api_key(org_id, f"{round}a", at(1), keep_admin=True),
                other.revoke_api_key(org_id, f"{round}b", at(1), keep_admin=True),
                store.revoke_api_key(org_id, f"{round}c", at(1), keep_admin=True),
            )
            revoked = [r for r in results if r is not None and r.revoked_at is not None]
            assert 1 <= len(revoked) <= 2, results
            left = (await store.list_api_keys(org_id, None, 10, include_revoked=False)).items
            assert len(left) == 3 - len(revoked) >= 1


# -- issuers and keys ----------------------------------------------------------------------------


async def test_issuers_are_org_scoped_except_find(store: Store) -> None:
    profile = {"id": "did:key:z6Mk", "type": ["Profile"], "name": "Ü University"}
    await store.create_issuer(IssuerRecord("iss1", "o1", profile, T0))
    await store.create_issuer(IssuerRecord("iss2", "o2", {"id": "x"}, T0))
    assert (await store.get_issuer("o1", "iss1")).profile == profile  # type: ignore[union-attr]
    assert await store.get_issuer("o2", "iss1") is None
    assert (await store.find_issuer("iss1")).org_id == "o1"  # type: ignore[union-attr]
    assert [i.id for i in await store.list_issuers("o1")] == ["iss1"]
    assert await store.list_issuers("o3") == []
    with pytest.raises(Conflict):
        await store.create_issuer(IssuerRecord("iss1", "o2", {}, T0))


async def test_retired_keys_stay_listed(store: Store) -> None:
    secret = bytes(range(256))
    old = IssuerKeyRecord("key1", "o1", "iss1", "did:web:x#key1", "z6MkOld", secret, "active", T0)
    await store.add_issuer_key(old)
    await store.retire_issuer_keys("o2", "iss1", at(1))  # another org: no effect
    assert [k.status for k in await store.list_issuer_keys("iss1")] == ["active"]
    await store.retire_issuer_keys("o1", "iss1", at(1))
    new = replace(old, id="key2", public_key_multibase="z6MkNew", created_at=at(2))
    await store.add_issuer_key(new)
    keys = await store.list_issuer_keys("iss1")
    assert keys == [replace(old, status="retired", retired_at=at(1)), new]
    assert keys[0].encrypted_secret == secret
    with pytest.raises(Conflict):
        await store.add_issuer_key(new)


# -- achievements --------------------------------------------------------------------------------


async def test_achievements_round_trip_and_page(store: Store) -> None:
    png, svg = b"\x89PNG\r\n\x1a\n\x00\xff" * 100, "<svg>✓</svg>".encode()
    records = [
        AchievementRecord(
            f"a{i:02}", "o1", "iss1", {"name": f"Badge {i}", "criteria": {"narrative": "ß"}}, at(i % 3)
        )
        for i in range(7)
    ]
    records[0] = replace(records[0], image_png=png, image_svg=svg)
    for r in records:
        await store.create_achievement(r)
    await store.create_achievement(AchievementRecord("b", "o2", "iss9", {}, T0))
    assert await store.get_achievement("o1", "a00") == records[0]
    assert await store.get_achievement("o2", "a00") is None
    seen, after = [], None
    while True:
        page = await store.list_achievements("o1", after, 3)
        seen += page.items
        if page.next is None:
            break
        after = page.next
    assert seen == sorted(records, key=lambda r: (r.created_at, r.id))


# -- credentials ---------------------------------------------------------------------------------


async def test_credentials_round_trip_exactly_and_are_org_scoped(store: Store) -> None:
    jwt = cred(
        "c2", document={"jwt": "eyJhbGciOiJFZERTQSJ9.e30.sig", "credential": DOCUMENT}, proof_format="vc-jwt"
    )
    full = cred(
        "c1",
        key="k1",
        status_list_id="L1",
        status_index=131_071,
        valid_until=datetime(2030, 1, 1, 1, 2, 3, 999999, tzinfo=timezone(timedelta(hours=-5))),
    )
    for record in (full, jwt):
        assert await store.insert_credential(record) == record
    got = await store.get_credential("o1", "c1")
    assert got == full
    assert list(got.document) == list(full.document)  # type: ignore[union-attr]
    assert got.document["a-second"][3] == 10**30  # type: ignore[union-attr]
    assert got.valid_until.tzinfo == UTC  # type: ignore[union-attr]
    assert await store.get_credential("o2", "c1") is None
    assert await store.find_credential("c1") == full
    assert await store.find_credential("nope") is None
    assert await store.get_by_idempotency_key("o1", "k1") == full
    assert await store.get_by_idempotency_key("o2", "k1") is None
    assert await store.get_credential("o1", "c2") == jwt


async def test_a_credential_without_an_achievement_round_trips_and_is_listed(store: Store) -> None:
    """VC API credentials have no achievement of the service: ``achievement_id`` is None."""
    free = cred("c1", achievement_id=None, proof_format="Ed25519Signature2020", recipient={})
    tied = cred("c2", t=1)
    for record in (free, tied):
        assert await store.insert_credential(record, issued(f"e-{record.id}", record.id)) == record
    assert await store.get_credential("o1", "c1") == free
    assert await store.find_credential("c1") == free
    everything = await store.list_credentials("o1", CredentialFilter(), None, 10)
    assert [c.id for c in everything.items] == ["c1", "c2"]
    by_achievement = await store.list_credentials("o1", CredentialFilter(achievement_id="ach1"), None, 10)
    assert [c.id for c in by_achievement.items] == ["c2"]
    # a second credential with the same record id is refused, whatever its achievement
    with pytest.raises(Conflict):
        await store.insert_credential(replace(free, document={"other": True}))
    assert await store.get_credential("o1", "c1") == free


async def test_idempotent_insert_returns_the_first(store: Store) -> None:
    first = cred("c1", key="same")
    assert await store.insert_credential(first) == first
    assert await store.insert_credential(cred("c2", key="same", t=5)) == first
    assert await store.find_credential("c2") is None
    other_org = cred("c3", "o2", key="same")
    assert await store.insert_credential(other_org) == other_org
    with pytest.raises(Conflict):
        await store.insert_credential(cred("c1", key="different"))  # same id, another key
    with pytest.raises(Conflict):
        await store.insert_credential(cred("c3", "o2"))  # same id, no key


async def test_concurrent_idempotent_inserts_store_one(store: Store) -> None:
    results = await asyncio.gather(*(store.insert_credential(cred(f"c{i}", key="k")) for i in range(20)))
    assert len({r.id for r in results}) == 1
    page = await store.list_credentials("o1", CredentialFilter(), None, 100)
    assert [c.id for c in page.items] == [results[0].id]


async def test_concurrent_idempotent_inserts_from_two_instances(store: Store) -> None:
    async with started(second_instance(store)) as other:
        calls = [(store if i % 2 else other).insert_credential(cred(f"c{i}", key="k")) for i in range(20)]
        results = await asyncio.gather(*calls)
    assert len({r.id for r in results}) == 1
    assert len((await store.list_credentials("o1", CredentialFilter(), None, 100)).items) == 1


async def test_keyset_pagination_walks_everything_once_in_order(store: Store) -> None:
    records = [cred(f"c{i:02}", t=i // 4) for i in range(25)]  # ties in issued_at
    for r in random.Random(1).sample(records, len(records)):
        await store.insert_credential(r)
    await store.insert_credential(cred("x", "o2"))
    seen, after, pages = [], None, 0
    while True:
        page = await store.list_credentials("o1", CredentialFilter(), after, 7)
        seen += [c.id for c in page.items]
        pages += 1
        if page.next is None:
            break
        after = page.next
    assert seen == [r.id for r in records]
    assert pages == 4
    exact = await store.list_credentials("o1", CredentialFilter(), None, 25)
    assert len(exact.items) == 25 and exact.next is None


async def test_bad_cursor_and_limit(store: Store) -> None:
    for cursor in ("garbage!", "eyJhIjoxfQ", ""):
        with pytest.raises(InputError):
            await store.list_credentials("o1", CredentialFilter(), cursor, 10)
    with pytest.raises(InputError):
        await store.list_credentials("o1", CredentialFilter(), None, 0)
    with pytest.raises(InputError):
        await store.list_achievements("o1", "garbage!", 10)


async def test_filters(store: Store) -> None:
    await store.insert_credential(
        cred("c1", t=0, achievement_id="a1", recipient={"email": "ada@example.org"})
    )
    await store.insert_credential(
        cred("c2", t=10, achievement_id="a2", recipient={"identifier": "ada@example.org"})
    )
    await store.insert_credential(
        cred("c3", t=20, achievement_id="a1", issuer_id="iss2", recipient={"name": "Bob"}, status="revoked")
    )
    await store.insert_credential(
        cred("c4", "o2", t=5, achievement_id="a1", recipient={"email": "ada@example.org"})
    )

    async def ids(**f: Any) -> list[str]:
        return [c.id for c in (await store.list_credentials("o1", CredentialFilter(**f), None, 50)).items]

    assert await ids() == ["c1", "c2", "c3"]
    assert await ids(achievement_id="a1") == ["c1", "c3"]
    assert await ids(issuer_id="iss2") == ["c3"]
    assert await ids(recipient="ada@example.org") == ["c1", "c2"]
    assert await ids(recipient="Bob") == ["c3"]
    assert await ids(recipient="ada") == []
    assert await ids(status="revoked") == ["c3"]
    assert await ids(status="active", achievement_id="a1") == ["c1"]
    assert await ids(issued_after=at(0)) == ["c2", "c3"]
    assert await ids(issued_before=at(20)) == ["c1", "c2"]
    assert await ids(issued_after=at(0), issued_before=at(20)) == ["c2"]
    page = await store.list_credentials("o1", CredentialFilter(achievement_id="a1"), None, 1)
    rest = await store.list_credentials("o1", CredentialFilter(achievement_id="a1"), page.next, 1)
    assert [c.id for c in rest.items] == ["c3"] and rest.next is None


async def test_a_credential_is_stored_with_its_issued_event(store: Store) -> None:
    first = cred("c1", key="k")
    assert await store.insert_credential(first, issued("e1", "c1")) == first
    assert await store.count_events("o1", "issued") == 1
    # a replay with the same key stores neither its credential nor its event
    assert await store.insert_credential(cred("c2", key="k"), issued("e2", "c2")) == first
    assert await store.count_events("o1", "issued") == 1
    with pytest.raises(Conflict):  # the id exists: nothing of this write is kept
        await store.insert_credential(cred("c1", key="other"), issued("e3", "c1"))
    assert await store.count_events("o1", "issued") == 1
    assert await store.insert_credential(cred("c4"), None) == cred("c4")  # an event is optional
    assert await store.count_events("o1", "issued") == 1


async def test_concurrent_idempotent_inserts_store_one_event(store: Store) -> None:
    async with started(second_instance(store)) as other:
        calls = [
            (store, other)[i % 2].insert_credential(cred(f"c{i}", key="k"), issued(f"e{i}", f"c{i}"))
            for i in range(20)
        ]
        results = await asyncio.gather(*calls)
    assert len({r.id for r in results}) == 1
    assert await store.count_events("o1", "issued") == 1


def transition(credential_id: str, status: str, event_id: str, org_id: str = "o1") -> StatusTransition:
    event = EventRecord(event_id, org_id, status, credential_id, at(1), {"reason": "test"})
    return StatusTransition(credential_id, org_id, status, event)  # type: ignore[arg-type]


async def test_transitions_are_saved_with_the_list_in_the_org(store: Store) -> None:
    first = status_list("L1")
    await store.open_status_list(first, replacing=None)
    for i in range(3):
        await store.insert_credential(cred(f"c{i}"))
    await store.insert_credential(cred("x", "o2"))
    changes = [transition("c0", "suspended", "e0"), transition("c1", "revoked", "e1")]
    changes += [transition("x", "revoked", "e2"), transition("nope", "revoked", "e3")]
    await store.save_status_list(
        replace(first, encoded_list="uABC", revoked_list="uDEF"), expected_version=1, transitions=changes
    )
    assert (await store.get_credential("o1", "c0")) == replace(
        cred("c0"), status="suspended", status_version=2
    )
    assert (await store.get_credential("o1", "c1")) == replace(cred("c1"), status="revoked", status_version=2)
    assert (await store.get_credential("o1", "c2")) == cred("c2")
    assert (await store.find_credential("x")) == cred("x", "o2")  # another org's: untouched
    assert await store.count_events("o1", "revoked") == 3  # each event once, as given
    assert await store.count_events("o1", "suspended") == 1
    stored = await store.get_status_list("L1")
    assert stored is not None and (stored.version, stored.encoded_list, stored.revoked_list) == (
        2,
        "uABC",
        "uDEF",
    )
    # a later version moves them again; an empty list of transitions touches no credential
    await store.save_status_list(stored, expected_version=2, transitions=[transition("c0", "active", "e4")])
    await store.save_status_list(stored, expected_version=3)
    assert (await store.get_credential("o1", "c0")) == replace(cred("c0"), status="active", status_version=3)
    assert (await store.get_credential("o1", "c1")) == replace(cred("c1"), status="revoked", status_version=2)


async def test_a_failed_compare_and_set_writes_no_transition(store: Store) -> None:
    first = status_list("L1")
    await store.open_status_list(first, replacing=None)
    await store.insert_credential(cred("c0"))
    with pytest.raises(Conflict):
        await store.save_status_list(
            first, expected_version=7, transitions=[transition("c0", "revoked", "e0")]
        )
    with pytest.raises(NotFound):
        await store.save_status_list(
            status_list("nope"), expected_version=1, transitions=[transition("c0", "revoked", "e1")]
        )
    assert await store.get_credential("o1", "c0") == cred("c0")
    assert await store.count_events("o1", "revoked") == 0
    # an event stored already (a copy written before) is kept as it is, not stored twice
    await store.add_event(EventRecord("e9", "o1", "revoked", "c0", T0))
    await store.save_status_list(first, expected_version=1, transitions=[transition("c0", "revoked", "e9")])
    assert await store.count_events("o1", "revoked") == 1
    assert (await store.get_credential("o1", "c0")).status == "revoked"  # type: ignore[union-attr]


async def test_concurrent_saves_with_transitions_one_lands(store: Store) -> None:
    first = status_list("L1")
    await store.open_status_list(first, replacing=None)
    await store.insert_credential(cred("c0"))
    async with started(second_instance(store)) as other:
        saves = [
            (store, other)[i % 2].save_status_list(
                replace(first, encoded_list=f"u{i}"),
                expected_version=1,
                transitions=[transition("c0", ("revoked", "suspended")[i % 2], f"e{i}")],
            )
            for i in range(8)
        ]
        outcomes = await asyncio.gather(*saves, return_exceptions=True)
    [winner] = [i for i, o in enumerate(outcomes) if o is None]
    assert all(isinstance(o, Conflict) for o in outcomes if o is not None)
    record = await store.get_credential("o1", "c0")
    assert record is not None and record.status == ("revoked", "suspended")[winner % 2]
    assert (await store.get_status_list("L1")).encoded_list == f"u{winner}"  # type: ignore[union-attr]
    assert await store.count_events("o1", "revoked") + await store.count_events("o1", "suspended") == 1


async def test_status_list_version_is_a_cheap_read_of_the_version(store: Store) -> None:
    assert await store.status_list_version("https://example.org/status/L1") is None
    first = status_list("L1")
    await store.open_status_list(first, replacing=None)
    assert await store.status_list_version(first.url) == 1
    async with started(second_instance(store)) as other:
        await other.save_status_list(first, expected_version=1)
        assert await store.status_list_version(first.url) == 2


async def test_status_list_urls_lists_every_list_of_every_organization(store: Store) -> None:
    assert list(await store.status_list_urls()) == []
    await store.open_status_list(status_list("L1"), replacing=None)
    await store.open_status_list(status_list("L2"), replacing="L1")  # the full one stays listed
    await store.open_status_list(status_list("L3", org_id="o2"), replacing=None)
    urls = list(await store.status_list_urls())
    assert sorted(urls) == [f"https://example.org/status/L{i}" for i in (1, 2, 3)]
    assert list(await store.status_list_urls()) == urls  # a stable order


async def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.create_organization(OrganizationRecord("o", "naive", datetime(2026, 1, 1)))


# -- status lists --------------------------------------------------------------------------------


async def test_open_status_list(store: Store) -> None:
    assert await store.active_status_list("o1", "iss1", "revocation") is None
    first = status_list("L1")
    assert await store.open_status_list(first, replacing=None) == first
    assert await store.active_status_list("o1", "iss1", "revocation") == first
    assert await store.active_status_list("o2", "iss1", "revocation") is None
    assert await store.active_status_list("o1", "iss1", "suspension") is None
    # a stale opener gets the active list, and its own is not kept
    assert await store.open_status_list(status_list("L2"), replacing=None) == first
    assert await store.get_status_list("L2") is None
    second = status_list("L3")
    assert await store.open_status_list(second, replacing="L1") == second
    assert await store.active_status_list("o1", "iss1", "revocation") == second
    assert (await store.get_status_list("L1")).full is True  # type: ignore[union-attr]
    assert await store.open_status_list(status_list("L4"), replacing="L1") == second
    assert await store.find_status_list_by_url("https://example.org/status/L1") == replace(first, full=True)
    assert await store.find_status_list_by_url("https://example.org/status/none") is None


async def test_status_lists_of_another_entry_size_are_active_side_by_side(store: Store) -> None:
    """``message`` lists of 2-bit entries and of 1-bit entries of one issuer are separate lists."""
    one_bit = replace(status_list("M1"), purpose="message")
    two_bits = replace(status_list("M2"), purpose="message", status_size=2)
    assert await store.open_status_list(one_bit, replacing=None) == one_bit
    assert await store.open_status_list(two_bits, replacing=None) == two_bits
    assert await store.active_status_list("o1", "iss1", "message") == one_bit
    assert await store.active_status_list("o1", "iss1", "message", 2) == two_bits
    assert await store.active_status_list("o1", "iss1", "message", 3) is None
    assert await store.get_status_list("M2") == two_bits
    assert await store.find_status_list_by_url(two_bits.url) == two_bits
    successor = replace(status_list("M3"), purpose="message", status_size=2)
    assert await store.open_status_list(successor, replacing="M2") == successor
    assert await store.active_status_list("o1", "iss1", "message", 2) == successor
    assert await store.active_status_list("o1", "iss1", "message") == one_bit
    assert (await store.get_status_list("M2")).full is True  # type: ignore[union-attr]


async def test_open_status_list_race_has_one_winner(store: Store) -> None:
    async with started(second_instance(store)) as other:
        openers = [
            (store if i % 2 else other).open_status_list(status_list(f"L{i}"), replacing=None)
            for i in range(8)
        ]
        results = await asyncio.gather(*openers)
    assert len({r.id for r in results}) == 1
    assert (await store.active_status_list("o1", "iss1", "revocation")) == results[0]
    kept = [i for i in range(8) if await store.get_status_list(f"L{i}") is not None]
    assert [f"L{i}" for i in kept] == [results[0].id]


async def test_failed_open_writes_nothing(store: Store) -> None:
    first = status_list("L1")
    await store.open_status_list(first, replacing=None)
    await store.claim_positions("L1", 0, 5, 100)
    clash = replace(status_list("L1"), url="https://example.org/other", permutation_key=b"x" * 32)
    with pytest.raises(Conflict):
        await store.open_status_list(clash, replacing="L1")  # the id exists
    same_url = replace(status_list("L9"), url=first.url)
    with pytest.raises(Conflict):
        await store.open_status_list(same_url, replacing="L1")  # the url exists
    assert await store.active_status_list("o1", "iss1", "revocation") == first
    assert await store.get_status_list("L1") == first
    assert await store.get_status_list("L9") is None
    assert await store.claim_positions("L1", 0, 1, 100) == range(5, 6)
    with pytest.raises(NotFound):
        await store.claim_positions("L9", 0, 1, 100)


async def test_claim_positions(store: Store) -> None:
    await store.open_status_list(status_list("L1", shards=2), replacing=None)
    assert await store.claim_positions("L1", 0, 3, 10) == range(0, 3)
    assert await store.claim_positions("L1", 0, 5, 10) == range(3, 8)
    assert await store.claim_positions("L1", 1, 4, 10) == range(0, 4)
    assert await store.claim_positions("L1", 0, 5, 10) == range(8, 10)
    assert list(await store.claim_positions("L1", 0, 5, 10)) == []
    assert list(await store.claim_positions("L1", 1, 0, 10)) == []
    with pytest.raises(NotFound):
        await store.claim_positions("L1", 2, 1, 10)
    with pytest.raises(NotFound):
        await store.claim_positions("nope", 0, 1, 10)


async def test_concurrent_claims_never_overlap_nor_exceed_the_limit(store: Store) -> None:
    await store.open_status_list(status_list("L1", shards=1), replacing=None)
    limit, rng = 500, random.Random(7)
    async with started(second_instance(store)) as other:
        claims = [
            (store, other)[i % 2].claim_positions("L1", 0, rng.randint(1, 9), limit) for i in range(150)
        ]
        ranges = await asyncio.gather(*claims)
    taken = [p for r in ranges for p in r]
    assert len(taken) == len(set(taken))
    assert sorted(taken) == list(range(limit))  # 150 claims of 5 on average exhaust 500


async def test_save_status_list_is_a_compare_and_set(store: Store) -> None:
    first = status_list("L1")
    await store.open_status_list(first, replacing=None)
    credential = {"id": first.url, "credentialSubject": {"encodedList": "uXYZ"}, "big": 2**70}
    changed = replace(
        first, encoded_list="uXYZ", credential=credential, updated_at=at(60), url="ignored", full=True
    )
    await store.save_status_list(changed, expected_version=1)
    stored = await store.get_status_list("L1")
    assert stored == replace(first, encoded_list="uXYZ", credential=credential, updated_at=at(60), version=2)
    with pytest.raises(Conflict):
        await store.save_status_list(replace(changed, encoded_list="uSTALE"), expected_version=1)
    assert (await store.get_status_list("L1")).encoded_list == "uXYZ"  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        await store.save_status_list(status_list("nope"), expected_version=1)


async def test_concurrent_saves_one_wins(store: Store) -> None:
    first = status_list("L1")
    await store.open_status_list(first, replacing=None)
    saves = [
        store.save_status_list(replace(first, encoded_list=f"u{i}"), expected_version=1) for i in range(6)
    ]
    outcomes = await asyncio.gather(*saves, return_exceptions=True)
    assert sum(o is None for o in outcomes) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if o is not None)
    assert (await store.get_status_list("L1")).version == 2  # type: ignore[union-attr]


# -- events --------------------------------------------------------------------------------------


async def test_events_are_counted_per_org_and_type(store: Store) -> None:
    for i in range(3):
        await store.add_event(EventRecord(f"e{i}", "o1", "issued", f"c{i}", at(i), {"n": i}))
    await store.add_event(EventRecord("e3", "o1", "revoked", "c0", at(9)))
    await store.add_event(EventRecord("e4", "o2", "issued", None, at(9)))
    assert await store.count_events("o1", "issued") == 3
    assert await store.count_events("o1", "revoked") == 1
    assert await store.count_events("o2", "issued") == 1
    assert await store.count_events("o3", "issued") == 0
    with pytest.raises(Conflict):
        await store.add_event(EventRecord("e0", "o1", "issued", None, T0))
