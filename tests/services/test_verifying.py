"""Verifying JSON, JWT and baked images with this instance's keys and status lists."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock

import pytest

from tests.services.instances import Instances, two_instances
from tests.services.support import Clock, Tenant, make_tenant
from vcengine.core.bake import bake
from vcengine.errors import InputError
from vcengine.services import achievements, issuers, issuing, status_changes, stored_credentials, verifying
from vcengine.services.context import Services
from vcengine.services.issuing import IssueRequest, RecipientInput
from vcengine.services.verification_pool import VerificationPool

pytestmark = pytest.mark.anyio


async def issue(services: Services, tenant: Tenant, proof_format: str = "eddsa-rdfc-2022") -> issuing.Issued:
    req = IssueRequest(tenant.achievement_id, RecipientInput(name="Grace"), proof_format=proof_format)  # type: ignore[arg-type]
    return await issuing.issue_credential(services, tenant.actor, req)


async def test_a_baked_png_verifies_and_a_tampered_one_fails(services: Services, tenant: Tenant) -> None:
    record = (await issue(services, tenant)).record
    stored = await services.store.get_achievement(tenant.org_id, tenant.achievement_id)
    assert stored is not None and stored.image_png is not None and stored.image_svg is not None
    report = await verifying.verify(services, bake(stored.image_png, json.dumps(record.document)))
    assert report.verified
    tampered = dict(record.document, name="Something else")
    assert (
        await verifying.verify(services, bake(stored.image_png, json.dumps(tampered)))
    ).verdict == "failed"


async def test_a_jwt_baked_in_svg_verifies(services: Services, tenant: Tenant) -> None:
    record = (await issue(services, tenant, "vc-jwt")).record
    stored = await services.store.get_achievement(tenant.org_id, tenant.achievement_id)
    assert stored is not None and stored.image_svg is not None
    assert (await verifying.verify(services, bake(stored.image_svg, record.document["jwt"]))).verified


@pytest.mark.parametrize("data", [b"GIF89a", "not json", "{", "[1]", "a.b.c"])
async def test_malformed_input_is_an_input_error_or_a_failed_report(services: Services, data: object) -> None:
    try:
        report = await verifying.verify(services, data)  # type: ignore[arg-type]
    except InputError:
        return
    assert not report.verified


async def test_rotation_keeps_old_credentials_verifiable(services: Services, tenant: Tenant) -> None:
    old = (await issue(services, tenant)).record
    key = await issuers.rotate_key(services, tenant.actor, tenant.issuer_id)
    new = (await issue(services, tenant)).record
    assert new.document["proof"]["verificationMethod"] == key.verification_method
    assert old.document["proof"]["verificationMethod"] != key.verification_method
    for record in (old, new):
        assert (await verifying.verify(services, dict(record.document))).verified
    keys = await issuers.list_keys(
        services, (await services.store.get_issuer(tenant.org_id, tenant.issuer_id))
    )  # type: ignore[arg-type]
    assert [k.status for k in keys] == ["active", "retired"]


@pytest.mark.parametrize("kind", ["did:web", "did:key"])
async def test_did_issuers_verify(services: Services, kind: str) -> None:
    tenant = await make_tenant(services, "Did", kind=kind)  # type: ignore[arg-type]
    record = (await issue(services, tenant)).record
    assert record.document["issuer"]["id"].startswith(kind)
    assert (await verifying.verify(services, dict(record.document))).verified


async def test_another_hosts_credential_is_not_trusted_blindly(services: Services, tenant: Tenant) -> None:
    record = (await issue(services, tenant)).record
    doc = json.loads(json.dumps(record.document).replace("https://vc.example/", "https://elsewhere.example/"))
    assert not (await verifying.verify(services, doc)).verified


async def test_achievement_input_is_validated(services: Services, tenant: Tenant) -> None:
    bad = [
        {"name": " "},
        {"criteria_narrative": None},
        {"achievement_type": "Nonsense"},
        {"image_url": "javascript:alert(1)"},
        {"alignments": [achievements.AlignmentInput("x", "not a url")]},
        {"result_descriptions": [achievements.ResultDescriptionInput("Grade", "Shoe size")]},
    ]
    for change in bad:
        data = {
            "issuer_id": tenant.issuer_id,
            "name": "A",
            "description": "D",
            "criteria_narrative": "C",
            **change,
        }
        with pytest.raises(InputError):
            await achievements.create_achievement(
                services, tenant.actor, achievements.AchievementInput(**data)
            )  # type: ignore[arg-type]
    ok = achievements.AchievementInput(
        tenant.issuer_id,
        "Full",
        "All fields",
        criteria_url="https://vc.example/c",
        achievement_type="ext:Thing",
        image_url="https://img.example/a.png",
        alignments=[achievements.AlignmentInput("Skill", "https://x.example/s")],
        result_descriptions=[achievements.ResultDescriptionInput("Grade", "LetterGrade", ("A", "B"))],
        tags=("python",),
    )
    record = await achievements.create_achievement(services, tenant.actor, ok)
    assert record.image_png is None and record.achievement["image"]["id"] == "https://img.example/a.png"


# --- exact copies of stored credentials: verified in a thread, looked up once, never stale ---------


@pytest.fixture
async def pooled(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Instances]:
    """Two instances on one SQLite file and one clock; the first verifies in a worker process, as
    served."""
    async with two_instances("sqlite", tmp_path, request) as pair:
        pair.a.clock = pair.b.clock = Clock()
        pair.a.verification = VerificationPool(workers=1, queue=2)
        pair.a.on_close(pair.a.verification.close)
        yield pair


def paths_taken(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pool methods ``services`` verifies through, in order: ``run`` or ``run_in_thread``."""
    taken: list[str] = []
    pool = services.verification

    def spy(name: str) -> Any:
        method = getattr(pool, name)

        async def recorded(*args: Any, **kwargs: Any) -> Any:
            taken.append(name)
            return await method(*args, **kwargs)

        return recorded

    for name in ("run", "run_in_thread"):
        monkeypatch.setattr(pool, name, spy(name))
    return taken


@pytest.mark.parametrize("proof_format", ["eddsa-rdfc-2022", "vc-jwt"])
async def test_a_stored_copy_is_verified_in_a_thread_with_the_report_of_the_pool(
    pooled: Instances, proof_format: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = pooled.a
    record = (await issue(services, pooled.tenant, proof_format)).record
    document = record.document["jwt"] if proof_format == "vc-jwt" else json.loads(json.dumps(record.document))
    taken = paths_taken(services, monkeypatch)
    fast = await verifying.verify(services, document)
    monkeypatch.setattr(stored_credentials, "copy_of", AsyncMock(return_value=None))  # not recognised
    in_pool = await verifying.verify(services, document)
    assert taken == ["run_in_thread", "run"]
    assert fast.verified and fast.to_json() == in_pool.to_json()


async def test_a_tampered_copy_goes_through_the_pool(
    pooled: Instances, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = pooled.a
    record = (await issue(services, pooled.tenant)).record
    assert (await verifying.verify(services, dict(record.document))).verified  # now cached
    taken = paths_taken(services, monkeypatch)
    renamed = json.loads(json.dumps(record.document))
    renamed["name"] += " (edited)"
    assert (await verifying.verify(services, renamed)).verdict == "failed"
    retyped = json.loads(json.dumps(record.document))  # equal in Python (1 == 1.0), not in JSON
    retyped["credentialStatus"]["statusListIndex"] = float(retyped["credentialStatus"]["statusListIndex"])
    await verifying.verify(services, retyped)
    assert taken == ["run", "run"]


@pytest.mark.parametrize("through", ["this instance", "another instance"])
async def test_a_cached_copy_is_reported_revoked_right_after_revocation(
    pooled: Instances, through: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = pooled.a
    record = (await issue(services, pooled.tenant)).record
    for _ in range(2):  # the second is served from the cache
        assert (await verifying.verify(services, dict(record.document))).verified
    revoker = services if through == "this instance" else pooled.b
    await status_changes.change_status(revoker, pooled.tenant.actor, [record.id], "revoke")
    taken = paths_taken(services, monkeypatch)
    report = await verifying.verify(services, dict(record.document))
    status = report.check("status")
    assert taken == ["run_in_thread"]
    assert not report.verified and status is not None and status.outcome == "fail"


async def test_a_repeated_verification_is_counted_without_reading_the_credential(
    services: Services, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = (await issue(services, tenant)).record
    assert (await verifying.verify(services, dict(record.document))).verified
    reads = AsyncMock(side_effect=services.store.find_credential)
    monkeypatch.setattr(services.store, "find_credential", reads)
    for _ in range(3):
        assert (await verifying.verify(services, dict(record.document))).verified
    assert reads.await_count == 0
    await services.counts.flush()  # counted after the answers, in one write
    assert await services.store.count_events(tenant.org_id, "verified") == 4


async def test_the_cache_of_stored_credentials_is_bounded(
    services: Services, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stored_credentials, "MAX_CACHED", 2)
    for _ in range(3):
        record = (await issue(services, tenant)).record
        assert (await verifying.verify(services, dict(record.document))).verified
    cached = services.cache["stored-credentials"]
    assert len(cached) == 2 and record.id in cached
