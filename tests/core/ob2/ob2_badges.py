"""An OB 2.0 issuer made for the tests: its Profile, BadgeClass, CryptographicKey and
RevocationList published under one base URL, a fresh RSA (or EC P-256) key, and assertions
hosted or signed (compact JWS, RS256/ES256) with jwcrypto."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwcrypto import jwk, jws

from vcengine.core.ob2 import OB2_CONTEXT, identity_hash

__all__ = ["RECIPIENT", "SALT", "Ob2Issuer", "rsa_key"]

RECIPIENT = "ada@example.com"
SALT = "s4lt"


@cache
def rsa_key(bits: int = 2048, n: int = 0) -> rsa.RSAPrivateKey:
    """A test RSA key, generated once per (bits, n) for the whole test session."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@cache
def ec_key(n: int = 0) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def pem(private: Any) -> str:
    return str(
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


class Ob2Issuer:
    """The documents of one OB 2.0 issuer at ``base`` (``{base}/issuer.json`` …)."""

    def __init__(self, base: str = "https://badges.example", *, alg: str = "RS256", key: int = 0) -> None:
        self.base = base.rstrip("/")
        self.alg = alg
        self.private: Any = rsa_key(2048, key) if alg == "RS256" else ec_key(key)
        self.issuer_id = f"{self.base}/issuer.json"
        self.key_id = f"{self.base}/key.json"
        self.badge_id = f"{self.base}/badge.json"
        self.list_id = f"{self.base}/revocations.json"
        self.revoked: list[Any] = []

    # --- published documents -------------------------------------------------------------

    def issuer(self, **changes: Any) -> dict[str, Any]:
        doc = {
            "@context": OB2_CONTEXT,
            "type": "Issuer",
            "id": self.issuer_id,
            "name": "Example Maker Society",
            "url": self.base,
            "email": "contact@badges.example",
            "publicKey": self.key_id,
            "revocationList": self.list_id,
        }
        return _apply(doc, changes)

    def badge(self, **changes: Any) -> dict[str, Any]:
        doc = {
            "@context": OB2_CONTEXT,
            "type": "BadgeClass",
            "id": self.badge_id,
            "name": "3-D Printmaster",
            "description": "Awarded for passing the 3-D printing knowledge and safety test.",
            "image": f"{self.base}/badge.png",
            "criteria": {"narrative": "Pass the paper test and a supervised evaluation."},
            "issuer": self.issuer_id,
        }
        return _apply(doc, changes)

    def key(self, **changes: Any) -> dict[str, Any]:
        doc = {
            "@context": OB2_CONTEXT,
            "type": "CryptographicKey",
            "id": self.key_id,
            "owner": self.issuer_id,
            "publicKeyPem": pem(self.private),
        }
        return _apply(doc, changes)

    def revocation_list(self) -> dict[str, Any]:
        return {
            "@context": OB2_CONTEXT,
            "type": "RevocationList",
            "id": self.list_id,
            "issuer": self.issuer_id,
            "revokedAssertions": list(self.revoked),
        }

    def documents(self, *assertions: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Every published document by URL, plus the given (hosted) assertions at their ids."""
        docs = {d["id"]: d for d in (self.issuer(), self.badge(), self.key(), self.revocation_list())}
        docs.update({a["id"]: a for a in assertions})
        return docs

    # --- assertions -----------------------------------------------------------------------

    def assertion(
        self, number: int = 1, *, signed: bool = False, recipient: str = RECIPIENT, **changes: Any
    ) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "@context": OB2_CONTEXT,
            "type": "Assertion",
            "id": f"urn:uuid:2f1f7a4e-0000-4000-8000-{number:012d}"
            if signed
            else f"{self.base}/assertions/{number}.json",
            "recipient": {
                "type": "email",
                "hashed": True,
                "salt": SALT,
                "identity": identity_hash(recipient, SALT, "sha256"),
            },
            "badge": self.badge_id,
            "issuedOn": "2024-01-01T00:00:00Z",
            "verification": {"type": "SignedBadge", "creator": self.key_id} if signed else {"type": "hosted"},
        }
        return _apply(doc, changes)

    def sign(
        self, assertion: dict[str, Any], *, private: Any = None, header: dict[str, Any] | None = None
    ) -> str:
        key = jwk.JWK.from_pyca(private or self.private)
        token = jws.JWS(json.dumps(assertion).encode())
        token.add_signature(key, alg=None, protected=json.dumps(header or {"alg": self.alg, "typ": "JWT"}))
        return str(token.serialize(compact=True))


def _apply(doc: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` set members; a value of ``None`` removes the member."""
    out = copy.deepcopy(doc)
    for name, value in changes.items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out


# --- baked images (OB 2.0 Baking: PNG iTXt "openbadges", SVG <openbadges:assertion>) --------


def ob2_png(text: str) -> bytes:
    """A PNG baked the OB 2.0 way: an uncompressed iTXt chunk with the keyword ``openbadges``."""
    import io

    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadges", text, zip=False)
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def ob2_svg(text: str) -> bytes:
    """An SVG baked the OB 2.0 way: a signed assertion in ``verify``, JSON in CDATA."""
    if text.lstrip().startswith("{"):
        url = json.loads(text)["id"]
        element = f'<openbadges:assertion verify="{url}"><![CDATA[{text}]]></openbadges:assertion>'
    else:
        element = f'<openbadges:assertion verify="{text}"/>'
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org" width="4">'
        f"{element}<rect width='4' height='4'/></svg>"
    ).encode()
