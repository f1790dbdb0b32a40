"""A small Moodle on 127.0.0.1 over HTTPS, answering its REST web-service server as Moodle does
(https://moodledev.io/docs/apis/subsystems/external — ``/webservice/rest/server.php`` with
``wstoken``, ``wsfunction``, ``moodlewsrestformat``; parameters from the query string or a form
body): errors are **HTTP 200** with ``{"exception", "errorcode", "message"}``, XML unless JSON is
asked for, and ``core_user_get_users_by_field`` answers a list of user objects ([] if none)."""

from __future__ import annotations

import http.server
import json
import ssl
import threading
import urllib.parse
from pathlib import Path
from typing import Any

from tests.loopback_https import self_signed

__all__ = ["FakeMoodle"]

INVALID_TOKEN = {
    "exception": "moodle_exception",
    "errorcode": "invalidtoken",
    "message": "Invalid token - token not found",
}
UNKNOWN_FUNCTION = {
    "exception": "dml_missing_record_exception",
    "errorcode": "invalidrecord",
    "message": "Can't find data record in database table external_functions.",
}


class FakeMoodle:
    """``with FakeMoodle(tmp, token, users) as moodle``: ``moodle.base`` is the site URL,
    ``moodle.cert`` the certificate to trust, ``moodle.calls`` the parameters of each call."""

    def __init__(self, directory: Path, token: str, users: dict[str, dict[str, Any]]) -> None:
        self.cert, key = self_signed(directory)
        self.token, self.users = token, users
        self.calls: list[dict[str, str]] = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self, params: dict[str, str]) -> None:
                outer.calls.append(params)
                status, body, kind = outer.answer(self.path.split("?")[0], params)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                query = urllib.parse.urlsplit(self.path).query
                self._answer(dict(urllib.parse.parse_qsl(query)))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                self._answer(dict(urllib.parse.parse_qsl(self.rfile.read(length).decode())))

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

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, bytes, str]:
        if path != "/webservice/rest/server.php":
            return 404, b"<html>Not found</html>", "text/html"
        if params.get("moodlewsrestformat") != "json":
            xml = b'<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE></RESPONSE>'
            return 200, xml, "application/xml"
        if params.get("wstoken") != self.token:
            return 200, json.dumps(INVALID_TOKEN).encode(), "application/json"
        if params.get("wsfunction") != "core_user_get_users_by_field":
            return 200, json.dumps(UNKNOWN_FUNCTION).encode(), "application/json"
        wanted = [v for k, v in params.items() if k.startswith("values[")]
        found = [self.users[v] for v in wanted if params.get("field") == "id" and v in self.users]
        return 200, json.dumps(found).encode(), "application/json"

    def __enter__(self) -> FakeMoodle:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
