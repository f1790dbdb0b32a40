"""The services container: the store, the clock, randomness, the master key and the event bus.

Every use case takes a ``Services`` (what the world gives it) and, for tenant operations, an
``Actor`` (who asks: an organization and the scopes of the API key used). Time and randomness
come only from here, so tests can pin them.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from vcengine.errors import PermissionDenied
from vcengine.services.delivery import DeliverySettings
from vcengine.services.event_batch import EventBatch
from vcengine.services.events import EventBus
from vcengine.services.ports import Scope, Store
from vcengine.services.verification_pool import VerificationPool

if TYPE_CHECKING:
    from vcengine.services.jobs import JobRunner
    from vcengine.services.keystore import MasterKey

__all__ = ["SCOPES", "Actor", "Services", "utc_now"]

SCOPES: tuple[Scope, ...] = ("read", "issue", "revoke", "admin")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who calls: the organization the API key belongs to, and the key's scopes."""

    org_id: str
    scopes: frozenset[Scope]
    api_key_id: str | None = None

    def can(self, scope: Scope) -> bool:
        return scope in self.scopes or "admin" in self.scopes

    def require(self, scope: Scope) -> None:
        if not self.can(scope):
            raise PermissionDenied(f"this API key lacks the {scope!r} scope")


@dataclass(eq=False)
class Services:
    """What the use cases need from the world. ``base_url`` has no trailing slash.

    ``signing_processes``: bulk issuance signs in that many worker processes (0: in a thread).
    ``delivery``: how credentials reach their learners (SMTP, claim links, reminders).
    ``verification``: where verification runs (default: inline in a thread, unbounded; the app
    gives it worker processes, a queue bound and a deadline from its settings).
    ``counts``: events that only count something, written in batches after their answer.
    """

    store: Store
    master_key: MasterKey
    base_url: str
    clock: Callable[[], datetime] = utc_now
    random_bytes: Callable[[int], bytes] = secrets.token_bytes
    events: EventBus = field(default_factory=EventBus)
    signing_processes: int = 0
    verification: VerificationPool = field(default_factory=VerificationPool)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)
    jobs: JobRunner | None = None
    allow_loopback_webhooks: bool = False  # vcengine serve --dev: http and loopback webhook URLs
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    _closers: list[Callable[[], object]] = field(default_factory=list, repr=False)
    counts: EventBatch = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.counts = EventBatch(self.store)
        self.on_close(self.verification.close)

    def new_id(self) -> str:
        """A random UUID (version 4) from the injected randomness."""
        return str(uuid.UUID(bytes=self.random_bytes(16), version=4))

    def now(self) -> datetime:
        return self.clock()

    def wake_jobs(self) -> None:
        """Tell this instance's job runner that a job was just stored (others poll for it)."""
        if self.jobs is not None:
            self.jobs.wake()

    def on_close(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` at ``close`` (worker pools and the like)."""
        self._closers.append(callback)

    async def close(self) -> None:
        """Write the pending counts; release what the services started (not the store: its owner
        closes it)."""
        await self.counts.flush()
        closers, self._closers = self._closers, []
        for callback in reversed(closers):
            callback()
