"""Strict JSON over the W3C VC API (issue 7, finding 3): a body with a duplicate key, a lone
surrogate or a non-finite number is a 400 problem naming what is wrong, for every endpoint, and
changes nothing."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.api.conftest import LiveServer
from tests.api.http.test_http_vc_api import default_issuer, ob_credential
from tests.test_bad_input import VIOLATIONS, jwt_with_payload, strict_violation


def _post(client: Any, path: str, text: str) -> Any:
    return client.post(path, content=text.encode(), headers={"Content-Type": "application/json"})


def _assert_malformed(response: Any, message: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert re.search(message, problem["detail"]), problem


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_issue_refuses_non_strict_json(live_server: LiveServer, violation: str) -> None:
    body = json.dumps({"credential": ob_credential(default_issuer(live_server))})
    assert _post(live_server.admin, "/credentials/issue", body).status_code == 201  # the control
    text, message = strict_violation(body, violation)
    _assert_malformed(_post(live_server.admin, "/credentials/issue", text), message)


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_verify_refuses_non_strict_json(live_server: LiveServer, violation: str) -> None:
    unsigned = ob_credential(default_issuer(live_server))
    vc = live_server.admin.post("/credentials/issue", json={"credential": unsigned}).json()
    credential = json.dumps(vc["verifiableCredential"])
    body = json.dumps({"verifiableCredential": vc["verifiableCredential"]})
    control = _post(live_server.client, "/credentials/verify", body)
    assert control.status_code == 200 and control.json()["verified"] is True, control.text
    # broken at the top of the body, and inside the credential it carries
    text, message = strict_violation(body, violation)
    _assert_malformed(_post(live_server.client, "/credentials/verify", text), message)
    inner, message = strict_violation(credential, violation)
    _assert_malformed(
        _post(live_server.client, "/credentials/verify", '{"verifiableCredential": ' + inner + "}"), message
    )


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_status_refuses_non_strict_json_and_changes_nothing(live_server: LiveServer, violation: str) -> None:
    cred = live_server.issued_credential(statusPurpose="SUSPENSION")
    body = json.dumps(
        {"credentialId": cred["url"], "credentialStatus": {"statusPurpose": "suspension"}, "status": True}
    )
    text, message = strict_violation(body, violation)
    _assert_malformed(_post(live_server.admin, "/credentials/status", text), message)
    doc = live_server.client.get(cred["url"]).json()
    report = live_server.client.post("/credentials/verify", json={"verifiableCredential": doc}).json()
    assert report["verified"] is True, report  # not suspended


def test_a_last_key_wins_status_change_is_refused(live_server: LiveServer) -> None:
    """``"status": false, "status": true``: a lenient parser would suspend; a strict one refuses."""
    cred = live_server.issued_credential(statusPurpose="SUSPENSION")
    text = (
        '{"credentialId": '
        + json.dumps(cred["url"])
        + ', "credentialStatus": {"statusPurpose": "suspension"},'
        ' "status": false, "status": true}'
    )
    _assert_malformed(_post(live_server.admin, "/credentials/status", text), "key 'status' more than once")


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_verify_refuses_a_vc_jwt_with_a_non_strict_payload(live_server: LiveServer, violation: str) -> None:
    message = ""

    def transform(text: str) -> str:
        nonlocal message
        broken, message = strict_violation(text, violation)
        return broken

    token = jwt_with_payload(transform)
    response = live_server.client.post("/credentials/verify", json={"verifiableCredential": token})
    assert response.status_code in (400, 422), response.text  # the body is JSON; the token is not
    assert response.headers["content-type"] == "application/problem+json"
    assert re.search(message, response.json()["detail"])
