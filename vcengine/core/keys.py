"""Ed25519 keys and their representations: Multikey, JWK (OKP), did:key.

- Multikey: Controlled Identifiers 1.0 §2.2.2; ``publicKeyMultibase`` = ``z`` + base58btc(0xed01 ‖ pub),
  ``secretKeyMultibase`` = ``z`` + base58btc(0x8026 ‖ seed) (34 bytes) — the legacy Digital Bazaar
  form appends the public key (66 bytes) and is accepted on import.
- JWK: RFC 8037 ``{"kty": "OKP", "crv": "Ed25519", "x", "d"?}``.
- did:key: ``did:key:<publicKeyMultibase>`` with verification method ``#<publicKeyMultibase>``.

Key objects are opaque: the secret is never part of ``repr``, ``str`` or any error message,
and is only exported by the explicit ``export_*_secret`` methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from vcengine.core.contexts import MULTIKEY_CONTEXT
from vcengine.core.multibase import (
    ED25519_PRIV,
    ED25519_PUB,
    b64url_decode,
    b64url_encode,
    decode_base58btc,
    encode_base58btc,
)
from vcengine.errors import KeyFormatError, SignatureError

__all__ = ["KeyPair", "PublicKey", "public_key_from_did_key"]


@dataclass(frozen=True, slots=True)
class PublicKey:
    """An Ed25519 public key (32 raw bytes)."""

    raw: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.raw, bytes) or len(self.raw) != 32:
            raise KeyFormatError("an Ed25519 public key is exactly 32 bytes")

    @classmethod
    def from_multibase(cls, value: str) -> PublicKey:
        data = decode_base58btc(value, what="publicKeyMultibase")
        if data[:2] != ED25519_PUB:
            raise KeyFormatError("publicKeyMultibase is not an Ed25519 key (multicodec 0xed01 expected)")
        if len(data) != 34:
            raise KeyFormatError(f"publicKeyMultibase decodes to {len(data)} bytes; Ed25519 needs 34")
        return cls(data[2:])

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> PublicKey:
        _check_okp(jwk)
        return cls(_jwk_bytes(jwk, "x"))

    @property
    def multibase(self) -> str:
        return _public_multibase(self.raw)

    @property
    def did_key(self) -> str:
        return "did:key:" + self.multibase

    @property
    def did_key_verification_method(self) -> str:
        return f"{self.did_key}#{self.multibase}"

    def jwk(self) -> dict[str, str]:
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(self.raw)}

    def verify(self, signature: bytes, message: bytes) -> None:
        """Raise SignatureError unless ``signature`` is a valid Ed25519 signature of ``message``."""
        if len(signature) != 64:
            raise SignatureError(f"an Ed25519 signature is 64 bytes, not {len(signature)}")
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            raise SignatureError("Ed25519 signature does not match") from None

    def __repr__(self) -> str:
        return f"PublicKey({self.multibase})"


class KeyPair:
    """An Ed25519 key pair. The secret seed never leaves except through ``export_*_secret``."""

    __slots__ = ("_private", "public")

    def __init__(self, seed: bytes) -> None:
        if not isinstance(seed, bytes) or len(seed) != 32:
            raise KeyFormatError("an Ed25519 secret seed is exactly 32 bytes")
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        pub = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public = PublicKey(pub)

    @classmethod
    def from_seed(cls, seed: bytes) -> KeyPair:
        """A key pair from 32 bytes of randomness supplied by the caller."""
        return cls(seed)

    @classmethod
    def from_secret_multibase(cls, value: str, public_multibase: str | None = None) -> KeyPair:
        data = decode_base58btc(value, what="secretKeyMultibase")
        if data[:2] != ED25519_PRIV:
            raise KeyFormatError("secretKeyMultibase is not an Ed25519 secret (multicodec 0x8026 expected)")
        if len(data) not in (34, 66):
            raise KeyFormatError(
                f"secretKeyMultibase decodes to {len(data)} bytes; expected 34 (seed) or 66 (seed+public)"
            )
        pair = cls(data[2:34])
        if len(data) == 66 and data[34:] != pair.public.raw:
            raise KeyFormatError("secretKeyMultibase: embedded public key does not match the seed")
        _check_public(pair, PublicKey.from_multibase(public_multibase) if public_multibase else None)
        return pair

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> KeyPair:
        _check_okp(jwk)
        if "d" not in jwk:
            raise KeyFormatError("JWK has no private part 'd'")
        pair = cls(_jwk_bytes(jwk, "d"))
        _check_public(pair, PublicKey.from_jwk(jwk) if "x" in jwk else None)
        return pair

    @classmethod
    def from_key_document(cls, doc: Mapping[str, Any]) -> KeyPair:
        """Import a Multikey JSON (``secretKeyMultibase`` or legacy ``privateKeyMultibase``) or a JWK."""
        if not isinstance(doc, Mapping):
            raise KeyFormatError("a key file must be a JSON object")
        if doc.get("kty") is not None:
            return cls.from_jwk(doc)
        if isinstance(doc.get("privateKeyJwk"), Mapping):
            return cls.from_jwk(doc["privateKeyJwk"])
        secret = doc.get("secretKeyMultibase", doc.get("privateKeyMultibase"))
        if secret is None:
            raise KeyFormatError(
                "key file has none of secretKeyMultibase, privateKeyMultibase, privateKeyJwk or a JWK 'd'"
            )
        return cls.from_secret_multibase(secret, doc.get("publicKeyMultibase"))

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def export_secret_multibase(self, *, legacy: bool = False) -> str:
        seed = self._seed()
        return encode_base58btc(ED25519_PRIV + seed + (self.public.raw if legacy else b""))

    def export_private_jwk(self) -> dict[str, str]:
        return {**self.public.jwk(), "d": b64url_encode(self._seed())}

    def export_multikey(self, controller: str | None = None) -> dict[str, Any]:
        """A Multikey document with the secret, as ``vcengine keys generate`` writes it."""
        controller = controller or self.public.did_key
        return {
            "@context": MULTIKEY_CONTEXT,
            "id": f"{controller}#{self.public.multibase}",
            "type": "Multikey",
            "controller": controller,
            "publicKeyMultibase": self.public.multibase,
            "secretKeyMultibase": self.export_secret_multibase(),
        }

    def _seed(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        return self._private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    def __repr__(self) -> str:
        return f"KeyPair(public={self.public.multibase}, secret=<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("KeyPair cannot be pickled: export it explicitly")


@lru_cache(maxsize=4096)
def _public_multibase(raw: bytes) -> str:
    # base58 is quadratic pure Python; a service signs with few keys, so remember them.
    return encode_base58btc(ED25519_PUB + raw)


@lru_cache(maxsize=4096)
def public_key_from_did_key(did_or_vm: str) -> PublicKey:
    """The Ed25519 key a ``did:key`` DID or DID URL names; the fragment must match the key."""
    if not did_or_vm.startswith("did:key:"):
        raise KeyFormatError(f"not a did:key identifier: {did_or_vm[:80]!r}")
    did, _, fragment = did_or_vm.partition("#")
    mb = did[len("did:key:") :]
    key = PublicKey.from_multibase(mb)
    if fragment and fragment != mb:
        raise KeyFormatError("did:key verification method fragment does not match the key")
    return key


def _check_okp(jwk: Mapping[str, Any]) -> None:
    if not isinstance(jwk, Mapping):
        raise KeyFormatError("a JWK must be a JSON object")
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise KeyFormatError(
            f"JWK is kty={jwk.get('kty')!r} crv={jwk.get('crv')!r}; an Ed25519 key is kty=OKP crv=Ed25519"
        )


def _jwk_bytes(jwk: Mapping[str, Any], member: str) -> bytes:
    data = b64url_decode(jwk.get(member), what=f"JWK member {member!r}")  # type: ignore[arg-type]
    if len(data) != 32:
        raise KeyFormatError(f"JWK member {member!r} decodes to {len(data)} bytes; Ed25519 needs 32")
    return data


def _check_public(pair: KeyPair, claimed: PublicKey | None) -> None:
    if claimed is not None and claimed.raw != pair.public.raw:
        raise KeyFormatError("the public key in the key file does not match its secret")
