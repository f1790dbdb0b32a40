"""digestSRI and digestMultibase: parsed strictly, and checked against the bundled contexts' bytes
(digests computed here independently, from the files on disk)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import base58
import pytest

from vcengine.core.contexts import CONTEXTS_DIR, VC_V2_CONTEXT, bundled_contexts
from vcengine.core.resource_integrity import digest_problems, parse_digest_multibase, parse_digest_sri
from vcengine.errors import InputError

V2_BYTES = (CONTEXTS_DIR / "credentials-v2.jsonld").read_bytes()
CODES = {"sha256": 0x12, "sha384": 0x20, "sha512": 0x13, "sha3_256": 0x16, "sha3_384": 0x15, "sha3_512": 0x14}


def sri(data: bytes, algorithm: str = "sha384") -> str:
    return f"{algorithm}-{base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


def multibase(data: bytes, algorithm: str = "sha256", base: str = "u") -> str:
    digest = hashlib.new(algorithm, data).digest()
    multihash = bytes([CODES[algorithm], len(digest)]) + digest
    if base == "z":
        return "z" + base58.b58encode(multihash).decode()
    return "u" + base64.urlsafe_b64encode(multihash).rstrip(b"=").decode()


def test_the_v2_context_digest_is_the_one_the_spec_publishes() -> None:
    # VCDM 2.0 Appendix B.1 publishes the SHA-256 of https://www.w3.org/ns/credentials/v2
    expected = "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
    assert hashlib.sha256(V2_BYTES).hexdigest() == expected


@pytest.mark.parametrize("algorithm", ["sha256", "sha384", "sha512"])
def test_sri_digests_of_a_bundled_context_match(algorithm: str) -> None:
    resource = {"id": VC_V2_CONTEXT, "digestSRI": sri(V2_BYTES, algorithm)}
    assert digest_problems(resource) == []
    assert parse_digest_sri(resource["digestSRI"]) == [(algorithm, hashlib.new(algorithm, V2_BYTES).digest())]


@pytest.mark.parametrize("algorithm", sorted(CODES))
@pytest.mark.parametrize("base", ["u", "z"])
def test_multibase_digests_of_a_bundled_context_match(algorithm: str, base: str) -> None:
    assert (
        digest_problems({"id": VC_V2_CONTEXT, "digestMultibase": multibase(V2_BYTES, algorithm, base)}) == []
    )


def test_every_bundled_context_checks_against_its_own_bytes() -> None:
    index = bundled_contexts()
    for url in sorted(index.urls):
        data = index.raw_bytes(url)
        assert digest_problems({"id": url, "digestSRI": sri(data), "digestMultibase": multibase(data)}) == []


def test_a_digest_of_other_bytes_is_a_mismatch_that_says_the_right_value() -> None:
    problems = digest_problems({"id": VC_V2_CONTEXT, "digestSRI": sri(V2_BYTES + b" ")})
    assert len(problems) == 1
    member, message, mismatch = problems[0]
    assert member == "digestSRI" and mismatch
    assert sri(V2_BYTES) in message  # tells the issuer the digest that would match
    problems = digest_problems({"id": VC_V2_CONTEXT, "digestMultibase": multibase(b"tampered")})
    assert problems[0][2] and multibase(V2_BYTES) in problems[0][1]


def test_every_listed_digest_must_match() -> None:
    both = f"{sri(V2_BYTES, 'sha256')} {sri(b'other', 'sha512')}"
    assert [p[2] for p in digest_problems({"id": VC_V2_CONTEXT, "digestSRI": both})] == [True]
    assert digest_problems({"id": VC_V2_CONTEXT, "digestSRI": [sri(V2_BYTES), sri(V2_BYTES, "sha512")]}) == []


def test_a_resource_vcengine_does_not_bundle_is_checked_for_form_only() -> None:
    url = "https://example.org/image.png"
    assert digest_problems({"id": url, "digestSRI": sri(b"any bytes")}) == []
    assert digest_problems({"id": url, "digestMultibase": multibase(b"any bytes", "sha3_384", "z")}) == []


def test_sri_options_are_allowed() -> None:
    assert (
        digest_problems({"id": VC_V2_CONTEXT, "digestSRI": sri(V2_BYTES) + "?ct=application/ld+json"}) == []
    )


BAD_SRI: list[Any] = [
    "",
    "sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=",  # SRI allows sha256/384/512 only
    "md5-1B2M2Y8AsgTpgAmY7PhCfg==",
    "sha256-not base64!",
    "sha256-AAAA",  # wrong length
    "sha384 " + "A" * 64,
    5,
    [],
    [5],
    {"sha256": "x"},
]


@pytest.mark.parametrize("value", BAD_SRI)
def test_malformed_sri_is_refused(value: Any) -> None:
    with pytest.raises(InputError):
        parse_digest_sri(value)
    problems = digest_problems({"id": VC_V2_CONTEXT, "digestSRI": value})
    assert problems and not problems[0][2]


BAD_MULTIBASE: list[Any] = [
    "",
    "EiB" + "A" * 40,  # no multibase prefix
    "mEiBZlVztZpfWHgPx8uVW/uUwirZ4QoRvW1uF/x963JMnJw",  # base64 with padding (m): not u or z
    "u" + base64.urlsafe_b64encode(bytes([0x11, 20]) + bytes(20)).rstrip(b"=").decode(),  # sha1
    "u" + base64.urlsafe_b64encode(bytes([0x12, 32]) + bytes(31)).rstrip(b"=").decode(),  # short
    "u" + base64.urlsafe_b64encode(bytes([0x12, 31]) + bytes(31)).rstrip(b"=").decode(),  # length lies
    "u" + base64.urlsafe_b64encode(hashlib.sha256(b"x").digest()).rstrip(b"=").decode(),  # no multihash
    "u!!!",
    "z0OIl",
    "u" + "A" * 300,
    7,
    [],
]


@pytest.mark.parametrize("value", BAD_MULTIBASE)
def test_malformed_multibase_is_refused(value: Any) -> None:
    with pytest.raises(InputError):
        parse_digest_multibase(value)
    problems = digest_problems({"id": VC_V2_CONTEXT, "digestMultibase": value})
    assert problems and not problems[0][2]


def test_a_related_resource_needs_a_digest() -> None:
    assert digest_problems({"id": VC_V2_CONTEXT})[0][:2] == (
        "digestSRI",
        "a related resource needs a digestSRI or a digestMultibase",
    )
