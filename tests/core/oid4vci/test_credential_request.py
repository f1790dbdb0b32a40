"""Credential Requests (OID4VCI 1.0 §8.2): the final form, the unambiguous draft forms, refusals."""

from __future__ import annotations

from typing import Any

import pytest

from vcengine.core.oid4vci.credential_request import read_credential_request
from vcengine.core.oid4vci.metadata import JWT_VC_JSON, LDP_VC, Display, credential_configurations
from vcengine.errors import ProtocolError

CONFIGS = credential_configurations(Display(name="Acme"))
IDS = {LDP_VC: LDP_VC, JWT_VC_JSON: JWT_VC_JSON}


def read(body: Any, batch_size: int = 3) -> Any:
    return read_credential_request(body, CONFIGS, identifiers=IDS, batch_size=batch_size)


def test_the_final_form_with_a_batch_of_proofs() -> None:
    request = read({"credential_configuration_id": LDP_VC, "proofs": {"jwt": ["a", "b"]}})
    assert (request.configuration_id, request.proofs, request.draft) == (LDP_VC, ("a", "b"), False)
    by_identifier = read({"credential_identifier": JWT_VC_JSON, "proofs": {"jwt": ["a"]}})
    assert (by_identifier.configuration_id, by_identifier.credential_identifier) == (JWT_VC_JSON, JWT_VC_JSON)


def test_di_vp_proofs_are_presentations() -> None:
    request = read(
        {"credential_configuration_id": LDP_VC, "proofs": {"di_vp": [{"type": "VerifiablePresentation"}]}}
    )
    assert request.proof_type == "di_vp" and request.proofs == ({"type": "VerifiablePresentation"},)
    with pytest.raises(ProtocolError) as caught:
        read({"credential_configuration_id": LDP_VC, "proofs": {"di_vp": ["a.b.c"]}})
    assert caught.value.code == "invalid_credential_request"


def test_draft_forms_whose_meaning_is_unambiguous_are_accepted() -> None:
    draft13 = read(
        {
            "format": "jwt_vc_json",
            "credential_definition": {"type": ["VerifiableCredential", "OpenBadgeCredential"]},
            "proof": {"proof_type": "jwt", "jwt": "p"},
        }
    )
    assert (draft13.configuration_id, draft13.proofs, draft13.draft) == (JWT_VC_JSON, ("p",), True)
    draft15 = read({"credential_configuration_id": LDP_VC, "proof": {"proof_type": "jwt", "jwt": "p"}})
    assert draft15.configuration_id == LDP_VC and draft15.draft
    ldp = read(
        {
            "format": "ldp_vc",
            "credential_definition": {"type": ["OpenBadgeCredential"]},
            "proofs": {"jwt": ["p"]},
        }
    )
    assert ldp.configuration_id == LDP_VC


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ([], "invalid_credential_request"),
        ({"proofs": {"jwt": ["a"]}}, "invalid_credential_request"),
        (
            {
                "credential_configuration_id": LDP_VC,
                "credential_identifier": LDP_VC,
                "proofs": {"jwt": ["a"]},
            },
            "invalid_credential_request",
        ),
        (
            {"credential_configuration_id": LDP_VC, "format": "ldp_vc", "proofs": {"jwt": ["a"]}},
            "invalid_credential_request",
        ),
        (
            {"credential_configuration_id": "UniversityDegree", "proofs": {"jwt": ["a"]}},
            "unknown_credential_configuration",
        ),
        ({"credential_identifier": "other", "proofs": {"jwt": ["a"]}}, "unknown_credential_identifier"),
        ({"format": "mso_mdoc", "proofs": {"jwt": ["a"]}}, "unknown_credential_configuration"),
        (
            {
                "format": "ldp_vc",
                "credential_definition": {"type": ["UniversityDegreeCredential"]},
                "proofs": {"jwt": ["a"]},
            },
            "unknown_credential_configuration",
        ),
        ({"credential_configuration_id": LDP_VC}, "invalid_proof"),
        (
            {
                "credential_configuration_id": LDP_VC,
                "proofs": {"jwt": ["a"]},
                "proof": {"proof_type": "jwt", "jwt": "a"},
            },
            "invalid_credential_request",
        ),
        (
            {"credential_configuration_id": LDP_VC, "proofs": {"jwt": ["a"], "di_vp": []}},
            "invalid_credential_request",
        ),
        ({"credential_configuration_id": LDP_VC, "proofs": {"ldp_vp": [{}]}}, "invalid_proof"),
        ({"credential_configuration_id": LDP_VC, "proofs": {"jwt": []}}, "invalid_credential_request"),
        ({"credential_configuration_id": LDP_VC, "proofs": {"jwt": ["a", 1]}}, "invalid_credential_request"),
        ({"credential_configuration_id": LDP_VC, "proofs": {"jwt": ["a"] * 4}}, "invalid_credential_request"),
        (
            {"credential_configuration_id": LDP_VC, "proof": {"proof_type": "cwt", "cwt": "a"}},
            "invalid_proof",
        ),
        (
            {
                "credential_configuration_id": LDP_VC,
                "proofs": {"jwt": ["a"]},
                "credential_response_encryption": {"jwk": {}},
            },
            "invalid_encryption_parameters",
        ),
        (
            {"credential_configuration_id": LDP_VC, "proofs": {"jwt": ["a"]}, "surprise": 1},
            "invalid_credential_request",
        ),
    ],
)
def test_ambiguous_or_unknown_requests_are_refused_with_the_spec_error_code(body: Any, code: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        read(body)
    assert caught.value.code == code, caught.value.message
