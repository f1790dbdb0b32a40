"""Verifying JSON, JWT and baked images with this instance's keys and status lists."""

from __future__ import annotations

import json

import pytest

from tests.services.support import Tenant, make_tenant
from vcengine.core.bake import bake
from vcengine.errors import InputError
from vcengine.services import achievements, issuers, issuing, verifying
from vcengine.services.context import Services
from vcengine.services.issuing import IssueRequest, RecipientInput

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
