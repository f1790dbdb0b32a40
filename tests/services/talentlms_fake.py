"""A small TalentLMS on 127.0.0.1 over HTTPS, answering its REST API v1 as its reference does:
HTTP Basic with the API key as the user name; ``courses``, ``courses/id:{id}`` (with ``users``),
``getuserstatusincourse/course_id:{c},user_id:{u}``, ``users/id:{id}``; errors as
``{"error": {"type", "message"}}`` with an HTTP error status; a 429 when told to limit."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.loopback_https import Answer, LoopbackHttps

__all__ = ["FakeTalentLms"]


class FakeTalentLms(LoopbackHttps):
    """``with FakeTalentLms(tmp, key) as lms``: ``lms.base`` is the portal URL, ``lms.cert`` the
    certificate to trust; ``courses``: id -> {"name", "users": [...]}; ``status``: (course, user)
    -> getuserstatusincourse answer; ``users``: id -> user; ``calls`` the paths asked for."""

    def __init__(self, directory: Path, api_key: str) -> None:
        super().__init__(directory, self._respond)
        self.api_key = api_key
        self.courses: dict[str, dict[str, Any]] = {}
        self.status: dict[tuple[str, str], dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.calls = self.requests
        self.rate_limited = False

    def _respond(self, path: str, headers: Mapping[str, str]) -> Answer:
        status, body = self.answer(path, headers.get("Authorization"))
        return status, json.dumps(body).encode(), {"Content-Type": "application/json"}

    @staticmethod
    def _error(kind: str, message: str) -> dict[str, Any]:
        return {"error": {"type": kind, "message": message}}

    def answer(self, path: str, authorization: str | None) -> tuple[int, Any]:
        expected = "Basic " + base64.b64encode(f"{self.api_key}:".encode()).decode()
        if authorization != expected:
            return 401, self._error("unauthorized_error", "Invalid API key provided")
        if self.rate_limited:
            return 429, self._error("rate_limit_error", "API rate limit exceeded")
        if path == "/api/v1/courses":
            return 200, [{"id": cid, "name": c["name"]} for cid, c in self.courses.items()]
        if m := re.fullmatch(r"/api/v1/courses/id:(\w+)", path):
            course = self.courses.get(m[1])
            return (200, {"id": m[1], **course}) if course else (404, self._error("not_found", "course"))
        if m := re.fullmatch(r"/api/v1/getuserstatusincourse/course_id:(\w+),user_id:(\w+)", path):
            found = self.status.get((m[1], m[2]))
            return (200, found) if found else (404, self._error("not_found", "status"))
        if m := re.fullmatch(r"/api/v1/users/id:(\w+)", path):
            user = self.users.get(m[1])
            return (200, user) if user else (404, self._error("not_found", "user"))
        return 404, self._error("not_found", "endpoint")
