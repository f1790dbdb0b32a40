"""The verification pool seen through real HTTP: a saturated verifier answers 503 + Retry-After
(VC API, credential page, GraphQL) while /healthz, issuing and pages keep answering; a verification
past its deadline is an error, never "verified", and its worker is replaced.

Saturation is deterministic: the service's verification job is replaced (monkeypatch, in this
process, where the uvicorn server runs) by one that holds its worker until the test releases it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import LiveServer
from vcengine.services import stored_credentials, verifying

VERIFY = (
    "mutation($i: VerifyCredentialInput!) { verifyCredential(input: $i) {"
    " report { verified } userErrors { message } } }"
)


# --- verification jobs standing in for the real one (module level: workers import them) ---------


def held_job(release: str, started: str, *args: Any) -> Any:
    """Touch ``started``, wait until ``release`` exists (at most 60 s), then verify for real."""
    Path(started).touch()
    end = time.monotonic() + 60
    while not Path(release).exists() and time.monotonic() < end:
        time.sleep(0.01)
    return verifying.verify_job(*args)


def runaway_job(pid_file: str, *args: Any) -> Any:
    Path(pid_file).write_text(str(os.getpid()))
    while True:
        pass


# --- helpers ---------------------------------------------------------------------------------------


def wait_for_file(path: Path, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < end, f"{path} was never created"
        time.sleep(0.01)


def credential_json(server: LiveServer) -> tuple[dict[str, Any], str]:
    issued = server.issued_credential()
    document = server.client.get(issued["url"], headers={"Accept": "application/ld+json"}).json()
    return document, issued["url"]


class Held:
    """A verification request holding the server's only submitted-lane worker, in a thread."""

    def __init__(self, server: LiveServer, document: dict[str, Any], tmp: Path, monkeypatch: Any) -> None:
        self.release, started = tmp / "release", tmp / "started"
        monkeypatch.setattr(verifying, "verify_job", partial(held_job, str(self.release), str(started)))
        self.response: Any = None
        self.thread = threading.Thread(
            target=self._post, args=(server, {"verifiableCredential": document}), daemon=True
        )
        self.thread.start()
        wait_for_file(started)

    def _post(self, server: LiveServer, body: dict[str, Any]) -> None:
        self.response = server.client.post("/credentials/verify", json=body)

    def finish(self) -> Any:
        self.release.touch()
        self.thread.join(60)
        return self.response


def assert_busy(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "1"


@pytest.fixture(autouse=True)
def nothing_counts_as_stored() -> Iterator[None]:
    """Every credential counts as not stored, so it is verified in the worker processes, whose
    limits are tested here (an exact copy of a stored credential is verified in a thread)."""

    async def not_a_copy(*args: Any) -> None:
        return None

    with pytest.MonkeyPatch.context() as patch:  # kept when a test undoes its own monkeypatch
        patch.setattr(stored_credentials, "copy_of", not_a_copy)
        yield


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("one-worker"), verify_workers=1, verify_queue=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("two-workers"), verify_workers=2, verify_queue=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def short_deadline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(
        tmp_path_factory.mktemp("short-deadline"), verify_workers=1, verify_queue=0, verify_deadline_seconds=1
    )
    server.start()
    yield server
    server.stop()


# --- tests -----------------------------------------------------------------------------------------


def test_a_saturated_verifier_answers_503_while_health_and_issuing_answer(
    one_worker: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = one_worker
    document, url = credential_json(server)
    held = Held(server, document, tmp_path, monkeypatch)

    refused = server.client.post("/credentials/verify", json={"verifiableCredential": document})
    assert_busy(refused)
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:vcengine:problem:busy"

    graphql = server.admin.post(
        "/graphql", json={"query": VERIFY, "variables": {"i": {"credential": document}}}
    )
    assert_busy(graphql)
    assert graphql.json()["errors"][0]["extensions"]["code"] == "VERIFIER_BUSY"
    assert graphql.json()["data"] is None

    page = server.client.get(url, headers={"Accept": "text/html"})  # one worker: none kept for pages
    assert_busy(page)

    health = server.client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    issued = server.issued_credential()  # issuing signs in the server process: not held up
    assert issued["status"] == "ACTIVE"

    done = held.finish()
    assert done.status_code == 200 and done.json()["verified"] is True
    again = server.client.post("/credentials/verify", json={"verifiableCredential": document})
    assert again.status_code == 200 and again.json()["verified"] is True


def test_pages_keep_a_worker_while_submitted_verifications_saturate_theirs(
    two_workers: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = two_workers
    document, url = credential_json(server)
    held = Held(server, document, tmp_path, monkeypatch)
    assert_busy(server.client.post("/credentials/verify", json={"verifiableCredential": document}))
    (tmp_path / "release-pages").touch()
    monkeypatch.setattr(  # the page's own job must not wait for the held one's release
        verifying, "verify_job", partial(held_job, str(tmp_path / "release-pages"), str(tmp_path / "page"))
    )
    page = server.client.get(url, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Verified" in page.text
    assert held.finish().json()["verified"] is True


def test_a_verification_past_its_deadline_is_an_error_and_its_worker_is_replaced(
    short_deadline: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = short_deadline
    document, _ = credential_json(server)
    pid_file = tmp_path / "pid"
    monkeypatch.setattr(verifying, "verify_job", partial(runaway_job, str(pid_file)))

    stopped = server.client.post("/credentials/verify", json={"verifiableCredential": document})
    assert stopped.status_code == 503, stopped.text
    problem = stopped.json()
    assert problem["type"] == "urn:vcengine:problem:verification-aborted"
    assert "not verified" in problem["detail"] and "verified" not in problem
    runaway = int(pid_file.read_text())

    graphql = server.admin.post(
        "/graphql", json={"query": VERIFY, "variables": {"i": {"credential": document}}}
    )
    assert graphql.status_code == 503
    assert graphql.json()["errors"][0]["extensions"]["code"] == "VERIFICATION_ABORTED"

    monkeypatch.undo()
    end = time.monotonic() + 10
    while Path(f"/proc/{runaway}").exists() and " Z " not in Path(f"/proc/{runaway}/stat").read_text():
        assert time.monotonic() < end, "the runaway worker was not killed"
        time.sleep(0.05)
    verified = server.client.post("/credentials/verify", json={"verifiableCredential": document})
    assert verified.status_code == 200 and verified.json()["verified"] is True  # in a new worker
