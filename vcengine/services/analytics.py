"""Analytics of an organization: its events counted per day, week or month and type, and the
funnel issued → delivered → claimed → shared of the credentials issued in a range.

The events are the one append-only stream every feature writes (``Store`` events: issued,
revoked, delivered, claimed, page_viewed, linkedin_clicked, downloaded…); every type stored is
counted. Page views by bots are never stored (``services.engagement.record_engagement``).
Counts this instance holds back for a moment (``services.counts``) are written before reading,
so they show here at once; other instances' show within ``event_batch.DELAY``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from vcengine.core.analytics import Bucket, Interval, buckets, check_range
from vcengine.services.context import Actor, Services
from vcengine.services.ports import AnalyticsFilter, FunnelCounts

__all__ = ["Analytics", "analytics"]


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
    await services.counts.flush()
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
