from __future__ import annotations

import pytest

from vcengine.core.keys import KeyPair
from vcengine.core.resolve import OfflineResolver
from vcengine.errors import ResolutionError

KEY = KeyPair.from_seed(bytes(range(32)))
MB = KEY.public.multibase


def test_did_key_resolves_offline_with_all_relationships() -> None:
    resolved = OfflineResolver()(KEY.public.did_key_verification_method)
    assert resolved.controller == KEY.public.did_key
    assert resolved.ed25519() == KEY.public
    assert {"assertionMethod", "authentication"} <= resolved.purposes
    assert OfflineResolver()(KEY.public.did_key).ed25519() == KEY.public  # the DID alone


@pytest.mark.parametrize("bad", ["did:key:z6MkBAD", f"did:key:{MB}#other", "did:key:", ""])
def test_bad_did_keys_are_resolution_errors(bad: str) -> None:
    with pytest.raises(ResolutionError):
        OfflineResolver()(bad)


def test_did_document_with_relative_fragments() -> None:
    did = "did:web:issuer.example"
    doc = {
        "id": did,
        "verificationMethod": [
            {"id": "#key-1", "type": "Multikey", "controller": did, "publicKeyMultibase": MB}
        ],
        "assertionMethod": ["#key-1"],
    }
    resolved = OfflineResolver({did: doc})(f"{did}#key-1")
    assert resolved.controller == did and resolved.purposes == frozenset({"assertionMethod"})
    with pytest.raises(ResolutionError, match="does not list"):
        OfflineResolver({did: doc})(f"{did}#key-2")


def test_bare_key_documents_stand_for_themselves() -> None:
    vm = "https://issuer.example/keys/1"
    as_jwk = OfflineResolver({vm: KEY.public.jwk()})(vm)
    as_multikey = OfflineResolver({vm: {"id": vm, "type": "Multikey", "publicKeyMultibase": MB}})(vm)
    assert as_jwk.ed25519() == as_multikey.ed25519() == KEY.public
    with pytest.raises(ResolutionError, match="has id"):
        OfflineResolver({vm: {"id": "https://elsewhere.example/k", "publicKeyMultibase": MB}})(vm)


def test_private_keys_in_documents_are_refused() -> None:
    vm = "https://issuer.example/keys/1"
    with pytest.raises(ResolutionError, match="private key"):
        OfflineResolver({vm: KEY.export_private_jwk()})(vm)


def test_fetch_is_used_only_when_given() -> None:
    vm = "https://issuer.example/keys/1"
    asked: list[str] = []

    def fetch(url: str) -> dict[str, object]:
        asked.append(url)
        return {"id": url, "publicKeyMultibase": MB}

    with pytest.raises(ResolutionError, match="--resolve"):
        OfflineResolver()(vm)
    assert OfflineResolver(fetch=fetch)(vm).ed25519() == KEY.public
    assert asked == [vm]
