"""Organizations (tenants), their API keys, authentication and the first-start bootstrap.

An API key reads ``vce_<prefix>_<secret>``: the prefix is stored and looked up, the secret only
as its SHA-256 (the secret is 256 random bits, so a plain hash cannot be brute-forced) and
compared in constant time. The plaintext key is returned once, when it is created.

Every authentication reads the key from the store: no process keeps keys in memory, so a key
revoked through one instance (or with ``vcengine admin``) fails at once on every instance.
An admin key revoking through the API cannot revoke its organization's last admin key
(``LastAdminKey``): create another first. The operator (``vcengine admin``) can.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from vcengine.errors import InputError, NotFound, PermissionDenied, StoreError
from vcengine.services import issuers
from vcengine.services.context import SCOPES, Actor, Services
from vcengine.services.names import clean_name
from vcengine.services.ports import ApiKeyRecord, IssuerRecord, OrganizationRecord, Scope

__all__ = [
    "BOOTSTRAP_ENV",
    "LAST_USED_RESOLUTION",
    "Bootstrap",
    "LastAdminKey",
    "NewApiKey",
    "Provisioned",
    "authenticate",
    "bootstrap",
    "create_api_key",
    "create_organization",
    "ensure_active",
    "find_api_key",
    "find_organization",
    "get_organization",
    "operator",
    "parse_api_key",
    "provision",
    "revoke_api_key",
]

BOOTSTRAP_ENV = "VCENGINE_BOOTSTRAP_API_KEY"
_KEY = re.compile(r"vce_([a-z0-9]{8,32})_([A-Za-z0-9]{20,128})")
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()
#: ``last_used_at`` is written when it is older than this (so not on every request)
LAST_USED_RESOLUTION = timedelta(minutes=1)


class LastAdminKey(InputError):
    """Revoking this key would leave the organization without an admin key."""


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A freshly created key: ``plaintext`` is shown once and never stored."""

    record: ApiKeyRecord
    plaintext: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Provisioned:
    """A new organization with its first admin key (``key.plaintext``: shown once) and, if asked
    for, a did:key issuer."""

    organization: OrganizationRecord
    key: NewApiKey
    issuer: IssuerRecord | None


@dataclass(frozen=True, slots=True)
class Bootstrap:
    """What the first start created (``created``) and what ``vcengine serve`` should print.

    ``api_key`` is the plaintext admin key when this start generated it, else None (it came from
    the environment, or an earlier start already bootstrapped)."""

    created: bool
    organization: OrganizationRecord
    issuer: IssuerRecord | None
    api_key: str | None = field(default=None, repr=False)
    api_key_prefix: str | None = None


def parse_api_key(token: str) -> tuple[str, str]:
    """``(prefix, secret)`` of a well-formed key; InputError otherwise."""
    match = _KEY.fullmatch(token.strip()) if isinstance(token, str) else None
    if match is None:
        raise InputError("an API key reads vce_<8-32 lowercase letters/digits>_<20-128 letters/digits>")
    return match[1], match[2]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _scopes(scopes: Iterable[str]) -> frozenset[Scope]:
    chosen = frozenset(scopes)
    unknown = sorted(chosen - set(SCOPES))
    if unknown or not chosen:
        raise InputError(f"scopes must be a non-empty subset of {', '.join(SCOPES)}", path="scopes")
    return chosen  # type: ignore[return-value]


async def create_organization(services: Services, name: str) -> OrganizationRecord:
    """A new tenant (operator action: no actor; the GraphQL API does not expose it)."""
    org = OrganizationRecord(services.new_id(), clean_name(name), services.now())
    await services.store.create_organization(org)
    return org


def operator(org_id: str) -> Actor:
    """The operator (``vcengine admin``, the first start) acting in an organization: every scope,
    no API key."""
    return Actor(org_id, frozenset({"admin"}))


async def provision(
    services: Services,
    name: str,
    *,
    key_name: str = "admin",
    issuer_name: str | None = None,
    api_key: str | None = None,
) -> Provisioned:
    """A new organization, its first admin key (``api_key`` if given, else generated) and, with
    ``issuer_name``, a did:key issuer. Names are checked before anything is written."""
    key_name = clean_name(key_name, "key_name")
    if issuer_name is not None:
        issuer_name = clean_name(issuer_name, "issuer_name")
    org = await create_organization(services, name)
    issuer = None
    if issuer_name is not None:
        data = issuers.IssuerInput(name=issuer_name, kind="did:key")
        issuer = await issuers.create_issuer(services, operator(org.id), data)
    key = await _add_key(services, org.id, key_name, frozenset({"admin"}), api_key)
    return Provisioned(org, key, issuer)


async def get_organization(services: Services, actor: Actor) -> OrganizationRecord:
    org = await services.store.get_organization(actor.org_id)
    if org is None:
        raise PermissionDenied("the organization of this API key no longer exists")
    return org


async def find_organization(services: Services, reference: str) -> OrganizationRecord:
    """The organization with this id, else the one with exactly this name (operator look-up)."""
    org = await services.store.get_organization(reference)
    if org is not None:
        return org
    named = [o for o in await services.store.list_organizations() if o.name == reference.strip()]
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(o.id for o in named)
        raise InputError(f"{len(named)} organizations are named {reference!r} ({ids}): give the id")
    raise NotFound(f"no organization with the id or name {reference!r}")


async def _add_key(
    services: Services,
    org_id: str,
    name: str,
    scopes: frozenset[Scope],
    plaintext: str | None = None,
    created_by: str | None = None,
) -> NewApiKey:
    if plaintext is None:
        plaintext = f"vce_{services.random_bytes(6).hex()}_{services.random_bytes(32).hex()}"
    prefix, secret = parse_api_key(plaintext)
    record = ApiKeyRecord(
        services.new_id(), org_id, name, prefix, _hash(secret), scopes, services.now(), created_by=created_by
    )
    await services.store.create_api_key(record)
    return NewApiKey(record, plaintext)


async def create_api_key(services: Services, actor: Actor, name: str, scopes: Iterable[str]) -> NewApiKey:
    """A new key for the caller's organization (needs ``admin``); the plaintext is returned once."""
    actor.require("admin")
    return await _add_key(
        services, actor.org_id, clean_name(name), _scopes(scopes), created_by=actor.api_key_id
    )


async def find_api_key(services: Services, actor: Actor, reference: str) -> ApiKeyRecord:
    """A key of the caller's organization by its id, its prefix, or the whole key (needs ``admin``)."""
    actor.require("admin")
    reference = reference.strip()
    record = await services.store.get_api_key(actor.org_id, reference)
    if record is None:
        try:
            prefix = parse_api_key(reference)[0]
        except InputError:
            prefix = reference
        found = await services.store.find_api_key(prefix)
        record = found if found is not None and found.org_id == actor.org_id else None
    if record is None:
        raise NotFound(f"no API key with the id or prefix {reference!r} in this organization")
    return record


async def revoke_api_key(
    services: Services, actor: Actor, key_id: str, *, keep_admin: bool = True
) -> ApiKeyRecord:
    """Revoke a key of the caller's organization (needs ``admin``); revoking it again is a no-op.

    With ``keep_admin`` (the API), the organization's last unrevoked admin key is refused with
    ``LastAdminKey``, so an organization cannot lock itself out; the operator passes False."""
    actor.require("admin")
    record = await services.store.revoke_api_key(actor.org_id, key_id, services.now(), keep_admin=keep_admin)
    if record is None:
        raise NotFound("no such API key in this organization", path="id")
    if record.revoked_at is None:
        raise LastAdminKey(
            "this is the organization's last admin key: create another admin key first", path="id"
        )
    return record


async def authenticate(services: Services, token: str) -> Actor:
    """The actor an API key stands for; PermissionDenied for a malformed, unknown or revoked key.

    Reads the store every time (no cache: a revocation holds at once on every instance), and
    records the key's use when its ``last_used_at`` is older than ``LAST_USED_RESOLUTION``."""
    try:
        prefix, secret = parse_api_key(token)
    except InputError:
        raise PermissionDenied("invalid API key") from None
    record = await services.store.find_api_key(prefix)
    expected = record.secret_hash if record is not None else _DUMMY_HASH
    matches = hmac.compare_digest(_hash(secret).encode(), expected.encode())
    if record is None or not matches or record.revoked_at is not None:
        raise PermissionDenied("invalid API key")
    now = services.now()
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
        with contextlib.suppress(StoreError):  # bookkeeping: a busy store must not refuse a valid key
            await services.store.record_api_key_use(record.id, now)
    return Actor(record.org_id, record.scopes, record.id)


async def ensure_active(services: Services, actor: Actor) -> None:
    """PermissionDenied if the actor's API key was revoked since it authenticated (long-lived
    connections check before each delivery); the operator has no key and is always active."""
    if actor.api_key_id is None:
        return
    record = await services.store.get_api_key(actor.org_id, actor.api_key_id)
    if record is None or record.revoked_at is not None:
        raise PermissionDenied("the API key was revoked")


async def bootstrap(
    services: Services,
    *,
    api_key: str | None = None,
    org_name: str = "Default organization",
    issuer_name: str = "Default issuer",
) -> Bootstrap:
    """First start: a default organization, an issuer whose did:key signs, and an admin key.

    Idempotent: once any organization exists nothing is created, except that a given ``api_key``
    (``VCENGINE_BOOTSTRAP_API_KEY``) that is not yet known is added, as admin, to the first
    organization. ``api_key`` in the result is the plaintext only when it was generated here.
    """
    if api_key is not None:
        parse_api_key(api_key)
    existing = await services.store.list_organizations()
    if existing:
        org = min(existing, key=lambda o: (o.created_at, o.id))
        prefix = None
        if api_key is not None:
            prefix = parse_api_key(api_key)[0]
            if await services.store.find_api_key(prefix) is None:
                await _add_key(services, org.id, "bootstrap", frozenset({"admin"}), api_key)
        return Bootstrap(False, org, None, None, prefix)
    made = await provision(services, org_name, key_name="bootstrap", issuer_name=issuer_name, api_key=api_key)
    key = made.key
    return Bootstrap(
        True, made.organization, made.issuer, None if api_key else key.plaintext, key.record.prefix
    )
