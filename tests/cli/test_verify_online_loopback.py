"""``vcengine verify --online --allow-http-loopback``: a badge issued by a local ``vcengine serve``
(plain http on 127.0.0.1) verifies, keys and status list fetched from it; without the flag, or
for any host that is not loopback, plain http stays refused."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from email.message import Message
from io import BytesIO
from pathlib import Path

import pytest

from tests.api.conftest import LiveServer
from vcengine import fetch
from vcengine.cli import main
from vcengine.errors import ResolutionError


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("loopback-data"))
    live.start()
    try:
        yield live
    finally:
        live.stop()


def served_credential(server: LiveServer, tmp_path: Path) -> Path:
    issued = server.issued_credential()
    response = server.client.get(issued["url"], headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    path = tmp_path / "badge.json"
    path.write_bytes(response.content)
    return path


def verify(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, str], str]:
    capsys.readouterr()
    code = main(["verify", "--json", *argv])
    out, err = capsys.readouterr()
    checks = {c["check"]: c["outcome"] + ": " + c["reason"] for c in json.loads(out)["checks"]} if out else {}
    return code, checks, err


def test_a_credential_from_a_local_server_verifies_with_allow_http_loopback(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    badge = served_credential(server, tmp_path)
    assert json.loads(badge.read_text())["issuer"]["id"].startswith(server.base_url)

    code, checks, _ = verify(capsys, "--online", str(badge))
    assert code == 3
    assert checks["proof"].startswith("indeterminate") and "--allow-http-loopback" in checks["proof"]

    code, checks, _ = verify(capsys, "--online", "--allow-http-loopback", str(badge))
    assert code == 0, checks
    for name in ("proof", "issuer", "status"):
        assert checks[name].startswith("pass"), checks


def test_a_revoked_credential_from_a_local_server_fails(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issued = server.issued_credential()
    server.revoke(issued["id"])
    path = tmp_path / "revoked.json"
    path.write_bytes(server.client.get(issued["url"], headers={"Accept": "application/ld+json"}).content)
    code, checks, _ = verify(capsys, "--online", "--allow-http-loopback", str(path))
    assert code == 1 and checks["status"].startswith("fail"), checks


def test_allow_http_loopback_needs_online(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    badge = served_credential(server, tmp_path)
    code, _, err = verify(capsys, "--allow-http-loopback", str(badge))
    assert code == 2 and "--allow-http-loopback only applies with --online" in err


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000/x", True),
        ("http://127.8.9.10/x", True),
        ("http://localhost:8000/x", True),
        ("http://api.localhost/x", True),
        ("http://[::1]:8000/x", True),
        ("http://localhost.example.com/x", False),
        ("http://10.0.0.1/x", False),
        ("http://192.0.2.1/x", False),
        ("https://127.0.0.1/x", False),
        ("http://0x7f000001/x", False),
    ],
)
def test_which_urls_are_loopback_http(url: str, loopback: bool) -> None:
    assert fetch.is_loopback_http(url) is loopback


def test_plain_http_elsewhere_stays_refused_even_with_the_flag() -> None:
    with pytest.raises(ResolutionError, match="only https"):
        fetch.fetch_json("http://192.0.2.1/doc.json", allow_http_loopback=True, timeout=1)


def test_a_redirect_from_loopback_to_another_host_over_http_is_refused() -> None:
    redirects = fetch._HttpsOnlyRedirects()
    redirects.allow_http_loopback = True
    request = urllib.request.Request("http://127.0.0.1:8000/x")
    with pytest.raises(ResolutionError, match="refusing to follow the redirect"):
        redirects.redirect_request(request, BytesIO(), 302, "Found", Message(), "http://192.0.2.1/x")
    followed = redirects.redirect_request(request, BytesIO(), 302, "Found", Message(), "http://[::1]:8000/y")
    assert followed is not None and followed.full_url == "http://[::1]:8000/y"
