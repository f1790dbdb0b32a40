"""Cost accounting for verification over GraphQL: each ``verifyCredential`` weighs its input.

Any API key may verify, even a read-only one, and aliases let one request ask for many
verifications. So before any resolver runs (a validation rule: the request is parsed, nothing is
executed), the ``verifyCredential`` fields of the document are counted and weighed: one unit
each, plus one per 16 KiB of its input — the credential JSON, the JWT, or the base64 image —
whether given inline or through variables. A request may hold at most ``MAX_VERIFICATIONS`` of
them, weighing at most ``MAX_WEIGHT`` units together (6 MiB of input: one image at the service's
4 MiB limit, in base64, weighs 342); beyond either, the whole request is refused with a top-level
error whose ``extensions.code`` is ``VERIFICATION_COST_EXCEEDED``, and nothing is verified.

Every such field of the document counts, in every operation and fragment: a field is executed at
most once per request (the mutation root is, and same-named fields merge), so this bounds what a
request can make the verifier do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from strawberry.extensions import SchemaExtension

from graphql import (
    ASTValidationRule,
    FieldNode,
    GraphQLError,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
    VariableNode,
    print_ast,
)

__all__ = ["CODE", "MAX_VERIFICATIONS", "MAX_WEIGHT", "UNIT_BYTES", "VerificationCost", "weight"]

CODE = "VERIFICATION_COST_EXCEEDED"
FIELD = "verifyCredential"
MAX_VERIFICATIONS = 10
UNIT_BYTES = 16 * 1024
MAX_WEIGHT = 384


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _size(node: ValueNode, variables: Mapping[str, Any], defaults: Mapping[str, ValueNode]) -> int:
    """Bytes of an argument value as the resolver will get it: variables replaced by their values
    (or their defaults), literals by their text."""
    if isinstance(node, VariableNode):
        name = node.name.value
        if name in variables:
            return _json_size(variables[name])
        return _size(defaults[name], {}, {}) if name in defaults else 0
    if isinstance(node, ObjectValueNode):
        return sum(len(f.name.value) + _size(f.value, variables, defaults) for f in node.fields)
    if isinstance(node, ListValueNode):
        return sum(_size(v, variables, defaults) for v in node.values)
    return node.loc.end - node.loc.start if node.loc is not None else len(print_ast(node))


def weight(size: int) -> int:
    """What one verification of ``size`` bytes of input weighs."""
    return 1 + size // UNIT_BYTES


def _rule(variables: Mapping[str, Any]) -> type[ASTValidationRule]:
    class VerificationCostRule(ValidationRule):
        per_request = True  # it weighs this request's variables: never cached (validation_cache)

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = self.total = 0
            # Default values of variables, from every operation (fragments may come first).
            self.defaults: dict[str, ValueNode] = {
                definition.variable.name.value: definition.default_value
                for operation in context.document.definitions
                if isinstance(operation, OperationDefinitionNode)
                for definition in operation.variable_definitions or ()
                if definition.default_value is not None
            }

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = self.context.get_parent_type()
            mutation = self.context.schema.mutation_type
            if node.name.value != FIELD or parent is None or parent is not mutation:
                return
            self.count += 1
            self.total += weight(sum(_size(a.value, variables, self.defaults) for a in node.arguments or ()))

        def leave_document(self, *_: Any) -> None:
            if self.count > MAX_VERIFICATIONS:
                self._refuse(f"{self.count} verifyCredential fields; a request may hold {MAX_VERIFICATIONS}")
            elif self.total > MAX_WEIGHT:
                self._refuse(
                    f"the verifyCredential inputs weigh {self.total} units (one per verification and per"
                    f" {UNIT_BYTES // 1024} KiB of input); a request may weigh {MAX_WEIGHT}"
                )

        def _refuse(self, why: str) -> None:
            self.report_error(
                GraphQLError(
                    f"too much verification in one request: {why}; nothing was verified",
                    extensions={"code": CODE},
                )
            )

    return VerificationCostRule


class VerificationCost(SchemaExtension):
    """Adds the cost rule, which needs this request's variables, to the request's validation."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        # A field's name is written out in the document text (an alias only adds a name): a text
        # without "verifyCredential" holds no such field, and the rule, which runs on every
        # request (it weighs the variables), is not needed. It cost issuance ~0.2 ms a request.
        if context.query is None or FIELD in context.query:
            context.validation_rules = (*context.validation_rules, _rule(context.variables or {}))
        yield
