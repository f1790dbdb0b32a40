"""``GET /``: the landing page links GraphiQL (dev only), the health check and the docs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import LiveServer


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("home-dev"), dev=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_the_landing_page_links_graphiql_health_and_docs_in_dev(dev_server: LiveServer) -> None:
    response = dev_server.client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<a href="/graphql">GraphiQL</a>' in page
    assert '<a href="/healthz">Health check</a>' in page
    assert "https://www.imsglobal.org/spec/ob/v3p0/" in page and "W3C VC API" in page
    assert dev_server.base_url in page
    assert dev_server.client.get("/healthz").status_code == 200  # the link leads somewhere


def test_the_landing_page_without_dev_mode_has_no_graphiql_link(live_server: LiveServer) -> None:
    page = live_server.client.get("/").text
    assert 'href="/graphql"' not in page and "--dev" in page
    assert '<a href="/healthz">' in page
    assert live_server.client.head("/").status_code == 200
