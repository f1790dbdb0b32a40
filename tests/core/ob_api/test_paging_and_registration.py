"""The pure parts of the Open Badges API: paging headers, client metadata, scopes, status info."""

from __future__ import annotations

from typing import Any

import pytest

from vcengine.core.ob_api.paging import paging_headers
from vcengine.core.ob_api.registration import read_client_metadata
from vcengine.core.ob_api.scopes import CREDENTIAL_READONLY, PROFILE_READONLY, read_scope
from vcengine.core.ob_api.status_info import status_info
from vcengine.errors import ProtocolError

URL = "https://badges.example/ims/ob/v3p0/credentials"


def rels(headers: dict[str, str]) -> dict[str, str]:
    out = {}
    for part in headers["Link"].split(", "):
        target, rel = part.split("; ")
        out[rel.removeprefix('rel="').removesuffix('"')] = target.strip("<>")
    return out


@pytest.mark.parametrize(
    ("offset", "limit", "total", "expected"),
    [
        (0, 10, 25, {"first": 0, "next": 10, "last": 20}),
        (10, 10, 25, {"first": 0, "next": 20, "prev": 0, "last": 20}),
        (20, 10, 25, {"first": 0, "prev": 10, "last": 20}),
        (0, 10, 0, {"first": 0, "last": 0}),
        (0, 10, 10, {"first": 0, "last": 0}),
        (5, 10, 30, {"first": 0, "next": 15, "prev": 0, "last": 20}),
    ],
)
def test_links_name_first_and_last_always_next_and_prev_when_there_are(
    offset: int, limit: int, total: int, expected: dict[str, int]
) -> None:
    headers = paging_headers(URL, {"since": "2026-01-01T00:00:00Z"}, offset, limit, total)
    assert headers["X-Total-Count"] == str(total)
    links = rels(headers)
    assert {rel: int(url.split("offset=")[1].split("&")[0]) for rel, url in links.items()} == expected
    assert all("since=2026-01-01T00%3A00%3A00Z" in url and f"limit={limit}" in url for url in links.values())


def metadata(**extra: Any) -> dict[str, Any]:
    return {
        "client_name": "App",
        "client_uri": "https://app.example",
        "logo_uri": "https://app.example/logo.png",
        "tos_uri": "https://app.example/tos",
        "policy_uri": "https://app.example/privacy",
        "software_id": "app",
        "software_version": "1",
        "redirect_uris": ["https://app.example/cb"],
        "scope": f"{CREDENTIAL_READONLY} offline_access {CREDENTIAL_READONLY}",
        **extra,
    }


def test_metadata_gets_the_defaults_and_a_clean_scope() -> None:
    read = read_client_metadata(metadata(), allow_loopback=False)
    assert read["scope"] == f"{CREDENTIAL_READONLY} offline_access"
    assert read["grant_types"] == ["authorization_code", "refresh_token"] and read["response_types"] == [
        "code"
    ]
    assert read["token_endpoint_auth_method"] == "client_secret_basic"


def test_loopback_http_is_allowed_only_when_asked() -> None:
    local = {
        name: f"http://127.0.0.1:8123/{name}" for name in ("client_uri", "logo_uri", "tos_uri", "policy_uri")
    }
    body = metadata(**local, redirect_uris=["http://127.0.0.1:8123/cb"])
    assert read_client_metadata(body, allow_loopback=True)["redirect_uris"] == ["http://127.0.0.1:8123/cb"]
    with pytest.raises(ProtocolError) as refused:
        read_client_metadata(body, allow_loopback=False)
    assert refused.value.code == "invalid_client_metadata"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"redirect_uris": []}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://app.example/cb#x"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["javascript:alert(1)"]}, "invalid_redirect_uri"),
        ({"redirect_uris": [f"https://app.example/{i}" for i in range(11)]}, "invalid_redirect_uri"),
        ({"logo_uri": "https://cdn.example/logo.png"}, "invalid_client_metadata"),
        ({"scope": "offline_access"}, "invalid_client_metadata"),
        ({"response_types": ["token"]}, "invalid_client_metadata"),
        ({"client_name": "x" * 201}, "invalid_client_metadata"),
        ({"contacts": "a@b.example"}, "invalid_client_metadata"),
    ],
)
def test_bad_metadata_is_refused_with_the_rfc_code(change: dict[str, Any], code: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        read_client_metadata(metadata(**change), allow_loopback=False)
    assert refused.value.code == code


def test_a_scope_is_read_within_what_was_granted() -> None:
    granted = frozenset({CREDENTIAL_READONLY})
    assert read_scope(f"{CREDENTIAL_READONLY} {CREDENTIAL_READONLY}", granted) == CREDENTIAL_READONLY
    for bad in (PROFILE_READONLY, "", None, "https://purl.imsglobal.org/spec/ob/v3p0/scope/x"):
        with pytest.raises(ProtocolError) as refused:
            read_scope(bad, granted)
        assert refused.value.code == "invalid_scope"


def test_status_info_carries_the_code_minor_of_the_status() -> None:
    info = status_info(401, "no token")
    assert (info["imsx_codeMajor"], info["imsx_severity"], info["imsx_description"]) == (
        "failure",
        "error",
        "no token",
    )
    assert info["imsx_codeMinor"]["imsx_codeMinorField"] == [
        {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": "unauthorizedrequest"}
    ]
    assert (
        status_info(418, "?")["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        == "unknown"
    )
