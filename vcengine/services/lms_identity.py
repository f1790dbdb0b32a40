"""Finding a learner's email when the platform sent only its user id (Moodle's events do).

For a MOODLE integration with the setting ``siteUrl`` (https) and an API token (a web-service
token, sealed like the webhook secret), ``core_user_get_users_by_field`` is asked over HTTPS
(``vcengine.fetch``: one deadline, a size limit, https only). Outcomes: the (email, name); None
when the integration cannot look learners up; ``InputError`` / ``NotFound`` when Moodle says no
(kept as the event's reason, replayable); ``ResolutionError`` when Moodle cannot be reached
(retried). The token never appears in a message.
"""

from __future__ import annotations

import anyio.to_thread

from vcengine.core.lms import moodle_ws
from vcengine.errors import ResolutionError
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
    if integration.platform != "moodle" or not site or token is None or not user_id:
        return None
    url = moodle_ws.users_by_id_url(str(site), token, user_id)
    try:
        answer = await anyio.to_thread.run_sync(
            lambda: fetch_json(url, timeout=TIMEOUT_S, max_bytes=MAX_BYTES)
        )
    except ResolutionError as exc:
        raise ResolutionError(exc.message.replace(url, moodle_ws.endpoint(str(site)))) from None
    return moodle_ws.read_user(answer, user_id)
