"""The analytics use case over the real SQLite store: scope, ranges, and page views of bots never
stored."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.services.support import Tenant
from vcengine.errors import InputError, PermissionDenied
from vcengine.services import analytics, issuing
from vcengine.services.context import Actor, Services
from vcengine.services.issuing import IssueRequest, RecipientInput
from vcengine.services.ports import AnalyticsFilter

pytestmark = pytest.mark.anyio

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


async def test_page_views_of_people_count_and_of_bots_do_not(services: Services, tenant: Tenant) -> None:
    request = IssueRequest(tenant.achievement_id, RecipientInput(email="ada@example.com", name="Ada"))
    credential = (await issuing.issue_credential(services, tenant.actor, request)).record
    assert await analytics.record_page_view(services, credential, CHROME, {"page": "claim"}) is not None
    for bot in ("LinkedInBot/1.0 (compatible; Mozilla/5.0)", "curl/8.5.0", None):
        assert await analytics.record_page_view(services, credential, bot) is None
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
