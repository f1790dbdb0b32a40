"""Organizations, API keys (hashed, constant-time, scoped) and the first-start bootstrap."""

from __future__ import annotations

import pytest

from tests.services.support import Tenant
from vcengine.errors import InputError, PermissionDenied
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
