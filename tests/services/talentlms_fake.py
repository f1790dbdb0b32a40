"""A small TalentLMS on 127.0.0.1 over HTTPS, answering its REST API v1 as its reference does:
HTTP Basic with the API key as the user name; ``courses``, ``courses/id:{id}`` (with ``users``),
``getuserstatusincourse/course_id:{c},user_id:{u}``, ``users/id:{id}``; errors as
``{"error": {"type", "message"}}`` with an HTTP error status; a 429 when told to limit."""

from __future__ import annotations

import base64
import http.server
import json
import re
import ssl
import threading
from pathlib import Path
from typing import Any

from tests.loopback_https import self_signed

__all__ = ["FakeTalentLms"]


class FakeTalentLms:
    """``with FakeTalentLms(tmp, key) as lms``: ``lms.base`` is the portal URL, ``lms.cert`` the
    certificate to trust; ``courses``: id -> {"name", "users": [...]}; ``status``: (course, user)
    -> getuserstatusincourse answer; ``users``: id -> user; ``calls`` the paths asked for."""

    def __init__(self, directory: Path, api_key: str) -> None:
        self.cert, key = self_signed(directory)
        self.api_key = api_key
        self.courses: dict[str, dict[str, Any]] = {}
        self.status: dict[tuple[str, str], dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []
        self.rate_limited = False
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.calls.append(self.path)
                status, body = outer.answer(self.path, self.headers.get("Authorization"))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self) -> Any:
                sock, address = super().get_request()
                return context.wrap_socket(sock, server_side=True), address

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self._server = Server(("127.0.0.1", 0), Handler)
        self.base = f"https://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

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

    def __enter__(self) -> FakeTalentLms:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
