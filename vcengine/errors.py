"""The one exception tree of vcengine.

Every error the package raises on purpose is a ``VcengineError``; each boundary (storage,
api, cli) translates what it receives from the outside world into one of these, and only the
outermost layer (CLI exit codes, HTTP status, GraphQL error types) maps them further.

    VcengineError
    ├── InputError                    the input is malformed: it can never succeed as given
    │   ├── JsonError                 not JSON, too large, too deep
    │   ├── ContextError              unknown / remote / tampered JSON-LD context
    │   ├── JsonLdError               undefined term, invalid JSON-LD, poison graph
    │   ├── SchemaError               OB 3.0 JSON Schema or VC Data Model rule violated
    │   ├── KeyFormatError            invalid multibase, wrong key type or length, bad JWK
    │   ├── ProofFormatError          a proof that is not well formed (missing fields, bad encoding)
    │   ├── JwtFormatError            a compact JWS that is not well formed, forbidden header
    │   ├── BakeError                 a baked image (PNG/SVG) that cannot be baked or read back
    │   ├── StatusListError           a status list or entry that is malformed, too large, or misused
    │   └── ProtocolError             a request a protocol refuses; ``code`` is the protocol's error code
    ├── SignatureError                a signature was checked and does not match
    ├── ResolutionError               a verification method could not be resolved (indeterminate)
    │   └── DocumentGone              the host answers 410 Gone (OB 2.0: a revoked hosted assertion)
    ├── UnsupportedError              a suite, algorithm or key type we do not implement
    ├── NotFound                      (service) no such record in the caller's organization
    ├── PermissionDenied              (service) unauthenticated, or the API key lacks the scope
    ├── SecretError                   (service) a master key or sealed secret is unusable: wrong key, tampered
    ├── Overloaded                    (service) a capacity limit was reached; nothing was decided: retry later
    │   ├── Busy                      every worker is busy and the queue is full: refused before any work
    │   └── Aborted                   the work was stopped: it ran past its deadline, or its worker died
    └── StoreError                    (storage) the store failed; adapters translate driver errors
        ├── StoreUnavailable          the store cannot be reached: retry later, nothing was written
        └── Conflict                  a concurrent change won (optimistic version check, unique key)

Errors carry a ``path`` (JSON path such as ``$.credentialSubject.achievement``) where one
applies. Secrets never appear in messages. Errors pickle with all their attributes, so they
cross from a worker process (verification) intact.
"""

from __future__ import annotations

__all__ = [
    "Aborted",
    "BakeError",
    "Busy",
    "Conflict",
    "ContextError",
    "DocumentGone",
    "HttpStatusError",
    "InputError",
    "JsonError",
    "JsonLdError",
    "JwtFormatError",
    "KeyFormatError",
    "NotFound",
    "Overloaded",
    "PermissionDenied",
    "ProofFormatError",
    "ProtocolError",
    "ResolutionError",
    "SchemaError",
    "SecretError",
    "SignatureError",
    "StatusListError",
    "StoreError",
    "StoreUnavailable",
    "UnsupportedError",
    "VcengineError",
]


class VcengineError(Exception):
    """Base of every error vcengine raises on purpose."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message if path is None else f"{path}: {message}")
        self.message = message
        self.path = path

    def __reduce__(self) -> tuple[object, ...]:
        # Exception pickles as ``cls(*args)``, which would fold ``path`` into the message and lose
        # the other attributes; rebuild the instance as it was instead.
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: type[VcengineError], args: tuple[object, ...], state: dict[str, object]) -> VcengineError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class InputError(VcengineError):
    """The input is malformed; retrying the same input can never succeed."""


class JsonError(InputError):
    """Not JSON, or JSON beyond the size and depth limits."""


class ContextError(InputError):
    """A JSON-LD context that is not bundled, or whose bundled bytes do not match the index."""


class JsonLdError(InputError):
    """JSON-LD processing failed: undefined term, invalid keyword use, poison graph.

    ``code`` is the JSON-LD API error code when the processor gave one (for example
    ``protected term redefinition``, https://www.w3.org/TR/json-ld11-api/#jsonldprocessingerror).
    """

    def __init__(self, message: str, *, path: str | None = None, code: str | None = None) -> None:
        super().__init__(message, path=path)
        self.code = code


class SchemaError(InputError):
    """The document violates the OB 3.0 JSON Schema or a VC Data Model rule.

    ``rule`` is the stable id of the (first) rule broken, e.g. ``VCDM2-4.8-subject-claims``, and
    ``spec`` its section URL; ``violations`` lists every issue as ``{"rule", "path", "message",
    "spec"}`` (see vcengine.core.rules). All three are empty when no data-model rule applies.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        rule: str | None = None,
        spec: str | None = None,
        violations: tuple[dict[str, str | None], ...] = (),
    ) -> None:
        super().__init__(message, path=path)
        self.rule = rule
        self.spec = spec
        self.violations = violations


class KeyFormatError(InputError):
    """A key that is not a valid Ed25519 key in the claimed representation."""


class ProofFormatError(InputError):
    """A proof that is not well formed."""


class JwtFormatError(InputError):
    """A compact JWS that is not well formed or uses a forbidden header or algorithm."""


class BakeError(InputError):
    """An image that is not a well-formed PNG/SVG, or whose baked credential cannot be read or written."""


class StatusListError(InputError):
    """A Bitstring Status List (or entry) that is malformed, too large, or an invalid change to one."""


class ProtocolError(InputError):
    """A request that a wire protocol refuses (OAuth 2.0, OpenID for Verifiable Credential
    Issuance): ``code`` is the error code the protocol defines (``invalid_grant``,
    ``invalid_proof``, ``invalid_nonce``…), which the api layer sends with the HTTP status the
    protocol assigns to it."""

    def __init__(self, code: str, message: str, *, path: str | None = None) -> None:
        super().__init__(message, path=path)
        self.code = code


class SignatureError(VcengineError):
    """The signature was checked and does not match the signed data."""


class ResolutionError(VcengineError):
    """A verification method or document could not be resolved; the check is indeterminate."""


class HttpStatusError(ResolutionError):
    """The host answered, with an HTTP error status (``status``): a client error (4xx) is an answer,
    a server error (5xx) may pass."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class DocumentGone(ResolutionError):
    """The document's host answered 410 Gone: it existed and was withdrawn (OB 2.0 §HostedBadge:
    a revoked hosted assertion)."""


class UnsupportedError(VcengineError):
    """A cryptosuite, algorithm or key type vcengine does not implement."""


class NotFound(VcengineError):
    """No such record in the caller's organization (another org's record is also "not found")."""


class PermissionDenied(VcengineError):
    """Unauthenticated, or the API key lacks the scope the operation needs."""


class SecretError(VcengineError):
    """A master key that is malformed, or a sealed secret that does not open under it (wrong key,
    altered, or sealed for another record). Never carries the secret."""


class Overloaded(VcengineError):
    """A capacity limit of the service was reached; nothing was decided. Safe to retry later."""


class Busy(Overloaded):
    """Every worker is busy and the queue is full: the request was refused before any work began."""


class Aborted(Overloaded):
    """The work was stopped before it finished: it ran past its deadline, or its worker died."""


class StoreError(VcengineError):
    """The store failed. Adapters raise this (or a subclass), never a driver exception."""


class StoreUnavailable(StoreError):
    """The store cannot be reached; nothing was written. Safe to retry."""


class Conflict(StoreError):
    """A concurrent change won: an optimistic version check or a unique key."""
