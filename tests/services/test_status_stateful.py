"""Issue 7, "Atomic status changes": a Hypothesis state machine drives random batches of
concurrent revoke / suspend / unsuspend calls through two API instances on one store (a SQLite
file; a MongoDB database over the wire) and checks after every batch:

- no call fails (no CONFLICT, nothing but the refusals the rules call for);
- a credential reported revoked stays revoked, in its record and in its list, for good;
- the record, the stored list and the list each instance publishes agree;
- every transition that happened was recorded by exactly one event, and the events of each
  credential form a valid history ending in its current status.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.services.instances import Instances, list_state
from tests.services.support import BASE_URL, make_tenant, master_key
from tests.storage.stores import database_name, mongo_uri
from vcengine.core.status import StatusList
from vcengine.services import status_changes
from vcengine.services.context import Services
from vcengine.services.events import CredentialEvent, EventBus
from vcengine.services.status_changes import Action, InvalidTransition, StatusChange
from vcengine.storage.mongo import MongoStore
from vcengine.storage.sqlite import SqliteStore

__all__ = ["mongo_uri"]

T = TypeVar("T")
ACTIONS: list[Action] = ["revoke", "suspend", "unsuspend"]
PER_PURPOSE = 3  # credentials of each status purpose; small, so that calls collide often


class RecordingBus(EventBus):
    """The event bus of one instance, remembering every event it published."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[CredentialEvent] = []

    def publish(self, event: CredentialEvent) -> None:
        self.published.append(event)
        super().publish(event)


call = st.tuples(
    st.integers(0, 1),  # through which instance
    st.sampled_from(ACTIONS),
    st.lists(st.integers(0, 2 * PER_PURPOSE - 1), min_size=1, max_size=3),  # which credentials
)


class StatusChanges(RuleBasedStateMachine):
    """One example: a fresh store, two instances, six credentials, then batches of calls."""

    kind: ClassVar[str]
    uri: ClassVar[str | None] = None

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.directory = tempfile.TemporaryDirectory()
        self.stores: list[SqliteStore | MongoStore] = []
        self.pair = self.run(self._start())
        self.ids = self.run(self.pair.issue(PER_PURPOSE, "revocation"))
        self.ids += self.run(self.pair.issue(PER_PURPOSE, "suspension"))
        self.revoked: set[str] = set()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    async def _start(self) -> Instances:
        if self.kind == "sqlite":
            path = Path(self.directory.name) / "vcengine.sqlite3"
            self.stores = [SqliteStore(path), SqliteStore(path)]
        else:
            assert self.uri is not None
            database = database_name()
            self.stores = [MongoStore(self.uri, database), MongoStore(self.uri, database)]
        for store in self.stores:
            await store.start()
        key = master_key()
        a, b = (Services(s, key, BASE_URL, events=RecordingBus()) for s in self.stores)
        return Instances(a, b, await make_tenant(a))

    def teardown(self) -> None:
        async def stop() -> None:
            for services in (self.pair.a, self.pair.b):
                await services.close()
            if isinstance(self.stores[0], MongoStore):
                await self.stores[0].drop_database()
            for store in self.stores:
                await store.close()

        try:
            self.run(stop())
        finally:
            self.loop.close()
            self.directory.cleanup()

    @rule(calls=st.lists(call, min_size=1, max_size=6))
    def concurrent_calls(self, calls: list[tuple[int, Action, list[int]]]) -> None:
        actor = self.pair.tenant.actor

        async def all_at_once() -> list[StatusChange | BaseException]:
            return await asyncio.gather(
                *(
                    status_changes.change_status(
                        self.pair.pick(i), actor, [self.ids[c] for c in which], action
                    )
                    for i, action, which in calls
                ),
                return_exceptions=True,
            )

        for (_, action, which), result in zip(calls, self.run(all_at_once()), strict=True):
            assert isinstance(result, StatusChange), f"{action} failed: {result!r}"
            wanted = {self.ids[c] for c in which}
            assert {r.id for r in result.changed} | {i for i, _ in result.errors} == wanted
            for _, error in result.errors:
                assert isinstance(error, InvalidTransition), error
            if action == "revoke":
                assert not result.errors and {r.status for r in result.changed} == {"revoked"}
                self.revoked |= wanted
            else:
                target = "suspended" if action == "suspend" else "active"
                assert all(r.status == target for r in result.changed)
                for credential_id, error in result.errors:
                    revocation_entry = self.ids.index(credential_id) < PER_PURPOSE
                    assert "revoked; that is final" in error.message or revocation_entry

    @invariant()
    def record_list_and_published_list_agree(self) -> None:
        org_id = self.pair.tenant.org_id
        stored = self.run(list_state(self.pair.a, org_id, self.ids))
        for credential_id in self.ids:
            record = self.run(self.pair.b.store.get_credential(org_id, credential_id))
            assert record is not None and record.status == stored[credential_id]
            if credential_id in self.revoked:
                assert stored[credential_id] == "revoked"
            for services in (self.pair.a, self.pair.b):
                published = self.run(
                    status_changes.published_list(
                        services, record.document["credentialStatus"]["statusListCredential"]
                    )
                )
                assert published is not None
                bits = StatusList.decode(published["credentialSubject"]["encodedList"])
                assert bits.get(record.status_index or 0) == (stored[credential_id] != "active")

    @invariant()
    def every_transition_has_exactly_one_event(self) -> None:
        org_id = self.pair.tenant.org_id
        events = [e for bus in (self.pair.a.events, self.pair.b.events) for e in bus.published]  # type: ignore[attr-defined]
        by_type = Counter(e.type for e in events if e.type != "bulk_progress")
        for type in ("revoked", "suspended", "unsuspended"):
            assert self.run(self.pair.a.store.count_events(org_id, type)) == by_type[type]
        stored = self.run(list_state(self.pair.a, org_id, self.ids))
        for credential_id in self.ids:
            mine = Counter(e.type for e in events if e.credential_id == credential_id)
            assert mine["revoked"] == (stored[credential_id] == "revoked")
            open_suspensions = mine["suspended"] - mine["unsuspended"]
            if stored[credential_id] == "revoked":
                assert open_suspensions in (0, 1)
            else:
                assert open_suspensions == (stored[credential_id] == "suspended")


SETTINGS = settings(
    max_examples=12,
    stateful_step_count=6,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_random_concurrent_status_changes_on_sqlite() -> None:
    class OnSqlite(StatusChanges):
        kind = "sqlite"

    run_state_machine_as_test(OnSqlite, settings=SETTINGS)


def test_random_concurrent_status_changes_on_mongodb(mongo_uri: str) -> None:
    class OnMongo(StatusChanges):
        kind, uri = "mongo", mongo_uri

    run_state_machine_as_test(OnMongo, settings=SETTINGS)
