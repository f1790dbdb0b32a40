"""Moodle Web Services (REST), pure: the request that looks a learner up by user id, and what its
answer means (https://moodledev.io/docs/apis/subsystems/external/writing-a-service; function
``core_user_get_users_by_field``).

The REST server is ``{site}/webservice/rest/server.php`` with ``wstoken``, ``wsfunction`` and
``moodlewsrestformat=json`` (the default format is XML); arrays are sent as ``values[0]=…``. An
error is answered with **HTTP 200** and ``{"exception", "errorcode", "message"}`` (an invalid
token, a function not added to the service, a missing capability), so the body decides.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

from vcengine.errors import InputError, NotFound

__all__ = ["endpoint", "read_user", "users_by_id_url"]


def endpoint(site_url: str) -> str:
    return site_url.rstrip("/") + "/webservice/rest/server.php"


def users_by_id_url(site_url: str, token: str, user_id: str) -> str:
    query = urllib.parse.urlencode(
        {
            "wstoken": token,
            "wsfunction": "core_user_get_users_by_field",
            "moodlewsrestformat": "json",
            "field": "id",
            "values[0]": user_id,
        }
    )
    return f"{endpoint(site_url)}?{query}"


def read_user(answer: Any, user_id: str) -> tuple[str, str | None]:
    """(email, full name) of ``user_id`` from the answer; ``InputError`` for a Moodle error (its
    ``errorcode`` and ``message``), ``NotFound`` when Moodle knows no such user or shows no email."""
    if isinstance(answer, Mapping) and "exception" in answer:
        code, message = str(answer.get("errorcode", "")), str(answer.get("message", ""))[:300]
        raise InputError(f"Moodle answered {code}: {message}")
    if not isinstance(answer, list):
        raise InputError("Moodle's answer is not a list of users")
    for user in answer:
        if isinstance(user, Mapping) and str(user.get("id")) == user_id:
            email = user.get("email")
            if not isinstance(email, str) or not email:
                raise NotFound(
                    f"Moodle shows no email for user {user_id} (the service lacks the capability?)"
                )
            name = user.get("fullname")
            return email, name if isinstance(name, str) and name else None
    raise NotFound(f"Moodle knows no user {user_id}")
