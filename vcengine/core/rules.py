"""The data-model rules vcengine enforces, each with a stable id, and the issue that names one.

A rule id is ``<spec>-<section>-<name>``: ``VCDM2-…`` for the W3C Verifiable Credentials Data
Model v2.0 (https://www.w3.org/TR/vc-data-model-2.0/), ``VC11-…`` for v1.1 documents (first
context ``https://www.w3.org/2018/credentials/v1``, https://www.w3.org/TR/vc-data-model-1.1/),
``OB3-…`` for Open Badges 3.0 (https://www.imsglobal.org/spec/ob/v3p0/). Ids are a contract:
clients match on them (VC API problem details ``rule``, CLI message, GraphQL ``UserError.rule``),
so they never change meaning; a rule that goes away is removed, never reused.

The MUSTs of VCDM 2.0 §4 (Basic Concepts) and §5 (Advanced Concepts) an issuer can check, as
enforced by :mod:`vcengine.core.vcdm` (structure), :mod:`vcengine.core.vcdm_jsonld` (JSON-LD
context processing) and :mod:`vcengine.core.resource_integrity` (§5.3 digests):

=======  ==================================  ===========================================================
§        rule id                             MUST
=======  ==================================  ===========================================================
4.3      VCDM2-4.3-context-required          a credential MUST include ``@context``
4.3      VCDM2-4.3-context-order             an ordered set whose first item is the v2 context URL
4.3      VCDM2-4.3-context-values            subsequent items are URLs and/or objects (a set: no repeats)
4.3      VCDM2-4.3-context-processable       … each processable as a JSON-LD context
4.4      VCDM2-4.4-id-url                    every ``id``, if present, is a single URL
4.5      VCDM2-4.5-type-required             a credential MUST contain ``type``
4.5      VCDM2-4.5-type-vc                   one ``type`` of a credential MUST be VerifiableCredential
4.5      VCDM2-4.5-type-values               ``type`` is one or more terms and/or absolute URL strings
4.6      VCDM2-4.6-name                      ``name`` is a string or a language value object (§11.1)
4.6      VCDM2-4.6-description               ``description`` is a string or a language value object
4.7      VCDM2-4.7-issuer-required           a credential MUST have an ``issuer``
4.7      VCDM2-4.7-issuer-url                ``issuer`` is a URL or an object whose ``id`` is a URL
4.8      VCDM2-4.8-subject-required          a credential MUST have a ``credentialSubject``
4.8      VCDM2-4.8-subject-claims            each subject object is the subject of one or more claims
4.9      VCDM2-4.9-date-time-stamp           ``validFrom`` / ``validUntil`` are xsd:dateTimeStamp values
4.9      VCDM2-4.9-validity-order            ``validFrom`` is the same as or earlier than ``validUntil``
4.10     VCDM2-4.10-status                   ``credentialStatus`` objects: a ``type``, a URL ``id`` if any
4.11     VCDM2-4.11-credential-schema        every ``credentialSchema`` has a ``type`` and a URL ``id``
5.2.1    VCDM2-5.2.1-term-redefinition       a context MUST NOT redefine a protected term
5.3      VCDM2-5.3-related-resource          ``relatedResource`` objects: URL ``id``, unique, a digest
5.3      VCDM2-5.3-related-resource-digest   a bundled context's digest matches its bytes
5.4      VCDM2-5.4-refresh-type              every ``refreshService`` has a ``type``
5.5      VCDM2-5.5-terms-of-use-type         every ``termsOfUse`` has a ``type``
5.6      VCDM2-5.6-evidence-type             every ``evidence`` object has a ``type``
5.10     VCDM2-5.10-reserved-type            ``renderMethod`` / ``confidenceMethod`` values have a ``type``
=======  ==================================  ===========================================================

VC 1.1 documents follow VC 1.1 (section numbers of that spec): ``VC11-4.1-context-order``,
``VC11-4.1-context-values``, ``VC11-4.1-context-processable``, ``VC11-4.2-id-uri``,
``VC11-4.3-type-required``, ``VC11-4.3-type-vc``, ``VC11-4.3-type-values``,
``VC11-4.4-subject-required``, ``VC11-4.4-subject-claims``, ``VC11-4.5-issuer-required``,
``VC11-4.5-issuer-uri``, ``VC11-4.6-issuance-date``, ``VC11-4.8-expiration-date``,
``VC11-4.9-status-id-type``, ``VC11-5.3.1-term-redefinition``, ``VC11-5.4-schema-id-type``,
``VC11-5.5-refresh-id-type``, ``VC11-5.6-terms-of-use-type``, ``VC11-5.7-evidence-type``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["RULES", "Rule", "SchemaIssue", "rule_url"]

Source = Literal["json-schema", "vcdm", "ob"]

_V2 = "https://www.w3.org/TR/vc-data-model-2.0/#"
_V11 = "https://www.w3.org/TR/vc-data-model-1.1/#"
_OB = "https://www.imsglobal.org/spec/ob/v3p0/#"


@dataclass(frozen=True, slots=True)
class Rule:
    """One normative statement: its stable id, the spec section it comes from, and its text."""

    id: str
    url: str
    statement: str


def _rules(*rows: tuple[str, str, str]) -> dict[str, Rule]:
    return {rule_id: Rule(rule_id, url, statement) for rule_id, url, statement in rows}


RULES: dict[str, Rule] = _rules(
    # --- VC Data Model v2.0 ---------------------------------------------------------------
    (
        "VCDM2-4.3-context-required",
        _V2 + "contexts",
        "Verifiable credentials MUST include a @context property.",
    ),
    (
        "VCDM2-4.3-context-order",
        _V2 + "contexts",
        "The value of @context MUST be an ordered set whose first item is https://www.w3.org/ns/credentials/v2.",
    ),
    (
        "VCDM2-4.3-context-values",
        _V2 + "contexts",
        "Subsequent @context items MUST be composed of URLs and/or objects (an ordered set: no repeats).",
    ),
    (
        "VCDM2-4.3-context-processable",
        _V2 + "contexts",
        "Each @context item MUST be processable as a JSON-LD context.",
    ),
    ("VCDM2-4.4-id-url", _V2 + "identifiers", "If present, the value of id MUST be a single URL."),
    ("VCDM2-4.5-type-required", _V2 + "types", "Verifiable credentials MUST contain a type property."),
    ("VCDM2-4.5-type-vc", _V2 + "types", "One value of a credential's type MUST be VerifiableCredential."),
    (
        "VCDM2-4.5-type-values",
        _V2 + "types",
        "The value of type MUST be one or more terms and/or absolute URL strings.",
    ),
    (
        "VCDM2-4.6-name",
        _V2 + "names-and-descriptions",
        "If present, name MUST be a string or a language value object (§11.1).",
    ),
    (
        "VCDM2-4.6-description",
        _V2 + "names-and-descriptions",
        "If present, description MUST be a string or a language value object (§11.1).",
    ),
    ("VCDM2-4.7-issuer-required", _V2 + "issuer", "A verifiable credential MUST have an issuer property."),
    (
        "VCDM2-4.7-issuer-url",
        _V2 + "issuer",
        "The value of issuer MUST be a URL or an object containing an id property whose value is a URL.",
    ),
    (
        "VCDM2-4.8-subject-required",
        _V2 + "credential-subject",
        "A verifiable credential MUST have a credentialSubject property.",
    ),
    (
        "VCDM2-4.8-subject-claims",
        _V2 + "credential-subject",
        "Each credentialSubject object MUST be the subject of one or more claims.",
    ),
    (
        "VCDM2-4.9-date-time-stamp",
        _V2 + "validity-period",
        "If present, validFrom and validUntil MUST be XML Schema dateTimeStamp strings.",
    ),
    (
        "VCDM2-4.9-validity-order",
        _V2 + "validity-period",
        "validFrom MUST be temporally the same as or earlier than validUntil.",
    ),
    (
        "VCDM2-4.10-status",
        _V2 + "status",
        "Each credentialStatus value MUST be an object with a type (and an id, if present, that is a URL).",
    ),
    (
        "VCDM2-4.11-credential-schema",
        _V2 + "data-schemas",
        "Each credentialSchema MUST specify its type and an id that is a URL.",
    ),
    (
        "VCDM2-5.2.1-term-redefinition",
        _V2 + "semantic-interoperability",
        "JSON-LD processors MUST produce an error when a context redefines a (protected) term.",
    ),
    (
        "VCDM2-5.3-related-resource",
        _V2 + "integrity-of-related-resources",
        "relatedResource MUST be one or more objects, each with a unique URL id and a digestSRI "
        "or digestMultibase.",
    ),
    (
        "VCDM2-5.3-related-resource-digest",
        _V2 + "integrity-of-related-resources",
        "The digest of a related resource MUST match the resource (checked for the contexts "
        "vcengine bundles).",
    ),
    ("VCDM2-5.4-refresh-type", _V2 + "refreshing", "Each refreshService value MUST specify its type."),
    ("VCDM2-5.5-terms-of-use-type", _V2 + "terms-of-use", "Each termsOfUse value MUST specify its type."),
    ("VCDM2-5.6-evidence-type", _V2 + "evidence", "Each evidence value MUST be an object with a type."),
    (
        "VCDM2-5.10-reserved-type",
        _V2 + "reserved-extension-points",
        "The value of a reserved property (renderMethod, confidenceMethod) MUST specify a type.",
    ),
    # --- VC Data Model v1.1 (documents whose first context is the v1 context) -------------
    (
        "VC11-4.1-context-order",
        _V11 + "contexts",
        "@context MUST be an ordered set whose first item is https://www.w3.org/2018/credentials/v1.",
    ),
    ("VC11-4.1-context-values", _V11 + "contexts", "Subsequent @context items MUST be URIs and/or objects."),
    ("VC11-4.1-context-processable", _V11 + "contexts", "@context items MUST express context information."),
    ("VC11-4.2-id-uri", _V11 + "identifiers", "If present, the value of id MUST be a single URI."),
    ("VC11-4.3-type-required", _V11 + "types", "Verifiable credentials MUST contain a type property."),
    ("VC11-4.3-type-vc", _V11 + "types", "One value of a credential's type MUST be VerifiableCredential."),
    ("VC11-4.3-type-values", _V11 + "types", "The value of type MUST be, or map to, one or more URIs."),
    (
        "VC11-4.4-subject-required",
        _V11 + "credential-subject",
        "A verifiable credential MUST have a credentialSubject property.",
    ),
    (
        "VC11-4.4-subject-claims",
        _V11 + "credential-subject",
        "credentialSubject is a set of objects that each contain one or more properties.",
    ),
    ("VC11-4.5-issuer-required", _V11 + "issuer", "A verifiable credential MUST have an issuer property."),
    ("VC11-4.5-issuer-uri", _V11 + "issuer", "issuer MUST be a URI or an object containing an id property."),
    (
        "VC11-4.6-issuance-date",
        _V11 + "issuance-date",
        "A credential MUST have an issuanceDate that is an XML Schema dateTime.",
    ),
    (
        "VC11-4.8-expiration-date",
        _V11 + "expiration",
        "If present, expirationDate MUST be an XML Schema dateTime (vcengine: not before issuanceDate).",
    ),
    ("VC11-4.9-status-id-type", _V11 + "status", "credentialStatus MUST include an id (a URI) and a type."),
    (
        "VC11-5.3.1-term-redefinition",
        _V11 + "semantic-interoperability",
        "A context MUST NOT redefine a protected term of the base context.",
    ),
    (
        "VC11-5.4-schema-id-type",
        _V11 + "data-schemas",
        "Each credentialSchema MUST specify its type and an id that is a URI.",
    ),
    (
        "VC11-5.5-refresh-id-type",
        _V11 + "refreshing",
        "Each refreshService value MUST specify its type and its id (a URI).",
    ),
    ("VC11-5.6-terms-of-use-type", _V11 + "terms-of-use", "Each termsOfUse value MUST specify its type."),
    (
        "VC11-5.7-evidence-type",
        _V11 + "evidence",
        "evidence MUST be one or more evidence schemes, each identified by its type.",
    ),
    # --- Open Badges 3.0 --------------------------------------------------------------------
    (
        "OB3-json-schema",
        _OB + "achievementcredential",
        "An OpenBadgeCredential MUST validate against the OB 3.0 AchievementCredential JSON Schema.",
    ),
    ("OB3-context", _OB + "achievementcredential", "@context[1] MUST be an OB 3.0 context."),
    (
        "OB3-subject-identifier",
        _OB + "achievementsubject",
        "An AchievementSubject MUST have an id or at least one identifier.",
    ),
    ("OB3-type", _OB + "achievementcredential", "The credential is not of the expected OB 3.0 type."),
)


def rule_url(rule_id: str | None) -> str | None:
    """The spec section URL of a rule (None for an unknown id or None)."""
    rule = RULES.get(rule_id) if rule_id is not None else None
    return rule.url if rule is not None else None


@dataclass(frozen=True, slots=True)
class SchemaIssue:
    """One violation: where (JSON path), what, which rule set says so, and the rule's id."""

    path: str
    message: str
    source: Source = "vcdm"
    rule: str | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" + (f" [{self.rule}]" if self.rule else "")
