"""Finding a learner's email when the platform sent only its user id (Moodle's events do, and
Canvas Live Events of accounts that leave ``user.email`` out).

For a MOODLE or CANVAS integration with the setting ``siteUrl`` (https) and an API token (a
Moodle web-service token, a Canvas access token; sealed like the webhook secret), the platform is
asked over HTTPS (``vcengine.fetch``: one deadline, a size limit, https only): Moodle's
``core_user_get_users_by_field``, Canvas's user profile. Outcomes: the (email, name); None when
the integration cannot look learners up; ``InputError`` / ``NotFound`` when the platform says no
(kept as the event's reason, replayable); ``ResolutionError`` when it cannot be reached
(retried). The token never appears in a message (Canvas's travels in a header).
"""

from __future__ import annotations

import anyio.to_thread

from vcengine.core.lms import canvas_rest, moodle_ws
from vcengine.errors import HttpStatusError, NotFound, ResolutionError
from vcengine.fetch import fetch_json
from vcengine.services.context import Services
from vcengine.services.integrations import integration_api_token
from vcengine.services.ports import IntegrationRecord

__all__ = ["TIMEOUT_S", "find_learner"]

TIMEOUT_S = 10.0
MAX_BYTES = 256 * 1024


async def find_learner(
    services: Services, integration: IntegrationRecord, user_id: str | None
) -> tuple[str, str | None] | None:
    site = integration.settings.get("siteUrl")
    token = integration_api_token(services, integration)
    if integration.platform not in ("moodle", "canvas") or not site or token is None or not user_id:
        return None
    if integration.platform == "canvas":
        url = canvas_rest.profile_url(str(site), user_id)
        try:
            answer = await anyio.to_thread.run_sync(
                lambda: fetch_json(
                    url, timeout=TIMEOUT_S, max_bytes=MAX_BYTES, authorization=f"Bearer {token}"
                )
            )
        except HttpStatusError as exc:
            if exc.status in (401, 403, 404):  # an answer: the token may not, or no such user
                raise NotFound(f"Canvas answered HTTP {exc.status} for user {user_id}") from None
            raise  # 429, 5xx: asked again later
        return canvas_rest.read_profile(answer, user_id)
    url = moodle_ws.users_by_id_url(str(site), token, user_id)
    try:
        answer = await anyio.to_thread.run_sync(
            lambda: fetch_json(url, timeout=TIMEOUT_S, max_bytes=MAX_BYTES)
        )
    except ResolutionError as exc:
        raise ResolutionError(exc.message.replace(url, moodle_ws.endpoint(str(site)))) from None
    return moodle_ws.read_user(answer, user_id)
