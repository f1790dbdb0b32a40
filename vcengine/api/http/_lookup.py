"""Public reads the store's ports do not offer directly, built from the ones they do.

Public URLs are not org-scoped, but ``get_achievement`` is and there is no lookup of an issuer
by its public id; these functions search the (few) organizations. They are the place to swap in
a direct store method (``find_achievement``) when one exists.
"""

from __future__ import annotations

from vcengine.services.ports import AchievementRecord, CredentialRecord, IssuerRecord, Store

__all__ = ["find_achievement", "find_credential", "find_issuer_by_public_id"]


async def find_credential(store: Store, base_url: str, key: str) -> CredentialRecord | None:
    """A credential by its record id or by its full id (``{base_url}/credentials/{key}``)."""
    record = await store.find_credential(key)
    if record is None and "/" not in key:
        record = await store.find_credential(f"{base_url}/credentials/{key}")
    return record


async def find_achievement(store: Store, achievement_id: str) -> AchievementRecord | None:
    for org in await store.list_organizations():
        record = await store.get_achievement(org.id, achievement_id)
        if record is not None:
            return record
    return None


async def find_issuer_by_public_id(store: Store, public_id: str) -> IssuerRecord | None:
    """The issuer whose profile ``id`` is ``public_id`` (a URL or a DID)."""
    for org in await store.list_organizations():
        for issuer in await store.list_issuers(org.id):
            if issuer.profile.get("id") == public_id:
                return issuer
    return None
