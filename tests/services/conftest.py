"""Service tests run on the real SQLite store in a temporary directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.services.support import Tenant, make_services, make_tenant
from vcengine.services.context import Services


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    s = await make_services(tmp_path)
    yield s
    await s.close()
    await s.store.close()


@pytest.fixture
async def tenant(services: Services) -> Tenant:
    return await make_tenant(services)
