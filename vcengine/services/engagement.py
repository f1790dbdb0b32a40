"""What learners and viewers do with a credential, counted as events (``event_log.record``).

``page_viewed`` (a credential or claim page was shown), ``linkedin_clicked`` (the "Add to
LinkedIn profile" link was followed, through ``/credentials/{id}/linkedin``) and ``downloaded``
(a baked badge or the JSON was downloaded from a page). Requests from crawlers and link
previewers (by their ``User-Agent``: ``core.user_agents.is_bot``) are not counted, and neither
are requests without one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from vcengine.core.user_agents import is_bot
from vcengine.services import event_log
from vcengine.services.ports import CredentialRecord, EventRecord

if TYPE_CHECKING:
    from vcengine.services.context import Services

__all__ = ["Engagement", "record_engagement"]

Engagement = Literal["page_viewed", "linkedin_clicked", "downloaded"]


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
    await event_log.record(services, event)
    return True
