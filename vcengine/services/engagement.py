"""What learners do to share a credential, counted as events (``Store.add_event``).

``linkedin_clicked`` (the "Add to LinkedIn profile" link was followed, through
``/credentials/{id}/linkedin``: the funnel's "shared") and ``downloaded`` (a baked badge was
downloaded from a page); page views go through ``services.analytics.record_page_view``.
Requests from crawlers and link previewers (``core.user_agents``) are not counted, and neither
are requests without a User-Agent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from vcengine.core.user_agents import is_bot
from vcengine.services.ports import CredentialRecord, EventRecord

if TYPE_CHECKING:
    from vcengine.services.context import Services

__all__ = ["Engagement", "record_engagement"]

Engagement = Literal["linkedin_clicked", "downloaded"]


async def record_engagement(
    services: Services,
    record: CredentialRecord,
    type: Engagement,
    user_agent: str | None,
    data: Mapping[str, Any] | None = None,
) -> bool:
    """Store the event unless a bot asked; whether it was stored."""
    if is_bot(user_agent):
        return False
    event = EventRecord(services.new_id(), record.org_id, type, record.id, services.now(), dict(data or {}))
    await services.store.add_event(event)
    return True
