from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcengine.core.contexts import OB_CONTEXT, VC_V2_CONTEXT
from vcengine.core.credential_view import CredentialView
from vcengine.core.model import (
    Achievement,
    AchievementSubject,
    Alignment,
    Criteria,
    Evidence,
    IdentityObject,
    Image,
    OpenBadgeCredential,
    Profile,
    Result,
    ResultDescription,
    RubricCriterionLevel,
    as_list,
    copy_json,
    identity_hash,
    is_absolute_uri,
    matches_identity,
)
from vcengine.core.schema import validate
from vcengine.errors import InputError, SchemaError

VECTORS = Path(__file__).resolve().parents[2] / "conformance" / "vectors"
VALID_FROM = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


def load(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text(encoding="utf-8"))


def achievement(**overrides: Any) -> Achievement:
    fields: dict[str, Any] = {
        "id": "https://example.com/achievements/teamwork",
        "name": "Teamwork",
        "description": "Collaborates within a group.",
        "criteria": Criteria(narrative="Nominated by peers."),
    }
    return Achievement(**(fields | overrides))


def credential(**overrides: Any) -> OpenBadgeCredential:
    fields: dict[str, Any] = {
        "id": "urn:uuid:3f1b2f5e-0000-4000-8000-000000000001",
        "issuer": Profile("https://example.com/issuers/1", name="Example Corp"),
        "valid_from": VALID_FROM,
        "credential_subject": AchievementSubject(achievement(), id="did:example:learner"),
    }
    return OpenBadgeCredential(**(fields | overrides))


# --- builders ---------------------------------------------------------------------------


def test_minimal_credential_json_is_exactly_ob30() -> None:
    assert credential().to_json() == {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "id": "urn:uuid:3f1b2f5e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.com/issuers/1", "type": ["Profile"], "name": "Example Corp"},
        "validFrom": "2024-01-01T12:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner",
            "achievement": {
                "id": "https://example.com/achievements/teamwork",
                "type": ["Achievement"],
                "criteria": {"narrative": "Nominated by peers."},
                "description": "Collaborates within a group.",
                "name": "Teamwork",
            },
        },
    }


def test_rebuilds_the_impl_guide_credential() -> None:
    expected = load("1edtech-ob-impl-guide/ob3-eddsa-rdfc-2022-vector.json")["unsigned_credential"]
    built = OpenBadgeCredential(
        id=expected["id"],
        issuer=Profile(
            expected["issuer"]["id"], name=expected["issuer"]["name"], url=expected["issuer"]["url"]
        ),
        valid_from=datetime(2010, 1, 1, tzinfo=UTC),
        name=expected["name"],
        credential_subject=AchievementSubject(
            id=expected["credentialSubject"]["id"],
            achievement=Achievement(
                id=expected["credentialSubject"]["achievement"]["id"],
                name=expected["credentialSubject"]["achievement"]["name"],
                description=expected["credentialSubject"]["achievement"]["description"],
                criteria=Criteria(
                    narrative=expected["credentialSubject"]["achievement"]["criteria"]["narrative"]
                ),
            ),
        ),
    ).to_json()
    assert built == expected


def test_full_credential_validates_and_omits_empty_values() -> None:
    alignment = Alignment("Teamwork", "https://example.com/framework/teamwork", target_type="CFItem")
    doc = credential(
        name="Teamwork Badge",
        description="",
        image=Image("https://example.com/badge.png", caption="A badge"),
        valid_from=datetime(2024, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))),
        valid_until=datetime(2030, 1, 1, tzinfo=UTC),
        awarded_date=datetime(2023, 12, 31, tzinfo=UTC),
        evidence=(Evidence(id="https://example.com/evidence/1", narrative="Did it"), Evidence(name="Essay")),
        credential_status={
            "id": "https://example.com/status/1#23",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "23",
            "statusListCredential": "https://example.com/status/1",
        },
        with_schema=True,
        type_name="AchievementCredential",
        credential_subject=AchievementSubject(
            achievement(
                achievement_type="Badge",
                image=Image("data:image/png;base64,iVBORw0KGgo="),
                creator=Profile("https://example.com/issuers/1", url="https://example.com"),
                alignment=(alignment,),
                result_description=(
                    ResultDescription(
                        "urn:uuid:rd-1",
                        "Grade",
                        "LetterGrade",
                        allowed_value=("A", "B", "C"),
                        rubric_criterion_level=(RubricCriterionLevel("urn:uuid:level-1", "Good"),),
                    ),
                ),
                tag=("teamwork", "collaboration"),
                credits_available=3.0,
            ),
            identifier=(IdentityObject.hashed_from("a@example.com", "Kosher"),),
            result=(Result(result_description="urn:uuid:rd-1", value="A"),),
            activity_start_date=datetime(2023, 9, 1, tzinfo=UTC),
            credits_earned=3.0,
            source=Profile("https://example.com/assessor"),
        ),
    )
    data = doc.to_json()
    assert validate(data) == []
    assert "description" not in data
    assert data["validFrom"] == "2024-01-01T12:00:00Z"
    assert data["@context"][2] == "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
    assert data["credentialSchema"][0]["type"] == "1EdTechJsonSchemaValidator2019"
    assert data["image"] == {"id": "https://example.com/badge.png", "type": "Image", "caption": "A badge"}
    subject = data["credentialSubject"]
    assert "id" not in subject
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
            "identityType": "emailAddress",
            "hashed": True,
            "salt": "Kosher",
        }
    ]
    assert subject["achievement"]["alignment"][0]["type"] == ["Alignment"]
    assert subject["achievement"]["resultDescription"][0]["allowedValue"] == ["A", "B", "C"]
    assert subject["result"] == [{"type": ["Result"], "resultDescription": "urn:uuid:rd-1", "value": "A"}]
    assert data["evidence"][1] == {"type": ["Evidence"], "name": "Essay"}


def test_to_json_copies_caller_mappings() -> None:
    status = {"type": "1EdTechRevocationList", "id": "https://example.com/revocations"}
    data = credential(credential_status=status).to_json()
    data["credentialStatus"]["id"] = "changed"
    assert status["id"] == "https://example.com/revocations"


@pytest.mark.parametrize(
    "build",
    [
        lambda: credential(id="not a uri"),
        lambda: credential(valid_until=VALID_FROM - timedelta(seconds=1)),
        lambda: AchievementSubject(achievement()),
        lambda: AchievementSubject(achievement(), id="learner-7"),
        lambda: achievement(id="teamwork"),
        lambda: Image("badge.png"),
        lambda: Profile("example corp"),
        lambda: Alignment("x", "not a url"),
        lambda: Criteria(id="relative/criteria"),
    ],
)
def test_builders_refuse_invalid_values(build: Any) -> None:
    with pytest.raises(SchemaError):
        build()


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(InputError):
        credential(valid_from=datetime(2024, 1, 1))


def test_builders_are_frozen() -> None:
    built = credential()
    with pytest.raises(AttributeError):
        built.id = "urn:x"  # type: ignore[misc]


# --- identity -----------------------------------------------------------------------------


def test_identity_hash_spec_example() -> None:
    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )
    # OB 2.0 vector (standards.md): sha256("nobody@example.org" + "deadsea")
    assert identity_hash("nobody@example.org", "deadsea").startswith("sha256$ecf5409f")
    assert identity_hash("x", alg="md5") == "md5$9dd4e461268c8034f5c8564e155c67a6"
    with pytest.raises(InputError):
        identity_hash("x", alg="sha1")


def test_matches_identity() -> None:
    hashed = IdentityObject.hashed_from("a@example.com", "Kosher").to_json()
    assert matches_identity(hashed, "a@example.com")
    assert not matches_identity(hashed, "b@example.com")
    upper = dict(hashed, identityHash=hashed["identityHash"].upper())
    assert matches_identity(upper, "a@example.com")
    plain = IdentityObject("a@example.com", hashed=False).to_json()
    assert matches_identity(plain, "a@example.com")
    assert not matches_identity(plain, "A@example.com")
    assert not matches_identity({"hashed": True, "identityHash": "sha1$00"}, "x")
    assert not matches_identity({"hashed": True, "identityHash": 7}, "x")
    assert not matches_identity({"hashed": True, "identityHash": "nodollar"}, "x")


# --- views --------------------------------------------------------------------------------


def test_view_over_vc20_vector() -> None:
    doc = load("1edtech-validator/ob30/simple.json")
    before = copy.deepcopy(doc)
    view = CredentialView(doc)
    assert view.id == "http://example.com/credentials/3527"
    assert view.types == ["VerifiableCredential", "OpenBadgeCredential"]
    assert view.is_open_badge and not view.is_vc11
    assert view.issuer_id == "https://example.com/issuers/876543"
    assert view.issuer is not None and view.issuer["name"] == "Example Corp"
    assert view.subject_id == "did:example:ebfeb1f712ebc6f1c276e12ec21"
    assert view.achievement_id == "https://example.com/achievements/21st-century-skills/teamwork"
    assert view.achievement_name == "Teamwork"
    assert view.name == "Teamwork Badge"
    assert view.valid_from == datetime(2010, 1, 1, tzinfo=UTC)
    assert view.valid_until is None
    assert len(view.proofs) == 1
    assert view.credential_status == [] and view.evidence == [] and view.endorsements == []
    assert view.matches_recipient("did:example:ebfeb1f712ebc6f1c276e12ec21")
    assert doc == before


def test_view_over_vc11_vector_reads_legacy_dates_and_single_values() -> None:
    view = CredentialView(load("1edtech-validator/ob30/credential-status-revoked.json"))
    assert view.is_vc11
    assert view.types == ["VerifiableCredential", "AchievementCredential"]
    assert view.valid_from == datetime(2023, 5, 23, 1, 10, 41, tzinfo=UTC)
    assert [status["type"] for status in view.credential_status] == ["1EdTechRevocationList"]
    assert [proof["type"] for proof in view.proofs] == ["Ed25519Signature2020"]


def test_view_tolerates_string_forms_and_missing_values() -> None:
    view = CredentialView(
        {
            "@context": "https://www.w3.org/ns/credentials/v2",
            "type": "VerifiableCredential",
            "issuer": "did:example:issuer",
            "credentialSubject": [
                {
                    "identifier": {
                        "type": "IdentityObject",
                        "hashed": False,
                        "identityHash": "7",
                        "identityType": "sisSourcedId",
                    }
                }
            ],
            "issuanceDate": "2020-01-01T00:00:00Z",
            "validUntil": "2030-01-01T00:00:00",
            "endorsementJwt": "a.b.c",
        }
    )
    assert view.types == ["VerifiableCredential"] and not view.is_open_badge
    assert view.issuer_id == "did:example:issuer" and view.issuer is None
    assert view.subject_id is None and view.achievement is None and view.achievement_name is None
    assert view.valid_from is None  # a VC 2.0 document does not read issuanceDate
    assert view.valid_until == datetime(2030, 1, 1, tzinfo=UTC)
    assert view.endorsement_jwts == ["a.b.c"]
    assert view.matches_recipient("7", identity_type="sisSourcedId")
    assert not view.matches_recipient("7", identity_type="emailAddress")
    assert CredentialView({}).types == [] and CredentialView({}).id is None
    assert "CredentialView" in repr(view)


def test_view_date_errors_name_the_path() -> None:
    with pytest.raises(SchemaError) as info:
        _ = CredentialView({"validFrom": "yesterday"}).valid_from
    assert info.value.path == "$.validFrom"


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=30,
)


@given(_JSON_VALUES)
def test_copy_json_is_an_equal_copy_sharing_no_container(value: Any) -> None:
    copied = copy_json(value)
    assert copied == value and json.dumps(copied) == json.dumps(value)

    def containers(v: Any) -> list[int]:
        inner = v.values() if isinstance(v, dict) else v if isinstance(v, list) else ()
        return [id(v)] * isinstance(v, dict | list) + [i for item in inner for i in containers(item)]

    assert not set(containers(copied)) & set(containers(value))


def test_copy_json_deep_copies_what_is_not_json() -> None:
    moment = [datetime(2026, 1, 1, tzinfo=UTC)]
    nested = {"a": (moment,)}
    copied = copy_json(nested)
    assert copied == nested and copied["a"][0] is not moment


def test_helpers() -> None:
    assert as_list(None) == [] and as_list("a") == ["a"] and as_list(["a", "b"]) == ["a", "b"]
    assert is_absolute_uri("urn:uuid:1") and is_absolute_uri("did:key:z6Mk") and is_absolute_uri("data:,x")
    for bad in ("", "relative/path", "http://exa mple.com", "1http://x", ":x", None, 3):
        assert not is_absolute_uri(bad)


@settings(max_examples=300)
@given(
    st.one_of(
        st.from_regex(r"[A-Za-z][A-Za-z0-9+.\-]{0,5}:[^\s]{1,300}", fullmatch=True),
        st.text(max_size=300),
    )
)
def test_is_absolute_uri_remembers_the_same_answer_as_the_grammar(value: str) -> None:
    grammar = re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]+", value) is not None
    # Asked twice: the second answer (from the memo for short strings) is the grammar's too.
    assert is_absolute_uri(value) is grammar and is_absolute_uri(value) is grammar


# --- property: random text never yields an invalid document -------------------------------

TEXT = st.text(max_size=40)
OPTIONAL_TEXT = st.none() | TEXT
URIS = st.builds(
    "{}:{}".format,
    st.sampled_from(["https", "urn", "did", "mailto"]),
    st.text(st.characters(codec="ascii", exclude_categories=("Cc", "Zs")), min_size=1, max_size=20),
)
MOMENTS = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC))


@st.composite
def credentials(draw: st.DrawFn) -> OpenBadgeCredential:
    valid_from = draw(MOMENTS)
    subject_id = draw(st.none() | URIS)
    identifiers = tuple(
        IdentityObject.hashed_from(draw(TEXT), draw(TEXT)) for _ in range(draw(st.integers(0, 2)))
    )
    if subject_id is None and not identifiers:
        identifiers = (IdentityObject(draw(TEXT), identity_type="name", hashed=False),)
    return OpenBadgeCredential(
        id=draw(URIS),
        issuer=Profile(
            draw(URIS),
            name=draw(OPTIONAL_TEXT),
            description=draw(OPTIONAL_TEXT),
            image=draw(st.none() | st.builds(Image, URIS, OPTIONAL_TEXT)),
        ),
        valid_from=valid_from,
        valid_until=draw(st.none() | st.just(valid_from + timedelta(days=draw(st.integers(0, 10_000))))),
        name=draw(OPTIONAL_TEXT),
        description=draw(OPTIONAL_TEXT),
        credential_subject=AchievementSubject(
            Achievement(
                id=draw(URIS),
                name=draw(TEXT),
                description=draw(TEXT),
                criteria=Criteria(narrative=draw(OPTIONAL_TEXT), id=draw(st.none() | URIS)),
                achievement_type=draw(st.none() | st.sampled_from(["Badge", "Course", "ext:Custom"])),
                tag=tuple(draw(st.lists(TEXT, max_size=3))),
                alignment=tuple(draw(st.lists(st.builds(Alignment, TEXT, URIS, OPTIONAL_TEXT), max_size=2))),
            ),
            id=subject_id,
            identifier=identifiers,
            narrative=draw(OPTIONAL_TEXT),
            result=tuple(draw(st.lists(st.builds(Result, value=OPTIONAL_TEXT), max_size=2))),
        ),
        evidence=tuple(draw(st.lists(st.builds(Evidence, st.none() | URIS, OPTIONAL_TEXT), max_size=2))),
        with_schema=draw(st.booleans()),
    )


@settings(max_examples=150, deadline=None)
@given(credentials())
def test_builders_with_random_text_always_validate(built: OpenBadgeCredential) -> None:
    data = built.to_json()
    assert validate(data) == []
    assert json.loads(json.dumps(data)) == data
    view = CredentialView(data)
    assert view.valid_from == built.valid_from.replace(microsecond=0)
    assert view.issuer_id == built.issuer.id
