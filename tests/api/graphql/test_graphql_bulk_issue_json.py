"""bulkIssueJson: its hand-made conversion of a coerced item agrees with strawberry's for every
field, the input types have no field it does not read, and the key and its scope are judged before
the input (over a real server; the mutation's results run end to end in test_graphql_operations.py)."""

from __future__ import annotations

from typing import Any

from graphql.utilities import coerce_input_value
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.types.arguments import convert_argument

from graphql import GraphQLEnumType, GraphQLInputObjectType, Undefined
from tests.api.conftest import LiveServer
from vcengine.api.graphql.mutations.bulk_issue_json import input_of
from vcengine.api.graphql.mutations.issue_credential import IssueCredentialInput
from vcengine.api.graphql.schema import schema

ITEM = schema.schema_converter.from_input_object(IssueCredentialInput)


def _input_type(name: str) -> GraphQLInputObjectType:
    found = schema._schema.get_type(name)
    assert isinstance(found, GraphQLInputObjectType)
    return found


def _enum_names(name: str) -> list[str]:
    found = schema._schema.get_type(name)
    assert isinstance(found, GraphQLEnumType)
    return list(found.values)


def test_input_of_reads_every_field_of_the_input_types() -> None:
    # A field added to one of these types must be added to input_of (then to this list).
    assert set(ITEM.fields) == {
        "achievementId", "recipient", "evidence", "validUntil", "proofFormat", "idempotencyKey",
        "statusPurpose", "delivery",
    }  # fmt: skip
    assert set(_input_type("RecipientInput").fields) == {"email", "identifier", "name"}
    assert set(_input_type("EvidenceInput").fields) == {"url", "narrative", "name", "description"}


TEXT = st.text(min_size=1, max_size=12)


def _sparse(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects holding any subset of ``fields`` (a value may be null)."""
    return st.fixed_dictionaries({}, optional={k: st.none() | v for k, v in fields.items()})


ITEMS = st.fixed_dictionaries(
    {"achievementId": TEXT, "recipient": _sparse(email=TEXT, identifier=TEXT, name=TEXT)},
    optional={
        "evidence": st.lists(_sparse(url=TEXT, narrative=TEXT, name=TEXT, description=TEXT), max_size=3),
        "validUntil": st.none() | st.sampled_from(["2030-01-01T00:00:00Z", "2031-06-30T12:30:00+02:00"]),
        "proofFormat": st.sampled_from(_enum_names("ProofFormat")),
        "idempotencyKey": st.none() | TEXT,
        "statusPurpose": st.sampled_from(_enum_names("StatusPurpose")),
        "delivery": st.none() | st.sampled_from(_enum_names("DeliveryMethod")),
    },
)


@settings(max_examples=300)
@given(ITEMS)
def test_input_of_agrees_with_strawberrys_conversion(item: dict[str, Any]) -> None:
    coerced = coerce_input_value(item, ITEM)
    assert coerced is not Undefined
    expected = convert_argument(
        coerced, IssueCredentialInput, schema.schema_converter.scalar_registry, schema.config
    )
    assert input_of(coerced) == expected


MUTATION = "mutation($i: BulkIssueJsonInput!) { bulkIssueJson(input: $i) { userErrors { field code } } }"


def test_the_key_and_its_scope_come_before_the_input(live_server: LiveServer) -> None:
    read_only = live_server.gql(
        'mutation { createApiKey(input: {name: "json-reader", scopes: [READ]}) { key } }'
    )["createApiKey"]["key"]
    for items in ([], {"not": "a list"}, [{}] * 10_001):
        variables = {"i": {"items": items}}
        anonymous = live_server.client.post("/graphql", json={"query": MUTATION, "variables": variables})
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", anonymous.text
        reader = live_server.client.post(
            "/graphql",
            json={"query": MUTATION, "variables": variables},
            headers={"Authorization": f"Bearer {read_only}"},
        ).json()["data"]["bulkIssueJson"]
        assert [e["code"] for e in reader["userErrors"]] == ["FORBIDDEN"], reader
        admin = live_server.gql(MUTATION, variables)["bulkIssueJson"]
        assert admin["userErrors"] == [{"field": ["input", "items"], "code": "INVALID"}], admin
