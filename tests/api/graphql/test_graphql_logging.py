"""Log amplification (issue 7, finding 7): a request a client got wrong — no or a bad API key, a
missing scope, a syntax error, a malformed body — logs at most one short line below WARNING and
never a traceback; only a bug (a masked, unexpected error) logs its traceback."""

from __future__ import annotations

import logging

import pytest

from graphql import GraphQLError
from tests.api.conftest import LiveServer
from tests.api.graphql.conftest import Server
from tests.services.support import Tenant
from vcengine.api.graphql.errors import log_errors


def _records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore", "hpack"))]


def _assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    records = _records(caplog)
    assert len(records) <= 1, [r.getMessage() for r in records]
    for record in records:
        assert record.exc_info is None and record.stack_info is None, record.getMessage()
        assert record.levelno < logging.WARNING, record.getMessage()
        assert "\n" not in record.getMessage(), record.getMessage()


@pytest.mark.parametrize(
    ("query", "key", "code"),
    [
        ("{ issuers { id } }", None, "UNAUTHENTICATED"),
        ("{ issuers { id } }", "vce_not_a_key", "UNAUTHENTICATED"),
        ("{ credentials(first: 1000) { edges { node { id } } } }", "tenant", "BAD_USER_INPUT"),
        ("{ issuers { id ", "tenant", None),  # syntax error
        ("{ nosuchfield }", "tenant", None),  # validation error
    ],
)
def test_client_errors_log_one_short_line_at_most(
    server: Server,
    tenant: Tenant,
    caplog: pytest.LogCaptureFixture,
    query: str,
    key: str | None,
    code: str | None,
) -> None:
    with caplog.at_level(logging.DEBUG):
        body = server.gql(query, key=tenant.key if key == "tenant" else key)
    assert body["errors"], body
    if code is not None:
        assert body["errors"][0]["extensions"]["code"] == code
    _assert_quiet(caplog)


def test_a_flood_of_anonymous_requests_logs_nothing_at_warning(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        for _ in range(20):
            assert server.gql("{ issuers { id } }")["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert _records(caplog) == []


def test_a_malformed_body_is_a_400_and_logs_no_traceback(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Through the whole app (middleware, exception handlers), not just the GraphQL view."""
    nested = '{"query": "{ __typename }", "variables": ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}"
    with caplog.at_level(logging.DEBUG):
        for body in (nested, '{"query": "{ __typename }", "query": "{ x }"}', "{", '"a string"', "null"):
            response = live_server.client.post(
                "/graphql", content=body.encode(), headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 400, response.text[:200]
        # the connection stays usable: the server did not treat the request as a crash
        assert live_server.client.get("/healthz").status_code == 200
    assert not [r for r in _records(caplog) if r.exc_info or r.levelno >= logging.WARNING]


def test_a_bug_still_logs_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """The quiet path is for client errors only: an unexpected exception is masked for the client
    and logged with its traceback for the operator."""
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        error = GraphQLError("boom", path=["issuers"], original_error=exc)
    with caplog.at_level(logging.DEBUG):
        log_errors([error])
    (record,) = _records(caplog)
    assert record.levelno == logging.ERROR and record.exc_info is not None
