"""Integrity of related resources: ``digestSRI`` and ``digestMultibase`` values (VCDM 2.0 §5.3).

https://www.w3.org/TR/vc-data-model-2.0/#integrity-of-related-resources

- ``digestSRI``: one or more Subresource Integrity hash-expressions
  (https://www.w3.org/TR/SRI/#the-integrity-attribute): ``sha256-``, ``sha384-`` or ``sha512-``
  followed by the standard base64 of the digest, optionally ``?options``; several are separated
  by white space (or given as an array).
- ``digestMultibase``: one or more multibase-encoded multihashes (VC Data Integrity §2.6
  https://www.w3.org/TR/vc-data-integrity/#resource-integrity): base64url-nopad ``u`` or base58btc
  ``z`` of ``varint(code) varint(length) digest`` with a SHA-2 or SHA-3 code.

:func:`digest_problems` answers what is wrong with one related-resource object; for a JSON-LD
context that vcengine bundles it also recomputes every digest over the bundled bytes (the bytes
the context URL serves; see contexts/index.json) and reports each that does not match.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from vcengine.core.contexts import bundled_contexts
from vcengine.core.multibase import b64url_encode, decode_base58btc
from vcengine.errors import InputError, KeyFormatError

__all__ = ["Digest", "digest_problems", "parse_digest_multibase", "parse_digest_sri"]

#: (algorithm, digest bytes), the algorithm named as hashlib names it.
Digest = tuple[str, bytes]

_SRI_ALGORITHMS = {"sha256": 32, "sha384": 48, "sha512": 64}
_SRI = re.compile(r"(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?[\x21-\x7e]*)?")
# Multihash codes of the SHA-2 and SHA-3 functions (multicodec table), with their lengths.
_MULTIHASH = {
    0x12: ("sha256", 32),
    0x20: ("sha384", 48),
    0x13: ("sha512", 64),
    0x16: ("sha3_256", 32),
    0x15: ("sha3_384", 48),
    0x14: ("sha3_512", 64),
}
_MAX_DIGESTS = 16


def _values(value: Any, what: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or len(items) > _MAX_DIGESTS or not all(isinstance(v, str) and v for v in items):
        raise InputError(f"{what} must be a non-empty string or an array of at most {_MAX_DIGESTS} of them")
    return items


def parse_digest_sri(value: Any) -> list[Digest]:
    """The digests of a ``digestSRI`` value; InputError naming what is malformed."""
    digests: list[Digest] = []
    for text in _values(value, "digestSRI"):
        for expression in text.split():
            match = _SRI.fullmatch(expression)
            if match is None:
                raise InputError(f"digestSRI {expression[:60]!r} is not sha256-/sha384-/sha512-<base64>")
            algorithm, encoded = match.group(1), match.group(2)
            try:
                digest = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise InputError(f"digestSRI {expression[:60]!r} is not valid base64") from None
            if len(digest) != _SRI_ALGORITHMS[algorithm]:
                raise InputError(f"digestSRI {expression[:60]!r} is not a {algorithm} digest (wrong length)")
            digests.append((algorithm, digest))
    if not digests or len(digests) > _MAX_DIGESTS:
        raise InputError(f"digestSRI must hold 1 to {_MAX_DIGESTS} hash expressions")
    return digests


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    for index in range(at, min(at + 9, len(data))):
        byte = data[index]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, index + 1
        shift += 7
    raise InputError("digestMultibase is not a multihash (bad varint)")


def parse_digest_multibase(value: Any) -> list[Digest]:
    """The digests of a ``digestMultibase`` value; InputError naming what is malformed."""
    digests: list[Digest] = []
    for text in _values(value, "digestMultibase"):
        if len(text) > 200:
            raise InputError("digestMultibase is too long")
        try:
            if text.startswith("u"):
                data = base64.urlsafe_b64decode(text[1:] + "=" * (-len(text[1:]) % 4))
                if b64url_encode(data) != text[1:]:
                    raise ValueError("not canonical base64url-nopad")
            elif text.startswith("z"):
                data = decode_base58btc(text, what="digestMultibase")
            else:
                raise InputError(
                    f"digestMultibase {text[:60]!r} must be base64url-nopad (u) or base58btc (z)"
                )
        except (binascii.Error, ValueError, KeyFormatError):
            raise InputError(f"digestMultibase {text[:60]!r} is not valid multibase") from None
        code, at = _varint(data, 0)
        length, at = _varint(data, at)
        known = _MULTIHASH.get(code)
        if known is None:
            raise InputError(
                f"digestMultibase uses multihash code {code:#x}; only SHA-2 and SHA-3 are allowed"
            )
        algorithm, size = known
        if length != size or len(data) - at != size:
            raise InputError(f"digestMultibase {text[:60]!r} is not a {algorithm} multihash (wrong length)")
        digests.append((algorithm, data[at:]))
    return digests


@cache
def _bundled_digest(url: str, algorithm: str) -> bytes:
    return hashlib.new(algorithm, bundled_contexts().raw_bytes(url)).digest()


def _expected(name: str, algorithm: str, digest: bytes) -> str:
    if name == "digestSRI":
        return f"{algorithm}-{base64.b64encode(digest).decode()}"
    code = next(c for c, (alg, _) in _MULTIHASH.items() if alg == algorithm)
    return "u" + b64url_encode(bytes([code, len(digest)]) + digest)


def digest_problems(resource: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """What is wrong with the digests of one relatedResource object, as (member, message,
    mismatch): ``mismatch`` is True for a well-formed digest that does not match a bundled
    context, False for a missing or malformed digest."""
    problems: list[tuple[str, str, bool]] = []
    present = [name for name in ("digestSRI", "digestMultibase") if name in resource]
    if not present:
        return [("digestSRI", "a related resource needs a digestSRI or a digestMultibase", False)]
    url = resource.get("id")
    bundled = isinstance(url, str) and url in bundled_contexts().urls
    for name in present:
        try:
            parsed = (parse_digest_sri if name == "digestSRI" else parse_digest_multibase)(resource[name])
        except InputError as exc:
            problems.append((name, exc.message, False))
            continue
        if not bundled:
            continue
        for algorithm, digest in parsed:
            actual = _bundled_digest(str(url), algorithm)
            if digest != actual:
                expected = _expected(name, algorithm, actual)
                problems.append(
                    (
                        name,
                        f"{name} does not match the {algorithm} of the bundled context {url} ({expected})",
                        True,
                    )
                )
    return problems
