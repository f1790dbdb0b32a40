"""What only the MongoDB adapter does: indexes, a server that is not there."""

from __future__ import annotations

import gc
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.storage.stores import database_name, nx_server, started
from vcengine.errors import StoreError, StoreUnavailable
from vcengine.services.ports import OrganizationRecord
from vcengine.storage.mongo import MongoStore

pytestmark = [pytest.mark.anyio, pytest.mark.mongo]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nobody listens once the socket is closed


# PyMongo's background monitor can leave a socket to a dead server for the garbage collector;
# collect it inside the test that caused it, so that it cannot surface as an "unclosed socket"
# warning in whichever later test happens to trigger a collection.
_contain_driver_leaks = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@_contain_driver_leaks
async def test_an_unreachable_server_fails_fast_and_clearly() -> None:
    store = MongoStore(f"mongodb://user:secret@127.0.0.1:{_closed_port()}", server_selection_timeout=0.3)
    began = time.monotonic()
    with pytest.raises(StoreUnavailable, match=r"unavailable at mongodb://127\.0\.0\.1") as caught:
        await store.start()
    assert time.monotonic() - began < 3
    assert "secret" not in str(caught.value)
    with pytest.raises(StoreError, match="not started"):
        await store.get_organization("o")
    gc.collect()


@_contain_driver_leaks
async def test_the_server_going_away_is_unavailable(tmp_path: Path) -> None:
    with nx_server(tmp_path) as uri:
        store = MongoStore(uri, database_name(), server_selection_timeout=0.3)
        await store.start()
    try:
        with pytest.raises(StoreUnavailable):
            await store.create_organization(OrganizationRecord("o", "O", datetime.now(UTC)))
    finally:
        await store.close()
        gc.collect()


async def test_indexes_back_the_promises(mongo_uri: str) -> None:
    async with started(MongoStore(mongo_uri, database_name()), drop=True) as store:
        db = store._client[store._database]  # type: ignore[index]
        credentials = await db["credentials"].index_information()
        unique = [i for i in credentials.values() if i.get("unique")]
        assert [[k for k, _ in i["key"]] for i in unique] == [["org_id", "idempotency_key"]]
        assert any(i.get("unique") for i in (await db["api_keys"].index_information()).values())
        assert any(i.get("unique") for i in (await db["active_status_lists"].index_information()).values())
        await store.start()  # idempotent


def test_the_uri_is_shown_without_credentials() -> None:
    assert repr(MongoStore("mongodb://u:p@db.example:27017/x?tls=true")) == (
        "MongoStore('mongodb://db.example:27017/x?tls=true', 'vcengine')"
    )
