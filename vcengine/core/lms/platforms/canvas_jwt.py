"""Canvas Live Events, signed form: with "Sign Payload" on, the HTTPS body is a JWT whose claims are
the event (https://developerdocs.instructure.com/services/canvas/data-services/live-events —
"Signing"), signed RS256 by Instructure's keys, published as a JWKS that rotates monthly
(previous, current and next key; the header's ``kid`` picks one).

``read_signed`` checks the compact JWS against the JWKS it is given (the algorithm pinned to
RS256, the key chosen by ``kid``; ``exp``/``nbf`` honoured when present, with ``leeway``) and
returns the claims. The keys are the same for every Canvas customer, so the signature proves the
event comes from Canvas, not from this school: the integration's URL token is still required.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from vcengine.core import jsontext
from vcengine.errors import InputError, JsonError, ResolutionError, SignatureError

__all__ = ["ALGORITHM", "KeyNotInSet", "looks_signed", "read_signed"]

ALGORITHM = "RS256"
_MAX_TOKEN = 64 * 1024


class KeyNotInSet(ResolutionError):
    """The JWKS has no key with the token's ``kid`` (perhaps it rotated: fetch it again)."""


def looks_signed(body: bytes) -> bool:
    """A compact JWS starts with the base64url of ``{"`` — never a JSON body."""
    return body.lstrip().startswith(b"eyJ")


def _b64(part: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise InputError(f"the JWT {what} is not base64url") from None


def read_signed(
    body: bytes, jwks: Mapping[str, Any], now: datetime, leeway: timedelta = timedelta(minutes=5)
) -> Any:
    """The verified claims of the signed Live Event ``body``."""
    token = body.strip().decode("ascii", errors="replace")
    parts = token.split(".")
    if len(parts) != 3 or len(token) > _MAX_TOKEN:
        raise InputError("the body is not a compact JWT")
    try:
        header = jsontext.loads(_b64(parts[0], "header"), max_bytes=4096, max_depth=4)
    except JsonError:
        raise InputError("the JWT header is not JSON") from None
    if not isinstance(header, Mapping) or header.get("alg") != ALGORITHM:
        raise SignatureError(f"the JWT must be signed {ALGORITHM}")
    kid = header.get("kid")
    keys = [k for k in jwks.get("keys", []) if isinstance(k, Mapping) and k.get("kid") == kid]
    if not kid or not keys:
        raise KeyNotInSet(f"the JWKS has no key {kid!r}")
    _verify(token, keys[0])
    claims = jsontext.loads(_b64(parts[1], "payload"), max_bytes=_MAX_TOKEN, max_depth=16)
    if isinstance(claims, Mapping):
        _check_times(claims, now, leeway)
    return claims


def _verify(token: str, key: Mapping[str, Any]) -> None:
    from jwcrypto import jwk, jws  # loaded when a signed event arrives

    if key.get("kty") != "RSA":
        raise SignatureError("the JWKS key is not an RSA key")
    try:
        public = jwk.JWK(**{k: v for k, v in key.items() if k in ("kty", "n", "e", "kid")})
        signed = jws.JWS()
        signed.deserialize(token)
        signed.verify(public, alg=ALGORITHM)
    except jws.InvalidJWSSignature:
        raise SignatureError("the JWT signature does not match") from None
    except Exception as exc:  # jwcrypto's parse errors: a token that cannot be checked is refused
        raise SignatureError(f"the JWT could not be verified ({type(exc).__name__})") from None


def _check_times(claims: Mapping[str, Any], now: datetime, leeway: timedelta) -> None:
    stamp = now.timestamp()
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if isinstance(exp, int | float) and stamp > exp + leeway.total_seconds():
        raise SignatureError("the JWT has expired")
    if isinstance(nbf, int | float) and stamp < nbf - leeway.total_seconds():
        raise SignatureError("the JWT is not valid yet")
