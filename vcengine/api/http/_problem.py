"""Errors as RFC 9457 problem details: the one place that maps vcengine errors to HTTP codes.

https://www.rfc-editor.org/rfc/rfc9457 — ``{"type", "title", "status", "detail"}`` served as
``application/problem+json``. ``type`` is a stable URN per kind of problem, so clients need not
parse ``detail``. A credential that breaks a data-model rule is
``urn:vcengine:problem:data-model-rule`` with ``rule`` (the stable rule id, e.g.
``VCDM2-4.8-subject-claims``), ``spec`` (its section URL), ``path`` (JSON path) and
``violations`` (every issue found, each ``{rule, path, message, spec}``). Internal errors are
masked: their detail never reaches the client.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from vcengine.errors import (
    Aborted,
    Busy,
    Conflict,
    InputError,
    JsonError,
    NotFound,
    PermissionDenied,
    SchemaError,
    StoreUnavailable,
    UnsupportedError,
    VcengineError,
)

__all__ = ["MEDIA_TYPE", "Problem", "client_gone", "from_error", "problem_response"]

MEDIA_TYPE = "application/problem+json"
_TYPE = "urn:vcengine:problem:"
log = logging.getLogger("vcengine.api")


class Problem(Exception):
    """An HTTP problem raised inside a route; the app turns it into a problem+json response."""

    def __init__(self, status: int, kind: str, title: str, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or title)
        self.status, self.kind, self.title, self.detail, self.extra = status, kind, title, detail, extra
        self.headers: dict[str, str] = {}

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": _TYPE + self.kind, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        body.update(self.extra)
        return body


def from_error(exc: VcengineError) -> Problem:
    """The HTTP meaning of a vcengine error (only the api layer knows status codes)."""
    detail = str(exc)
    if isinstance(exc, JsonError):
        return Problem(400, "malformed-json", "Malformed request body", detail)
    if isinstance(exc, SchemaError) and exc.rule is not None:
        return Problem(
            422,
            "data-model-rule",
            "The credential breaks a data-model rule",
            detail,
            rule=exc.rule,
            spec=exc.spec,
            path=exc.path,
            violations=list(exc.violations),
        )
    if isinstance(exc, InputError):
        return Problem(422, "unprocessable", "The credential cannot be processed", detail)
    if isinstance(exc, UnsupportedError):
        return Problem(422, "unsupported", "Not supported", detail)
    if isinstance(exc, NotFound):
        return Problem(404, "not-found", "Not found", detail)
    if isinstance(exc, PermissionDenied):
        return Problem(403, "forbidden", "Forbidden", detail)
    if isinstance(exc, StoreUnavailable):
        problem = Problem(503, "unavailable", "The store is unavailable; nothing was written", None)
        problem.headers["Retry-After"] = "5"
        return problem
    if isinstance(exc, Busy):
        problem = Problem(503, "busy", "The verifier is busy; retry later", detail)
        problem.headers["Retry-After"] = "1"
        return problem
    if isinstance(exc, Aborted):
        problem = Problem(503, "verification-aborted", "Verification was stopped; not verified", detail)
        problem.headers["Retry-After"] = "1"
        return problem
    if isinstance(exc, Conflict):
        return Problem(409, "conflict", "A concurrent change won; retry", detail)
    log.error("internal error: %s", type(exc).__name__)
    return Problem(500, "internal", "Internal error")


def problem_response(problem: Problem) -> Response:
    return JSONResponse(
        problem.to_json(), status_code=problem.status, media_type=MEDIA_TYPE, headers=problem.headers
    )


async def problem_handler(request: Request, exc: Exception) -> Response:
    if isinstance(exc, Problem):
        return problem_response(exc)
    if isinstance(exc, VcengineError):
        return problem_response(from_error(exc))
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(Problem(500, "internal", "Internal error"))


async def client_gone(request: Request, exc: Exception) -> Response:
    """The client closed the connection while sending its request: nobody is left to answer, and
    it is no error of ours (not logged: anyone can make it happen, as often as they like)."""
    return Response(status_code=400)
