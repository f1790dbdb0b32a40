"""How service errors reach GraphQL clients.

Expected failures of a mutation become ``userErrors`` in its payload (``UserError``: the input
field path, a message, an ``ErrorCode``, and for a credential that would break a data-model rule
the rule's stable id in ``rule``). Top-level ``errors`` are left for what a client cannot
fix by changing its input: no or a bad API key (``UNAUTHENTICATED``), a query the key's scopes
do not allow (``FORBIDDEN``), a malformed cursor (``BAD_USER_INPUT``), the store being
unreachable (``STORE_UNAVAILABLE``), the verifier being saturated (``VERIFIER_BUSY``) or stopping
a verification at its deadline (``VERIFICATION_ABORTED``), a request asking for more
verification than one request may (``VERIFICATION_COST_EXCEEDED``) — each carrying
``extensions.code`` — and bugs, which ``MaskErrors`` reduces to "Unexpected error." (the
traceback is logged server-side).

Logging (``log_errors``): a client's mistake — no or a bad key, a missing scope, a syntax or
validation error, a bad cursor — is one short INFO line; strawberry's default logs each with its
traceback at ERROR, so every anonymous request would write a screenful (log amplification). Only
a bug, the errors that get masked, is logged at ERROR with its traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import Enum

import strawberry

from graphql import GraphQLError
from vcengine.errors import (
    Busy,
    Conflict,
    InputError,
    NotFound,
    Overloaded,
    PermissionDenied,
    SchemaError,
    StoreError,
    UnsupportedError,
    VcengineError,
)
from vcengine.services.organizations import LastAdminKey
from vcengine.services.status_changes import InvalidTransition

__all__ = [
    "EXPECTED",
    "ErrorCode",
    "UserError",
    "coded",
    "log_errors",
    "outage",
    "overloaded",
    "should_mask",
    "user_errors",
]

log = logging.getLogger("vcengine.api.graphql")

EXPECTED = (InputError, NotFound, PermissionDenied, Conflict, UnsupportedError)


@strawberry.enum(description="Why a mutation's input was refused.")
class ErrorCode(Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    DUPLICATE = "DUPLICATE"
    CONFLICT = "CONFLICT"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    LAST_ADMIN_KEY = "LAST_ADMIN_KEY"


@strawberry.type(description="An expected failure: which input field, what is wrong, a stable code.")
class UserError:
    field: list[str] | None
    message: str
    code: ErrorCode
    rule: str | None = strawberry.field(
        default=None,
        description=(
            "The data-model rule the credential would break, a stable id such as "
            "VCDM2-4.8-subject-claims (VC Data Model 2.0 section 4.8); null for other errors."
        ),
    )


def _code(exc: VcengineError) -> ErrorCode:
    if isinstance(exc, InvalidTransition):
        return ErrorCode.INVALID_TRANSITION
    if isinstance(exc, LastAdminKey):
        return ErrorCode.LAST_ADMIN_KEY
    if isinstance(exc, NotFound):
        return ErrorCode.NOT_FOUND
    if isinstance(exc, PermissionDenied):
        return ErrorCode.FORBIDDEN
    if isinstance(exc, Conflict):
        return ErrorCode.CONFLICT
    if isinstance(exc, UnsupportedError):
        return ErrorCode.NOT_SUPPORTED
    return ErrorCode.INVALID


def user_errors(exc: VcengineError, prefix: tuple[str, ...] = ("input",)) -> list[UserError]:
    rule = exc.rule if isinstance(exc, SchemaError) else None
    if rule is not None:  # its path is in the credential built from the input, not an input field
        return [UserError(field=list(prefix) or None, message=str(exc), code=_code(exc), rule=rule)]
    path = list(prefix) + (exc.path.lstrip("$.").split(".") if exc.path else [])
    return [UserError(field=path or None, message=exc.message, code=_code(exc))]


def coded(message: str, code: str) -> GraphQLError:
    """A top-level error that survives masking: it carries ``extensions.code``."""
    return GraphQLError(message, extensions={"code": code})


def outage(exc: StoreError) -> GraphQLError:
    return coded(
        f"the store is unavailable, nothing was changed; retry later ({exc.message})", "STORE_UNAVAILABLE"
    )


def overloaded(exc: Overloaded) -> GraphQLError:
    """The verifier refused (busy) or stopped (deadline) the work: retry later; nothing was verified."""
    if isinstance(exc, Busy):
        return coded(f"the verifier is busy, nothing was verified ({exc.message})", "VERIFIER_BUSY")
    return coded(f"the verification was stopped: {exc.message}", "VERIFICATION_ABORTED")


def should_mask(error: GraphQLError) -> bool:
    """Mask resolver exceptions unless they are deliberate (carry an explicit code)."""
    original = error.original_error
    if original is None or error.path is None:
        return False  # parse, validation and variable coercion errors (no path): the client's to read
    return not (isinstance(original, GraphQLError) and (original.extensions or {}).get("code"))


def log_errors(errors: Iterable[GraphQLError]) -> None:
    """One short INFO line per client error; a bug's traceback at ERROR (see the module docstring)."""
    for error in errors:
        if should_mask(error):
            path = ".".join(str(p) for p in error.path or ())
            log.error("unexpected error in %s", path or "a resolver", exc_info=error.original_error)
            continue
        code = (error.extensions or {}).get("code") or "REQUEST_ERROR"
        message = error.message.splitlines()[0][:200] if error.message else ""
        log.info("graphql %s: %s", code, message)
