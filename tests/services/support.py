"""Building blocks of the service and GraphQL tests: real SQLite store, pinned-free services."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vcengine.services import achievements, issuers, organizations
from vcengine.services.context import Actor, Services
from vcengine.services.keystore import MasterKey
from vcengine.storage.sqlite import SqliteStore

__all__ = ["BASE_URL", "Clock", "Tenant", "make_services", "make_tenant", "master_key"]

BASE_URL = "https://vc.example"


def master_key() -> MasterKey:
    return MasterKey(os.urandom(32))


async def make_services(path: Path, base_url: str = BASE_URL, **options: Any) -> Services:
    store = SqliteStore(path / "vcengine.sqlite3")
    await store.start()
    return Services(store, master_key(), base_url, **options)


class Clock:
    """A clock the test moves: ``clock.now = …`` or ``clock.advance(minutes=5)``."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Tenant:
    """An organization with an admin actor and key (``key``, its id ``key_id``), an issuer and an
    achievement."""

    def __init__(
        self, org_id: str, key: str, actor: Actor, issuer_id: str, achievement_id: str, key_id: str = ""
    ) -> None:
        self.org_id, self.key, self.actor = org_id, key, actor
        self.issuer_id, self.achievement_id = issuer_id, achievement_id
        self.key_id = key_id


async def make_tenant(services: Services, name: str = "Org", kind: issuers.IssuerKind = "url") -> Tenant:
    org = await organizations.create_organization(services, name)
    admin = Actor(org.id, frozenset({"admin"}))
    key = await organizations.create_api_key(services, admin, "admin", ["admin"])
    issuer = await issuers.create_issuer(
        services, admin, issuers.IssuerInput(name=f"{name} issuer", kind=kind)
    )
    achievement = await achievements.create_achievement(
        services,
        admin,
        achievements.AchievementInput(issuer.id, "Python basics", "Writes Python", criteria_narrative="Pass"),
    )
    return Tenant(org.id, key.plaintext, admin, issuer.id, achievement.id, key.record.id)
