"""The analytics part of the ``Store`` contract: events counted per UTC day and type, filtered by
the issuer and achievement of their credential, and the funnel of a cohort, on SQLite and MongoDB."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.storage.test_contract import cred, status_list
from vcengine.errors import Conflict
from vcengine.services.ports import (
    AchievementRecord,
    AnalyticsFilter,
    DailyCount,
    EventRecord,
    FunnelCounts,
    StatusTransition,
    Store,
)

pytestmark = pytest.mark.anyio

DAY1 = datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)  # the last instant of 1 March
DAY2 = datetime(2026, 3, 2, tzinfo=UTC)


def event(i: str, type_: str, credential_id: str | None, at: datetime, org_id: str = "o1") -> EventRecord:
    return EventRecord(i, org_id, type_, credential_id, at, {"n": i})


def days(first: date, last: date, **kw: str) -> AnalyticsFilter:
    return AnalyticsFilter(first, last, **kw)


MARCH = days(date(2026, 3, 1), date(2026, 3, 31))


async def seed(store: Store) -> None:
    """c1, c2 of issuer iss1 / achievement ach1; c3 of iss1 / ach2; c4 of iss2 / ach3; x of org o2."""
    await store.create_achievement(AchievementRecord("ach1", "o1", "iss1", {"name": "One"}, DAY1))
    await store.create_achievement(AchievementRecord("ach3", "o1", "iss2", {"name": "Three"}, DAY1))
    for cid, issuer, achievement, at in (
        ("c1", "iss1", "ach1", DAY1),
        ("c2", "iss1", "ach1", DAY2),
        ("c3", "iss1", "ach2", DAY2),
        ("c4", "iss2", "ach3", DAY2),
    ):
        record = replace(cred(cid), issuer_id=issuer, achievement_id=achievement, issued_at=at)
        await store.insert_credential(record, event(f"i-{cid}", "issued", cid, at))
    await store.insert_credential(cred("x", "o2"), event("i-x", "issued", "x", DAY1, "o2"))


async def test_events_are_counted_per_day_and_type_however_they_were_stored(store: Store) -> None:
    await seed(store)
    await store.add_event(event("v1", "page_viewed", "c1", DAY2))
    await store.add_event(event("v2", "page_viewed", "c1", DAY2 + timedelta(hours=5)))
    await store.add_event(event("o", "org_note", None, DAY2))  # of no credential
    await store.add_event(event("late", "page_viewed", "c1", datetime(2026, 4, 1, tzinfo=UTC)))
    first = status_list("L1")
    await store.open_status_list(first, replacing=None)
    change = StatusTransition("c2", "o1", "revoked", event("r-c2", "revoked", "c2", DAY2))
    await store.save_status_list(first, expected_version=1, transitions=[change])
    # written again (a retried change, a second add): still one event
    await store.save_status_list(first, expected_version=2, transitions=[change])
    with pytest.raises(Conflict):
        await store.add_event(event("v1", "page_viewed", "c1", DAY2))
    assert await store.daily_event_counts("o1", MARCH) == [
        DailyCount(date(2026, 3, 1), "issued", 1),
        DailyCount(date(2026, 3, 2), "issued", 3),
        DailyCount(date(2026, 3, 2), "org_note", 1),
        DailyCount(date(2026, 3, 2), "page_viewed", 2),
        DailyCount(date(2026, 3, 2), "revoked", 1),
    ]
    assert await store.daily_event_counts("o2", MARCH) == [DailyCount(date(2026, 3, 1), "issued", 1)]
    assert await store.daily_event_counts("o3", MARCH) == []


async def test_events_are_added_together_once_each(store: Store) -> None:
    await seed(store)
    await store.add_events([])
    await store.add_events([event("v1", "verified", "c1", DAY2), event("v2", "verified", "x", DAY2, "o2")])
    await store.add_events([event("v1", "verified", "c1", DAY2), event("v3", "verified", "c1", DAY2)])
    assert await store.count_events("o1", "verified") == 2
    assert await store.count_events("o2", "verified") == 1


async def test_counts_are_filtered_by_issuer_and_achievement_and_days(store: Store) -> None:
    await seed(store)
    await store.add_event(event("v1", "page_viewed", "c3", DAY2))
    await store.add_event(event("o", "org_note", None, DAY2))
    by_issuer = await store.daily_event_counts("o1", replace(MARCH, issuer_id="iss1"))
    assert by_issuer == [
        DailyCount(date(2026, 3, 1), "issued", 1),
        DailyCount(date(2026, 3, 2), "issued", 2),
        DailyCount(date(2026, 3, 2), "page_viewed", 1),
    ]
    both = replace(MARCH, issuer_id="iss1", achievement_id="ach1")
    assert await store.daily_event_counts("o1", both) == [
        DailyCount(date(2026, 3, 1), "issued", 1),
        DailyCount(date(2026, 3, 2), "issued", 1),
    ]
    only_achievement = replace(MARCH, achievement_id="ach3")
    assert await store.daily_event_counts("o1", only_achievement) == [
        DailyCount(date(2026, 3, 2), "issued", 1)
    ]
    assert await store.daily_event_counts("o1", replace(MARCH, achievement_id="ach1", issuer_id="iss2")) == []
    assert await store.daily_event_counts("o1", replace(MARCH, achievement_id="nope")) == []
    one_day = days(date(2026, 3, 1), date(2026, 3, 1))
    assert await store.daily_event_counts("o1", one_day) == [DailyCount(date(2026, 3, 1), "issued", 1)]
    assert await store.daily_event_counts("o1", days(date(2026, 2, 1), date(2026, 2, 28))) == []


async def test_the_funnel_follows_the_credentials_issued_in_the_range(store: Store) -> None:
    await seed(store)
    april = datetime(2026, 4, 3, tzinfo=UTC)
    for i, (type_, cid) in enumerate(
        [
            ("delivered", "c1"), ("delivered", "c2"), ("delivered", "c3"), ("delivered", "c1"),
            ("claimed", "c1"), ("claimed", "c2"), ("claimed", "c1"),
            ("linkedin_clicked", "c1"), ("linkedin_clicked", "c1"), ("page_viewed", "c4"),
            ("claimed", "x"),
        ]
    ):  # fmt: skip
        await store.add_event(event(f"s{i}", type_, cid, april, "o2" if cid == "x" else "o1"))
    assert await store.funnel_counts("o1", MARCH) == FunnelCounts(issued=4, delivered=3, claimed=2, shared=1)
    assert await store.funnel_counts("o1", replace(MARCH, issuer_id="iss1", achievement_id="ach1")) == (
        FunnelCounts(issued=2, delivered=2, claimed=2, shared=1)
    )
    assert await store.funnel_counts("o1", replace(MARCH, issuer_id="iss2")) == FunnelCounts(issued=1)
    # the cohort is who was issued in the range; their later events count, events in the range do not
    day2 = days(date(2026, 3, 2), date(2026, 3, 2))
    assert await store.funnel_counts("o1", day2) == FunnelCounts(issued=3, delivered=2, claimed=1)
    assert await store.funnel_counts("o1", days(date(2026, 4, 1), date(2026, 4, 30))) == FunnelCounts()
    assert await store.funnel_counts("o2", MARCH) == FunnelCounts(issued=1, claimed=1)
