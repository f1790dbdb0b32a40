"""The delivery part of the ``Store`` contract (attempts and claim tokens), on SQLite and MongoDB."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from vcengine.errors import Conflict
from vcengine.services.ports import (
    ClaimTokenRecord,
    DeliveryAttemptRecord,
    EarnerProfileRecord,
    EmailTemplateRecord,
    IssuerBrandingRecord,
    StatusNoticeRecord,
    Store,
)

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 12, 1, 9, 0, 0, 250000, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def attempt(
    n: int, *, delivery: str = "email:c1", org: str = "o1", t: float = 0, **kw: object
) -> DeliveryAttemptRecord:
    fields: dict[str, object] = {"outcome": "failed", "detail": "451 try later ü"}
    fields.update(kw)
    return DeliveryAttemptRecord(
        id=f"a-{delivery}-{n}", org_id=org, credential_id="c1", delivery_id=delivery, attempt=n, at=at(t),
        **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def token(h: str, *, org: str = "o1", credential: str = "c1") -> ClaimTokenRecord:
    return ClaimTokenRecord(h, org, credential, at(0), at(86400))


async def test_attempts_round_trip_in_order_once_per_claim_and_per_org(store: Store) -> None:
    sent = attempt(2, t=30, outcome="sent", detail=None, message_id="<email.c1@acme.example>")
    assert await store.add_delivery_attempt(sent)
    assert await store.add_delivery_attempt(attempt(1, t=10))
    assert await store.add_delivery_attempt(attempt(1, delivery="reminder:c1", t=20, outcome="skipped"))
    assert not await store.add_delivery_attempt(attempt(1, t=99, outcome="sent"))  # the same claim again
    found = await store.list_delivery_attempts("o1", "c1")
    assert [(a.delivery_id, a.attempt) for a in found] == [
        ("email:c1", 1),
        ("reminder:c1", 1),
        ("email:c1", 2),
    ]
    assert found[0] == attempt(1, t=10)
    assert found[2] == sent
    assert await store.list_delivery_attempts("o2", "c1") == []


async def test_claim_tokens_are_found_by_hash_and_unique(store: Store) -> None:
    await store.add_claim_token(token("h1"))
    assert await store.find_claim_token("h1") == token("h1")
    assert await store.find_claim_token("h2") is None
    with pytest.raises(Conflict):
        await store.add_claim_token(token("h1", credential="c2"))


async def test_accepting_keeps_the_first_time_and_claimed_at_is_per_credential(store: Store) -> None:
    await store.add_claim_token(token("h1"))
    await store.add_claim_token(token("h2"))
    await store.add_claim_token(token("h3", credential="c2"))
    assert await store.claimed_at("o1", "c1") is None
    assert await store.accept_claim("nope", at(5)) is None
    results = await asyncio.gather(*(store.accept_claim("h1", at(10 + i)) for i in range(5)))
    assert all(r is not None for r in results)
    assert len({r.claimed_at for r in results if r is not None}) == 1  # every caller sees the one time
    stored = await store.find_claim_token("h1")
    assert stored is not None and stored.claimed_at == results[0].claimed_at  # type: ignore[union-attr]
    assert stored.claimed_at is not None and at(10) <= stored.claimed_at <= at(14)
    accepted = await store.accept_claim("h2", at(3))
    assert accepted is not None and accepted.claimed_at == at(3)
    assert await store.claimed_at("o1", "c1") == at(3)  # the earliest of its tokens
    assert await store.claimed_at("o2", "c1") is None
    assert await store.claimed_at("o1", "c2") is None


async def test_status_notices_are_replaced_and_found_by_credential(store: Store) -> None:
    first = StatusNoticeRecord("c1", "o1", "revoked", at(1), None)
    await store.put_status_notice(first)
    assert await store.find_status_notice("c1") == first
    second = StatusNoticeRecord("c1", "o1", "revoked", at(2), "Issued in error — ü")
    await store.put_status_notice(second)
    assert await store.find_status_notice("c1") == second
    assert await store.find_status_notice("c2") is None


async def test_email_templates_are_per_org_and_replaced(store: Store) -> None:
    assert await store.get_email_template("o1") is None
    mine = EmailTemplateRecord("o1", "Hi {{ recipient_name }}", None, "ü text", at(1))
    await store.put_email_template(mine)
    assert await store.get_email_template("o1") == mine
    assert await store.get_email_template("o2") is None
    newer = EmailTemplateRecord("o1", None, "<p>{{ claim_url }}</p>", None, at(2))
    await store.put_email_template(newer)
    assert await store.get_email_template("o1") == newer


async def test_issuer_branding_is_found_by_issuer_and_stays_with_its_org(store: Store) -> None:
    mine = IssuerBrandingRecord("i1", "o1", "https://acme.example/logo.png", "#1f4e79", "#c9a43b", at(1))
    await store.put_issuer_branding(mine)
    assert await store.find_issuer_branding("i1") == mine
    await store.put_issuer_branding(IssuerBrandingRecord("i1", "o2", None, "#000000", None, at(2)))
    assert await store.find_issuer_branding("i1") == mine  # another org cannot change it
    cleared = IssuerBrandingRecord("i1", "o1", None, None, None, at(3))
    await store.put_issuer_branding(cleared)
    assert await store.find_issuer_branding("i1") == cleared


def profile(slug: str, *ids: str, org: str = "o1", subject: str = "s1", t: float = 0) -> EarnerProfileRecord:
    return EarnerProfileRecord(slug, org, subject, "Ada Lovelace ü", tuple(ids), at(0), at(t))


async def test_earner_profiles_one_per_earner_and_org(store: Store) -> None:
    await store.put_earner_profile(profile("p1", "c1"))
    assert await store.find_earner_profile("p1") == profile("p1", "c1")
    assert await store.find_earner_profile_of("o1", "s1") == profile("p1", "c1")
    assert await store.find_earner_profile_of("o2", "s1") is None
    await store.put_earner_profile(profile("p1", "c1", "c2", t=5))
    assert (await store.find_earner_profile("p1")) == profile("p1", "c1", "c2", t=5)
    with pytest.raises(Conflict):
        await store.put_earner_profile(profile("p2", "c3"))  # the same earner, another slug
    with pytest.raises(Conflict):
        await store.put_earner_profile(profile("p1", "c9", org="o2", subject="s9"))  # another earner's slug
    await store.put_earner_profile(profile("p3", org="o2"))  # the same subject in another org
    assert await store.find_earner_profile("p1") == profile("p1", "c1", "c2", t=5)
    assert await store.find_earner_profile("p3") == profile("p3", org="o2")
