"""Resolving a verification method (a key id) to a public key, offline.

Controlled Identifiers 1.0 (verification methods, Multikey, JsonWebKey) and the did:key method.
``did:key`` resolves from the identifier itself. Anything else (did:web, https URLs, a key a JWT
carries) is bound to its issuer only through a document the caller supplies: a Multikey, a JWK,
a DID document or a controller document, keyed by URL. Without one the result is a
``ResolutionError`` — the check is *indeterminate*, never passed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from vcengine.core.contexts import MULTIKEY_CONTEXT
from vcengine.core.keys import PublicKey, public_key_from_did_key
from vcengine.errors import KeyFormatError, ResolutionError

__all__ = ["VERIFICATION_RELATIONSHIPS", "KeyResolver", "OfflineResolver", "ResolvedKey"]

VERIFICATION_RELATIONSHIPS = ("assertionMethod", "authentication")


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """A public key found for a verification method id.

    ``controller`` is who the controlling document says controls the key; ``purposes`` are the
    verification relationships (``assertionMethod``…) the controller lists it under.
    """

    id: str
    controller: str
    jwk: Mapping[str, Any]
    purposes: frozenset[str] = field(default_factory=frozenset)

    def ed25519(self) -> PublicKey:
        if self.jwk.get("kty") != "OKP" or self.jwk.get("crv") != "Ed25519":
            raise KeyFormatError(f"verification method {self.id} is not an Ed25519 key")
        return PublicKey.from_jwk(self.jwk)


class KeyResolver(Protocol):
    def __call__(self, verification_method: str) -> ResolvedKey:
        """The key that ``verification_method`` names; ResolutionError when it cannot be found."""
        ...

    def authorizes(self, controller: str, verification_method: str, relationship: str) -> bool | None:
        """Whether ``controller``'s own document lists ``verification_method`` under
        ``relationship`` (True/False), or None when that document is not available."""
        ...


def _strip_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _jwk_of(method: Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(method.get("publicKeyJwk"), Mapping):
        jwk = dict(method["publicKeyJwk"])
    elif "publicKeyMultibase" in method:
        jwk = PublicKey.from_multibase(method["publicKeyMultibase"]).jwk()
    elif "kty" in method:
        jwk = dict(method)
    else:
        raise KeyFormatError("verification method has neither publicKeyJwk nor publicKeyMultibase")
    if "d" in jwk:
        raise KeyFormatError("a public verification method must not contain a private key ('d')")
    return {k: v for k, v in jwk.items() if k in ("kty", "crv", "x", "y", "n", "e", "kid", "alg")}


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document of a did:key (Ed25519 only), as the did:key method defines it."""
    key = public_key_from_did_key(did)
    vm = key.did_key_verification_method
    return {
        "@context": ["https://www.w3.org/ns/did/v1", MULTIKEY_CONTEXT],
        "id": key.did_key,
        "verificationMethod": [
            {"id": vm, "type": "Multikey", "controller": key.did_key, "publicKeyMultibase": key.multibase}
        ],
        "assertionMethod": [vm],
        "authentication": [vm],
        "capabilityInvocation": [vm],
        "capabilityDelegation": [vm],
    }


def _methods_in(doc: Mapping[str, Any], doc_id: str) -> tuple[dict[str, ResolvedKey], dict[str, set[str]]]:
    methods: dict[str, Mapping[str, Any]] = {}
    purposes: dict[str, set[str]] = {}

    def absolute(ref: str) -> str:
        return doc_id + ref if ref.startswith("#") else ref

    vms = doc.get("verificationMethod", [])
    for vm in vms if isinstance(vms, list) else [vms]:
        if isinstance(vm, Mapping) and isinstance(vm.get("id"), str):
            methods[absolute(vm["id"])] = vm
    for rel in (*VERIFICATION_RELATIONSHIPS, "capabilityInvocation", "capabilityDelegation"):
        entries = doc.get(rel, [])
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, str):
                purposes.setdefault(absolute(entry), set()).add(rel)
            elif isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
                methods[absolute(entry["id"])] = entry
                purposes.setdefault(absolute(entry["id"]), set()).add(rel)
    resolved = {
        vm_id: ResolvedKey(
            id=vm_id,
            controller=str(vm.get("controller", doc_id)),
            jwk=_jwk_of(vm),
            purposes=frozenset(purposes.get(vm_id, ())),
        )
        for vm_id, vm in methods.items()
    }
    return resolved, purposes


@lru_cache(maxsize=4096)
def _resolve_did_key(verification_method: str) -> ResolvedKey:
    """did:key resolves from the identifier alone (pure, so cached)."""
    did = _strip_fragment(verification_method)
    try:
        doc = did_key_document(did)
        methods, _ = _methods_in(doc, did)
    except KeyFormatError as exc:
        raise ResolutionError(f"cannot resolve {verification_method}: {exc.message}") from None
    if verification_method in methods:
        return methods[verification_method]
    if verification_method == did:
        return next(iter(methods.values()))
    raise ResolutionError(f"did:key document {did} does not list verification method {verification_method}")


class OfflineResolver:
    """Resolves did:key from the identifier and anything else from documents given up front.

    ``documents`` maps a URL (a DID, a DID URL, an https URL) to a Multikey, JWK, DID document
    or controller document. ``fetch`` (optional) is asked for URLs not given; the CLI passes an
    HTTPS fetcher only when ``--online`` is set.
    """

    def __init__(
        self,
        documents: Mapping[str, Mapping[str, Any]] | None = None,
        fetch: Callable[[str], Mapping[str, Any]] | None = None,
    ) -> None:
        self._documents = dict(documents or {})
        self._fetch = fetch

    def __call__(self, verification_method: str) -> ResolvedKey:
        if not isinstance(verification_method, str) or not verification_method:
            raise ResolutionError("verification method must be a non-empty URL string")
        if verification_method.startswith("did:key:"):
            return _resolve_did_key(verification_method)
        for url in (verification_method, _strip_fragment(verification_method)):
            if url in self._documents:
                return self._from_document(verification_method, url, self._documents[url])
        if self._fetch is not None:
            url = _strip_fragment(verification_method)
            return self._from_document(verification_method, url, self._fetch(url))
        raise ResolutionError(
            f"verification method {verification_method} is not a did:key and no document for it was "
            "supplied (use --resolve URL=FILE or --online); its binding to the issuer is indeterminate"
        )

    def authorizes(self, controller: str, verification_method: str, relationship: str) -> bool | None:
        doc: Mapping[str, Any] | None
        if controller.startswith("did:key:"):
            try:
                doc = did_key_document(_strip_fragment(controller))
            except KeyFormatError:
                return False
        else:
            doc = self._documents.get(controller)
            if doc is None and self._fetch is not None:
                try:
                    doc = self._fetch(controller)
                except ResolutionError:
                    return None
        if not isinstance(doc, Mapping):
            return None
        try:
            _, purposes = _methods_in(doc, str(doc.get("id", controller)))
        except KeyFormatError:
            return False
        return relationship in purposes.get(verification_method, set())

    def _from_document(self, vm_id: str, url: str, doc: Mapping[str, Any]) -> ResolvedKey:
        if not isinstance(doc, Mapping):
            raise ResolutionError(f"document for {url} is not a JSON object")
        try:
            # A bare key document (Multikey or JWK) stands for itself.
            if "verificationMethod" not in doc and not any(r in doc for r in VERIFICATION_RELATIONSHIPS):
                own_id = doc.get("id", vm_id)
                if own_id not in (vm_id, url):
                    raise ResolutionError(f"key document for {vm_id} has id {own_id}")
                return ResolvedKey(
                    id=vm_id,
                    controller=str(doc.get("controller", _strip_fragment(vm_id))),
                    jwk=_jwk_of(doc),
                    # A key document supplied for exactly this id is trusted for assertions.
                    purposes=frozenset(VERIFICATION_RELATIONSHIPS),
                )
            doc_id = str(doc.get("id", url))
            methods, _ = _methods_in(doc, doc_id)
        except KeyFormatError as exc:
            raise ResolutionError(f"document for {url}: {exc.message}") from None
        if vm_id in methods:
            return methods[vm_id]
        if vm_id == url and len(methods) == 1:
            return next(iter(methods.values()))
        raise ResolutionError(f"document {doc_id} does not list verification method {vm_id}")
