"""Stores for tests: SQLite in a temporary directory, MongoDB over the wire.

MongoDB is a real ``mongod`` when ``VCENGINE_TEST_MONGODB_URI`` is set, else the ``nx-27017``
wire-protocol server (a test dependency), started once per session on 127.0.0.1 and a free port.
Each Mongo store gets a database of its own, dropped afterwards. Import the fixtures from here
(``from tests.storage.stores import ...``) where a test module needs them outside tests/storage.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest

from vcengine.storage.mongo import MongoStore
from vcengine.storage.sqlite import SqliteStore

KINDS = ["sqlite", "mongo"]
RUN_ID = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"  # PyMongo's async client runs on asyncio only


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _nx_executable() -> str:
    beside = Path(sys.executable).with_name("nx-27017")
    found = str(beside) if beside.exists() else shutil.which("nx-27017")
    if found is None:
        pytest.fail(
            "nx-27017 is not installed (pip install -e '.[test]'), and VCENGINE_TEST_MONGODB_URI is not set"
        )
    return found


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A MongoDB URI: ``VCENGINE_TEST_MONGODB_URI``, or nx-27017 started for this session."""
    if uri := os.environ.get("VCENGINE_TEST_MONGODB_URI"):
        yield uri
    else:
        with nx_server(tmp_path_factory.mktemp("nx-27017")) as uri:
            yield uri


@contextmanager
def nx_server(work: Path) -> Iterator[str]:
    """nx-27017 on 127.0.0.1 and a free port, in memory, until the block ends."""
    port = _free_port()
    command = [_nx_executable(), "--db", "memory", "--host", "127.0.0.1", "-p", str(port)]
    command += ["--log-file", str(work / "nx.log"), "--pid-file", str(work / "nx.pid")]
    with open(work / "output.txt", "wb") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            _wait_for(server, port, work / "output.txt")
            yield f"mongodb://127.0.0.1:{port}"
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_for(server: subprocess.Popen[bytes], port: int, output: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"nx-27017 exited with {server.returncode}: {output.read_text(errors='replace')[-2000:]}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nx-27017 did not accept connections on 127.0.0.1:{port} within 20 s")


def database_name() -> str:
    return f"vcengine_test_{RUN_ID}_{uuid.uuid4().hex[:8]}"


@asynccontextmanager
async def started(
    store: SqliteStore | MongoStore, *, drop: bool = False
) -> AsyncIterator[SqliteStore | MongoStore]:
    await store.start()
    try:
        yield store
    finally:
        if drop and isinstance(store, MongoStore):
            await store.drop_database()
        await store.close()


@asynccontextmanager
async def make_store(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[SqliteStore | MongoStore]:
    """A started store of ``kind``, empty, removed afterwards."""
    if kind == "sqlite":
        async with started(SqliteStore(tmp_path / "store" / "vcengine.sqlite3")) as store:
            yield store
    else:
        uri = request.getfixturevalue("mongo_uri")
        async with started(MongoStore(uri, database_name()), drop=True) as store:
            yield store


def second_instance(store: SqliteStore | MongoStore) -> SqliteStore | MongoStore:
    """Another "API instance" on the same data: a new connection to the same file or database."""
    if isinstance(store, SqliteStore):
        return SqliteStore(store.path)
    return MongoStore(store._uri, store._database)
