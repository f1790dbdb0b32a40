"""An earner's opt-in public profile: the badges they chose to show, at an unguessable address.

Nothing is public until the earner asks: from the claim page of a badge they accepted, they
show it on (or hide it from) their profile in the issuing organization, which is made on the
first "show" (``/earners/{slug}``, a random slug). The earner is the recipient's email (hashed
with the organization's id into ``subject_key``). The page lists only badges that still count:
a revoked, suspended or expired one drops off by itself.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, replace

from vcengine.errors import Conflict, InputError
from vcengine.services.claiming import open_claim
from vcengine.services.context import Services
from vcengine.services.ports import CredentialRecord, EarnerProfileRecord

__all__ = ["PublicProfile", "counts", "profile_of", "profile_url", "public_profile", "show_on_profile"]

MAX_BADGES = 500


@dataclass(frozen=True, slots=True)
class PublicProfile:
    profile: EarnerProfileRecord
    badges: list[CredentialRecord]


def counts(services: Services, record: CredentialRecord) -> bool:
    """Still active and not past ``validUntil``."""
    return record.status == "active" and (record.valid_until is None or record.valid_until > services.now())


def subject_key(record: CredentialRecord) -> str | None:
    earner = record.recipient.get("email") or record.recipient.get("id")
    if not earner:
        return None
    return hashlib.sha256(f"{record.org_id}\n{earner}".encode()).hexdigest()


def profile_url(services: Services, profile: EarnerProfileRecord) -> str:
    return f"{services.base_url}/earners/{profile.slug}"


async def profile_of(services: Services, record: CredentialRecord) -> EarnerProfileRecord | None:
    key = subject_key(record)
    return None if key is None else await services.store.find_earner_profile_of(record.org_id, key)


async def show_on_profile(services: Services, token: str, show: bool) -> EarnerProfileRecord | None:
    """Show (or hide) the badge ``token`` claimed on its earner's profile; the profile after.
    ``InputError`` unless the badge was accepted with this link (and, to show it, still counts)."""
    claim = await open_claim(services, token)
    record = claim.credential
    if claim.state != "claimed" or record is None:
        raise InputError("accept the badge first", path="token")
    if show and not counts(services, record):
        raise InputError("a badge that no longer counts cannot be shown", path="token")
    key = subject_key(record)
    if key is None:
        raise InputError("this badge names no earner to make a profile for", path="token")
    for _ in range(3):  # a concurrent first "show" may create the profile first: take it, and again
        current = await services.store.find_earner_profile_of(record.org_id, key)
        updated = _changed(services, current, record, key, show)
        if updated is None or updated == current:
            return current
        try:
            await services.store.put_earner_profile(updated)
        except Conflict:
            continue
        return updated
    raise Conflict("the profile kept changing; try again")


def _changed(
    services: Services, current: EarnerProfileRecord | None, record: CredentialRecord, key: str, show: bool
) -> EarnerProfileRecord | None:
    now = services.now()
    if current is None:
        if not show:
            return None
        slug = base64.urlsafe_b64encode(services.random_bytes(16)).decode("ascii").rstrip("=")
        name = record.recipient.get("name")
        return EarnerProfileRecord(slug, record.org_id, key, name, (record.id,), now, now)
    ids = [i for i in current.credential_ids if i != record.id]
    if show:
        if len(ids) >= MAX_BADGES:
            raise InputError(f"a profile shows at most {MAX_BADGES} badges", path="token")
        ids.append(record.id)
    if tuple(ids) == current.credential_ids:
        return current
    return replace(current, credential_ids=tuple(ids), updated_at=now)


async def public_profile(services: Services, slug: str) -> PublicProfile | None:
    """The profile at ``slug`` with the badges on it that still count (None: no such profile)."""
    if not (10 <= len(slug) <= 64):
        return None
    profile = await services.store.find_earner_profile(slug)
    if profile is None:
        return None
    badges = []
    for credential_id in profile.credential_ids:
        record = await services.store.get_credential(profile.org_id, credential_id)
        if record is not None and counts(services, record):
            badges.append(record)
    return PublicProfile(profile, badges)
