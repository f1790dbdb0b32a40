"""Verifiable presentations (issue 8 point 2): the presentation's rules, proof purpose, holder,
challenge and domain, and a full report for every credential carried."""

from __future__ import annotations

import contextlib
import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.core.test_signed_graph import REVOKED, URL, generic_vc, open_badge, sign, status_list
from vcengine.core.keys import KeyPair
from vcengine.core.presentation import PresentationReport, verify_presentation
from vcengine.core.proofs import vc_jwt
from vcengine.core.proofs.data_integrity import add_proof
from vcengine.core.resolve import OfflineResolver
from vcengine.core.status import status_list_entry
from vcengine.core.status.check import status_checker

NOW = datetime(2026, 11, 27, tzinfo=UTC)
HOLDER = KeyPair.from_seed(bytes(range(100, 132)))
STRANGER = KeyPair.from_seed(bytes(range(150, 182)))
V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
CHALLENGE, DOMAIN = "9f1c2b7e-challenge", "https://verifier.example"
SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020")


def presentation(
    *credentials: dict[str, Any], context: str = V2, holder: str | None = None
) -> dict[str, Any]:
    vp: dict[str, Any] = {
        "@context": [context],
        "type": ["VerifiablePresentation"],
        "holder": holder or HOLDER.public.did_key,
    }
    if credentials:
        vp["verifiableCredential"] = list(credentials)
    return vp


def prove(
    vp: dict[str, Any], key: KeyPair = HOLDER, suite: str = "eddsa-rdfc-2022", **extra: Any
) -> dict[str, Any]:
    options = {"challenge": CHALLENGE, "domain": DOMAIN, **extra}
    purpose = options.pop("purpose", "authentication")
    options = {k: v for k, v in options.items() if v is not None}
    return add_proof(
        vp,
        key,
        suite=suite,
        verification_method=key.public.did_key_verification_method,
        created=NOW,
        proof_purpose=purpose,
        extra=options,
    )


def check(vp: Any, challenge: str | None = CHALLENGE, domain: str | None = DOMAIN) -> PresentationReport:
    resolver = OfflineResolver()
    lists = {URL: status_list({5: 1})}
    return verify_presentation(
        vp,
        resolver=resolver,
        now=NOW,
        status=status_checker(lists.__getitem__, resolver),
        challenge=challenge,
        domain=domain,
    )


def outcomes(report: PresentationReport) -> dict[str, tuple[str, str | None]]:
    return {c.name: (c.outcome, c.code) for c in report.checks}


ACTIVE = sign(open_badge(credentialStatus=status_list_entry(URL, 9, "revocation")))


@pytest.mark.parametrize("suite", SUITES)
def test_a_presentation_by_its_holder_verifies_in_each_suite(suite: str) -> None:
    report = check(prove(presentation(ACTIVE), suite=suite))
    assert report.verified, report.to_json()
    assert outcomes(report) == {
        "syntax": ("pass", None),
        "proof": ("pass", None),
        "signed-graph": ("pass", None),
        "holder": ("pass", None),
        "challenge": ("pass", None),
        "domain": ("pass", None),
    }
    assert [r.verdict for r in report.credentials] == ["verified"]
    assert report.to_json()["credentials"][0]["id"] == ACTIVE["id"]


def test_challenge_and_domain_are_checked_when_the_verifier_expects_them() -> None:
    vp = prove(presentation(ACTIVE))
    assert outcomes(check(vp, challenge="another"))["challenge"] == ("fail", "challenge-mismatch")
    assert outcomes(check(vp, domain="https://elsewhere.example"))["domain"] == ("fail", "domain-mismatch")
    without = prove(presentation(ACTIVE), challenge=None)
    assert outcomes(check(without))["challenge"] == ("fail", "challenge-mismatch")
    assert outcomes(check(without, challenge=None))["challenge"][0] == "skipped"
    domains = prove(presentation(ACTIVE), domain=["https://a.example", DOMAIN])
    assert check(domains).verified


def test_the_proof_must_be_for_authentication_and_by_the_holder() -> None:
    assertion = check(prove(presentation(ACTIVE), purpose="assertionMethod"))
    assert outcomes(assertion)["proof"] == ("fail", "bad-proof") and not assertion.verified
    stranger = check(prove(presentation(ACTIVE), key=STRANGER))
    assert outcomes(stranger)["proof"] == ("pass", None)
    assert outcomes(stranger)["holder"] == ("fail", "holder-mismatch") and stranger.verdict == "failed"
    unsigned = check(presentation(ACTIVE))
    assert outcomes(unsigned)["proof"] == ("fail", "no-proof")


def test_a_changed_presentation_or_credential_fails() -> None:
    vp = prove(presentation(ACTIVE))
    changed = copy.deepcopy(vp)
    changed["holder"] = STRANGER.public.did_key
    assert outcomes(check(changed))["proof"][0] == "fail"
    inner = copy.deepcopy(vp)
    inner["verifiableCredential"][0]["name"] = "Something else"
    report = check(inner)
    assert report.verdict == "failed"
    assert outcomes(report)["proof"][0] == "fail", "the presentation's proof covers its credentials"
    assert report.credentials[0].verdict == "failed"


def test_a_revoked_credential_fails_the_presentation() -> None:
    report = check(prove(presentation(sign(open_badge(credentialStatus=REVOKED)))))
    assert outcomes(report)["proof"] == ("pass", None)
    assert report.verdict == "failed"
    assert report.credentials[0].check("status").code == "revoked"  # type: ignore[union-attr]


def test_an_enveloped_vc_jwt_is_verified() -> None:
    credential = generic_vc(issuer=STRANGER.public.did_key)
    token = vc_jwt.sign(credential, STRANGER)
    envelope = {
        "@context": V2,
        "id": f"data:application/vc+jwt,{token}",
        "type": "EnvelopedVerifiableCredential",
    }
    report = check(prove(presentation(envelope)))
    assert report.verified, report.to_json()
    assert report.credentials[0].format == "vc-jwt"


def test_a_vcdm_1_1_presentation_with_ed25519_signature_2020() -> None:
    credential = {
        "@context": [V1],
        "id": "urn:uuid:5c1b9f6e-2d7a-4f1e-8c3b-7a9d0e4f2b61",
        "type": ["VerifiableCredential"],
        "issuer": STRANGER.public.did_key,
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": HOLDER.public.did_key},
    }
    signed = add_proof(
        credential,
        STRANGER,
        suite="Ed25519Signature2020",
        verification_method=STRANGER.public.did_key_verification_method,
        created=NOW,
    )
    report = check(prove(presentation(signed, context=V1), suite="Ed25519Signature2020"))
    assert report.verified, report.to_json()


def test_presentation_data_model_rules() -> None:
    for bad, word in [
        ([], "JSON object"),
        ({**presentation(), "@context": ["https://example.org/ctx"]}, "@context"),
        ({**presentation(), "type": ["VerifiableCredential"]}, "VerifiablePresentation"),
        ({**presentation(), "holder": {"name": "no id"}}, "holder"),
        ({**presentation(), "verifiableCredential": ["eyJ.a.b"]}, "EnvelopedVerifiableCredential"),
        (
            {
                **presentation(),
                "verifiableCredential": [{"type": "EnvelopedVerifiableCredential", "id": "x"}],
            },
            "envelope",
        ),
    ]:
        report = check(bad)
        assert report.verdict == "failed" and outcomes(report) == {"syntax": ("fail", "malformed")}
        assert word in report.checks[0].reason


def test_a_credential_hidden_under_a_full_iri_is_a_graph_mismatch() -> None:
    vp = prove(presentation(ACTIVE))
    hidden = copy.deepcopy(vp)
    hidden["https://www.w3.org/2018/credentials#verifiableCredential"] = {
        "@graph": hidden.pop("verifiableCredential")
    }
    report = check(hidden)
    assert outcomes(report)["proof"] == ("pass", None)
    assert outcomes(report)["signed-graph"] == ("fail", "graph-mismatch") and report.verdict == "failed"


# --- presentations as JWTs (VC-JOSE-COSE vp+jwt, VC-JWT 1.1 vp claim) --------------------------


def _jws(payload: dict[str, Any], key: KeyPair = HOLDER, **header: Any) -> str:
    import base64
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = {"alg": "EdDSA", "kid": key.public.did_key_verification_method, "typ": "vp+jwt", **header}
    signing_input = f"{b64(json.dumps(head).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64(key.sign(signing_input.encode()))}"


def _jwt_check(token: str, **kw: Any) -> PresentationReport:
    from vcengine.core.presentation_jwt import verify_presentation_jwt

    resolver = OfflineResolver()
    lists = {URL: status_list({5: 1})}
    options = {"challenge": CHALLENGE, "domain": DOMAIN, **kw}
    return verify_presentation_jwt(
        token, resolver=resolver, now=NOW, status=status_checker(lists.__getitem__, resolver), **options
    )


def test_a_vp_jwt_with_an_enveloped_credential_verifies() -> None:
    credential_jwt = vc_jwt.sign(generic_vc(issuer=STRANGER.public.did_key), STRANGER)
    envelope = {
        "@context": V2,
        "id": f"data:application/vc+jwt,{credential_jwt}",
        "type": "EnvelopedVerifiableCredential",
    }
    payload = {**presentation(envelope, ACTIVE), "nonce": CHALLENGE, "aud": DOMAIN}
    report = _jwt_check(_jws(payload))
    assert report.verified, report.to_json()
    assert report.format == "vp-jwt" and [r.format for r in report.credentials] == ["vc-jwt", "json-ld"]
    assert outcomes(_jwt_check(_jws(payload), challenge="other"))["challenge"] == (
        "fail",
        "challenge-mismatch",
    )
    assert outcomes(_jwt_check(_jws(payload), domain="https://x.example"))["domain"] == (
        "fail",
        "domain-mismatch",
    )
    assert outcomes(_jwt_check(_jws(payload, STRANGER)))["holder"] == ("fail", "holder-mismatch")
    token = _jws(payload)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert outcomes(_jwt_check(forged))["proof"] == ("fail", "bad-proof")
    expired = _jwt_check(_jws({**payload, "exp": int(NOW.timestamp()) - 60}))
    assert outcomes(expired)["validity"] == ("fail", "expired") and not expired.verified


def test_a_vc_jwt_1_1_presentation_with_a_vp_claim() -> None:
    credential_jwt = vc_jwt.sign(generic_vc(issuer=STRANGER.public.did_key), STRANGER)
    vp = {"@context": [V1], "type": ["VerifiablePresentation"], "verifiableCredential": [credential_jwt]}
    token = _jws({"iss": HOLDER.public.did_key, "aud": DOMAIN, "nonce": CHALLENGE, "vp": vp}, typ="JWT")
    report = _jwt_check(token)
    assert report.verified, report.to_json()
    revoked = sign(open_badge(credentialStatus=REVOKED))
    bad = _jwt_check(
        _jws(
            {
                "iss": HOLDER.public.did_key,
                "aud": DOMAIN,
                "nonce": CHALLENGE,
                "vp": {**vp, "verifiableCredential": [revoked]},
            }
        )
    )
    assert bad.verdict == "failed" and bad.credentials[0].check("status").code == "revoked"  # type: ignore[union-attr]


def test_malformed_presentation_jwts_raise_and_alg_none_is_refused() -> None:
    from vcengine.core.presentation_jwt import verify_presentation_jwt
    from vcengine.errors import InputError

    for token in ("a.b", "a.b.c", "!!.e30.e30", "e30.W10.e30", _jws(presentation(), alg="none")):
        with pytest.raises(InputError):
            verify_presentation_jwt(token, resolver=OfflineResolver(), now=NOW)


def test_hostile_tokens_raise_input_errors_only() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from vcengine.core.presentation_jwt import verify_presentation_jwt
    from vcengine.errors import InputError

    segment = st.text(alphabet="ABCDEFabcdef0123456789-_=!{}.", max_size=40)

    @settings(max_examples=300, deadline=None, database=None)
    @given(st.lists(segment, min_size=1, max_size=4).map(".".join))
    def run(token: str) -> None:
        with contextlib.suppress(InputError):
            verify_presentation_jwt(token, resolver=OfflineResolver(), now=NOW)

    run()
