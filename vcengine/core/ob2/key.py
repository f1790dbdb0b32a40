"""The OB 2.0 CryptographicKey: a public key in PEM, with the Profile that ``owner``s it.

https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#CryptographicKey —
"There should be a two-way connection between this Profile and the CryptographicKey through
the ``owner`` and ``publicKey`` properties." Keys are RSA (at least 2048 bits; OB 2.0
recommends RS256) or EC P-256 (ES256). A document carrying a private key is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from vcengine.core.ob2.assertion import is_iri
from vcengine.core.ob2.context import check_context, has_type
from vcengine.errors import InputError, UnsupportedError

if TYPE_CHECKING:
    from jwcrypto import jwk as jose_jwk

__all__ = ["MIN_RSA_BITS", "CryptographicKey", "parse_key"]

MIN_RSA_BITS = 2048
MAX_PEM_CHARS = 16 * 1024


@dataclass(frozen=True, slots=True)
class CryptographicKey:
    id: str
    owner: str | None
    algorithm: str  # the JWS alg this key verifies: RS256 or ES256
    public_key: jose_jwk.JWK = field(repr=False)


def _public_key(pem: Any) -> tuple[str, jose_jwk.JWK]:
    if not isinstance(pem, str) or not pem.strip() or len(pem) > MAX_PEM_CHARS:
        raise InputError("publicKeyPem must be a PEM-encoded public key")
    if "PRIVATE KEY" in pem:
        raise InputError("publicKeyPem holds a private key; a CryptographicKey publishes only the public key")
    try:
        key = serialization.load_pem_public_key(pem.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError, TypeError):
        raise InputError("publicKeyPem is not a PEM-encoded public key") from None
    except Exception as exc:  # cryptography raises UnsupportedAlgorithm for unknown key types
        raise UnsupportedError(
            f"publicKeyPem holds a key type vcengine does not use ({type(exc).__name__})"
        ) from None
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise UnsupportedError(
                f"the RSA key has {key.key_size} bits; at least {MIN_RSA_BITS} are required"
            )
        algorithm = "RS256"
    elif isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        algorithm = "ES256"
    else:
        raise UnsupportedError(f"{type(key).__name__} keys are not used for OB 2.0 (RSA or EC P-256)")
    from jwcrypto import jwk as jose_jwk  # jwcrypto (~80 ms) loads when a JWS is checked

    return algorithm, jose_jwk.JWK.from_pyca(key)


def parse_key(doc: Any, *, embedded: bool) -> CryptographicKey:
    """Read a CryptographicKey (published at its id, or ``embedded`` in the issuer Profile).

    ``InputError`` when it is not one; ``UnsupportedError`` for a key vcengine does not accept.
    """
    what = "the CryptographicKey"
    if not isinstance(doc, Mapping):
        raise InputError(f"{what} is not a JSON object")
    check_context(doc, what=what, required=not embedded)
    if doc.get("type") is not None and not has_type(doc, ("CryptographicKey",)):
        raise InputError(f"{what}'s type {doc.get('type')!r} does not include CryptographicKey")
    key_id, owner = doc.get("id"), doc.get("owner")
    if not is_iri(key_id):
        raise InputError(f"{what} has no id (an IRI)")
    if owner is not None and not is_iri(owner):
        raise InputError(f"{what}'s owner must be the URL of a Profile")
    algorithm, public_key = _public_key(doc.get("publicKeyPem"))
    return CryptographicKey(id=key_id, owner=owner, algorithm=algorithm, public_key=public_key)
