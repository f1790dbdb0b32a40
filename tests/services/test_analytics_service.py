"""The analytics use case over the real SQLite store: scope, ranges, and page views of bots never
stored."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.services.support import Tenant
from vcengine.errors import InputError, PermissionDenied
from vcengine.services import analytics, issuing, webhook_endpoints
from vcengine.services.context import Actor, Services
from vcengine.services.engagement import record_engagement
from vcengine.services.issuing import IssueRequest, RecipientInput
from vcengine.services.ports import AnalyticsFilter

pytestmark = pytest.mark.anyio

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


async def test_page_views_of_people_count_and_of_bots_do_not(services: Services, tenant: Tenant) -> None:
    request = IssueRequest(tenant.achievement_id, RecipientInput(email="ada@example.com", name="Ada"))
    credential = (await issuing.issue_credential(services, tenant.actor, request)).record
    assert await record_engagement(services, credential, "page_viewed", CHROME, {"page": "claim"})
    for bot in ("LinkedInBot/1.0 (compatible; Mozilla/5.0)", "curl/8.5.0", None):
        assert not await record_engagement(services, credential, "page_viewed", bot)
    today = services.now().date()
    result = await analytics.analytics(services, tenant.actor, AnalyticsFilter(today, today), "day")
    (bucket,) = result.buckets
    assert bucket.counts == {"issued": 1, "page_viewed": 1}
    assert result.totals == {"issued": 1, "page_viewed": 1}
    assert result.funnel.issued == 1 and result.funnel.claimed == 0


async def test_analytics_need_the_read_scope_and_a_bounded_range(services: Services, tenant: Tenant) -> None:
    today = services.now().date()
    nobody = Actor(tenant.org_id, frozenset())
    with pytest.raises(PermissionDenied):
        await analytics.analytics(services, nobody, AnalyticsFilter(today, today), "day")
    with pytest.raises(InputError, match="at most"):
        await analytics.analytics(
            services, tenant.actor, AnalyticsFilter(today - timedelta(days=5000), today), "month"
        )


async def test_recorded_events_bring_their_webhook_deliveries_in_the_same_write(
    services: Services, tenant: Tenant
) -> None:
    """A claimed badge (recorded by the claim flow through ``event_log.record``) is delivered to
    the endpoints subscribed to ``credential.claimed``, and only to those."""
    from vcengine.services import event_log
    from vcengine.services.ports import EventRecord

    request = IssueRequest(tenant.achievement_id, RecipientInput(email="ada@example.com", name="Ada"))
    credential = (await issuing.issue_credential(services, tenant.actor, request)).record
    claimed = await webhook_endpoints.create_endpoint(
        services, tenant.actor, "https://hooks.example.com/claims", ["credential.claimed"]
    )
    issued_only = await webhook_endpoints.create_endpoint(
        services, tenant.actor, "https://hooks.example.com/issued", ["credential.issued"]
    )
    event = EventRecord(services.new_id(), tenant.org_id, "claimed", credential.id, services.now(), {})
    await event_log.record(services, event)
    deliveries = await services.store.list_webhook_deliveries(tenant.org_id, claimed.endpoint.id, None, 10)
    (job,) = deliveries.items
    assert job.payload["eventId"] == event.id and job.payload["type"] == "credential.claimed"
    others = await services.store.list_webhook_deliveries(tenant.org_id, issued_only.endpoint.id, None, 10)
    assert [j.payload["type"] for j in others.items] == []  # issued before the endpoint existed
    today = services.now().date()
    result = await analytics.analytics(services, tenant.actor, AnalyticsFilter(today, today), "day")
    assert result.totals["claimed"] == 1 and result.funnel.claimed == 1
