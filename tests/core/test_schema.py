from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcengine.core import schema as schema_module
from vcengine.core.json_schema_predicate import compile_predicate
from vcengine.core.schema import (
    SchemaIssue,
    ensure_shape,
    ensure_signable,
    ensure_valid,
    raise_for_issues,
    validate,
    validate_endorsement,
    validate_profile,
    validate_shape,
    validate_vc,
)
from vcengine.core.vcdm import is_vc11
from vcengine.errors import SchemaError

VECTORS = Path(__file__).resolve().parents[2] / "conformance" / "vectors"
Doc = dict[str, Any]


def load(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text(encoding="utf-8"))


OB_VECTORS = [
    *sorted(str(p.relative_to(VECTORS)) for p in (VECTORS / "1edtech-validator" / "ob30").glob("*.json")),
    "1edtech-validator/ob30/bit-string-list/credential-status-revoked.json",
]
IMPL_GUIDE = "1edtech-ob-impl-guide/ob3-eddsa-rdfc-2022-vector.json"
CLR_VECTORS = [
    "1edtech-validator/clr20/simple.json",
    "1edtech-ob-impl-guide/clr2-eddsa-rdfc-2022-vector.json",
]


def simple() -> Doc:
    doc: Doc = load("1edtech-validator/ob30/simple.json")
    return doc


def paths(issues: list[SchemaIssue]) -> list[str]:
    return [issue.path for issue in issues]


# --- vectors ------------------------------------------------------------------------------


@pytest.mark.parametrize("relative", OB_VECTORS)
def test_ob_vectors_have_no_issues(relative: str) -> None:
    doc = load(relative)
    assert validate(doc) == []
    assert validate_vc(doc) == []
    assert validate_shape(doc) == []


def _as_subclasses(value: Any) -> Any:
    """The same JSON built from subclasses of dict, list and str (as some callers pass)."""

    class Obj(dict[str, Any]):
        pass

    class Arr(list[Any]):
        pass

    class Text(str):
        pass

    if isinstance(value, dict):
        return Obj({Text(k): _as_subclasses(v) for k, v in value.items()})
    if isinstance(value, list):
        return Arr(_as_subclasses(v) for v in value)
    return Text(value) if isinstance(value, str) else value


@pytest.mark.parametrize("relative", OB_VECTORS)
def test_subclassed_json_is_judged_like_plain_json(relative: str) -> None:
    # The fast predicate tests exact types; anything else is judged by jsonschema, with the same answer.
    doc = load(relative)
    assert validate(_as_subclasses(doc)) == []
    ensure_signable(_as_subclasses({k: v for k, v in doc.items() if k != "proof"}))
    broken = _as_subclasses({**doc, "credentialSubject": {**doc["credentialSubject"], "type": 7}})
    assert (
        [i.path for i in validate(broken)] == [i.path for i in validate(json.loads(json.dumps(broken)))] != []
    )


@pytest.mark.parametrize("key", ["unsigned_credential", "signed_credential"])
def test_impl_guide_credentials_have_no_issues(key: str) -> None:
    assert validate(load(IMPL_GUIDE)[key]) == []


@pytest.mark.parametrize("relative", CLR_VECTORS)
def test_clr_is_a_valid_vc_but_not_an_ob_credential(relative: str) -> None:
    data = load(relative)
    doc = data.get("signed_credential", data)
    assert validate_vc(doc) == [] and validate_shape(doc) == []
    issues = validate(doc)
    assert len(issues) == 1
    assert issues[0].path == "$.type" and "not an OpenBadgeCredential" in issues[0].message
    embedded = doc["credentialSubject"]["verifiableCredential"][0]
    assert validate(embedded) == []


def test_status_list_credential_is_a_valid_vc() -> None:
    doc = load("1edtech-validator/ob30/bit-string-list/testlist.json")
    assert validate_vc(doc) == []
    assert paths(validate(doc)) == ["$.type"]


def test_integer_status_list_index_is_accepted() -> None:
    doc = load("1edtech-validator/ob30/bit-string-list/credential-status-revoked.json")
    assert isinstance(doc["credentialStatus"]["statusListIndex"], int)
    assert validate(doc) == []


def test_the_input_is_not_mutated() -> None:
    doc = simple()
    before = copy.deepcopy(doc)
    validate(doc)
    validate_endorsement(doc)
    assert doc == before


# --- mutations name the right path --------------------------------------------------------


def drop(*keys: str) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        node = doc
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]

    return mutate


def put(value: Any, *keys: str) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        node = doc
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return mutate


ACHIEVEMENT = ("credentialSubject", "achievement")
MUTATIONS: list[tuple[str, Callable[[Doc], None], str]] = [
    ("no @context", drop("@context"), "$['@context']"),
    ("context order", put([simple()["@context"][1], simple()["@context"][0]], "@context"), "$['@context']"),
    ("only v2 context", put(["https://www.w3.org/ns/credentials/v2"], "@context"), "$['@context']"),
    ("no id", drop("id"), "$.id"),
    ("relative id", put("credentials/3527", "id"), "$.id"),
    ("no type", drop("type"), "$.type"),
    ("no VerifiableCredential", put(["OpenBadgeCredential"], "type"), "$.type"),
    ("no issuer", drop("issuer"), "$.issuer"),
    ("issuer not a uri", put("Example Corp", "issuer"), "$.issuer"),
    ("issuer without id", drop("issuer", "id"), "$.issuer.id"),
    ("issuer relative id", put("issuers/1", "issuer", "id"), "$.issuer.id"),
    ("issuer wrong type", put(5, "issuer"), "$.issuer"),
    ("no validFrom", drop("validFrom"), "$.validFrom"),
    ("date only", put("2010-01-01", "validFrom"), "$.validFrom"),
    ("no timezone", put("2010-01-01T00:00:00", "validFrom"), "$.validFrom"),
    ("validFrom number", put(1262304000, "validFrom"), "$.validFrom"),
    ("validUntil before validFrom", put("2009-12-31T23:59:59Z", "validUntil"), "$.validUntil"),
    ("bad validUntil", put("2011-02-30T00:00:00Z", "validUntil"), "$.validUntil"),
    ("bad awardedDate", put("last year", "awardedDate"), "$.awardedDate"),
    ("name wrong type", put(5, "name"), "$.name"),
    ("no credentialSubject", drop("credentialSubject"), "$.credentialSubject"),
    ("subject not an object", put("did:example:1", "credentialSubject"), "$.credentialSubject"),
    ("subject without id or identifier", drop("credentialSubject", "id"), "$.credentialSubject"),
    ("no achievement", drop(*ACHIEVEMENT), "$.credentialSubject.achievement"),
    ("no criteria", drop(*ACHIEVEMENT, "criteria"), "$.credentialSubject.achievement.criteria"),
    (
        "criteria wrong type",
        put("peers", *ACHIEVEMENT, "criteria"),
        "$.credentialSubject.achievement.criteria",
    ),
    ("no achievement name", drop(*ACHIEVEMENT, "name"), "$.credentialSubject.achievement.name"),
    ("achievement relative id", put("teamwork", *ACHIEVEMENT, "id"), "$.credentialSubject.achievement.id"),
    (
        "bad achievementType",
        put("Medal", *ACHIEVEMENT, "achievementType"),
        "$.credentialSubject.achievement.achievementType",
    ),
    ("image as string", put("https://example.com/i.png", "image"), "$.image"),
    (
        "image extra property",
        put({"id": "https://example.com/i.png", "type": "Image", "width": 3}, "image"),
        "$.image",
    ),
    (
        "image wrong type",
        put({"id": "https://example.com/i.png", "type": "Picture"}, "image"),
        "$.image.type",
    ),
    (
        "achievement image extra",
        put({"id": "https://e.com/i.png", "type": "Image", "alt": "x"}, *ACHIEVEMENT, "image"),
        "$.credentialSubject.achievement.image",
    ),
    ("status array", put([{"type": "1EdTechRevocationList"}], "credentialStatus"), "$.credentialStatus"),
    (
        "status without type",
        put({"id": "https://example.com/s"}, "credentialStatus"),
        "$.credentialStatus.type",
    ),
    ("proof wrong type", put(5, "proof"), "$.proof"),
]


@pytest.mark.parametrize(("label", "mutate", "path"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutation_is_reported_at_its_path(label: str, mutate: Callable[[Doc], None], path: str) -> None:
    doc = simple()
    mutate(doc)
    issues = validate(doc)
    assert path in paths(issues), f"{label}: {[str(i) for i in issues]}"
    assert len(paths(issues)) == len(set(paths(issues))) or label == "context order"
    for issue in issues:
        assert len(issue.message) < 300


def test_identifier_issues_name_the_identifier() -> None:
    doc = simple()
    doc["credentialSubject"]["identifier"] = [
        {"type": "IdentityObject", "hashed": "yes", "identityHash": "x", "identityType": "emailAddress"}
    ]
    assert "$.credentialSubject.identifier[0].hashed" in paths(validate(doc))
    del doc["credentialSubject"]["id"]
    doc["credentialSubject"]["identifier"][0]["hashed"] = True
    assert validate(doc) == []


def test_a_subject_array_is_checked_item_by_item() -> None:
    doc = simple()
    subject = doc["credentialSubject"]
    doc["credentialSubject"] = [subject, {k: v for k, v in subject.items() if k != "id"}]
    assert "$.credentialSubject[1]" in paths(validate_vc(doc) + validate(doc))


def test_language_map_ids_are_not_mistaken_for_uris() -> None:
    doc = simple()
    doc["@context"] = [*doc["@context"], {"id": "@id", "name": "http://schema.org/name"}]
    assert validate(doc) == []


def test_required_issue_path_escapes_odd_names() -> None:
    doc = simple()
    del doc["@context"]
    issue = next(i for i in validate(doc) if i.path == "$['@context']")
    assert "@context" in issue.message


# --- VC 1.1 -------------------------------------------------------------------------------


def vc11() -> Doc:
    doc: Doc = load("1edtech-validator/ob30/credential-status-revoked.json")
    return doc


def test_vc11_vector_is_valid_and_needs_issuance_date() -> None:
    doc = vc11()
    assert validate(doc) == []
    del doc["issuanceDate"]
    assert "$.issuanceDate" in paths(validate(doc))


def test_vc11_dates() -> None:
    doc = vc11()
    doc["issuanceDate"] = "2023-05-23T01:10:41"  # xsd:dateTime: a timezone is optional in VC 1.1
    assert validate(doc) == []
    doc["expirationDate"] = "2023-05-23T01:10:40Z"
    assert paths(validate(doc)) == ["$.expirationDate"]
    doc["expirationDate"] = "soon"
    assert paths(validate(doc)) == ["$.expirationDate"]


def test_vc11_context_with_vc20_dates_is_reported() -> None:
    doc = simple()
    doc["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    assert "$.issuanceDate" in paths(validate(doc))


# --- other credential kinds and documents --------------------------------------------------


def endorsement() -> Doc:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "https://example.com/endorsements/1",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Endorsement of Teamwork",
        "issuer": {"id": "https://example.com/endorsers/1", "type": ["Profile"]},
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "https://example.com/achievements/teamwork",
            "type": ["EndorsementSubject"],
            "endorsementComment": "Well designed",
        },
    }


def test_endorsement_credential() -> None:
    doc = endorsement()
    assert validate_endorsement(doc) == []
    assert paths(validate(doc)) == ["$.type"]
    del doc["name"]
    assert paths(validate_endorsement(doc)) == ["$.name"]
    assert paths(validate_endorsement(simple())) == ["$.type"]


def test_embedded_endorsements_are_validated() -> None:
    doc = simple()
    bad = endorsement()
    del bad["name"]
    doc["credentialSubject"]["achievement"]["endorsement"] = [endorsement(), bad]
    assert paths(validate(doc)) == ["$.credentialSubject.achievement.endorsement[1].name"]


def test_profile_document() -> None:
    profile = simple()["issuer"] | {"url": "https://example.com", "email": "info@example.com"}
    assert validate_profile(profile) == []
    assert paths(validate_profile({"id": "https://example.com/issuers/1"})) == ["$.type"]
    assert paths(validate_profile({"id": "issuer", "type": "Profile"})) == ["$.id"]


@pytest.mark.parametrize("value", [None, [], "credential", 5])
def test_non_objects_are_one_issue_not_a_crash(value: Any) -> None:
    for check in (validate, validate_vc, validate_shape, validate_endorsement):
        assert paths(check(value)) == ["$"]
    assert validate_profile(value)


# --- shape and raising --------------------------------------------------------------------


def test_validate_shape_is_light() -> None:
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "VerifiableCredential",
        "issuer": "did:example:1",
        "credentialSubject": {"id": "did:example:2"},
    }
    assert validate_shape(doc) == []
    ensure_shape(doc)
    assert sorted(paths(validate_shape({}))) == ["$.credentialSubject", "$.issuer", "$.type", "$['@context']"]
    assert paths(validate_shape(doc | {"@context": "https://www.w3.org/ns/credentials/v2"})) == [
        "$['@context']"
    ]
    assert paths(validate_shape(doc | {"type": ["VerifiableCredential", 5]})) == ["$.type"]


def test_ensure_valid_names_the_first_issues() -> None:
    ensure_valid(simple())
    doc = simple()
    for key in ("id", "issuer", "validFrom", "name"):
        doc[key] = 5
    with pytest.raises(SchemaError) as info:
        ensure_valid(doc)
    assert info.value.path == validate(doc)[0].path
    assert "and 1 more" in str(info.value)
    raise_for_issues([])


# --- fuzz: never crash, always a path -----------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def locations(node: Any, trail: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [trail] if trail else []
    if isinstance(node, dict):
        for key, child in node.items():
            found += locations(child, (*trail, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += locations(child, (*trail, index))
    return found


SIMPLE_LOCATIONS = locations(simple())


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SIMPLE_LOCATIONS), JSON)
def test_replacing_any_value_never_crashes(location: tuple[Any, ...], value: Any) -> None:
    doc = simple()
    node = doc
    for step in location[:-1]:
        node = node[step]
    node[location[-1]] = value
    for issue in validate(doc) + validate_endorsement(doc) + validate_shape(doc):
        assert issue.path.startswith("$") and issue.message


# --- the fast yes/no path agrees with jsonschema ------------------------------------------


def compiled_for(doc: Any) -> list[Any]:
    vc11 = is_vc11(doc) if isinstance(doc, dict) else False
    return [
        schema_module._ob_validator(vc11),
        schema_module._endorsement_validator(vc11),
        schema_module._profile_validator(),
    ]


def assert_agree(doc: Any) -> None:
    for compiled in compiled_for(doc):
        assert compiled.accepts(doc) == compiled.validator.is_valid(doc)


@pytest.mark.parametrize("relative", [*OB_VECTORS, "1edtech-validator/ob30/bit-string-list/testlist.json"])
def test_fast_path_agrees_on_vectors(relative: str) -> None:
    assert_agree(load(relative))
    assert_agree(load(relative)["issuer"])


@pytest.mark.parametrize(("label", "mutate", "path"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_fast_path_agrees_on_mutations(label: str, mutate: Callable[[Doc], None], path: str) -> None:
    doc = simple()
    mutate(doc)
    assert_agree(doc)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SIMPLE_LOCATIONS + locations(endorsement()) + locations(vc11())), JSON, st.booleans())
def test_fast_path_agrees_on_random_edits(location: tuple[Any, ...], value: Any, delete: bool) -> None:
    for doc in (simple(), endorsement(), vc11()):
        node: Any = doc
        try:
            for step in location[:-1]:
                node = node[step]
            if delete:
                del node[location[-1]]
            else:
                node[location[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
        assert_agree(doc)


KNOWN_NAMES = sorted({step for trail in SIMPLE_LOCATIONS for step in trail if isinstance(step, str)})


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([(), *SIMPLE_LOCATIONS]),
    st.one_of(st.sampled_from(KNOWN_NAMES), st.text(max_size=12)),
    JSON,
)
def test_fast_path_agrees_on_added_members(location: tuple[Any, ...], name: str, value: Any) -> None:
    """A member added to any object: declared elsewhere, or unknown (property tables and
    additionalProperties)."""
    for doc in (simple(), endorsement()):
        node: Any = doc
        try:
            for step in location:
                node = node[step]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(node, dict):
            node[name] = value
            assert_agree(doc)


def test_fast_path_refuses_keywords_it_does_not_implement() -> None:
    with pytest.raises(SchemaError, match="minimum"):
        compile_predicate({"type": "integer", "minimum": 1})
    with pytest.raises(SchemaError, match="ref"):
        compile_predicate({"$ref": "https://example.com/other.json"})


def test_fast_path_judges_subclasses_of_json_types_like_jsonschema() -> None:
    """A keyword that applies to one type only (``pattern``, ``properties``) must still apply to a
    subclass of that type (found by a review: an exact-type guard skipped it and accepted)."""
    from collections import OrderedDict

    from jsonschema import Draft201909Validator

    class Text(str):
        pass

    cases: list[tuple[dict[str, Any], Any]] = [
        ({"oneOf": [{"type": "string"}, {"pattern": "^a"}]}, Text("abc")),
        ({"oneOf": [{"type": "string"}, {"pattern": "^a"}]}, Text("xyz")),
        ({"properties": {"a": {"type": "string"}}}, OrderedDict(a=1)),
        ({"properties": {"a": {"type": "string"}}}, OrderedDict(a=Text("x"))),
        ({"propertyNames": {"pattern": "^[a-z]+$"}}, {Text("A"): 1}),
        ({"items": {"enum": ["x"]}}, [Text("y")]),
    ]
    for schema, value in cases:
        assert compile_predicate(schema)(value) == Draft201909Validator(schema).is_valid(value), (
            schema,
            value,
        )
