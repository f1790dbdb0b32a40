"""VC-JWT (OB 3.0 §8.2): vectors, tampering, algorithm confusion, key binding, clock, junk input."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jwcrypto import jwk as jose_jwk
from jwcrypto import jws as jose_jws

from vcengine.core.keys import KeyPair
from vcengine.core.proofs.vc_jwt import JwtVerification, decode, sign, verify
from vcengine.core.resolve import OfflineResolver, ResolvedKey
from vcengine.errors import InputError, JwtFormatError, ResolutionError, SchemaError

VECTORS = Path(__file__).resolve().parents[3] / "conformance" / "vectors"
SELFGEN = VECTORS / "vc-jwt" / "ob3-vcjwt-eddsa-selfgen"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
JWT_CLAIMS = ("iss", "sub", "nbf", "exp", "jti")
OB3_ISSUER = "https://example.edu/issuers/565049"


def _token(path: str) -> str:
    return (VECTORS / path).read_text().strip()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _raw_token(header: dict[str, Any], payload: dict[str, Any], key: KeyPair) -> str:
    """A compact JWS with exactly this header and payload, Ed25519-signed (whatever alg says)."""
    signing_input = _b64(_json(header)) + "." + _b64(_json(payload))
    return signing_input + "." + _b64(key.sign(signing_input.encode()))


def _outcomes(result: JwtVerification) -> dict[str, str]:
    return {c.name: c.outcome for c in result.checks}


@pytest.fixture(scope="module")
def selfgen() -> dict[str, Any]:
    vector: dict[str, Any] = json.loads(SELFGEN.with_suffix(".json").read_text())
    return vector


@pytest.fixture(scope="module")
def impl_guide_key(selfgen: dict[str, Any]) -> KeyPair:
    keys = json.loads((VECTORS / "keys" / "ed25519-test-keys-derived.json").read_text())
    seed = keys["1edtech_ob_impl_guide_testkey"]["seed_hex"]
    assert seed == selfgen["private_key_seed_hex"]
    return KeyPair.from_seed(bytes.fromhex(seed))


@pytest.fixture(scope="module")
def other_key() -> KeyPair:
    return KeyPair.from_seed(hashlib.sha256(b"another key").digest())


@pytest.fixture()
def credential(selfgen: dict[str, Any]) -> dict[str, Any]:
    """The selfgen vector's credential: its payload without the JWT claims."""
    return {k: v for k, v in selfgen["jwt_payload"].items() if k not in JWT_CLAIMS}


def _did_key_credential(credential: dict[str, Any], key: KeyPair) -> dict[str, Any]:
    return {**credential, "issuer": {**credential["issuer"], "id": key.public.did_key}}


class _Resolver:
    """A KeyResolver around a plain function; it knows no controller documents."""

    def __init__(self, resolve: Callable[[str], ResolvedKey]) -> None:
        self._resolve = resolve

    def __call__(self, verification_method: str) -> ResolvedKey:
        return self._resolve(verification_method)

    def authorizes(self, controller: str, verification_method: str, relationship: str) -> bool | None:
        return None


def _rsa_jwk() -> jose_jwk.JWK:
    return jose_jwk.JWK.generate(kty="RSA", size=2048)


# --------------------------------------------------------------------------------------------
# sign


def test_sign_reproduces_the_selfgen_token_byte_for_byte(
    selfgen: dict[str, Any], impl_guide_key: KeyPair, credential: dict[str, Any]
) -> None:
    token = sign(credential, impl_guide_key, embed_jwk=True)
    assert token == SELFGEN.with_suffix(".jwt").read_text().strip() == selfgen["compact_jws"]


def test_sign_is_deterministic_and_never_mutates(impl_guide_key: KeyPair, credential: dict[str, Any]) -> None:
    before = copy.deepcopy(credential)
    assert sign(credential, impl_guide_key) == sign(credential, impl_guide_key)
    assert credential == before


def test_sign_defaults_kid_to_the_did_key_verification_method(
    impl_guide_key: KeyPair, credential: dict[str, Any]
) -> None:
    decoded = decode(sign(credential, impl_guide_key))
    assert dict(decoded.header) == {
        "alg": "EdDSA",
        "typ": "JWT",
        "kid": impl_guide_key.public.did_key_verification_method,
    }
    assert "iat" not in decoded.payload
    assert decoded.form == "vcdm2"
    assert decoded.credential == credential


def test_sign_with_explicit_kid_and_issued_at(impl_guide_key: KeyPair, credential: dict[str, Any]) -> None:
    at = datetime(2024, 4, 4, 12, 0, 38, tzinfo=UTC)
    decoded = decode(sign(credential, impl_guide_key, kid="https://example.edu/keys/1", issued_at=at))
    assert decoded.header["kid"] == "https://example.edu/keys/1"
    assert decoded.payload["iat"] == int(at.timestamp())


def test_sign_vc_1_1_uses_the_vc_claim(impl_guide_key: KeyPair) -> None:
    legacy = json.loads(_unb64(_token("1edtech-validator/ob30/simple.jwt").split(".")[1]))["vc"]
    decoded = decode(sign(legacy, impl_guide_key))
    assert decoded.form == "vc-claim"
    assert decoded.credential == legacy
    assert {k: v for k, v in decoded.payload.items() if k != "vc"} == {
        "iss": "https://example.edu/issuers/565049",
        "sub": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "nbf": 1262304000,
        "jti": "http://example.edu/credentials/3732",
    }


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c.pop("issuer"),
        lambda c: c.update(issuer={"type": ["Profile"]}),
        lambda c: c.update(iss="x"),
        lambda c: c.update(validFrom="yesterday"),
        lambda c: c.update(name=float("nan")),
    ],
)
def test_sign_refuses_credentials_it_cannot_map(
    impl_guide_key: KeyPair, credential: dict[str, Any], change: Any
) -> None:
    change(credential)
    with pytest.raises(SchemaError):
        sign(credential, impl_guide_key)


def test_sign_refuses_kid_with_embed_jwk_and_naive_issued_at(
    impl_guide_key: KeyPair, credential: dict[str, Any]
) -> None:
    with pytest.raises(InputError):
        sign(credential, impl_guide_key, kid="x", embed_jwk=True)
    with pytest.raises(InputError):
        sign(credential, impl_guide_key, issued_at=datetime(2024, 1, 1))


# --------------------------------------------------------------------------------------------
# Vectors


@pytest.mark.parametrize(
    ("path", "alg", "form"),
    [
        ("vc-jwt/ob3-vcjwt-eddsa-selfgen.jwt", "EdDSA", "vcdm2"),
        ("vc-jwt/simple-jwt-from-1edtech-validator.jwt", "RS256", "vcdm2"),
        ("vc-jwt/simple-jwt_v1-from-1edtech-validator.jwt", "RS256", "vc-claim"),
        ("1edtech-validator/clr20/simple.jwt", "RS256", "vc-claim"),
    ],
)
def test_vectors_with_a_jwk_header_verify_but_stay_unbound(path: str, alg: str, form: str) -> None:
    result = verify(_token(path), OfflineResolver(), now=NOW)
    assert result.token.header["alg"] == alg
    assert result.token.form == form
    outcomes = _outcomes(result)
    assert outcomes.pop("signature") == "pass"
    # The key travels with the token: nothing ties it to the issuer, so never "pass".
    assert outcomes.pop("key_binding") == "indeterminate"
    assert set(outcomes.values()) == {"pass"}
    assert result.outcome == "indeterminate"
    assert not result.verified


def test_1edtech_validator_jwt_carries_the_subject_in_aud() -> None:
    result = verify(_token("vc-jwt/simple-jwt-from-1edtech-validator.jwt"), OfflineResolver(), now=NOW)
    assert "sub" not in result.token.payload
    assert result.check("sub").outcome == "pass"
    assert "aud" in result.check("sub").reason
    assert "iat" not in result.credential and "aud" not in result.credential


def test_jwk_header_bound_through_the_resolver_passes(selfgen: dict[str, Any]) -> None:
    issuer_key = {**selfgen["public_jwk"], "controller": OB3_ISSUER}
    resolver = OfflineResolver({OB3_ISSUER: issuer_key})
    result = verify(_token("vc-jwt/ob3-vcjwt-eddsa-selfgen.jwt"), resolver, now=NOW)
    assert result.check("key_binding").outcome == "pass"
    assert result.verified


def test_jwk_header_bound_by_thumbprint_passes(selfgen: dict[str, Any]) -> None:
    keys = json.loads((VECTORS / "keys" / "ed25519-test-keys-derived.json").read_text())
    urn = keys["1edtech_ob_impl_guide_testkey"]["jwk_thumbprint_uri"]
    resolver = OfflineResolver({urn: {**selfgen["public_jwk"], "controller": OB3_ISSUER}})
    assert verify(_token("vc-jwt/ob3-vcjwt-eddsa-selfgen.jwt"), resolver, now=NOW).verified


def test_jwk_header_with_a_different_issuer_key_is_not_bound(other_key: KeyPair) -> None:
    resolver = OfflineResolver({OB3_ISSUER: {**other_key.public.jwk(), "controller": OB3_ISSUER}})
    result = verify(_token("vc-jwt/ob3-vcjwt-eddsa-selfgen.jwt"), resolver, now=NOW)
    assert result.check("key_binding").outcome == "indeterminate"
    assert "different key" in result.check("key_binding").reason


def test_ob30_simple_jwt_has_no_key_anywhere_so_it_is_indeterminate() -> None:
    # No kid, no jwk, and its RSA key is not among the vectors: nothing can be passed.
    token = _token("1edtech-validator/ob30/simple.jwt")
    with pytest.raises(JwtFormatError, match="neither 'kid' nor 'jwk'"):
        decode(token)
    result = verify(token, OfflineResolver(), now=NOW)
    assert result.token.form == "vc-claim"
    assert result.check("signature").outcome == "indeterminate"
    assert result.check("key_binding").outcome == "indeterminate"
    assert "pass" not in _outcomes(result).values()


def test_ob30_simple_jwt_with_a_wrong_issuer_key_fails() -> None:
    rsa = _token("vc-jwt/simple-jwt_v1-from-1edtech-validator.jwt")  # same issuer id, another key
    resolver = OfflineResolver({"https://example.edu/issuers/565049": decode(rsa).header["jwk"]})
    result = verify(_token("1edtech-validator/ob30/simple.jwt"), resolver, now=NOW)
    assert result.check("signature").outcome == "fail"
    assert "pass" not in _outcomes(result).values()


def test_token_without_kid_or_jwk_verifies_with_the_issuers_key(
    impl_guide_key: KeyPair, credential: dict[str, Any]
) -> None:
    payload = decode(sign(credential, impl_guide_key)).payload
    token = _raw_token({"alg": "EdDSA", "typ": "JWT"}, dict(payload), impl_guide_key)
    resolver = OfflineResolver({OB3_ISSUER: impl_guide_key.public.jwk()})
    assert verify(token, resolver, now=NOW).verified


# --------------------------------------------------------------------------------------------
# kid and key binding


def test_did_key_issuer_round_trip_passes_every_check(
    impl_guide_key: KeyPair, credential: dict[str, Any]
) -> None:
    token = sign(_did_key_credential(credential, impl_guide_key), impl_guide_key)
    result = verify(token, OfflineResolver(), now=NOW)
    assert set(_outcomes(result).values()) == {"pass"}
    assert result.verified


def test_kid_naming_another_key_fails(
    impl_guide_key: KeyPair, other_key: KeyPair, credential: dict[str, Any]
) -> None:
    cred = _did_key_credential(credential, other_key)
    token = sign(cred, impl_guide_key, kid=other_key.public.did_key_verification_method)
    result = verify(token, OfflineResolver(), now=NOW)
    assert result.check("signature").outcome == "fail"
    assert result.outcome == "fail"
    assert "pass" not in _outcomes(result).values()


def test_kid_controlled_by_someone_else_fails_binding(
    impl_guide_key: KeyPair, credential: dict[str, Any]
) -> None:
    result = verify(sign(credential, impl_guide_key), OfflineResolver(), now=NOW)
    assert result.check("signature").outcome == "pass"
    assert result.check("key_binding").outcome == "fail"
    assert "not the issuer" in result.check("key_binding").reason


def test_unresolvable_kid_is_indeterminate(impl_guide_key: KeyPair, credential: dict[str, Any]) -> None:
    token = sign(credential, impl_guide_key, kid="https://example.edu/keys/unknown")
    result = verify(token, OfflineResolver(), now=NOW)
    assert result.check("signature").outcome == "indeterminate"
    assert result.check("key_binding").outcome == "indeterminate"
    assert result.outcome == "indeterminate"


def test_kid_resolved_from_a_document_with_controller(
    impl_guide_key: KeyPair, credential: dict[str, Any]
) -> None:
    kid = "https://example.edu/issuers/565049#key-1"
    doc = {"id": kid, "controller": OB3_ISSUER, "publicKeyJwk": impl_guide_key.public.jwk()}
    result = verify(sign(credential, impl_guide_key, kid=kid), OfflineResolver({kid: doc}), now=NOW)
    assert result.verified


def test_kid_not_listed_under_assertion_method_fails(
    impl_guide_key: KeyPair, credential: dict[str, Any]
) -> None:
    kid = "https://example.edu/issuers/565049#key-1"

    def resolver(vm: str) -> ResolvedKey:
        if vm != kid:
            raise ResolutionError("unknown")
        return ResolvedKey(kid, OB3_ISSUER, impl_guide_key.public.jwk(), frozenset({"authentication"}))

    result = verify(sign(credential, impl_guide_key, kid=kid), _Resolver(resolver), now=NOW)
    assert result.check("key_binding").outcome == "fail"


def test_es256_with_kid(credential: dict[str, Any]) -> None:
    kid = "https://example.edu/issuers/565049#p256"
    ec = jose_jwk.JWK.generate(kty="EC", crv="P-256")
    payload = {**credential, "iss": OB3_ISSUER, "sub": credential["credentialSubject"]["id"]}
    payload |= {"nbf": 1262304000, "exp": 1893456000, "jti": credential["id"]}
    signer = jose_jws.JWS(_json(payload))
    signer.add_signature(ec, alg="ES256", protected=json.dumps({"alg": "ES256", "typ": "JWT", "kid": kid}))
    doc = {"id": kid, "controller": OB3_ISSUER, "publicKeyJwk": ec.export_public(as_dict=True)}
    result = verify(signer.serialize(compact=True), OfflineResolver({kid: doc}), now=NOW)
    assert result.verified, result.checks


# --------------------------------------------------------------------------------------------
# Tampering and algorithm confusion


@settings(max_examples=40, deadline=None)
@given(position=st.integers(min_value=0, max_value=63), bit=st.integers(min_value=0, max_value=7))
def test_any_flipped_signature_bit_fails(position: int, bit: int) -> None:
    header, payload, signature = _token("vc-jwt/ob3-vcjwt-eddsa-selfgen.jwt").split(".")
    sig = bytearray(_unb64(signature))
    sig[position] ^= 1 << bit
    result = verify(f"{header}.{payload}.{_b64(bytes(sig))}", OfflineResolver(), now=NOW)
    assert result.check("signature").outcome == "fail"
    assert "pass" not in _outcomes(result).values()


@pytest.mark.parametrize(
    "path", ["vc-jwt/ob3-vcjwt-eddsa-selfgen.jwt", "vc-jwt/simple-jwt-from-1edtech-validator.jwt"]
)
def test_one_changed_payload_byte_fails(path: str) -> None:
    header, payload, signature = _token(path).split(".")
    data = _unb64(payload).replace(b"Teamwork Badge", b"Teamwork Badgf")
    result = verify(f"{header}.{_b64(data)}.{signature}", OfflineResolver(), now=NOW)
    assert result.check("signature").outcome == "fail"
    assert result.outcome == "fail"
    assert "pass" not in _outcomes(result).values()


def test_rs256_signature_tamper_fails() -> None:
    header, payload, signature = _token("vc-jwt/simple-jwt-from-1edtech-validator.jwt").split(".")
    sig = bytearray(_unb64(signature))
    sig[100] ^= 0x01
    result = verify(f"{header}.{payload}.{_b64(bytes(sig))}", OfflineResolver(), now=NOW)
    assert result.check("signature").outcome == "fail"


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "HS256", "HS384", "HS512", "hs256"])
def test_alg_none_and_hmac_are_refused(alg: str, credential: dict[str, Any]) -> None:
    header = _b64(_json({"alg": alg, "kid": "https://example.edu/k"}))
    token = f"{header}.{_b64(_json(credential))}.{_b64(b'x' * 32)}"
    with pytest.raises(JwtFormatError, match="refused"):
        verify(token, OfflineResolver(), now=NOW)


def test_hs256_signed_with_the_rsa_public_key_as_secret_is_refused() -> None:
    """The classic confusion attack: HMAC keyed with the bytes of the issuer's public RSA key."""
    original = _token("vc-jwt/simple-jwt-from-1edtech-validator.jwt")
    rsa_jwk = decode(original).header["jwk"]
    secret = jose_jwk.JWK(**rsa_jwk).export_to_pem()
    header = _b64(_json({"alg": "HS256", "jwk": rsa_jwk}))
    payload = original.split(".")[1]
    mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    with pytest.raises(JwtFormatError):
        verify(f"{header}.{payload}.{_b64(mac)}", OfflineResolver(), now=NOW)


def test_eddsa_header_on_an_rsa_key_is_algorithm_confusion(
    impl_guide_key: KeyPair, credential: dict[str, Any]
) -> None:
    rsa_public = _rsa_jwk().export_public(as_dict=True)
    payload = dict(decode(sign(credential, impl_guide_key)).payload)
    token = _raw_token({"alg": "EdDSA", "typ": "JWT", "jwk": rsa_public}, payload, impl_guide_key)
    result = verify(token, OfflineResolver(), now=NOW)
    assert result.check("signature").outcome == "fail"
    assert "algorithm confusion" in result.check("signature").reason
    assert "pass" not in _outcomes(result).values()


def test_rs256_header_on_an_ed25519_key_is_algorithm_confusion(
    impl_guide_key: KeyPair, credential: dict[str, Any]
) -> None:
    payload = dict(decode(sign(credential, impl_guide_key)).payload)
    header = {"alg": "RS256", "typ": "JWT", "kid": impl_guide_key.public.did_key_verification_method}
    result = verify(_raw_token(header, payload, impl_guide_key), OfflineResolver(), now=NOW)
    assert result.check("signature").outcome == "fail"
    assert "algorithm confusion" in result.check("signature").reason


def test_ed25519_alg_name_is_accepted(impl_guide_key: KeyPair, credential: dict[str, Any]) -> None:
    cred = _did_key_credential(credential, impl_guide_key)
    payload = dict(decode(sign(cred, impl_guide_key)).payload)
    header = {"alg": "Ed25519", "typ": "JWT", "kid": impl_guide_key.public.did_key_verification_method}
    assert verify(_raw_token(header, payload, impl_guide_key), OfflineResolver(), now=NOW).verified


def test_unsupported_alg_is_indeterminate(impl_guide_key: KeyPair, credential: dict[str, Any]) -> None:
    cred = _did_key_credential(credential, impl_guide_key)
    payload = dict(decode(sign(cred, impl_guide_key)).payload)
    header = {"alg": "PS256", "kid": impl_guide_key.public.did_key_verification_method}
    result = verify(_raw_token(header, payload, impl_guide_key), OfflineResolver(), now=NOW)
    assert result.check("signature").outcome == "indeterminate"
    assert "pass" not in _outcomes(result).values()


# --------------------------------------------------------------------------------------------
# Claims and the clock


def _signed_with(key: KeyPair, credential: dict[str, Any], **claims: Any) -> str:
    payload = {**decode(sign(credential, key)).payload, **claims}
    header = {"alg": "EdDSA", "typ": "JWT", "kid": key.public.did_key_verification_method}
    return _raw_token(header, {k: v for k, v in payload.items() if v is not None}, key)


@pytest.mark.parametrize(
    ("claims", "check"),
    [
        ({"iss": "https://evil.example/issuer"}, "iss"),
        ({"iss": None}, "iss"),
        ({"sub": "did:example:someone-else"}, "sub"),
        ({"sub": None}, "sub"),
        ({"sub": None, "aud": "did:example:someone-else"}, "sub"),
        ({"jti": "urn:uuid:other"}, "jti"),
        ({"jti": None}, "jti"),
        ({"nbf": 1262304001}, "nbf"),
        ({"nbf": "1262304000"}, "nbf"),
        ({"nbf": None}, "nbf"),
        ({"exp": 1893456001}, "exp"),
        ({"exp": None}, "exp"),
    ],
)
def test_claims_that_disagree_with_the_credential_fail(
    impl_guide_key: KeyPair, credential: dict[str, Any], claims: dict[str, Any], check: str
) -> None:
    cred = _did_key_credential(credential, impl_guide_key)
    result = verify(_signed_with(impl_guide_key, cred, **claims), OfflineResolver(), now=NOW)
    assert result.check("signature").outcome == "pass"
    assert result.check(check).outcome == "fail", result.check(check)
    assert result.outcome == "fail"


def test_vc_jose_cose_typ_does_not_require_the_ob_claims(
    impl_guide_key: KeyPair, credential: dict[str, Any]
) -> None:
    cred = _did_key_credential(credential, impl_guide_key)
    payload = {**cred, "iss": cred["issuer"]["id"]}
    header = {
        "alg": "EdDSA",
        "typ": "vc+jwt",
        "cty": "vc",
        "kid": impl_guide_key.public.did_key_verification_method,
    }
    assert verify(_raw_token(header, payload, impl_guide_key), OfflineResolver(), now=NOW).verified


@pytest.mark.parametrize(
    ("now", "check"),
    [
        (datetime(2009, 12, 31, 23, 59, 59, tzinfo=UTC), "valid_from"),
        (datetime(2030, 1, 1, tzinfo=UTC), "valid_until"),
        (datetime(2031, 6, 1, tzinfo=UTC), "valid_until"),
        (datetime(2030, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=1))), "valid_until"),
    ],
)
def test_clock_outside_the_validity_window_fails(
    impl_guide_key: KeyPair, credential: dict[str, Any], now: datetime, check: str
) -> None:
    token = sign(_did_key_credential(credential, impl_guide_key), impl_guide_key)
    result = verify(token, OfflineResolver(), now=now)
    assert result.check(check).outcome == "fail"
    assert result.outcome == "fail"
    assert {c.name for c in result.checks if c.outcome == "fail"} == {check}


def test_clock_just_inside_the_window_passes(impl_guide_key: KeyPair, credential: dict[str, Any]) -> None:
    token = sign(_did_key_credential(credential, impl_guide_key), impl_guide_key)
    for now in (datetime(2010, 1, 1, tzinfo=UTC), datetime(2029, 12, 31, 23, 59, 59, tzinfo=UTC)):
        assert verify(token, OfflineResolver(), now=now).verified


def test_verify_needs_an_aware_clock(impl_guide_key: KeyPair, credential: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        verify(sign(credential, impl_guide_key), OfflineResolver(), now=datetime(2026, 1, 1))


# --------------------------------------------------------------------------------------------
# Malformed tokens


def _with_header(header: Any, payload: Any = None) -> str:
    body = {"iss": "x"} if payload is None else payload
    return f"{_b64(_json(header))}.{_b64(_json(body))}.{_b64(b'sig')}"


KID = {"alg": "EdDSA", "kid": "did:key:z6Mk"}
B64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _non_canonical(segment: str) -> str:
    """The same bytes with a non-zero unused trailing bit (RFC 4648 §3.5 canonical encoding)."""
    assert len(segment) % 4 in (2, 3)
    return segment[:-1] + B64URL_ALPHABET[B64URL_ALPHABET.index(segment[-1]) + 1]


MALFORMED = {
    "two segments": "a.b",
    "four segments": "a.b.c.d",
    "empty": "",
    "padding": _with_header(KID).replace(".", "=.", 1),
    "non-alphabet": "eyJ+.eyJ.abc",
    "length 1 mod 4": "eyJhb.eyJ.abc",
    "non-canonical base64url": _non_canonical(_b64(_json({**KID, "kid": "did:key:z6Mkx"})))
    + "."
    + _b64(b"{}")
    + ".AA",
    "header not JSON": f"{_b64(b'not json')}.{_b64(b'{}')}.AA",
    "header not UTF-8": _b64(b"\xff\xfe") + "." + _b64(b"{}") + ".AA",
    "header array": _with_header([KID]),
    "header nested too deep": _with_header({**KID, "jwk": json.loads("[" * 80 + "]" * 80)}),
    "alg missing": _with_header({"kid": "did:key:z6Mk"}),
    "alg not a string": _with_header({"alg": 1, "kid": "x"}),
    "alg empty": _with_header({"alg": "", "kid": "x"}),
    "extra header crit": _with_header({**KID, "crit": ["b64"], "b64": False}),
    "extra header x5u": _with_header({**KID, "x5u": "https://evil.example"}),
    "extra header jku": _with_header({**KID, "jku": "https://evil.example"}),
    "typ JOSE": _with_header({**KID, "typ": "JOSE"}),
    "typ not a string": _with_header({**KID, "typ": 1}),
    "cty other than vc": _with_header({**KID, "cty": "JWT"}),
    "kid and jwk": _with_header(
        {**KID, "jwk": {"kty": "OKP", "crv": "Ed25519", "x": "S96v3i6ovu-t2MaZtcfgcEz1EVTVLheyC3EzfKBMxaU"}}
    ),
    "kid empty": _with_header({"alg": "EdDSA", "kid": ""}),
    "kid not a string": _with_header({"alg": "EdDSA", "kid": ["x"]}),
    "jwk with d": _with_header(
        {
            "alg": "EdDSA",
            "jwk": {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": "S96v3i6ovu-t2MaZtcfgcEz1EVTVLheyC3EzfKBMxaU",
                "d": "AA",
            },
        }
    ),
    "jwk symmetric": _with_header({"alg": "EdDSA", "jwk": {"kty": "oct", "k": "c2VjcmV0"}}),
    "jwk X25519": _with_header(
        {
            "alg": "EdDSA",
            "jwk": {"kty": "OKP", "crv": "X25519", "x": "S96v3i6ovu-t2MaZtcfgcEz1EVTVLheyC3EzfKBMxaU"},
        }
    ),
    "jwk short x": _with_header({"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}}),
    "jwk EC off curve": _with_header(
        {"alg": "ES256", "jwk": {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}}
    ),
    "jwk not an object": _with_header({"alg": "EdDSA", "jwk": "did:key:z6Mk"}),
    "payload array": _with_header(KID, []),
    "payload string": _with_header(KID, "credential"),
    "vc claim not an object": _with_header(KID, {"vc": "credential"}),
    "empty signature": _with_header(KID)[: _with_header(KID).rindex(".") + 1],
    "payload NaN": _b64(_json(KID)) + "." + _b64(b'{"nbf":NaN}') + ".AA",
}


@pytest.mark.parametrize("token", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_tokens_raise_jwt_format_error(token: str) -> None:
    with pytest.raises(JwtFormatError):
        decode(token)
    with pytest.raises(JwtFormatError):
        verify(token, OfflineResolver(), now=NOW)


def test_neither_kid_nor_jwk_is_refused_by_plain_decode() -> None:
    with pytest.raises(JwtFormatError, match="must come from elsewhere"):
        decode(_with_header({"alg": "RS256", "typ": "JWT"}))
    assert decode(_with_header({"alg": "RS256", "typ": "JWT"}), allow_external_key=True).form == "vcdm2"


def test_cty_vc_is_tolerated() -> None:
    assert decode(_with_header({**KID, "typ": "vc+jwt", "cty": "vc"})).header["cty"] == "vc"


def test_oversized_tokens_are_refused_fast() -> None:
    with pytest.raises(JwtFormatError, match="limit"):
        decode("a" * (5 * 1024 * 1024))
    with pytest.raises(JwtFormatError, match="header is longer"):
        decode("a" * 20_000 + ".b.c")


def test_non_string_tokens_are_refused() -> None:
    with pytest.raises(JwtFormatError):
        decode(b"a.b.c")  # type: ignore[arg-type]


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_junk_strings_only_ever_raise_jwt_format_error(junk: str) -> None:
    with pytest.raises(JwtFormatError):
        verify(junk, OfflineResolver(), now=NOW)


@settings(max_examples=300)
@given(st.lists(st.text(alphabet=B64URL_ALPHABET + ".=+/ ", max_size=80), min_size=1, max_size=5))
def test_junk_segments_only_ever_raise_jwt_format_error(segments: list[str]) -> None:
    with pytest.raises(JwtFormatError):
        verify(".".join(segments), OfflineResolver(), now=NOW)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
HEADER_VALUES = st.dictionaries(
    st.sampled_from(["alg", "kid", "jwk", "typ", "cty", "crit", "x5c"]),
    st.sampled_from(["EdDSA", "RS256", "HS256", "none", "JWT", "vc", "did:key:z6Mk"]) | JSON_VALUES,
    max_size=5,
)


@settings(max_examples=300)
@given(header=HEADER_VALUES | JSON_VALUES, payload=JSON_VALUES, signature=st.binary(max_size=80))
def test_junk_json_segments_never_raise_anything_but_jwt_format_error(
    header: Any, payload: Any, signature: bytes
) -> None:
    token = f"{_b64(_json(header))}.{_b64(_json(payload))}.{_b64(signature)}"
    try:
        result = verify(token, OfflineResolver(), now=NOW)
    except JwtFormatError:
        return
    assert not result.verified


# --------------------------------------------------------------------------------------------
# Keys the resolver hands back


def _fixed_resolver(jwk: dict[str, Any]) -> _Resolver:
    return _Resolver(lambda vm: ResolvedKey(vm, vm.split("#")[0], jwk, frozenset({"assertionMethod"})))


def test_unusable_resolved_key_is_indeterminate(impl_guide_key: KeyPair, credential: dict[str, Any]) -> None:
    token = sign(_did_key_credential(credential, impl_guide_key), impl_guide_key)
    result = verify(token, _fixed_resolver({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}), now=NOW)
    assert result.check("signature").outcome == "indeterminate"
    assert "pass" not in _outcomes(result).values()


def test_resolved_key_declared_for_another_alg_fails(
    impl_guide_key: KeyPair, credential: dict[str, Any]
) -> None:
    token = sign(_did_key_credential(credential, impl_guide_key), impl_guide_key)
    resolver = _fixed_resolver({**impl_guide_key.public.jwk(), "alg": "ES256"})
    assert verify(token, resolver, now=NOW).check("signature").outcome == "fail"
    resolver = _fixed_resolver({**impl_guide_key.public.jwk(), "alg": "Ed25519"})
    assert verify(token, resolver, now=NOW).verified


def test_short_rsa_keys_fail(credential: dict[str, Any]) -> None:
    weak = jose_jwk.JWK.generate(kty="RSA", size=1024)
    signer = jose_jws.JWS(_json({**credential, "iss": OB3_ISSUER}))
    header = {"alg": "RS256", "jwk": weak.export_public(as_dict=True)}
    signer.add_signature(weak, alg="RS256", protected=json.dumps(header))
    result = verify(signer.serialize(compact=True), OfflineResolver(), now=NOW)
    assert result.check("signature").outcome == "fail"
    assert "2048" in result.check("signature").reason
