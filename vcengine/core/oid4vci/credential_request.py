"""A Credential Request (OID4VCI 1.0 §8.2) read into what to issue and which proofs bind it.

The final form: exactly one of ``credential_configuration_id`` and ``credential_identifier``,
and ``proofs`` = an object with exactly one proof type: ``{"jwt": ["<jwt>", ...]}`` or
``{"di_vp": [<presentation>, ...]}`` (Appendix F.2).

Wallets built on earlier drafts still send other forms; they are accepted where their meaning
is unambiguous and refused otherwise:

- draft 13/15 ``proof`` (one proof: ``{"proof_type": "jwt", "jwt": "..."}``) instead of
  ``proofs`` -> one proof; both together -> ``invalid_credential_request``;
- draft 13 ``format`` (+ ``credential_definition.type``) instead of a configuration id -> the one
  configuration of that format whose types include the requested ones; none ->
  ``unknown_credential_configuration``; ``format`` next to an id -> ``invalid_credential_request``.

``credential_response_encryption`` is refused (``invalid_encryption_parameters``): this issuer
does not encrypt responses and does not say it does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from vcengine.errors import ProtocolError

__all__ = ["PROOF_TYPES", "CredentialRequest", "ProofType", "read_credential_request"]

ProofType = Literal["jwt", "di_vp"]
PROOF_TYPES: tuple[ProofType, ...] = ("jwt", "di_vp")

_KNOWN = frozenset(
    {
        "credential_configuration_id",
        "credential_identifier",
        "proofs",
        "proof",
        "format",
        "credential_definition",
        "credential_response_encryption",
        "types",
    }
)


@dataclass(frozen=True, slots=True)
class CredentialRequest:
    """``configuration_id`` to issue (resolved from whichever form named it) and the proofs of
    ``proof_type`` (``jwt``: compact JWS strings; ``di_vp``: presentations), one credential per
    proof. ``draft`` is True for the singular ``proof`` form (the response then also carries the
    draft's singular ``credential``)."""

    configuration_id: str
    credential_identifier: str | None
    proofs: tuple[Any, ...]
    draft: bool
    proof_type: ProofType = "jwt"


def _invalid(message: str) -> ProtocolError:
    return ProtocolError("invalid_credential_request", message)


def _proofs(body: Mapping[str, Any], batch_size: int) -> tuple[ProofType, tuple[Any, ...], bool]:
    if "proofs" in body and "proof" in body:
        raise _invalid("send proofs (OID4VCI 1.0) or proof (earlier drafts), not both")
    if "proof" in body:
        proof = body["proof"]
        if (
            not isinstance(proof, Mapping)
            or proof.get("proof_type") != "jwt"
            or not isinstance(proof.get("jwt"), str)
        ):
            raise ProtocolError(
                "invalid_proof", 'proof must be {"proof_type": "jwt", "jwt": "<compact JWS>"}'
            )
        return "jwt", (proof["jwt"],), True
    proofs = body.get("proofs")
    if proofs is None:
        raise ProtocolError("invalid_proof", "proofs is required: this issuer binds credentials to a key")
    if not isinstance(proofs, Mapping) or len(proofs) != 1:
        raise _invalid("proofs must be an object with exactly one proof type")
    ((proof_type, values),) = proofs.items()
    if proof_type not in PROOF_TYPES:
        raise ProtocolError(
            "invalid_proof", f"proof type {proof_type!r} is not supported ({', '.join(PROOF_TYPES)})"
        )
    shape = str if proof_type == "jwt" else Mapping
    if not isinstance(values, list) or not values or not all(isinstance(v, shape) for v in values):
        what = "compact JWS strings" if proof_type == "jwt" else "presentations (JSON objects)"
        raise _invalid(f"proofs.{proof_type} must be a non-empty array of {what}")
    if len(values) > batch_size:
        raise _invalid(f"at most {batch_size} proofs (batch_size) per request")
    return proof_type, tuple(values), False


def _by_format(body: Mapping[str, Any], configurations: Mapping[str, Mapping[str, Any]]) -> str:
    definition = body.get("credential_definition") or {}
    if not isinstance(definition, Mapping):
        raise _invalid("credential_definition must be an object")
    wanted = definition.get("type", body.get("types", []))
    if not isinstance(wanted, list) or not all(isinstance(t, str) for t in wanted):
        raise _invalid("credential_definition.type must be an array of strings")
    matches = [
        cid
        for cid, c in configurations.items()
        if c.get("format") == body["format"]
        and set(wanted) <= set(c.get("credential_definition", {}).get("type", []))
    ]
    if len(matches) != 1:
        raise ProtocolError(
            "unknown_credential_configuration",
            f"no single credential configuration of format {body['format']!r} with types {wanted}",
        )
    return matches[0]


def read_credential_request(
    body: Any,
    configurations: Mapping[str, Mapping[str, Any]],
    *,
    identifiers: Mapping[str, str],
    batch_size: int,
) -> CredentialRequest:
    """Read ``body`` against the issuer's ``configurations`` and the ``credential_identifier``
    values the token response handed out (``identifiers``: identifier -> configuration id)."""
    if not isinstance(body, Mapping):
        raise _invalid("the request body must be a JSON object")
    unknown = sorted(set(body) - _KNOWN)
    if unknown:
        raise _invalid(f"unknown parameters: {', '.join(unknown)[:200]}")
    if body.get("credential_response_encryption") is not None:
        raise ProtocolError(
            "invalid_encryption_parameters", "this issuer does not encrypt credential responses"
        )
    named = [k for k in ("credential_configuration_id", "credential_identifier", "format") if k in body]
    if len(named) != 1:
        raise _invalid(
            "name the credential with exactly one of credential_configuration_id or credential_identifier"
            + (f" (got {', '.join(named)})" if named else "")
        )
    proof_type, proofs, draft = _proofs(body, batch_size)
    identifier = None
    if named == ["credential_identifier"]:
        identifier = body["credential_identifier"]
        if not isinstance(identifier, str) or identifier not in identifiers:
            raise ProtocolError("unknown_credential_identifier", "not a credential identifier of this token")
        configuration_id = identifiers[identifier]
    elif named == ["format"]:
        if not isinstance(body["format"], str):
            raise _invalid("format must be a string")
        configuration_id = _by_format(body, configurations)
    else:
        configuration_id = body["credential_configuration_id"]
        if not isinstance(configuration_id, str) or configuration_id not in configurations:
            raise ProtocolError(
                "unknown_credential_configuration", f"no credential configuration {configuration_id!r}"
            )
    return CredentialRequest(configuration_id, identifier, proofs, draft, proof_type)
