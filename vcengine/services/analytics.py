"""Analytics of an organization: its events counted per day, week or month and type, and the
funnel issued → delivered → claimed → shared of the credentials issued in a range.

The events are the one append-only stream every feature writes (``Store`` events: issued,
revoked, delivered, claimed, page_viewed, linkedin_clicked, downloaded…); every type stored is
counted. Page views by bots are never stored (``record_page_view``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vcengine.core.analytics import Bucket, Interval, buckets, check_range
from vcengine.core.user_agents import is_bot
from vcengine.services.context import Actor, Services
from vcengine.services.ports import AnalyticsFilter, CredentialRecord, EventRecord, FunnelCounts

__all__ = ["Analytics", "analytics", "record_page_view"]


@dataclass(frozen=True, slots=True)
class Analytics:
    filter: AnalyticsFilter
    interval: Interval
    buckets: list[Bucket]
    funnel: FunnelCounts
    totals: Mapping[str, int] = field(default_factory=dict)


async def analytics(
    services: Services, actor: Actor, filter: AnalyticsFilter, interval: Interval
) -> Analytics:
    """Counts per ``interval`` and type over the filter's days, and their funnel (needs ``read``)."""
    actor.require("read")
    check_range(filter.first_day, filter.last_day)
    daily = await services.store.daily_event_counts(actor.org_id, filter)
    funnel = await services.store.funnel_counts(actor.org_id, filter)
    totals: dict[str, int] = {}
    for count in daily:
        totals[count.type] = totals.get(count.type, 0) + count.count
    rows = [(c.day, c.type, c.count) for c in daily]
    return Analytics(
        filter,
        interval,
        buckets(rows, filter.first_day, filter.last_day, interval),
        funnel,
        dict(sorted(totals.items())),
    )


async def record_page_view(
    services: Services,
    credential: CredentialRecord,
    user_agent: str | None,
    data: Mapping[str, Any] | None = None,
) -> EventRecord | None:
    """Store a ``page_viewed`` event of ``credential`` unless the User-Agent is a bot's (None then)."""
    if is_bot(user_agent):
        return None
    event = EventRecord(
        services.new_id(), credential.org_id, "page_viewed", credential.id, services.now(), dict(data or {})
    )
    await services.store.add_event(event)
    return event
