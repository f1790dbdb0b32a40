"""A real HTTPS server on 127.0.0.1 for ``--online`` tests: a throwaway self-signed certificate
(trusted by pointing ``SSL_CERT_FILE`` at it), and routes set per test: path -> (status, body)."""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["LoopbackHttps"]


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


Answer = tuple[int, bytes, dict[str, str]]


class LoopbackHttps:
    """``with LoopbackHttps(tmp) as server``: ``server.base`` is ``https://127.0.0.1:PORT``;
    ``server.routes[path] = (status, body, headers)``; ``server.requests`` lists the paths asked.
    ``answer(path, request headers)``, when given, answers every GET instead of ``routes`` (a fake
    API that decides per request)."""

    def __init__(
        self, directory: Path, answer: Callable[[str, Mapping[str, str]], Answer] | None = None
    ) -> None:
        import ssl

        self.cert, key = self_signed(directory)
        self.routes: dict[str, Answer] = {}
        self.requests: list[str] = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                if answer is not None:
                    status, body, headers = answer(self.path, self.headers)
                else:
                    status, body, headers = outer.routes.get(self.path, (404, b"not found", {}))
                self.send_response(status)
                for name, value in {"Content-Type": "application/ld+json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def finish_request(self, request: Any, client_address: Any) -> None:
                try:
                    tls = context.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError):
                    request.close()
                    return
                try:
                    super().finish_request(tls, client_address)
                except OSError:
                    pass
                finally:
                    tls.close()

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self._server = Server(("127.0.0.1", 0), Handler)
        self.base = f"https://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackHttps:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
