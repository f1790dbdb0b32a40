"""What a route gets from the app: the services container and the settings (set by ``create_app``)."""

from __future__ import annotations

from typing import cast

from starlette.requests import HTTPConnection

from vcengine.api.settings import Settings
from vcengine.services.context import Services

__all__ = ["services", "settings"]


def services(conn: HTTPConnection) -> Services:
    return cast(Services, conn.app.state.services)


def settings(conn: HTTPConnection) -> Settings:
    return cast(Settings, conn.app.state.settings)
