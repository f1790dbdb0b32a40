"""Organizations (tenants), their API keys, authentication and the first-start bootstrap.

An API key reads ``vce_<prefix>_<secret>``: the prefix is stored and looked up, the secret only
as its SHA-256 (the secret is 256 random bits, so a plain hash cannot be brute-forced) and
compared in constant time. The plaintext key is returned once, when it is created.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from vcengine.errors import InputError, PermissionDenied
from vcengine.services.context import SCOPES, Actor, Services
from vcengine.services.ports import ApiKeyRecord, IssuerRecord, OrganizationRecord, Scope

__all__ = [
    "BOOTSTRAP_ENV",
    "Bootstrap",
    "NewApiKey",
    "authenticate",
    "bootstrap",
    "create_api_key",
    "create_organization",
    "get_organization",
    "parse_api_key",
]

BOOTSTRAP_ENV = "VCENGINE_BOOTSTRAP_API_KEY"
_KEY = re.compile(r"vce_([a-z0-9]{8,32})_([A-Za-z0-9]{20,128})")
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A freshly created key: ``plaintext`` is shown once and never stored."""

    record: ApiKeyRecord
    plaintext: str = field(repr=False)


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


def clean_name(value: str, path: str = "name") -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise InputError("must not be empty", path=path)
    if len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise InputError(f"must be at most {MAX_NAME} printable characters", path=path)
    return name


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


async def get_organization(services: Services, actor: Actor) -> OrganizationRecord:
    org = await services.store.get_organization(actor.org_id)
    if org is None:
        raise PermissionDenied("the organization of this API key no longer exists")
    return org


async def _add_key(
    services: Services, org_id: str, name: str, scopes: frozenset[Scope], plaintext: str | None = None
) -> NewApiKey:
    if plaintext is None:
        plaintext = f"vce_{services.random_bytes(6).hex()}_{services.random_bytes(32).hex()}"
    prefix, secret = parse_api_key(plaintext)
    record = ApiKeyRecord(services.new_id(), org_id, name, prefix, _hash(secret), scopes, services.now())
    await services.store.create_api_key(record)
    return NewApiKey(record, plaintext)


async def create_api_key(services: Services, actor: Actor, name: str, scopes: Iterable[str]) -> NewApiKey:
    """A new key for the caller's organization (needs ``admin``); the plaintext is returned once."""
    actor.require("admin")
    return await _add_key(services, actor.org_id, clean_name(name), _scopes(scopes))


async def authenticate(services: Services, token: str) -> Actor:
    """The actor an API key stands for; PermissionDenied for a malformed, unknown or revoked key."""
    try:
        prefix, secret = parse_api_key(token)
    except InputError:
        raise PermissionDenied("invalid API key") from None
    record = await services.store.find_api_key(prefix)
    expected = record.secret_hash if record is not None else _DUMMY_HASH
    matches = hmac.compare_digest(_hash(secret).encode(), expected.encode())
    if record is None or not matches or record.revoked_at is not None:
        raise PermissionDenied("invalid API key")
    return Actor(record.org_id, record.scopes, record.id)


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
    from vcengine.services import issuers

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
    org = await create_organization(services, org_name)
    actor = Actor(org.id, frozenset({"admin"}))
    issuer = await issuers.create_issuer(
        services, actor, issuers.IssuerInput(name=issuer_name, kind="did:key")
    )
    key = await _add_key(services, org.id, "bootstrap", frozenset({"admin"}), api_key)
    return Bootstrap(True, org, issuer, None if api_key else key.plaintext, key.record.prefix)
