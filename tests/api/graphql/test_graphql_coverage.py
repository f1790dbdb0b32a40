"""Every top-level query, mutation and subscription of ``graphql/schema.graphql`` is executed by
some test (issue 8 point 5: the ``organization`` query failed for every caller and no test noticed).

What counts as executed: a GraphQL document in ``graphql/operations/`` (each is run by
``test_graphql_operations``) or a string literal in a test module that parses as a GraphQL
operation (the tests send them to a live server). Both are read with graphql-core's parser, so a
field named only in a comment or in a variable name does not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

from graphql.error import GraphQLSyntaxError

from graphql import OperationDefinitionNode, build_schema, parse

ROOT = Path(__file__).resolve().parents[3]
KINDS = {"query": "query_type", "mutation": "mutation_type", "subscription": "subscription_type"}


def _documents() -> list[str]:
    texts = [p.read_text() for p in sorted((ROOT / "graphql" / "operations").glob("*.graphql"))]
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "{" in node.value:
                texts.append(node.value)
    return texts


def executed_root_fields() -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for text in _documents():
        try:
            document = parse(text)
        except GraphQLSyntaxError:
            continue
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                kind = definition.operation.value
                for selection in definition.selection_set.selections:
                    name = getattr(selection, "name", None)
                    if name is not None:
                        seen[kind].add(name.value)
    return seen


def test_every_root_field_is_executed_by_a_test() -> None:
    schema = build_schema((ROOT / "graphql" / "schema.graphql").read_text())
    seen = executed_root_fields()
    missing = []
    for kind, attribute in KINDS.items():
        root = getattr(schema, attribute)
        for field in sorted(root.fields if root is not None else ()):
            if field not in seen[kind]:
                missing.append(f"{kind} {field}")
    assert not missing, f"no test executes: {', '.join(missing)}"


def test_the_scanner_sees_what_it_should() -> None:
    seen = executed_root_fields()
    assert "issueCredential" in seen["mutation"] and "credentialEvents" in seen["subscription"]
    assert "__typename" not in seen["mutation"]
