"""Strict JSON through GraphQL (issue 7, findings 3 and 7): the HTTP body and GET variables are
parsed strictly (a 400 naming the problem), a credential given as a JSON literal or inside a baked
image is held to the same rules (a userError), WebSocket messages too (closed with 4400), and a
parse error is never a 500."""

from __future__ import annotations

import asyncio
import base64
import json
import re
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.api.graphql.conftest import Server
from tests.services.support import Tenant
from tests.test_bad_input import VIOLATIONS, _badge, _signed_text, strict_violation

VERIFY = """mutation($input: VerifyCredentialInput!) { verifyCredential(input: $input) {
  report { verdict } userErrors { field message code } } }"""


def _body(credential_text: str) -> str:
    return (
        '{"query": '
        + json.dumps(VERIFY)
        + ', "variables": {"input": {"credential": '
        + credential_text
        + "}}}"
    )


def _post(server: Server, text: str, key: str) -> Any:
    return server.http.post(
        server.url,
        content=text.encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )


def test_the_unbroken_credential_verifies(server: Server, tenant: Tenant) -> None:
    response = _post(server, _body(_signed_text()), tenant.key)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["verifyCredential"]["report"]["verdict"] == "VERIFIED"


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_a_non_strict_body_is_a_400_naming_the_problem(
    server: Server, tenant: Tenant, violation: str
) -> None:
    inner, inner_message = strict_violation(_signed_text(), violation)
    for text, message in (
        strict_violation(_body(_signed_text()), violation),  # at the top of the body
        (_body(inner), inner_message),  # inside the credential in the variables
    ):
        response = _post(server, text, tenant.key)
        assert response.status_code == 400, response.text
        assert "Unable to parse request body as JSON" in response.text
        assert re.search(message, response.text), response.text


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_non_strict_get_variables_are_a_400(server: Server, tenant: Tenant, violation: str) -> None:
    variables, message = strict_violation('{"id": "x", "other": {"a": 1}}', violation)
    response = server.http.get(
        server.url,
        params={"query": "query($id: ID!) { node(id: $id) { id } }", "variables": variables},
        headers={"Authorization": f"Bearer {tenant.key}"},
    )
    assert response.status_code == 400, response.text
    assert re.search(message, response.text)


@pytest.mark.parametrize("depth", [65, 5000, 200_000])
def test_deeply_nested_json_is_a_400_not_a_500(server: Server, tenant: Tenant, depth: int) -> None:
    nested = '{"a":' * depth + "1" + "}" * depth
    response = _post(server, '{"query": "{ __typename }", "variables": ' + nested + "}", tenant.key)
    assert response.status_code == 400, response.text[:200]
    assert "deeper than 64 levels" in response.text


@pytest.mark.parametrize(
    ("literal", "message"),
    [("1e999", "inf, which is not a finite number"), ("-1e999", "-inf, which is not a finite number")],
)
def test_a_non_finite_credential_literal_is_a_user_error(
    server: Server, tenant: Tenant, literal: str, message: str
) -> None:
    """GraphQL literals bypass the JSON parser: ``{credential: {n: 1e999}}`` becomes a Python inf.
    (A repeated field is refused by GraphQL validation, a lone surrogate by its lexer.)"""
    query = "mutation { verifyCredential(input: {credential: {n: %s}}) { userErrors { field message } } }"
    errors = server.ok(query % literal, key=tenant.key)["verifyCredential"]["userErrors"]
    assert errors and errors[0]["field"] == ["input", "credential"], errors
    assert message in errors[0]["message"]


def test_graphql_itself_refuses_repeated_fields_and_lone_surrogates(server: Server, tenant: Tenant) -> None:
    query = "mutation { verifyCredential(input: {credential: {n: 1, n: 2}}) { userErrors { message } } }"
    body = server.gql(query, key=tenant.key)
    assert "only one input field named 'n'" in body["errors"][0]["message"]
    query = 'mutation { verifyCredential(input: {credential: {n: "\\ud800"}}) { userErrors { message } } }'
    body = server.gql(query, key=tenant.key)
    assert "Invalid Unicode escape sequence" in body["errors"][0]["message"]


@pytest.mark.parametrize("kind", ["png", "svg"])
@pytest.mark.parametrize("violation", VIOLATIONS)
def test_a_baked_image_with_non_strict_json_is_a_user_error(
    server: Server, tenant: Tenant, kind: str, violation: str
) -> None:
    text, message = strict_violation(_signed_text(), violation)
    image = base64.b64encode(_badge(kind, text)).decode()
    payload = server.ok(VERIFY, {"input": {"imageBase64": image}}, tenant.key)["verifyCredential"]
    assert payload["report"] is None
    assert re.search(message, payload["userErrors"][0]["message"]), payload


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_a_non_strict_websocket_message_closes_the_connection(
    server: Server, tenant: Tenant, violation: str
) -> None:
    init = json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {tenant.key}"}})
    text, _ = strict_violation(init, violation)

    async def run() -> int | None:
        async with connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(text)
            try:
                await asyncio.wait_for(ws.recv(), 10)
            except ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None
            return None

    assert asyncio.run(run()) == 4400


@pytest.mark.parametrize("body", ['"a string"', "42", "null", "true"])
def test_a_body_that_is_no_object_is_a_400(server: Server, tenant: Tenant, body: str) -> None:
    response = _post(server, body, tenant.key)
    assert response.status_code == 400, response.text
    assert "must be a JSON object" in response.text
