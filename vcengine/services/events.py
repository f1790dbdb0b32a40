"""Credential events, published in-process to the subscribers of one organization.

An ``EventBus`` is an async pub/sub per organization: ``publish`` never blocks (a subscriber
that does not keep up loses its oldest events, counted in ``dropped``), ``subscribe`` is an
async iterator that ends when the subscriber stops iterating. Events are also persisted by
the use cases that emit them (``Store.add_event``); the bus carries them to live listeners
(GraphQL subscriptions) of this process only.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = ["CredentialEvent", "EventBus", "EventType"]

EventType = Literal["issued", "revoked", "suspended", "unsuspended", "bulk_progress", "integration_event"]


@dataclass(frozen=True, slots=True)
class CredentialEvent:
    """Something that happened to a credential (or, for ``bulk_progress``, to a bulk issue; for
    ``integration_event``, an LMS event processed: ``data`` has its ``eventId``, ``outcome`` and
    ``reason``)."""

    type: EventType
    org_id: str
    at: datetime
    credential_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


class EventBus:
    """In-process pub/sub keyed by organization; one bounded queue per subscriber."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._queue_size = queue_size
        self._subscribers: dict[str, set[asyncio.Queue[CredentialEvent]]] = {}
        self.dropped = 0

    def publish(self, event: CredentialEvent) -> None:
        for queue in self._subscribers.get(event.org_id, ()):
            if queue.full():
                queue.get_nowait()
                self.dropped += 1
            queue.put_nowait(event)

    def subscriber_count(self, org_id: str) -> int:
        return len(self._subscribers.get(org_id, ()))

    async def subscribe(self, org_id: str) -> AsyncIterator[CredentialEvent]:
        """Events of ``org_id`` published from now on, until the consumer stops."""
        queue: asyncio.Queue[CredentialEvent] = asyncio.Queue(self._queue_size)
        self._subscribers.setdefault(org_id, set()).add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            subscribers = self._subscribers.get(org_id)
            if subscribers is not None:
                subscribers.discard(queue)
                if not subscribers:
                    del self._subscribers[org_id]
