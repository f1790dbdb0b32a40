"""Canvas REST API, pure: the request that looks a learner up by user id, and what its answer
means (https://canvas.instructure.com/doc/api/users.html#method.profile.settings, "Get user
profile": ``GET /api/v1/users/:user_id/profile`` with ``Authorization: Bearer <token>``).

The profile carries ``primary_email`` when the token may see it (an account admin's token, or a
developer key with the ``url:GET|/api/v1/users/:user_id/profile`` scope); ``login_id`` is often
the email too, and is used when it looks like one. Live Events name users by their global id
(``shard * 10**13 + local id``), which the REST API accepts as it is.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

from vcengine.errors import InputError, NotFound

__all__ = ["profile_url", "read_profile"]

_ID = re.compile(r"[0-9]{1,25}|[0-9]{1,10}~[0-9]{1,15}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{1,63}")


def profile_url(site_url: str, user_id: str) -> str:
    if not _ID.fullmatch(user_id):
        raise InputError(f"a Canvas user id is numeric, not {user_id!r:.40}")
    return f"{site_url.rstrip('/')}/api/v1/users/{urllib.parse.quote(user_id, safe='~')}/profile"


def read_profile(answer: Any, user_id: str) -> tuple[str, str | None]:
    """``(email, name)`` of a profile; ``NotFound`` when it shows no email (the token may not
    see it), ``InputError`` when the answer is not a profile."""
    if not isinstance(answer, Mapping):
        raise InputError("Canvas answered the profile with something other than an object")
    if "errors" in answer:
        raise NotFound(f"Canvas refused the profile of user {user_id}: {str(answer['errors'])[:200]}")
    name = answer.get("name") if isinstance(answer.get("name"), str) else None
    for field in ("primary_email", "login_id"):
        value = answer.get(field)
        if isinstance(value, str) and _EMAIL.fullmatch(value.strip()):
            return value.strip(), name
    raise NotFound(
        f"Canvas shows no email for user {user_id}: give the token the permission to read profiles"
    )
