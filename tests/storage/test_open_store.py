from __future__ import annotations

from pathlib import Path

import pytest

from vcengine.errors import StoreError
from vcengine.storage import open_store
from vcengine.storage.mongo import MongoStore
from vcengine.storage.sqlite import SqliteStore


def test_the_data_directory_gives_the_embedded_store(tmp_path: Path) -> None:
    store = open_store(tmp_path, None)
    assert isinstance(store, SqliteStore) and store.path == tmp_path / "vcengine.sqlite3"


def test_a_mongodb_uri_wins_and_names_the_database(tmp_path: Path) -> None:
    store = open_store(tmp_path, "mongodb://127.0.0.1:27017/badges")
    assert isinstance(store, MongoStore) and store._database == "badges"
    plain = open_store(None, "mongodb://127.0.0.1:27017")
    assert isinstance(plain, MongoStore) and plain._database == "vcengine"


def test_nothing_configured_or_a_bad_uri() -> None:
    with pytest.raises(StoreError, match="no store configured"):
        open_store(None, None)
    with pytest.raises(StoreError, match="MongoDB URI"):
        open_store(None, "http://not-mongo")
