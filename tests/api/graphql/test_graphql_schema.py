"""The committed SDL is the schema: regenerate with
``python -m vcengine.api.graphql.export > graphql/schema.graphql``."""

from __future__ import annotations

from pathlib import Path

from graphql import parse
from vcengine.api.graphql.export import sdl
from vcengine.api.graphql.schema import schema

SDL = Path(__file__).resolve().parents[3] / "graphql" / "schema.graphql"
OPERATIONS = SDL.parent / "operations"


def test_the_committed_schema_has_not_drifted() -> None:
    assert SDL.read_text(encoding="utf-8") == sdl(), (
        "graphql/schema.graphql is stale: python -m vcengine.api.graphql.export > graphql/schema.graphql"
    )


def test_every_example_operation_validates_against_the_schema() -> None:
    from graphql import validate

    for path in sorted(OPERATIONS.glob("*.graphql")):
        errors = validate(schema._schema, parse(path.read_text(encoding="utf-8")))
        assert not errors, (path.name, errors)


def test_graphql_dir_holds_no_python() -> None:
    assert not list(SDL.parent.rglob("*.py"))


def test_mutations_follow_the_payload_convention() -> None:
    mutation = schema._schema.mutation_type
    assert mutation is not None
    for name, field in mutation.fields.items():
        payload = field.type.of_type if hasattr(field.type, "of_type") else field.type
        assert "userErrors" in payload.fields, name
        assert list(field.args) == ["input"], name
