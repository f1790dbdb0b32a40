"""Adapters implementing ``vcengine.services.ports.Store``: SQLite (embedded default) and MongoDB."""

from __future__ import annotations

from pathlib import Path

from vcengine.errors import StoreError
from vcengine.services.ports import Store

__all__ = ["SQLITE_FILE", "open_store"]

SQLITE_FILE = "vcengine.sqlite3"


def open_store(data_dir: Path | None, mongodb_uri: str | None) -> Store:
    """The store to use (not started yet): MongoDB if a URI is given, else ``data_dir/vcengine.sqlite3``.

    The MongoDB database is the one the URI names (``mongodb://host/dbname``), else ``vcengine``.
    """
    if mongodb_uri:
        from pymongo.uri_parser import parse_uri

        from vcengine.storage.mongo import MongoStore

        try:
            database = parse_uri(mongodb_uri).get("database") or "vcengine"
        except Exception as exc:  # pymongo raises InvalidURI / ConfigurationError / ValueError
            raise StoreError(f"not a valid MongoDB URI: {exc}") from None
        return MongoStore(mongodb_uri, database)
    if data_dir is None:
        raise StoreError("no store configured: give a data directory or a MongoDB URI")
    from vcengine.storage.sqlite import SqliteStore

    return SqliteStore(Path(data_dir) / SQLITE_FILE)
