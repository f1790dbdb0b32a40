"""``--online`` fetching: HTTPS only, certificate checked, size and time bounded — against a real
HTTPS server on 127.0.0.1 with a throwaway certificate authority."""

from __future__ import annotations

import http.server
import json
import re
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loopback_https import self_signed
from vcengine import fetch
from vcengine.errors import ResolutionError

ROUTES: dict[str, bytes] = {}
#: path -> Location of a 302 answer
REDIRECTS: dict[str, str] = {}
DRIP_INTERVAL = 0.2


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(3)
        if self.path in REDIRECTS:
            self.send_response(302)
            self.send_header("Location", REDIRECTS[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/drip"):
            self._drip()
            return
        body = ROUTES.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self) -> None:
        """Answer one byte every DRIP_INTERVAL: each socket read succeeds long before any
        per-read timeout, so only a total deadline ends it (/drip-headers, /drip-body)."""
        body = b'{"id": "' + b"x" * 200 + b'"}'
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        fast, slow = (b"", head.encode() + body) if self.path == "/drip-headers" else (head.encode(), body)
        self.wfile.write(fast)
        self.wfile.flush()
        for i in range(len(slow)):
            time.sleep(DRIP_INTERVAL)
            self.wfile.write(slow[i : i + 1])
            self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


class _TLSServer(http.server.ThreadingHTTPServer):
    """TLS per connection, in the handler thread, so a failed handshake closes its socket."""

    daemon_threads = True

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.context = context

    def finish_request(self, request: object, client_address: object) -> None:
        try:
            tls = self.context.wrap_socket(request, server_side=True)  # type: ignore[arg-type]
        except (ssl.SSLError, OSError):
            request.close()  # type: ignore[attr-defined]
            return
        try:
            super().finish_request(tls, client_address)  # type: ignore[arg-type]
        except OSError:
            pass
        finally:
            tls.close()

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    cert, key = self_signed(tmp_path_factory.mktemp("tls"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = _TLSServer(context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", cert
    server.shutdown()
    server.server_close()


def test_fetches_json_over_https_with_a_trusted_certificate(
    https_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, cert = https_server
    ROUTES["/doc.json"] = json.dumps({"id": "x"}).encode()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    assert fetch.fetch_json(f"{base}/doc.json") == {"id": "x"}


def test_untrusted_certificate_is_refused(
    https_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, _ = https_server
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    ROUTES["/doc.json"] = b"{}"
    with pytest.raises(ResolutionError, match="could not fetch"):
        fetch.fetch_json(f"{base}/doc.json")


def test_size_time_and_scheme_limits(https_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    base, cert = https_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    ROUTES["/big.json"] = b'"' + b"x" * 4096 + b'"'
    with pytest.raises(ResolutionError, match="larger than"):
        fetch.fetch_json(f"{base}/big.json", max_bytes=1024)
    ROUTES["/slow"] = b"{}"
    with pytest.raises(ResolutionError, match="could not fetch"):
        fetch.fetch_json(f"{base}/slow", timeout=0.5)
    ROUTES["/html"] = b"<html></html>"
    with pytest.raises(ResolutionError, match="did not return JSON"):
        fetch.fetch_json(f"{base}/html")
    for url in ("http://127.0.0.1:9/x", "file:///etc/passwd", "ftp://127.0.0.1/x"):
        with pytest.raises(ResolutionError, match="only https"):
            fetch.fetch_json(url)


def test_did_web_maps_to_https() -> None:
    assert fetch.did_web_url("did:web:example.com") == "https://example.com/.well-known/did.json"
    assert fetch.did_web_url("did:web:example.com:issuers:42") == "https://example.com/issuers/42/did.json"
    assert fetch.did_web_url("did:web:localhost%3A8443") == "https://localhost:8443/.well-known/did.json"


def test_cli_verify_online_fetches_the_status_list(
    https_server: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.conftest import load
    from vcengine.cli import main

    base, cert = https_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    key = tmp_path / "k.json"
    assert main(["keys", "generate", "--out", str(key)]) == 0
    did = capsys.readouterr().out.strip().splitlines()[-1]
    url = f"{base}/status/online-1"
    state = tmp_path / "list.state.json"
    assert main(["status", "new", str(state), "--key", str(key), "--url", url]) == 0
    ROUTES["/status/online-1"] = capsys.readouterr().out.encode()
    doc = load("1edtech-ob-impl-guide/ob3-eddsa-rdfc-2022-vector.json")["unsigned_credential"]
    doc["issuer"]["id"] = did
    doc["credentialStatus"] = {
        "id": f"{url}#77",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "77",
        "statusListCredential": url,
    }
    unsigned = tmp_path / "u.json"
    unsigned.write_text(json.dumps(doc))
    assert main(["sign", str(unsigned), "--key", str(key)]) == 0
    signed = tmp_path / "s.json"
    signed.write_text(capsys.readouterr().out)
    assert main(["verify", str(signed), "--online"]) == 0
    assert "VERIFIED" in capsys.readouterr().out
    assert main(["status", "set", str(state), "77", "--key", str(key)]) == 0
    ROUTES["/status/online-1"] = capsys.readouterr().out.encode()
    assert main(["verify", str(signed), "--online", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["checks"][-1]["code"] == "revoked"
    del ROUTES["/status/online-1"]
    assert main(["verify", str(signed), "--online", "--json"]) == 3  # 404: could not check
    assert json.loads(capsys.readouterr().out)["checks"][-1]["code"] == "status-unreachable"


def test_an_https_to_http_redirect_is_refused(
    https_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, cert = https_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    ROUTES["/doc.json"] = json.dumps({"id": "x"}).encode()
    port = base.rsplit(":", 1)[1]
    REDIRECTS["/downgrade"] = f"http://127.0.0.1:{port}/doc.json"
    REDIRECTS["/relative-downgrade"] = f"//127.0.0.1:{port}/doc.json"  # scheme-relative: stays https
    with pytest.raises(ResolutionError, match=r"refusing to follow the redirect .* to http://"):
        fetch.fetch_json(f"{base}/downgrade")
    assert fetch.fetch_json(f"{base}/relative-downgrade") == {"id": "x"}


def test_https_redirects_are_followed_a_few_times(
    https_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, cert = https_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    ROUTES["/doc.json"] = json.dumps({"id": "moved"}).encode()
    REDIRECTS["/hop1"] = f"{base}/hop2"
    REDIRECTS["/hop2"] = "/doc.json"  # relative Location, resolved against the hop
    assert fetch.fetch_json(f"{base}/hop1") == {"id": "moved"}
    for i in range(fetch.MAX_REDIRECTS + 1):
        REDIRECTS[f"/chain{i}"] = f"{base}/chain{i + 1}"
    ROUTES[f"/chain{fetch.MAX_REDIRECTS + 1}"] = b"{}"
    with pytest.raises(ResolutionError, match=f"more than {fetch.MAX_REDIRECTS} redirects"):
        fetch.fetch_json(f"{base}/chain0")
    REDIRECTS["/loop"] = f"{base}/loop"
    with pytest.raises(ResolutionError, match="redirect"):
        fetch.fetch_json(f"{base}/loop")


@pytest.mark.parametrize("path", ["/drip-headers", "/drip-body"])
def test_a_slow_drip_is_cut_off_at_one_total_deadline(
    https_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """The server answers a byte every 0.2 s (the whole answer would take ~50 s): every read is
    quick, so a per-read timeout never fires; the one deadline for the fetch does."""
    base, cert = https_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    deadline = 1.0
    started = time.monotonic()
    with pytest.raises(ResolutionError, match=f"no complete answer within {deadline:g} s"):
        fetch.fetch_json(f"{base}{path}", timeout=deadline)
    assert time.monotonic() - started < 3 * deadline  # loose: only that it was cut off, not held


def test_cli_verify_online_with_a_non_strict_status_list_is_indeterminate(
    https_server: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A fetched list with a repeated key cannot be read as the issuer published it: the status
    could not be checked (exit 3, the reason names the problem), never "verified"."""
    from tests.test_bad_input import VIOLATIONS, strict_violation
    from vcengine.cli import main

    base, cert = https_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    key = tmp_path / "k.json"
    assert main(["keys", "generate", "--out", str(key)]) == 0
    did = capsys.readouterr().out.strip().splitlines()[-1]
    url = f"{base}/status/strict-1"
    assert main(["status", "new", str(tmp_path / "l.json"), "--key", str(key), "--url", url]) == 0
    good_list = capsys.readouterr().out
    signed = tmp_path / "s.json"
    _sign_with_status(tmp_path, key, did, url, signed, capsys)
    ROUTES["/status/strict-1"] = good_list.encode()
    assert main(["verify", str(signed), "--online"]) == 0
    capsys.readouterr()
    for violation in VIOLATIONS:
        broken, message = strict_violation(good_list, violation)
        ROUTES["/status/strict-1"] = broken.encode()
        assert main(["verify", str(signed), "--online", "--json"]) == 3, violation
        check = json.loads(capsys.readouterr().out)["checks"][-1]
        assert check["code"] == "status-unreachable" and re.search(message, check["reason"]), check


def _sign_with_status(
    tmp_path: Path, key: Path, did: str, url: str, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import load
    from vcengine.cli import main

    doc = load("1edtech-ob-impl-guide/ob3-eddsa-rdfc-2022-vector.json")["unsigned_credential"]
    doc["issuer"]["id"] = did
    doc["credentialStatus"] = {
        "id": f"{url}#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": url,
    }
    unsigned = tmp_path / "u.json"
    unsigned.write_text(json.dumps(doc))
    assert main(["sign", str(unsigned), "--key", str(key)]) == 0
    out.write_text(capsys.readouterr().out)


def test_410_gone_is_a_document_gone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.loopback_https import LoopbackHttps
    from vcengine.errors import DocumentGone

    with LoopbackHttps(tmp_path) as server:
        monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))
        server.routes["/gone"] = (410, b"{}", {})
        server.routes["/moved"] = (302, b"", {"Location": f"{server.base}/gone"})
        for path in ("/gone", "/moved"):
            with pytest.raises(DocumentGone, match="410 Gone"):
                fetch.fetch_json(f"{server.base}{path}")
        with pytest.raises(ResolutionError, match="HTTP 404") as caught:
            fetch.fetch_json(f"{server.base}/missing")
        assert not isinstance(caught.value, DocumentGone)
        assert server.requests == ["/gone", "/moved", "/gone", "/missing"]
