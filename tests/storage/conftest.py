"""Fixtures of the storage tests: ``store`` is each adapter in turn (see ``stores.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.storage.stores import anyio_backend, make_store, mongo_uri
from vcengine.storage.mongo import MongoStore
from vcengine.storage.sqlite import SqliteStore

__all__ = ["anyio_backend", "mongo_uri", "store"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mongo: runs against MongoDB (nx-27017, or VCENGINE_TEST_MONGODB_URI)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:  # (a mark in the params would be looked up before the marker exists)
        callspec = getattr(item, "callspec", None)
        if (
            item.path.is_relative_to(here)
            and callspec is not None
            and callspec.params.get("store") == "mongo"
        ):
            item.add_marker("mongo")


@pytest.fixture(params=["sqlite", "mongo"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqliteStore | MongoStore]:
    async with make_store(request.param, tmp_path, request) as s:
        yield s
