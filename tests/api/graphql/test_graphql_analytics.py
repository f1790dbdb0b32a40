"""``analytics`` over the real server: credentials issued through the service, the other events
stored as the features that emit them store them, counted per day, week and month, filtered, with
the funnel; org-scoped; bad ranges refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.api.graphql.conftest import Server
from tests.services.support import Tenant
from vcengine.api.graphql.types.ids import global_id
from vcengine.services import achievements, issuing
from vcengine.services.issuing import IssueRequest, RecipientInput
from vcengine.services.ports import EventRecord

ANALYTICS = """
query($filter: AnalyticsFilterInput!, $interval: AnalyticsInterval!) {
  analytics(filter: $filter, interval: $interval) {
    interval from to
    buckets { start counts { type count } }
    totals { type count }
    funnel { issued delivered claimed shared deliveredRate claimedRate sharedRate }
  }
}"""


async def _issue(server: Server, tenant: Tenant, achievement_id: str) -> str:
    request = IssueRequest(achievement_id, RecipientInput(email="ada@example.com", name="Ada"))
    return (await issuing.issue_credential(server.services, tenant.actor, request)).record.id


async def _event(server: Server, tenant: Tenant, type_: str, credential_id: str, at: datetime) -> None:
    event = EventRecord(server.services.new_id(), tenant.org_id, type_, credential_id, at, {})
    await server.services.store.add_event(event)


def query(server: Server, key: str, interval: str = "DAY", **filter: Any) -> Any:
    today = datetime.now(UTC).date()
    variables = {"filter": {"from": str(today - timedelta(days=13)), "to": str(today), **filter}}
    return server.ok(ANALYTICS, {**variables, "interval": interval}, key)["analytics"]


def test_counts_per_interval_and_type_with_the_funnel(server: Server) -> None:
    tenant = server.tenant("Analytics")
    other = server.call(
        achievements.create_achievement(
            server.services,
            tenant.actor,
            achievements.AchievementInput(
                tenant.issuer_id, "Go basics", "Writes Go", criteria_narrative="Pass"
            ),
        )
    )
    ids = [server.call(_issue(server, tenant, tenant.achievement_id)) for _ in range(4)]
    server.call(_issue(server, tenant, other.id))
    now = datetime.now(UTC)
    two_days_ago = now - timedelta(days=2)
    for type_, credential_id, at in (
        ("delivered", ids[0], now), ("delivered", ids[1], now), ("delivered", ids[2], now),
        ("claimed", ids[0], now), ("claimed", ids[1], now), ("claimed", ids[0], now),
        ("page_viewed", ids[0], two_days_ago), ("linkedin_clicked", ids[0], now),
    ):  # fmt: skip
        server.call(_event(server, tenant, type_, credential_id, at))

    daily = query(server, tenant.key)
    assert daily["interval"] == "DAY" and len(daily["buckets"]) == 14
    assert daily["buckets"][-1] == {
        "start": str(now.date()),
        "counts": [
            {"type": "claimed", "count": 3},
            {"type": "delivered", "count": 3},
            {"type": "issued", "count": 5},
            {"type": "linkedin_clicked", "count": 1},
        ],
    }
    assert daily["buckets"][-3]["counts"] == [{"type": "page_viewed", "count": 1}]
    assert all(b["counts"] == [] for b in daily["buckets"][:-3])
    assert {t["type"]: t["count"] for t in daily["totals"]}["issued"] == 5
    assert daily["funnel"] == {
        "issued": 5,
        "delivered": 3,
        "claimed": 2,
        "shared": 1,
        "deliveredRate": 0.6,
        "claimedRate": 0.4,
        "sharedRate": 0.2,
    }

    weekly = query(server, tenant.key, "WEEK")
    assert 2 <= len(weekly["buckets"]) <= 3
    assert date.fromisoformat(weekly["buckets"][1]["start"]).weekday() == 0  # weeks start on Monday
    assert sum(c["count"] for b in weekly["buckets"] for c in b["counts"]) == 5 + 3 + 3 + 1 + 1
    monthly = query(server, tenant.key, "MONTH")
    assert date.fromisoformat(monthly["buckets"][-1]["start"]).day == 1
    assert monthly["totals"] == daily["totals"]

    achievement_gid = str(global_id("Achievement", other.id))
    one = query(server, tenant.key, "MONTH", achievementId=achievement_gid)
    assert one["totals"] == [{"type": "issued", "count": 1}]
    assert one["funnel"]["issued"] == 1 and one["funnel"]["claimedRate"] == 0.0
    by_issuer = query(server, tenant.key, issuerId=str(global_id("Issuer", tenant.issuer_id)))
    assert by_issuer["totals"] == daily["totals"]


def test_analytics_are_scoped_to_the_caller_organization(server: Server) -> None:
    mine, theirs = server.tenant("Mine"), server.tenant("Theirs")
    server.call(_issue(server, theirs, theirs.achievement_id))
    result = query(server, mine.key, "MONTH")
    assert (
        result["totals"] == [] and result["funnel"]["issued"] == 0 and result["funnel"]["claimedRate"] is None
    )
    foreign = query(server, mine.key, "MONTH", achievementId=theirs.achievement_id)
    assert foreign["totals"] == []


def test_bad_ranges_and_ids_are_refused_clearly(server: Server) -> None:
    key = server.tenant("Ranges").key
    for filter, message in (
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to is before from"),
        ({"from": "2020-01-01", "to": "2026-03-01"}, "at most 1098 days"),
        (
            {"from": "2026-03-01", "to": "2026-03-02", "issuerId": str(global_id("Achievement", "x"))},
            "not a Issuer",
        ),
    ):
        body = server.gql(ANALYTICS, {"filter": filter, "interval": "DAY"}, key)
        assert message in body["errors"][0]["message"], body
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    unauthenticated = server.gql(
        ANALYTICS, {"filter": {"from": "2026-03-01", "to": "2026-03-01"}, "interval": "DAY"}
    )
    assert unauthenticated["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
