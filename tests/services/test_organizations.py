"""Organizations, API keys (hashed, constant-time, scoped) and the first-start bootstrap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.services.support import Tenant, make_services, make_tenant
from vcengine.errors import InputError, NotFound, PermissionDenied
from vcengine.services import organizations
from vcengine.services.context import Actor, Services

pytestmark = pytest.mark.anyio


async def test_a_key_authenticates_as_its_organization_with_its_scopes(
    services: Services, tenant: Tenant
) -> None:
    new = await organizations.create_api_key(services, tenant.actor, "reader", ["read"])
    assert new.plaintext.startswith(f"vce_{new.record.prefix}_")
    assert new.plaintext not in repr(new) and new.record.secret_hash not in new.plaintext
    actor = await organizations.authenticate(services, new.plaintext)
    assert actor.org_id == tenant.org_id and actor.scopes == {"read"}
    assert actor.can("read") and not actor.can("issue")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda k: k[:-1] + ("0" if k[-1] != "0" else "1"),
        lambda k: k + "x",
        lambda k: "nonsense",
        lambda k: k.replace("vce_", "vcx_"),
    ],
)
async def test_wrong_keys_are_refused(services: Services, tenant: Tenant, mangle: object) -> None:
    with pytest.raises(PermissionDenied):
        await organizations.authenticate(services, mangle(tenant.key))  # type: ignore[operator]


async def test_a_revoked_key_is_refused(services: Services, tenant: Tenant) -> None:
    actor = await organizations.authenticate(services, tenant.key)
    assert await services.store.revoke_api_key(tenant.org_id, str(actor.api_key_id), services.now())
    with pytest.raises(PermissionDenied):
        await organizations.authenticate(services, tenant.key)


async def test_only_admins_create_keys_and_scopes_are_checked(services: Services, tenant: Tenant) -> None:
    with pytest.raises(PermissionDenied):
        await organizations.create_api_key(
            services, Actor(tenant.org_id, frozenset({"issue"})), "x", ["read"]
        )
    for scopes in ([], ["root"]):
        with pytest.raises(InputError):
            await organizations.create_api_key(services, tenant.actor, "x", scopes)


async def test_bootstrap_creates_once_and_prints_a_working_key(services: Services) -> None:
    first = await organizations.bootstrap(services)
    assert first.created and first.api_key and first.issuer is not None
    assert str(first.issuer.profile["id"]).startswith("did:key:")
    actor = await organizations.authenticate(services, first.api_key)
    assert actor.org_id == first.organization.id and actor.can("admin")
    again = await organizations.bootstrap(services)
    assert not again.created and again.api_key is None and again.organization.id == first.organization.id
    assert len(await services.store.list_organizations()) == 1


async def test_bootstrap_takes_the_key_from_the_environment(services: Services) -> None:
    key = "vce_deploy01_" + "A" * 40
    result = await organizations.bootstrap(services, api_key=key)
    assert result.created and result.api_key is None and result.api_key_prefix == "deploy01"
    assert (await organizations.authenticate(services, key)).can("admin")
    other = "vce_deploy02_" + "B" * 40
    assert not (await organizations.bootstrap(services, api_key=other)).created
    assert (await organizations.authenticate(services, other)).org_id == result.organization.id
    with pytest.raises(InputError):
        await organizations.bootstrap(services, api_key="too-simple")


async def test_keys_are_revoked_within_their_organization_but_never_the_last_admin_key(
    services: Services, tenant: Tenant
) -> None:
    admin = await organizations.authenticate(services, tenant.key)
    reader = await organizations.create_api_key(services, admin, "reader", ["read"])
    assert reader.record.created_by == admin.api_key_id
    with pytest.raises(organizations.LastAdminKey, match="last admin key"):
        await organizations.revoke_api_key(services, admin, str(admin.api_key_id))
    assert (await organizations.authenticate(services, tenant.key)).can("admin")
    with pytest.raises(PermissionDenied):
        await organizations.revoke_api_key(
            services, await organizations.authenticate(services, reader.plaintext), reader.record.id
        )
    other = await organizations.create_organization(services, "Other")
    with pytest.raises(NotFound):
        await organizations.revoke_api_key(services, organizations.operator(other.id), reader.record.id)
    revoked = await organizations.revoke_api_key(services, admin, reader.record.id)
    assert revoked.revoked_at is not None
    assert await organizations.revoke_api_key(services, admin, reader.record.id) == revoked
    with pytest.raises(PermissionDenied):
        await organizations.authenticate(services, reader.plaintext)
    second = await organizations.create_api_key(services, admin, "second admin", ["admin"])
    assert (await organizations.revoke_api_key(services, admin, str(admin.api_key_id))).revoked_at
    with pytest.raises(PermissionDenied):
        await organizations.authenticate(services, tenant.key)
    operator = organizations.operator(tenant.org_id)  # the operator may leave none
    assert (
        await organizations.revoke_api_key(services, operator, second.record.id, keep_admin=False)
    ).revoked_at


async def test_keys_are_found_by_id_prefix_or_whole_key_in_their_organization(
    services: Services, tenant: Tenant
) -> None:
    new = await organizations.create_api_key(services, tenant.actor, "ci", ["issue"])
    for reference in (new.record.id, new.record.prefix, new.plaintext, f" {new.record.prefix} "):
        assert (await organizations.find_api_key(services, tenant.actor, reference)).id == new.record.id
    other = await organizations.create_organization(services, "Other")
    for reference in (new.record.id, new.record.prefix, "vce_unknown1_" + "x" * 30, ""):
        with pytest.raises(NotFound):
            await organizations.find_api_key(services, organizations.operator(other.id), reference)


async def test_organizations_are_found_by_id_or_unique_name(services: Services, tenant: Tenant) -> None:
    assert (await organizations.find_organization(services, tenant.org_id)).id == tenant.org_id
    assert (await organizations.find_organization(services, "Org")).id == tenant.org_id
    with pytest.raises(NotFound, match="no organization"):
        await organizations.find_organization(services, "Nobody")
    await organizations.create_organization(services, "Org")
    with pytest.raises(InputError, match="2 organizations are named 'Org'"):
        await organizations.find_organization(services, "Org")


async def test_provision_makes_an_organization_with_an_admin_key_and_optionally_an_issuer(
    services: Services,
) -> None:
    bare = await organizations.provision(services, "Bare")
    assert bare.issuer is None and bare.key.record.scopes == {"admin"} and bare.key.record.created_by is None
    actor = await organizations.authenticate(services, bare.key.plaintext)
    assert actor.org_id == bare.organization.id and actor.can("admin")
    full = await organizations.provision(services, "Full", key_name="ops", issuer_name="Full issuer")
    assert full.issuer is not None and str(full.issuer.profile["id"]).startswith("did:key:")
    assert full.issuer.org_id == full.organization.id and full.key.record.name == "ops"
    count = len(await services.store.list_organizations())
    with pytest.raises(InputError):
        await organizations.provision(services, "Bad key name", key_name=" ")
    assert len(await services.store.list_organizations()) == count  # checked before writing


async def test_the_last_use_is_recorded_to_the_minute(tmp_path: Path) -> None:
    now = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]
    services = await make_services(tmp_path, clock=lambda: now[0])
    try:
        tenant = await make_tenant(services)
        actor = await organizations.authenticate(services, tenant.key)
        key = await services.store.get_api_key(tenant.org_id, str(actor.api_key_id))
        assert key is not None and key.last_used_at == now[0]
        first = now[0]
        now[0] += timedelta(seconds=59)
        await organizations.authenticate(services, tenant.key)
        assert (await services.store.get_api_key(tenant.org_id, key.id)).last_used_at == first  # type: ignore[union-attr]
        now[0] += timedelta(seconds=1)
        await organizations.authenticate(services, tenant.key)
        assert (await services.store.get_api_key(tenant.org_id, key.id)).last_used_at == now[0]  # type: ignore[union-attr]
    finally:
        await services.close()
        await services.store.close()


async def test_a_connection_whose_key_is_revoked_stops_being_active(
    services: Services, tenant: Tenant
) -> None:
    reader = await organizations.create_api_key(services, tenant.actor, "reader", ["read"])
    actor = await organizations.authenticate(services, reader.plaintext)
    await organizations.ensure_active(services, actor)
    await organizations.ensure_active(services, organizations.operator(tenant.org_id))
    await organizations.revoke_api_key(services, tenant.actor, reader.record.id)
    with pytest.raises(PermissionDenied, match="revoked"):
        await organizations.ensure_active(services, actor)
