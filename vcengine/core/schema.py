"""Validation of a credential document: the OB 3.0 JSON Schema plus the VCDM rules it leaves out.

Every check returns :class:`SchemaIssue` values (a JSON path such as
``$.credentialSubject.achievement.criteria``, a message and the id of the rule broken, see
:mod:`vcengine.core.rules`); ``ensure_*`` raise :class:`~vcengine.errors.SchemaError` naming the
first issues instead.

- :func:`ensure_signable` — the issuer's pre-flight before any proof is made (``vcengine sign``,
  ``POST /credentials/issue``, GraphQL issuance): every VC Data Model rule an issuer can check
  (v2.0 §4 and §5, or v1.1 for v1-context documents: :mod:`vcengine.core.vcdm` and
  :mod:`vcengine.core.vcdm_jsonld`), and for an OB 3.0 credential the OB 3.0 JSON Schema.
- :func:`validate` — an OpenBadgeCredential / AchievementCredential: the official OB 3.0
  AchievementCredential JSON Schema (draft 2019-09, https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential)
  and the VCDM structural rules (https://www.w3.org/TR/vc-data-model-2.0/). Another credential type
  (ClrCredential, EndorsementCredential, a status list) gets the VCDM rules and one issue at
  ``$.type`` saying it is not an OB credential.
- :func:`validate_endorsement` — an EndorsementCredential (``$defs/EndorsementCredential``).
- :func:`validate_vc` — VCDM structural rules only, for any verifiable credential.
- :func:`validate_profile` — an issuer Profile document (the official Profile schema).
- :func:`validate_shape` — the structure a signer needs: ``@context``, ``type``, ``issuer``,
  ``credentialSubject``.

VC 1.1 documents (``@context[0]`` = ``https://www.w3.org/2018/credentials/v1``), which OB 3.0
accepts "only for verification purposes", are checked against a VC 1.1 variant derived from
the official schema (which itself has none): ``@context[0]`` must be the v1 context,
``issuanceDate`` replaces ``validFrom`` as the required date, and the ``issuanceDate`` /
``expirationDate`` values are XML Schema dateTime (timezone optional, read as UTC).
"""

from __future__ import annotations

import copy
import json
import reprlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from vcengine.core.contexts import VC_V1_CONTEXT
from vcengine.core.json_schema_predicate import compile_predicate, is_date_time
from vcengine.core.model import OB_CONTEXT_PATTERN, OB_TYPES, as_list
from vcengine.core.rules import SchemaIssue, rule_url
from vcengine.core.vcdm import child_path, identifier_issues, is_vc11, vcdm_issues
from vcengine.core.vcdm_jsonld import jsonld_issues
from vcengine.errors import SchemaError

if TYPE_CHECKING:
    from jsonschema import Draft201909Validator, FormatChecker
    from jsonschema.exceptions import ValidationError

__all__ = [
    "SchemaIssue",
    "ensure_shape",
    "ensure_signable",
    "ensure_valid",
    "raise_for_issues",
    "validate",
    "validate_endorsement",
    "validate_profile",
    "validate_shape",
    "validate_vc",
]

_SHAPE_PATHS = ("$['@context']", "$.type", "$.issuer", "$.credentialSubject")


def raise_for_issues(issues: Sequence[SchemaIssue], *, show: int = 3) -> None:
    """Raise SchemaError naming the first ``show`` issues (and the first one's rule and its spec
    section); do nothing when there are none."""
    if not issues:
        return
    first = issues[0]
    shown = "; ".join(str(issue) for issue in issues[:show])
    more = f" (and {len(issues) - show} more)" if len(issues) > show else ""
    spec = rule_url(first.rule)
    violations = tuple(
        {"rule": issue.rule, "path": issue.path, "message": issue.message, "spec": rule_url(issue.rule)}
        for issue in issues[:50]
    )
    message = f"{len(issues)} schema issue(s): {shown}{more}" + (f" — see {spec}" if spec else "")
    raise SchemaError(message, path=first.path, rule=first.rule, spec=spec, violations=violations)


def ensure_valid(credential: Any) -> None:
    """:func:`validate`, raising SchemaError when there is any issue."""
    raise_for_issues(validate(credential))


def ensure_shape(credential: Any) -> None:
    """:func:`validate_shape`, raising SchemaError when there is any issue."""
    raise_for_issues(validate_shape(credential))


def ensure_signable(credential: Mapping[str, Any]) -> None:
    """Refuse to sign what breaks a rule an issuer must enforce: the VC Data Model rules (v2.0
    §4/§5, or v1.1) including those that need JSON-LD context processing, and for an OB 3.0
    credential the OB 3.0 JSON Schema. Raises SchemaError naming the rule (ContextError for a
    context that is not bundled)."""
    if not isinstance(credential, Mapping):
        raise_for_issues(
            [SchemaIssue("$", "a credential must be a JSON object", rule="VCDM2-4.3-context-required")]
        )
    is_ob = bool({t for t in as_list(credential.get("type")) if isinstance(t, str)} & OB_TYPES)
    issues = validate(credential) if is_ob else vcdm_issues(credential)
    paths = {issue.path for issue in issues}
    if not any(path.startswith(("$['@context']", "$.type")) for path in paths):
        issues += [
            issue for issue in jsonld_issues(credential, v11=is_vc11(credential)) if issue.path not in paths
        ]
    raise_for_issues(issues)


# --- entry points ------------------------------------------------------------------------


def validate(credential: Any) -> list[SchemaIssue]:
    """All issues of an OpenBadgeCredential / AchievementCredential (empty list = valid)."""
    return _validate_as(
        credential, OB_TYPES, "an OpenBadgeCredential or AchievementCredential", _ob_validator
    )


def validate_endorsement(credential: Any) -> list[SchemaIssue]:
    """All issues of an EndorsementCredential (https://www.imsglobal.org/spec/ob/v3p0/#endorsementcredential)."""
    return _validate_as(
        credential, frozenset({"EndorsementCredential"}), "an EndorsementCredential", _endorsement_validator
    )


def validate_vc(credential: Any) -> list[SchemaIssue]:
    """Issues against the VC Data Model structural rules only (2.0, or 1.1 for v1-context documents)."""
    if not isinstance(credential, Mapping):
        return [SchemaIssue("$", "a credential must be a JSON object")]
    return vcdm_issues(credential)


def validate_profile(profile: Any) -> list[SchemaIssue]:
    """Issues of a Profile document (issuer profile) against the official OB 3.0 Profile schema."""
    issues = _profile_validator().issues(profile)
    if isinstance(profile, Mapping):
        claimed = {issue.path for issue in issues}
        issues.extend(issue for issue in identifier_issues(profile) if issue.path not in claimed)
    return issues


def validate_shape(credential: Any) -> list[SchemaIssue]:
    """The light check a signer needs: ``@context``, ``type``, ``issuer`` and ``credentialSubject``."""
    if not isinstance(credential, Mapping):
        return [SchemaIssue("$", "a credential must be a JSON object")]
    return [issue for issue in vcdm_issues(credential) if issue.path.startswith(_SHAPE_PATHS)]


# --- composition -------------------------------------------------------------------------


def _validate_as(
    credential: Any,
    types: frozenset[str],
    label: str,
    validator_for: Callable[[bool], _Compiled],
) -> list[SchemaIssue]:
    if not isinstance(credential, Mapping):
        return [SchemaIssue("$", "a credential must be a JSON object")]
    issues = vcdm_issues(credential)
    declared = {item for item in as_list(credential.get("type")) if isinstance(item, str)}
    if declared.isdisjoint(types):
        if "$.type" not in {issue.path for issue in issues}:
            issues.append(
                SchemaIssue("$.type", f"not {label} (type is {sorted(declared)})", "ob", "OB3-type")
            )
        return issues
    issues.extend(_ob_rules(credential))
    # Where a VCDM/OB rule already spoke, its message is clearer than the JSON Schema's.
    claimed = {issue.path for issue in issues}
    covered = tuple(path for path in ("$['@context']", "$.type") if path in claimed)
    schema_issues = validator_for(is_vc11(credential)).issues(credential)
    issues.extend(
        issue
        for issue in schema_issues
        if issue.path not in claimed and not (covered and issue.path.startswith(covered))
    )
    return issues


# --- OB 3.0 rules the JSON Schema does not express ---------------------------------------


def _ob_rules(doc: Mapping[str, Any]) -> Iterator[SchemaIssue]:
    contexts = doc.get("@context")
    if isinstance(contexts, list) and (
        len(contexts) < 2 or not isinstance(contexts[1], str) or not OB_CONTEXT_PATTERN.match(contexts[1])
    ):
        yield SchemaIssue(
            "$['@context']",
            "@context[1] must be an OB 3.0 context (.../ob/v3p0/context-3.x.y.json)",
            "ob",
            "OB3-context",
        )
    for index, subject in enumerate(as_list(doc.get("credentialSubject"))):
        if isinstance(subject, Mapping) and "id" not in subject and not as_list(subject.get("identifier")):
            where = "$.credentialSubject" if isinstance(doc.get("credentialSubject"), Mapping) else None
            yield SchemaIssue(
                where or f"$.credentialSubject[{index}]",
                "credentialSubject needs an id or an identifier",
                "ob",
                "OB3-subject-identifier",
            )


# --- JSON Schema -------------------------------------------------------------------------

_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 48
_SHORT.maxlist = _SHORT.maxdict = 3
_SHORT.maxlevel = 2


def _leaves(error: ValidationError) -> list[ValidationError]:
    """For ``oneOf``/``anyOf``, the errors of the branch that came clearly closest, if one did."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    ranked = sorted(_branches(error), key=lambda branch: sum(map(_cost, branch)))
    if len(ranked) > 1 and sum(map(_cost, ranked[0])) == sum(map(_cost, ranked[1])):
        return [error]
    return [leaf for sub in ranked[0] for leaf in _leaves(sub)]


def _branches(error: ValidationError) -> list[list[ValidationError]]:
    grouped: dict[Any, list[ValidationError]] = {}
    for sub in error.context or ():
        grouped.setdefault(sub.relative_schema_path[0], []).append(sub)
    return list(grouped.values())


def _cost(error: ValidationError) -> int:
    """How far a branch is from matching: a wrong JSON type at the branch's own level is far."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        return min(sum(map(_cost, branch)) for branch in _branches(error))
    return 100 if error.validator == "type" and not error.relative_path else 1


def _issue(leaf: ValidationError) -> SchemaIssue:
    message = leaf.message.replace(repr(leaf.instance), _SHORT.repr(leaf.instance))
    path = leaf.json_path
    if leaf.validator == "required":  # name the missing property, not its parent
        missing = [key for key in leaf.validator_value if leaf.message == f"{key!r} is a required property"]
        path = child_path(path, missing[0]) if missing else path
    return SchemaIssue(path, message, "json-schema", "OB3-json-schema")


def _load(name: str) -> dict[str, Any]:
    text = resources.files("vcengine.core").joinpath("schemas", name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _format_checker() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    checker.checks("date-time")(is_date_time)
    return checker


class _Compiled:
    """A JSON Schema twice: ``accepts`` answers valid/invalid fast; ``validator`` explains why not.

    The jsonschema validator is built on first use, so a process that only meets valid
    documents never imports jsonschema (about 0.1 s of start-up)."""

    __slots__ = ("_validator", "accepts", "schema")

    def __init__(self, schema: Mapping[str, Any], accepts: Callable[[Any], bool]) -> None:
        self.schema = schema
        self.accepts = accepts
        self._validator: Draft201909Validator | None = None

    @property
    def validator(self) -> Draft201909Validator:
        if self._validator is None:  # a race builds it twice, harmlessly: both are equal
            from jsonschema import Draft201909Validator

            self._validator = Draft201909Validator(self.schema, format_checker=_format_checker())
        return self._validator

    def issues(self, instance: Any) -> list[SchemaIssue]:
        if self.accepts(instance):
            return []
        return [_issue(leaf) for error in self.validator.iter_errors(instance) for leaf in _leaves(error)]


def _compile(schema: Mapping[str, Any]) -> _Compiled:
    """Compile a bundled schema. It is not checked against the meta-schema here (0.7 s in every
    process): tests/core/test_schema_bundled.py checks each bundled schema, and each variant
    built from one, once."""
    return _Compiled(schema, compile_predicate(schema))


def _vc11_variant(credential_schema: dict[str, Any]) -> None:
    """Turn a VC 2.0 credential (sub)schema into its VC 1.1 form, in place."""
    properties = credential_schema["properties"]
    properties["@context"]["oneOf"][1]["items"][0] = {"enum": [VC_V1_CONTEXT]}
    properties["issuanceDate"] = {"type": "string"}  # xsd:dateTime, checked by _date_issues
    properties["expirationDate"] = {"type": "string"}
    required = credential_schema["required"]
    required[required.index("validFrom")] = "issuanceDate"


@cache
def _achievement_schema(vc11: bool) -> dict[str, Any]:
    schema = _load("ob_v3p0_achievementcredential_schema.json")
    if vc11:
        schema["$id"] = "urn:vcengine:schema:ob_v3p0_achievementcredential_vc11"
        _vc11_variant(schema)
        _vc11_variant(schema["$defs"]["EndorsementCredential"])
    return schema


@cache
def _ob_validator(vc11: bool) -> _Compiled:
    return _compile(_achievement_schema(vc11))


@cache
def _endorsement_validator(vc11: bool) -> _Compiled:
    base = copy.deepcopy(_achievement_schema(vc11))
    return _compile(
        {
            "$schema": base["$schema"],
            "$id": "urn:vcengine:schema:ob_v3p0_endorsementcredential" + ("_vc11" if vc11 else ""),
            "$ref": "#/$defs/EndorsementCredential",
            "$defs": base["$defs"],
        }
    )


@cache
def _profile_validator() -> _Compiled:
    return _compile(_load("ob_v3p0_profile_schema.json"))
