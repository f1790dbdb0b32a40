"""Fuzz every mutation with inputs of the right GraphQL shape and hostile values: the server
answers 200 with data or typed userErrors — never a 500, never a masked internal error."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)
from tests.api.graphql.conftest import Server
from tests.services.support import Tenant
from vcengine.api.graphql.schema import schema
from vcengine.api.graphql.types.ids import global_id

MUTATIONS = schema._schema.mutation_type.fields  # type: ignore[union-attr]
TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", " ", "https://x.example/a", "did:key:z6Mk", "a@b.co", "ext:x", "\x00", "{", "a.b.c"]
    ),
    st.text(max_size=3000).filter(lambda t: len(t) > 2000),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def strategy(type_: Any, ids: st.SearchStrategy[str], depth: int = 0) -> st.SearchStrategy[Any]:
    if isinstance(type_, GraphQLNonNull):
        return strategy(type_.of_type, ids, depth)
    if isinstance(type_, GraphQLList):
        return st.lists(strategy(type_.of_type, ids, depth + 1), max_size=3)
    if isinstance(type_, GraphQLEnumType):
        return st.sampled_from(list(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        required = {
            n: strategy(f.type, ids, depth + 1)
            for n, f in type_.fields.items()
            if isinstance(f.type, GraphQLNonNull)
        }
        optional = {n: strategy(f.type, ids, depth + 1) for n, f in type_.fields.items() if n not in required}
        return st.fixed_dictionaries(required, optional=optional)
    assert isinstance(type_, GraphQLScalarType)
    return {
        "String": TEXT,
        "ID": ids,
        "Int": st.integers(-(2**31), 2**31 - 1),
        "Float": st.floats(allow_nan=False, allow_infinity=False),
        "Boolean": st.booleans(),
        "DateTime": st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat()),
        "JSON": JSON,
        "Upload": JSON,  # over JSON a file can only be some other value: a userError, not a crash
    }[type_.name]


@pytest.fixture(scope="module")
def fuzz_tenant(server: Server) -> Tenant:
    return server.tenant("Fuzz")


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_no_input_yields_an_internal_error(server: Server, fuzz_tenant: Tenant, name: str) -> None:
    field = MUTATIONS[name]
    input_type = field.args["input"].type
    real = [
        str(global_id("Achievement", fuzz_tenant.achievement_id)),
        str(global_id("Issuer", fuzz_tenant.issuer_id)),
    ]
    ids = st.sampled_from(real) | TEXT
    selection = "userErrors { field message code }"
    query = f"mutation($input: {input_type}) {{ {name}(input: $input) {{ {selection} }} }}"

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(strategy(input_type, ids))
    def check(value: Any) -> None:
        response = server.post(query, {"input": value}, fuzz_tenant.key)
        assert response.status_code == 200, response.text
        body = response.json()
        for error in body.get("errors", []):
            assert error["message"] != "Unexpected error.", (value, body)
            assert "locations" in error or (error.get("extensions") or {}).get("code"), (value, body)
        if body.get("data") and body["data"].get(name):
            for user_error in body["data"][name]["userErrors"]:
                assert user_error["code"] and user_error["message"]

    check()
