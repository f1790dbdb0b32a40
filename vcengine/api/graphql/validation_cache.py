"""Validate each distinct GraphQL document once, not on every request.

graphql-core re-parsed and re-validated the same ``issueCredential`` text on every request
(3.4 ms of a 10 ms issuance, issue 12). Parsing is cached by strawberry's ``ParserCache``;
validation cannot use strawberry's ``ValidationCache``, which keys on the rule classes — and the
depth and alias limiters build new classes for every request, so it would never hit.

The result of validation depends on the schema, the document and the rules. Every rule here is
fixed when the schema is built, except the ones that read the request itself (the verification
cost rule weighs the variables): those carry ``per_request = True`` and run every time. The
others' result is kept per document text (with the names of the rules) in a bounded LRU, so a
public endpoint sent unique texts cannot grow it without bound.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from threading import Lock

from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from graphql import GraphQLError

__all__ = ["CachedValidation"]

MAXSIZE = 256
_results: OrderedDict[tuple[str, ...], list[GraphQLError]] = OrderedDict()
_lock = Lock()


class CachedValidation(SchemaExtension):
    """Runs validation itself: the fixed rules' result from the cache, the per-request rules anew."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None and context.validation_rules:
            per_request = tuple(r for r in context.validation_rules if getattr(r, "per_request", False))
            fixed = tuple(r for r in context.validation_rules if r not in per_request)
            key = (context.query or "", *(r.__qualname__ for r in fixed))
            with _lock:
                errors = _results.get(key)
                if errors is not None:
                    _results.move_to_end(key)
            if errors is None:
                errors = validate_document(context.schema._schema, document, fixed)
                with _lock:
                    _results[key] = errors
                    while len(_results) > MAXSIZE:
                        _results.popitem(last=False)
            errors = list(errors)
            if per_request:
                errors += validate_document(context.schema._schema, document, per_request)
            context.pre_execution_errors = errors
        yield
