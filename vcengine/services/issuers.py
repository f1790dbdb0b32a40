"""Issuer profiles (OB 3.0 Profile) and their signing keys.

An issuer's id is its URL under ``base_url`` (``{base_url}/issuers/{id}``), a ``did:web`` under
the same host, or the ``did:key`` of its first key. Keys are Ed25519; the secret seed is sealed
with the master key before it reaches the store and is never returned. Rotation retires the
active keys (they stay published, so credentials they signed still verify) and adds a new one.
A ``did:key`` issuer *is* its key, so it cannot rotate.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from vcengine.core.contexts import MULTIKEY_CONTEXT
from vcengine.core.keys import KeyPair
from vcengine.core.model import Image, Profile
from vcengine.errors import InputError, NotFound, SchemaError, UnsupportedError
from vcengine.services.context import Actor, Services
from vcengine.services.keystore import seal, unseal
from vcengine.services.names import clean_name
from vcengine.services.ports import IssuerKeyRecord, IssuerRecord

__all__ = [
    "IssuerInput",
    "IssuerKind",
    "KeyMethod",
    "create_issuer",
    "generate_key",
    "get_issuer",
    "issuer_document",
    "issuer_kind",
    "list_issuers",
    "list_keys",
    "rotate_key",
    "signing_key",
]

IssuerKind = Literal["url", "did:web", "did:key"]
KeyMethod = Literal["issuer", "did:key"]
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", MULTIKEY_CONTEXT]


@dataclass(frozen=True, slots=True)
class IssuerInput:
    name: str
    kind: IssuerKind = "url"
    url: str | None = None
    email: str | None = None
    description: str | None = None
    image: str | None = None


def did_web(base_url: str, path: str) -> str:
    """``did:web:<host>[%3A<port>]:<path segments>`` (did:web §3.1: ``:`` separates the path)."""
    parts = urlsplit(base_url)
    segments = [s for s in (parts.path.strip("/") + "/" + path).split("/") if s]
    return ":".join(["did:web", quote(parts.netloc, safe=""), *segments])


def issuer_kind(issuer: IssuerRecord) -> IssuerKind:
    issuer_id = str(issuer.profile["id"])
    return (
        "did:key"
        if issuer_id.startswith("did:key:")
        else "did:web"
        if issuer_id.startswith("did:")
        else "url"
    )


def _profile(issuer_id: str, data: IssuerInput) -> dict[str, Any]:
    if data.email is not None and not _EMAIL.fullmatch(data.email):
        raise InputError("is not an email address", path="email")
    for name in ("url", "image"):
        value = getattr(data, name)
        if value is not None and (
            len(value) > 2000 or not value.startswith(("https://", "http://", "data:"))
        ):
            raise InputError("must be an http(s) or data: URL", path=name)
    if data.description is not None and len(data.description) > 10_000:
        raise InputError("must be at most 10,000 characters", path="description")
    try:
        image = Image(data.image) if data.image else None
        return Profile(
            id=issuer_id,
            name=clean_name(data.name),
            url=data.url,
            email=data.email,
            description=data.description,
            image=image,
        ).to_json()
    except SchemaError as exc:
        raise InputError(exc.message, path="url") from None


async def create_issuer(services: Services, actor: Actor, data: IssuerInput) -> IssuerRecord:
    """A new issuer of the caller's organization with one active signing key (needs ``admin``)."""
    actor.require("admin")
    if data.kind not in ("url", "did:web", "did:key"):
        raise InputError("kind must be url, did:web or did:key", path="kind")
    record_id = services.new_id()
    key = KeyPair(services.random_bytes(32))
    issuer_id = {
        "url": f"{services.base_url}/issuers/{record_id}",
        "did:web": did_web(services.base_url, f"issuers/{record_id}"),
        "did:key": key.public.did_key,
    }[data.kind]
    issuer = IssuerRecord(record_id, actor.org_id, _profile(issuer_id, data), services.now())
    await services.store.create_issuer(issuer)
    await _add_key(services, issuer, key, "did:key" if data.kind == "did:key" else "issuer")
    return issuer


async def get_issuer(services: Services, actor: Actor, issuer_id: str) -> IssuerRecord:
    actor.require("read")
    issuer = await services.store.get_issuer(actor.org_id, issuer_id)
    if issuer is None:
        raise NotFound(f"no issuer {issuer_id}", path="issuerId")
    return issuer


async def list_issuers(services: Services, actor: Actor) -> Sequence[IssuerRecord]:
    actor.require("read")
    return await services.store.list_issuers(actor.org_id)


async def list_keys(services: Services, issuer: IssuerRecord) -> Sequence[IssuerKeyRecord]:
    """Active keys first, then retired ones, newest first within each (public data)."""
    keys = await services.store.list_issuer_keys(issuer.id)
    return sorted(keys, key=lambda k: (k.status == "active", k.created_at, k.id), reverse=True)


async def _add_key(
    services: Services, issuer: IssuerRecord, key: KeyPair, method: KeyMethod
) -> IssuerKeyRecord:
    mb = key.public.multibase
    controller = key.public.did_key if method == "did:key" else str(issuer.profile["id"])
    key_id = services.new_id()
    record = IssuerKeyRecord(
        id=key_id,
        org_id=issuer.org_id,
        issuer_id=issuer.id,
        verification_method=f"{controller}#{mb}",
        public_key_multibase=mb,
        encrypted_secret=seal(key, services.master_key, aad=key_id, random_bytes=services.random_bytes),
        status="active",
        created_at=services.now(),
    )
    await services.store.add_issuer_key(record)
    services.cache[f"key:{record.id}"] = key
    return record


async def generate_key(
    services: Services, actor: Actor, issuer_id: str, method: KeyMethod = "issuer"
) -> IssuerKeyRecord:
    """Add an active key (it signs from now on; older active keys stay valid). Needs ``admin``."""
    actor.require("admin")
    issuer = await get_issuer(services, actor, issuer_id)
    if issuer_kind(issuer) == "did:key":
        raise UnsupportedError(
            "a did:key issuer is its one key: create another issuer instead", path="issuerId"
        )
    return await _add_key(services, issuer, KeyPair(services.random_bytes(32)), method)


async def rotate_key(
    services: Services, actor: Actor, issuer_id: str, method: KeyMethod = "issuer"
) -> IssuerKeyRecord:
    """Retire every active key (still published) and add a new active one. Needs ``admin``."""
    actor.require("admin")
    issuer = await get_issuer(services, actor, issuer_id)
    if issuer_kind(issuer) == "did:key":
        raise UnsupportedError("a did:key issuer cannot rotate: its id is its key", path="issuerId")
    await services.store.retire_issuer_keys(actor.org_id, issuer.id, services.now())
    return await _add_key(services, issuer, KeyPair(services.random_bytes(32)), method)


async def signing_key(services: Services, issuer: IssuerRecord) -> tuple[IssuerKeyRecord, KeyPair]:
    """The newest active key of ``issuer`` and its unsealed pair (kept in memory once unsealed)."""
    active = [k for k in await list_keys(services, issuer) if k.status == "active"]
    if not active:
        raise NotFound(f"issuer {issuer.id} has no active key: generate one", path="issuerId")
    record = active[0]
    pair = services.cache.get(f"key:{record.id}")
    if pair is None:
        pair = services.cache[f"key:{record.id}"] = unseal(
            record.encrypted_secret, services.master_key, aad=record.id
        )
    return record, pair


def issuer_document(issuer: IssuerRecord, keys: Sequence[IssuerKeyRecord]) -> dict[str, Any]:
    """The issuer's controller (DID) document: every key, active or retired, for assertions.

    Served at the issuer's URL (or ``did.json`` for did:web) so verifiers can bind a signature
    to the issuer; a ``did:key`` issuer resolves from its id alone and needs no document.
    """
    issuer_id = str(issuer.profile["id"])
    methods = [
        {
            "id": k.verification_method,
            "type": "Multikey",
            "controller": k.verification_method.split("#", 1)[0],
            "publicKeyMultibase": k.public_key_multibase,
        }
        for k in keys
    ]
    return {
        "@context": list(DID_CONTEXTS),
        "id": issuer_id,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def public_key_json(key: IssuerKeyRecord) -> Mapping[str, Any]:
    return {
        "id": key.verification_method,
        "type": "Multikey",
        "controller": key.verification_method.split("#", 1)[0],
        "publicKeyMultibase": key.public_key_multibase,
    }
