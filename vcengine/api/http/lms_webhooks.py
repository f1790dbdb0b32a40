"""LMS webhooks: ``POST /hooks/lms/{integration}`` (an integration's ``webhookUrl``) and the JSON
Schema of vcengine's own event format at ``GET /schemas/lms-event.json``.

Answers (problem details otherwise, RFC 9457):

- 200 ``{"status": "accepted" | "duplicate" | "ignored", "eventIds": [...]}`` — every event is
  stored before this answer (``services.lms_inbox``); 200, not 202, because Moodle's Event
  Trigger plugin re-sends on any other code;
- 401 ``urn:vcengine:problem:bad-signature`` (missing or wrong signature or token, stale timestamp);
- 404 no such integration; 400 malformed JSON; 422 ``invalid-event`` (the body is not an event
  the platform sends: ``detail`` names the first problem and where); 413 a body over 64 KiB;
  503 ``keys-unavailable`` (a Canvas key set could not be fetched: the sender retries).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vcengine.api.http._deps import services
from vcengine.api.http._problem import Problem, from_error
from vcengine.core.lms.event import event_schema
from vcengine.errors import InputError, JsonError, NotFound, ResolutionError, SignatureError, UnsupportedError
from vcengine.services.lms_inbox import MAX_BODY_BYTES, receive

__all__ = ["routes"]


async def _body(request: Request) -> bytes:
    length = request.headers.get("content-length", "")
    if length and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> Problem:
    return Problem(
        413, "too-large", "Request body too large", f"an LMS event is at most {MAX_BODY_BYTES} bytes"
    )


async def webhook(request: Request) -> Response:
    body = await _body(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        receipt = await receive(
            services(request), request.path_params["integration"], headers, dict(request.query_params), body
        )
    except NotFound:
        raise Problem(404, "not-found", "No such integration") from None
    except SignatureError as exc:
        raise Problem(401, "bad-signature", "The request does not prove its sender", exc.message) from None
    except JsonError as exc:
        raise from_error(exc) from None
    except ResolutionError as exc:  # the keys to check the signature with could not be fetched
        problem = Problem(503, "keys-unavailable", "The signature cannot be checked now; retry", exc.message)
        problem.headers["Retry-After"] = "30"
        raise problem from None
    except (InputError, UnsupportedError) as exc:
        raise Problem(422, "invalid-event", "Not an event this integration receives", str(exc)) from None
    answer = {"status": receipt.status, "eventIds": list(receipt.event_ids)}
    if receipt.ignored:
        answer["reason"] = receipt.ignored
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})


async def schema(request: Request) -> Response:
    return JSONResponse(
        event_schema(),
        media_type="application/schema+json",
        headers={"Cache-Control": "public, max-age=3600"},
    )


routes = [
    Route("/hooks/lms/{integration}", webhook, methods=["POST"]),
    Route("/schemas/lms-event.json", schema, methods=["GET", "HEAD"]),
]
