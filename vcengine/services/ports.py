"""The ports of the service layer: the records it stores and the store it needs.

Two adapters implement ``Store`` and pass one contract suite (``tests/storage/``):
``vcengine.storage.sqlite`` (the embedded default) and ``vcengine.storage.mongo`` (PyMongo's
``AsyncMongoClient``). Adapters translate driver errors into ``StoreError`` /
``StoreUnavailable`` / ``Conflict``; nothing above them sees a driver exception.

Every method that reads or writes tenant data takes the ``org_id`` and must never return or
change another organization's records. Records are immutable values; JSON documents (credentials,
profiles, achievements) stay JSON (``dict``) — they are the source of truth.

What every adapter guarantees (the contract suite checks each point):

- JSON documents and ``bytes`` come back exactly as written (key order, numbers, Unicode);
- datetimes must be timezone-aware (a naive one is a ``ValueError``, a bug in the caller); they
  come back in UTC, exact to the microsecond;
- ``create_*`` / ``add_*`` with an id that exists raise ``Conflict`` (so do a second API key with
  the same ``prefix`` and a second status list with the same ``url``);
- lists come in (created_at, id) order unless a method says otherwise; pages are keyset pages
  whose ``next`` cursor is opaque; a cursor that is not one of ours is an ``InputError``;
- a write either happens whole or not at all (an exception means nothing of it is visible);
  where one call writes several records (a credential and its ``issued`` event; a status list and
  the transitions decided with it) they are one write: SQLite commits them in one transaction;
  MongoDB, which has no multi-document transactions here, writes them into the one document
  that decides (the credential, the status list) and copies them out at once, and whatever a
  killed process left there is copied out by the next read of that document (see the adapter).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

__all__ = [
    "WEBHOOK_ENDPOINT_CHANGES",
    "AchievementRecord",
    "AnalyticsFilter",
    "ApiKeyRecord",
    "AuthorizationLookup",
    "AuthorizationRequestRecord",
    "AwardRuleRecord",
    "ClaimTokenRecord",
    "CredentialFilter",
    "CredentialInsert",
    "CredentialOfferRecord",
    "CredentialOfferStore",
    "CredentialRecord",
    "DailyCount",
    "DeliveryAttemptRecord",
    "EarnerProfileRecord",
    "EmailTemplateRecord",
    "EventRecord",
    "FunnelCounts",
    "IntegrationEventRecord",
    "IntegrationRecord",
    "IssuerBrandingRecord",
    "IssuerKeyRecord",
    "IssuerRecord",
    "JobRecord",
    "JobState",
    "ObApiStore",
    "ObClientRecord",
    "ObCredentialRecord",
    "ObGrantLookup",
    "ObGrantRecord",
    "ObProfileRecord",
    "ObTokenLookup",
    "ObTokenRecord",
    "ObUpsert",
    "OfferSecret",
    "OrganizationRecord",
    "Page",
    "Scope",
    "StatusListRecord",
    "StatusNoticeRecord",
    "StatusPurpose",
    "StatusTransition",
    "Store",
    "WebhookAttemptRecord",
    "WebhookEndpointRecord",
    "active_list_key",
    "webhook_queue",
]

Scope = Literal["read", "issue", "revoke", "admin"]
CredentialStatus = Literal["active", "revoked", "suspended"]
ProofFormat = Literal["eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt", "Ed25519Signature2020"]
StatusPurpose = Literal["revocation", "suspension", "message"]
JobState = Literal["pending", "running", "done", "failed"]


@dataclass(frozen=True, slots=True)
class OrganizationRecord:
    id: str
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """An API key, stored as ``prefix`` (shown to users, looked up) + ``secret_hash`` (never the key).

    ``created_by`` is the id of the key that created it (None: an operator, with ``vcengine admin``
    or at the first start); ``last_used_at`` is when it last authenticated, to the minute."""

    id: str
    org_id: str
    name: str
    prefix: str
    secret_hash: str
    scopes: frozenset[Scope]
    created_at: datetime
    revoked_at: datetime | None = None
    created_by: str | None = None
    last_used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IssuerRecord:
    """An issuer profile (OB 3.0 Profile JSON in ``profile``; ``profile["id"]`` is the issuer id)."""

    id: str
    org_id: str
    profile: Mapping[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class IssuerKeyRecord:
    """An issuer's signing key. ``encrypted_secret`` is AES-GCM ciphertext under the master key;
    the plaintext secret never reaches a store. Retired keys stay published for verification."""

    id: str
    org_id: str
    issuer_id: str
    verification_method: str
    public_key_multibase: str
    encrypted_secret: bytes
    status: Literal["active", "retired"]
    created_at: datetime
    retired_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AchievementRecord:
    """A badge class: the OB 3.0 Achievement JSON, plus how its badge image is made."""

    id: str
    org_id: str
    issuer_id: str
    achievement: Mapping[str, Any]
    created_at: datetime
    image_png: bytes | None = None
    image_svg: bytes | None = None


@dataclass(frozen=True, slots=True)
class CredentialRecord:
    """An issued credential. ``document`` is the signed JSON (or ``{"jwt": token}`` for VC-JWT
    with the unsigned credential under ``"credential"``). ``idempotency_key`` is unique per org.
    ``achievement_id`` is None for a credential issued without an achievement of this service
    (the W3C VC API signs any credential it is given).

    ``status`` is a copy of what the credential's status list decided (the list is the source of
    truth: see ``save_status_list``); ``status_version`` is the version of that list which set it
    (0: as issued), so a late copy never overwrites a newer one."""

    id: str
    org_id: str
    issuer_id: str
    achievement_id: str | None
    recipient: Mapping[str, Any]
    document: Mapping[str, Any]
    proof_format: ProofFormat
    issued_at: datetime
    status: CredentialStatus = "active"
    status_list_id: str | None = None
    status_index: int | None = None
    idempotency_key: str | None = None
    valid_until: datetime | None = None
    status_version: int = 0


@dataclass(frozen=True, slots=True)
class StatusListRecord:
    """A status list of one issuer and purpose: its bits and its last signed list credential.

    ``version`` increments on every change (optimistic concurrency: ``save_status_list`` with
    ``expected_version`` fails with ``Conflict`` if another instance changed it first).
    ``revoked_list`` (suspension lists only) is the ``encoded_list`` of the entries revoked for
    good: their published bit is set and stays set; "" while there are none.
    ``status_size`` is the bits per entry (Bitstring Status List §2.1 ``statusSize``; more than 1
    only for ``message`` lists); lists of one issuer and purpose but another size are separate."""

    id: str
    org_id: str
    issuer_id: str
    purpose: StatusPurpose
    url: str
    encoded_list: str
    version: int
    updated_at: datetime
    credential: Mapping[str, Any] | None = None
    permutation_key: bytes = field(default=b"", repr=False)
    length: int = 131_072
    shards: int = 16
    full: bool = False
    revoked_list: str = ""
    status_size: int = 1


def active_list_key(purpose: str, status_size: int = 1) -> str:
    """How stores key the active list of an issuer: the purpose, and the entry size beyond 1
    (``message/2``), so lists written before sizes existed keep their keys."""
    return purpose if status_size == 1 else f"{purpose}/{status_size}"


@dataclass(frozen=True, slots=True)
class EventRecord:
    """Something that happened to a credential: issued, revoked, suspended, unsuspended, viewed…"""

    id: str
    org_id: str
    type: str
    credential_id: str | None
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StatusTransition:
    """A credential's new ``status``, decided by a change of its status list, the event that
    records it and the jobs it causes (webhook deliveries; ``save_status_list`` stores them all
    with the list)."""

    credential_id: str
    org_id: str
    status: CredentialStatus
    event: EventRecord
    jobs: tuple[JobRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class JobRecord:
    """A unit of durable background work: an LMS event to process, an email to send, a webhook
    to deliver. Stored before anyone is told it was accepted; run by ``services.jobs`` on any
    instance, at most one at a time (a lease), until it is ``done`` or ``failed`` for good.

    ``kind`` names the handler. ``queue`` (optional) orders work: of the jobs sharing a queue,
    only the oldest unfinished one (by ``created_at``, ``id``) can run, so deliveries to one
    endpoint keep their order. ``attempts`` counts the claims; a claim's ``attempts`` is its
    fencing token (a late answer from an expired lease changes nothing). ``result`` is what the
    handler reported (outcome, ids); ``last_error`` the latest failure, kept after a success."""

    id: str
    org_id: str
    kind: str
    payload: Mapping[str, Any]
    created_at: datetime
    due_at: datetime
    queue: str | None = None
    state: JobState = "pending"
    attempts: int = 0
    lease_until: datetime | None = None
    last_error: str | None = None
    result: Mapping[str, Any] | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CredentialInsert:
    """One item of ``Store.insert_credentials``: what one ``insert_credential`` call takes."""

    credential: CredentialRecord
    event: EventRecord | None = None
    jobs: Sequence[JobRecord] = ()


# -- oid4vci --


@dataclass(frozen=True, slots=True)
class CredentialOfferRecord:
    """An OpenID for Verifiable Credential Issuance 1.0 offer of one stored credential, and the
    state of its pre-authorized code flow (``services.oid4vci_offers``).

    Secrets are never stored: ``code_hash``, ``handle_hash`` (the by-reference URL's handle) and
    ``token_hash`` are SHA-256 of high-entropy values; ``tx_code_mac`` is an HMAC under a key
    derived from the master key (a short code would fall to a search over a plain hash).
    ``tx_code_failures`` counts wrong transaction codes; ``redeemed_at`` is when the
    pre-authorized code was exchanged for the access token (once); ``issued_configurations`` are
    the credential configurations already issued with that token (each once)."""

    id: str
    org_id: str
    issuer_id: str
    credential_id: str
    configuration_ids: tuple[str, ...]
    code_hash: str
    handle_hash: str
    created_at: datetime
    expires_at: datetime
    tx_code_mac: str | None = None
    tx_code_failures: int = 0
    redeemed_at: datetime | None = None
    token_hash: str | None = None
    token_expires_at: datetime | None = None
    issued_configurations: tuple[str, ...] = ()


OfferSecret = Literal["code_hash", "handle_hash", "token_hash"]


@dataclass(frozen=True, slots=True)
class AuthorizationRequestRecord:
    """A wallet's authorization request (authorization code flow with PKCE) while the learner
    signs in with an emailed one-time link (``services.oid4vci_authorization``).

    ``handle_hash``: SHA-256 of the sign-in page's handle; ``email``: the address the learner
    gave (once); ``login_hash``: SHA-256 of the emailed link's token, valid until
    ``login_expires_at``; ``signed_in_at`` / ``offer_id``: when the link was used (once) and the
    offer (with the authorization code) it made."""

    id: str
    org_id: str
    issuer_id: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    configuration_ids: tuple[str, ...]
    handle_hash: str
    created_at: datetime
    expires_at: datetime
    state: str | None = None
    email: str | None = None
    login_hash: str | None = None
    login_expires_at: datetime | None = None
    signed_in_at: datetime | None = None
    offer_id: str | None = None


AuthorizationLookup = Literal["id", "handle_hash", "login_hash", "offer_id"]


class CredentialOfferStore(Protocol):
    """The offers' part of ``Store``: every state change is one atomic compare-and-set."""

    async def create_credential_offer(self, offer: CredentialOfferRecord) -> None:
        """``Conflict`` if its id or one of its hashes is stored already. Offers whose code and
        access token both expired a day or more before ``offer.created_at`` may be forgotten."""

    async def get_credential_offer(self, org_id: str, offer_id: str) -> CredentialOfferRecord | None: ...
    async def find_credential_offer(self, by: OfferSecret, value: str) -> CredentialOfferRecord | None:
        """The offer whose ``by`` hash is ``value`` (across organizations: a wallet knows no org)."""

    async def record_tx_code_failure(self, offer_id: str) -> int:
        """Count one more wrong transaction code (atomically); the new count (0: no such offer)."""

    async def redeem_credential_offer(
        self, offer_id: str, at: datetime, token_hash: str, token_expires_at: datetime, max_failures: int
    ) -> bool:
        """Exchange the pre-authorized code: set ``redeemed_at``, ``token_hash`` and
        ``token_expires_at`` if the code is not redeemed, ``expires_at`` is after ``at`` and
        fewer than ``max_failures`` wrong codes were counted. ``False`` (nothing changed) otherwise:
        of concurrent redemptions exactly one wins."""

    async def mark_configuration_issued(self, offer_id: str, configuration_id: str, at: datetime) -> bool:
        """Add ``configuration_id`` to ``issued_configurations`` if it is not there and the access
        token has not expired at ``at``; ``False`` otherwise (of concurrent requests, one wins)."""

    async def use_nonce(self, nonce_hash: str, expires_at: datetime, at: datetime) -> bool:
        """Record a ``c_nonce`` as used until ``expires_at``; ``False`` if it was used already.
        Nonces that expired by ``at`` may be forgotten."""

    async def create_authorization_request(self, request: AuthorizationRequestRecord) -> None:
        """``Conflict`` if its id or handle is stored already. Requests that expired an hour or
        more before ``request.created_at`` may be forgotten."""

    async def find_authorization_request(
        self, by: AuthorizationLookup, value: str
    ) -> AuthorizationRequestRecord | None: ...

    async def set_sign_in_link(self, request_id: str, login_hash: str, login_expires_at: datetime) -> None:
        """Store the hash of a new sign-in link (replacing an earlier one)."""

    async def complete_sign_in(self, request_id: str, login_hash: str, at: datetime, offer_id: str) -> bool:
        """Use the sign-in link ``login_hash``: set ``signed_in_at`` and ``offer_id`` if it is the
        current link, unused and unexpired at ``at``; ``False`` otherwise (of concurrent uses, one wins)."""


# -- ob_api --


@dataclass(frozen=True, slots=True)
class ObClientRecord:
    """A client of the 1EdTech Open Badges 3.0 API, registered dynamically (RFC 7591;
    ``services.ob_api_clients``). ``secret_hash`` is SHA-256 of the client secret (256 random
    bits, returned once); ``metadata`` is the client metadata as registered."""

    id: str
    secret_hash: str
    metadata: Mapping[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ObGrantRecord:
    """A learner's consent to an Open Badges API client (``services.ob_api_authorization``): the
    checked authorization request, stored once the learner gave an email address (one per
    ticket: ``handle_hash``), the hash of the emailed sign-in link, then of the authorization code.
    ``code_used_at`` is when the code was exchanged (once)."""

    id: str
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str
    email: str
    handle_hash: str
    created_at: datetime
    expires_at: datetime
    state: str | None = None
    login_hash: str | None = None
    login_expires_at: datetime | None = None
    code_hash: str | None = None
    code_expires_at: datetime | None = None
    code_used_at: datetime | None = None


ObGrantLookup = Literal["id", "handle_hash", "login_hash", "code_hash"]


@dataclass(frozen=True, slots=True)
class ObTokenRecord:
    """An access token and its refresh token (both stored as SHA-256 only) given to a client for
    a learner (``email``) with ``scope``. Refreshing revokes the pair and makes a new one."""

    id: str
    grant_id: str
    client_id: str
    email: str
    scope: str
    access_hash: str
    refresh_hash: str
    created_at: datetime
    access_expires_at: datetime
    refresh_expires_at: datetime
    revoked_at: datetime | None = None


ObTokenLookup = Literal["access_hash", "refresh_hash"]
ObUpsert = Literal["created", "replaced", "unchanged"]


@dataclass(frozen=True, slots=True)
class ObCredentialRecord:
    """A credential a learner brought through ``upsertCredential``. ``key`` is the equality of OB
    3.0 §1.9 (issuer id and credential id); ``document`` is the credential as received (JSON) or
    ``{"jwt": compact JWS}``; ``issued_at`` is its ``validFrom`` (newer replaces older)."""

    id: str
    email: str
    key: str
    document: Mapping[str, Any]
    issued_at: datetime
    stored_at: datetime


@dataclass(frozen=True, slots=True)
class ObProfileRecord:
    """The learner's OB 3.0 ``Profile`` as last put through the API."""

    email: str
    profile: Mapping[str, Any]
    updated_at: datetime


class ObApiStore(Protocol):
    """What the Open Badges API stores. The learner (an email address) is the resource owner:
    every learner-data method takes the address and never returns another learner's data."""

    async def create_ob_client(self, client: ObClientRecord) -> None: ...
    async def get_ob_client(self, client_id: str) -> ObClientRecord | None: ...
    async def create_ob_grant(self, grant: ObGrantRecord) -> None:
        """Store a grant; ``Conflict`` if its id or ``handle_hash`` is stored already."""

    async def find_ob_grant(self, by: ObGrantLookup, value: str) -> ObGrantRecord | None: ...
    async def set_ob_sign_in_link(self, grant_id: str, login_hash: str, login_expires_at: datetime) -> None:
        """Store the hash of a new sign-in link (replacing an earlier one)."""

    async def approve_ob_grant(
        self, grant_id: str, login_hash: str, at: datetime, code_hash: str, code_expires_at: datetime
    ) -> bool:
        """Use the sign-in link ``login_hash`` (current, unexpired at ``at``, no code yet): store the
        code's hash; ``False`` otherwise (of concurrent uses, one wins)."""

    async def redeem_ob_code(self, grant_id: str, at: datetime) -> bool:
        """Mark the code used if it is unused and unexpired at ``at`` (of concurrent uses, one wins)."""

    async def create_ob_token(self, token: ObTokenRecord) -> None: ...
    async def find_ob_token(self, by: ObTokenLookup, value: str) -> ObTokenRecord | None: ...
    async def revoke_ob_token(self, token_id: str, at: datetime) -> bool:
        """Revoke the token pair unless revoked already (``False``: of concurrent refreshes, one wins)."""

    async def revoke_ob_grant(self, grant_id: str, at: datetime) -> int:
        """Revoke every token pair of the grant (a replayed code or refresh token); how many."""

    async def count_learner_credentials(self, email: str, since: datetime | None) -> int:
        """How many credentials of any organization name ``email`` as recipient, not revoked,
        issued after ``since``."""

    async def list_learner_credentials(
        self, email: str, since: datetime | None, offset: int, limit: int
    ) -> list[CredentialRecord]:
        """Those credentials in (issued_at, id) order, from ``offset``."""

    async def upsert_ob_credential(self, record: ObCredentialRecord) -> ObUpsert:
        """Store a learner's credential: ``created``; or replace theirs with the same ``key`` if
        this one is not older (``replaced``); else ``unchanged``."""

    async def count_ob_credentials(self, email: str, since: datetime | None) -> int: ...
    async def list_ob_credentials(
        self, email: str, since: datetime | None, offset: int, limit: int
    ) -> list[ObCredentialRecord]:
        """The learner's upserted credentials in (issued_at, id) order, from ``offset``."""

    async def get_ob_profile(self, email: str) -> ObProfileRecord | None: ...
    async def put_ob_profile(self, record: ObProfileRecord) -> None: ...


# -- webhooks --


@dataclass(frozen=True, slots=True)
class WebhookEndpointRecord:
    """An organization's webhook endpoint: where to POST the events of the ``events`` types.

    ``sealed_secret`` is its Standard Webhooks signing secret sealed under the master key (AES-GCM,
    as issuer keys are: ``services.keystore.seal_bytes``); the plaintext never reaches a store.
    ``failing_since`` is when deliveries started to fail (None: the last one succeeded);
    ``disabled_at`` / ``disabled_reason`` say why nothing is delivered to it. After a rotation,
    ``previous_sealed_secret`` also signs deliveries until ``previous_secret_until``."""

    id: str
    org_id: str
    url: str
    events: tuple[str, ...]
    sealed_secret: bytes = field(repr=False)
    created_at: datetime
    description: str = ""
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    failing_since: datetime | None = None
    updated_at: datetime | None = None
    previous_sealed_secret: bytes | None = field(default=None, repr=False)
    previous_secret_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class WebhookAttemptRecord:
    """One attempt to deliver a webhook (the delivery is the job ``delivery_id``): the HTTP status
    the endpoint answered (None: no answer) or the error, and how long it took."""

    id: str
    org_id: str
    endpoint_id: str
    delivery_id: str
    attempt: int
    at: datetime
    duration_ms: int
    status_code: int | None = None
    error: str | None = None


WEBHOOK_ENDPOINT_CHANGES = frozenset(
    {"url", "events", "description", "sealed_secret", "disabled_at", "disabled_reason", "failing_since",
     "updated_at", "previous_sealed_secret", "previous_secret_until"}
)  # fmt: skip


def webhook_queue(endpoint_id: str) -> str:
    """The job queue of an endpoint's deliveries: one at a time, in order."""
    return f"webhook:{endpoint_id}"


# -- analytics --


@dataclass(frozen=True, slots=True)
class AnalyticsFilter:
    """The events of UTC days ``first_day`` to ``last_day`` (inclusive), of credentials of one
    issuer and/or achievement when given (events of no credential match only without them)."""

    first_day: date
    last_day: date
    issuer_id: str | None = None
    achievement_id: str | None = None


@dataclass(frozen=True, slots=True)
class DailyCount:
    day: date
    type: str
    count: int


@dataclass(frozen=True, slots=True)
class FunnelCounts:
    """Of the credentials issued on the filter's days: how many were issued, and how many of them
    have reached each stage of ``core.analytics.FUNNEL`` since."""

    issued: int = 0
    delivered: int = 0
    claimed: int = 0
    shared: int = 0


# -- lms --------------------------------------------------------------------------------------

IntegrationPlatform = Literal[
    "moodle", "canvas", "talentlms", "teachable", "thinkific", "kajabi", "zapier", "make", "generic"
]
AwardTrigger = Literal[
    "course_completed", "quiz_passed", "modules_completed", "tag_added", "enrollment_progress"
]
EventOutcome = Literal["pending", "issued", "duplicate", "no_rule", "rejected", "failed"]


@dataclass(frozen=True, slots=True)
class IntegrationRecord:
    """A connection to one LMS (or Zapier/Make, or any Standard Webhooks sender) of an org.

    ``sealed_secret`` is the secret its receiver checks (AES-GCM under the master key, like issuer
    keys; see ``services.keystore.seal_secret``): never stored or shown in the clear after creation.
    ``settings`` holds the platform's non-secret settings (a Moodle site URL, say);
    ``sealed_api_token`` the platform's API credential (a Moodle web-service token), sealed the
    same way, used to look learners up."""

    id: str
    org_id: str
    platform: IntegrationPlatform
    name: str
    sealed_secret: bytes = field(repr=False)
    created_at: datetime
    settings: Mapping[str, Any] = field(default_factory=dict)
    paused: bool = False
    updated_at: datetime | None = None
    sealed_api_token: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class AwardRuleRecord:
    """When an event of ``integration_id`` meets ``trigger`` and ``conditions``, issue
    ``achievement_id`` to the learner. ``conditions``: ``courseId``, ``quizId``, ``minScore``,
    ``minPercentage``, ``moduleIds`` + ``matchAll``, ``tag``, ``percentage`` (as the trigger needs);
    ``options``: ``validForSeconds``, ``statusPurpose``, ``proofFormat``."""

    id: str
    org_id: str
    integration_id: str
    achievement_id: str
    trigger: AwardTrigger
    created_at: datetime
    conditions: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IntegrationEventRecord:
    """An event received from an integration: the inbox entry, stored before the sender is answered.

    ``id`` is derived from (integration, ``source_event_id``), so a redelivery is the same record.
    ``event`` is the normalized learner event (``core.lms_event``), ``raw`` what was sent, with
    secrets removed. ``outcome`` is what processing decided, ``reason`` why (for rejected, failed
    and no-rule outcomes), ``credential_ids`` what it issued or found issued already."""

    id: str
    org_id: str
    integration_id: str
    source_event_id: str
    received_at: datetime
    event: Mapping[str, Any]
    raw: Mapping[str, Any] = field(default_factory=dict)
    outcome: EventOutcome = "pending"
    reason: str | None = None
    credential_ids: tuple[str, ...] = ()
    processed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CredentialFilter:
    """Every field set must match. ``recipient`` equals one of the recipient's string values
    (email, name or identifier, compared exactly); ``issued_after`` is exclusive, ``issued_before`` too."""

    achievement_id: str | None = None
    issuer_id: str | None = None
    recipient: str | None = None
    status: CredentialStatus | None = None
    issued_after: datetime | None = None
    issued_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """A keyset page: ``items`` in (issued_at, id) order after ``after``; ``next`` to continue.

    ``next`` is an opaque cursor (``None`` on the last page); achievements page by (created_at, id).
    ``limit`` must be at least 1 (else ``InputError``)."""

    items: Sequence[Any]
    next: str | None


class Store(CredentialOfferStore, ObApiStore, Protocol):
    """Everything the service needs to persist. All methods are async; all are org-scoped."""

    async def start(self) -> None:
        """Connect and create what the store needs (tables, indexes). Idempotent."""

    async def close(self) -> None: ...

    # organizations and API keys
    async def create_organization(self, org: OrganizationRecord) -> None: ...
    async def get_organization(self, org_id: str) -> OrganizationRecord | None: ...
    async def list_organizations(self) -> Sequence[OrganizationRecord]: ...
    async def create_api_key(self, key: ApiKeyRecord) -> None: ...
    async def find_api_key(self, prefix: str) -> ApiKeyRecord | None:
        """By prefix across all orgs (authentication happens before the org is known)."""

    async def get_api_key(self, org_id: str, key_id: str) -> ApiKeyRecord | None: ...
    async def list_api_keys(
        self, org_id: str, after: str | None, limit: int, *, include_revoked: bool = True
    ) -> Page:
        """The org's keys in (created_at, id) order; only the unrevoked ones unless ``include_revoked``."""

    async def revoke_api_key(
        self, org_id: str, key_id: str, at: datetime, *, keep_admin: bool = False
    ) -> ApiKeyRecord | None:
        """Revoke the key and return it as stored now; None if it is not in the org. A second call
        keeps the first ``revoked_at``.

        With ``keep_admin``, a key whose revocation would leave the org without an unrevoked key
        with the ``admin`` scope is returned unrevoked instead. That decision and the revocation
        are one atomic step against every other ``keep_admin`` revocation, on every instance: two
        concurrent revocations of an org's last two admin keys never both succeed."""

    async def record_api_key_use(self, key_id: str, at: datetime) -> None:
        """Set the key's ``last_used_at`` to ``at`` unless it is already ``at`` or later."""

    # issuers and keys
    async def create_issuer(self, issuer: IssuerRecord) -> None: ...
    async def get_issuer(self, org_id: str, issuer_id: str) -> IssuerRecord | None: ...
    async def find_issuer(self, issuer_id: str) -> IssuerRecord | None:
        """By issuer id across orgs: public pages and DID documents are not org-scoped."""

    async def list_issuers(self, org_id: str) -> Sequence[IssuerRecord]: ...
    async def add_issuer_key(self, key: IssuerKeyRecord) -> None: ...
    async def retire_issuer_keys(self, org_id: str, issuer_id: str, at: datetime) -> None:
        """Mark every active key of the issuer retired (before adding the new one, on rotation)."""

    async def list_issuer_keys(self, issuer_id: str) -> Sequence[IssuerKeyRecord]:
        """Active and retired keys of an issuer (public data; not org-scoped), oldest first."""

    # achievements
    async def create_achievement(self, achievement: AchievementRecord) -> None: ...
    async def get_achievement(self, org_id: str, achievement_id: str) -> AchievementRecord | None: ...
    async def list_achievements(self, org_id: str, after: str | None, limit: int) -> Page: ...

    # credentials
    async def insert_credential(
        self, credential: CredentialRecord, event: EventRecord | None = None, jobs: Sequence[JobRecord] = ()
    ) -> CredentialRecord:
        """Insert, with ``event`` (its ``issued`` event) and ``jobs`` (its email, say) in the same
        write: never one without the others (an event or job whose id is stored already is left
        as it is). If ``idempotency_key``
        was already used in the org, insert neither and return the credential stored under it
        (exactly one credential per key, across instances)."""

    async def insert_credentials(self, items: Sequence[CredentialInsert]) -> list[CredentialRecord]:
        """``insert_credential`` of each item, in order, as one write: what each returns, in order
        (a later item whose idempotency key an earlier one used gets the earlier credential).

        A credential id stored already, or given twice, is a ``Conflict`` naming it, and nothing
        of the batch is kept. SQLite commits the batch in one transaction; MongoDB inserts it
        with one ordered ``insert_many`` and, on such a conflict, deletes what it inserted (a
        process killed in between leaves a prefix of the batch, each credential with its event
        and jobs, as ``insert_credential`` would)."""

    async def get_credential(self, org_id: str, credential_id: str) -> CredentialRecord | None: ...
    async def find_credential(self, credential_id: str) -> CredentialRecord | None:
        """By id across orgs: the credential's public URL is not org-scoped."""

    async def get_by_idempotency_key(self, org_id: str, key: str) -> CredentialRecord | None: ...
    async def list_credentials(
        self, org_id: str, filter: CredentialFilter, after: str | None, limit: int
    ) -> Page: ...
    # status lists: allocation is atomic across API instances, without one hot counter
    async def active_status_list(
        self, org_id: str, issuer_id: str, purpose: str, status_size: int = 1
    ) -> StatusListRecord | None:
        """The list entries of (org, issuer, purpose, status size) are allocated from now."""

    async def open_status_list(self, new: StatusListRecord, *, replacing: str | None) -> StatusListRecord:
        """Make ``new`` the active list of (org, issuer, purpose, status size) if the active one
        is ``replacing`` (None: there is none); otherwise return the list another instance opened first.

        The winner's list is stored with its ``shards`` cursors at 0 and ``replacing`` is marked
        ``full``; a loser's ``new`` is not kept. ``Conflict`` if ``new.id`` or ``new.url`` exists."""

    async def claim_positions(self, list_id: str, shard: int, count: int, limit: int) -> range:
        """Atomically advance the cursor of (list, shard) by up to ``count``, never past ``limit``.

        Returns the offsets claimed, ``range(old cursor, new cursor)``: empty once the shard is
        exhausted; never the same offset twice, across instances. ``NotFound`` if the list was
        not opened with ``open_status_list`` or ``shard`` is not below its ``shards``."""

    async def get_status_list(self, list_id: str) -> StatusListRecord | None: ...
    async def find_status_list_by_url(self, url: str) -> StatusListRecord | None: ...
    async def status_list_urls(self) -> Sequence[str]:
        """The URL of every status list, of every organization (in a stable order): what the service
        publishes and must keep re-signing before each signed list expires."""

    async def status_list_version(self, url: str) -> int | None:
        """Just the stored ``version`` of the list at ``url`` (None: no such list): a cheap read,
        so every instance can tell whether what it holds in memory is still current."""

    async def save_status_list(
        self,
        record: StatusListRecord,
        *,
        expected_version: int,
        transitions: Sequence[StatusTransition] = (),
    ) -> None:
        """Replace the list if its stored version is ``expected_version``; else raise Conflict.

        What changes: ``encoded_list``, ``revoked_list``, ``credential`` and ``updated_at``; the
        stored ``version`` becomes ``expected_version + 1`` (whatever ``record.version`` says).
        Identity, url, key, length, shards and ``full`` never change here. ``NotFound`` if there
        is no such list.

        ``transitions`` are written with the list: each credential (in its org) gets the new
        ``status`` and ``status_version = expected_version + 1`` unless a newer version of its
        list already set it, and each event is stored once (an event whose id is stored already
        is left as it is). Nothing of them is written if the compare-and-set fails."""

    # events (analytics, subscriptions)
    async def add_event(self, event: EventRecord, jobs: Sequence[JobRecord] = ()) -> None:
        """Store ``event`` and ``jobs`` (its webhook deliveries, say) in one write; ``Conflict`` if
        the event's id is stored already (then none of the jobs is stored either; a job whose id
        is stored already is left as it is)."""
        ...

    async def add_events(self, events: Sequence[EventRecord]) -> None:
        """Store ``events`` (of any organizations; none calls for a job) in one write; an event whose
        id is stored already is left as it is."""
        ...

    async def count_events(self, org_id: str, type: str) -> int: ...

    # jobs (durable background work: see JobRecord)
    async def add_job(self, job: JobRecord) -> bool:
        """Store a new ``pending`` job; ``False`` (and nothing changed) if its id is stored already,
        so a job id derived from what it is for (a platform's event id) de-duplicates."""
        ...

    async def claim_jobs(
        self, kinds: Sequence[str], now: datetime, lease_until: datetime, limit: int
    ) -> Sequence[JobRecord]:
        """Take up to ``limit`` runnable jobs of ``kinds``, oldest ``due_at`` first, in one atomic
        step per job: ``pending`` ones due by ``now`` and ``running`` ones whose lease ended by
        ``now`` (their runner died), each the oldest unfinished job of its ``queue``. Each comes
        back ``running`` with ``lease_until`` and ``attempts`` + 1; no job is given to two
        claimers with the same ``attempts``."""
        ...

    async def finish_job(
        self, job_id: str, attempt: int, at: datetime, result: Mapping[str, Any] | None
    ) -> bool:
        """``running`` claim ``attempt`` -> ``done``; ``False`` if that claim is not current."""
        ...

    async def retry_job(self, job_id: str, attempt: int, due_at: datetime, error: str) -> bool:
        """``running`` claim ``attempt`` -> ``pending`` again at ``due_at``, with ``error``."""
        ...

    async def fail_job(
        self, job_id: str, attempt: int, at: datetime, error: str, result: Mapping[str, Any] | None = None
    ) -> bool:
        """``running`` claim ``attempt`` -> ``failed`` for good, with ``error``."""
        ...

    async def get_job(self, org_id: str, job_id: str) -> JobRecord | None: ...
    async def list_jobs(
        self, org_id: str, kind: str, states: Sequence[JobState] | None, after: str | None, limit: int
    ) -> Page:
        """Jobs of one kind in (created_at, id) order; ``states`` None means all."""
        ...

    async def requeue_job(self, org_id: str, job_id: str, due_at: datetime) -> JobRecord | None:
        """A ``done`` or ``failed`` job back to ``pending`` at ``due_at`` (a replay), keeping its
        payload and history; ``None`` if there is no such job or it is not finished. Its
        ``created_at`` becomes ``due_at``: in its queue it waits for every older unfinished job,
        so a replay never runs beside a newer job of the same queue."""
        ...

    # -- webhooks --
    async def create_webhook_endpoint(self, endpoint: WebhookEndpointRecord) -> None:
        """Store a new endpoint; ``Conflict`` if its id exists."""
        ...

    async def get_webhook_endpoint(self, org_id: str, endpoint_id: str) -> WebhookEndpointRecord | None: ...
    async def list_webhook_endpoints(self, org_id: str) -> Sequence[WebhookEndpointRecord]:
        """The org's endpoints in (created_at, id) order (an organization has a few)."""
        ...

    async def update_webhook_endpoint(
        self, org_id: str, endpoint_id: str, changes: Mapping[str, Any]
    ) -> WebhookEndpointRecord | None:
        """Set the fields named in ``changes`` (``WEBHOOK_ENDPOINT_CHANGES``; others are a
        ``ValueError``) and return the endpoint as stored now; None if it is not in the org."""
        ...

    async def delete_webhook_endpoint(self, org_id: str, endpoint_id: str) -> bool:
        """Delete the endpoint and its attempts; False if it is not in the org. Its delivery jobs
        stay (their handler finds no endpoint and gives up)."""
        ...

    async def add_webhook_attempt(self, attempt: WebhookAttemptRecord) -> None:
        """Store an attempt; one whose id is stored already is left as it is."""
        ...

    async def list_webhook_attempts(
        self, org_id: str, delivery_ids: Sequence[str]
    ) -> Sequence[WebhookAttemptRecord]:
        """The attempts of these deliveries, in (delivery id, attempt, at) order."""
        ...

    async def list_webhook_deliveries(
        self, org_id: str, endpoint_id: str, after: str | None, limit: int
    ) -> Page:
        """The endpoint's delivery jobs (queue ``webhook:<endpoint_id>``), in (created_at, id) order."""
        ...

    # -- analytics --
    async def daily_event_counts(self, org_id: str, filter: AnalyticsFilter) -> Sequence[DailyCount]:
        """How many events of each type each day of the filter had (days and types without events
        are left out), in (day, type) order. Every event stored counts once, however it was
        written (with a credential, with a status change, ``add_event``)."""
        ...

    async def funnel_counts(self, org_id: str, filter: AnalyticsFilter) -> FunnelCounts:
        """The funnel of the credentials issued on the filter's days (see ``FunnelCounts``)."""
        ...

    # -- lms (integrations, award rules, the inbox of received events, learner progress) ----------
    async def create_integration(self, integration: IntegrationRecord) -> None: ...
    async def get_integration(self, org_id: str, integration_id: str) -> IntegrationRecord | None: ...
    async def find_integration(self, integration_id: str) -> IntegrationRecord | None:
        """By id across orgs: a webhook names only its integration (its secret proves the rest)."""

    async def list_integrations(self, org_id: str) -> Sequence[IntegrationRecord]: ...
    async def save_integration(self, integration: IntegrationRecord) -> bool:
        """Replace the stored integration of that org and id; ``False`` if there is none."""
        ...

    async def delete_integration(self, org_id: str, integration_id: str) -> bool:
        """Delete it and its award rules (its received events stay); ``False`` if there is none."""
        ...

    async def create_award_rule(self, rule: AwardRuleRecord) -> None: ...
    async def list_award_rules(self, org_id: str, integration_id: str | None) -> Sequence[AwardRuleRecord]:
        """The org's rules (of one integration unless None), oldest first."""
        ...

    async def delete_award_rule(self, org_id: str, rule_id: str) -> bool: ...
    async def add_integration_event(
        self, event: IntegrationEventRecord, job: JobRecord | None = None
    ) -> bool:
        """Store a received event with ``job`` (the job that processes it) in the same write;
        ``False`` if the event's id is stored already — the event is then left as it is, and
        ``job`` is stored if it is not (so a write that a crash cut short is completed)."""
        ...

    async def get_integration_event(self, org_id: str, event_id: str) -> IntegrationEventRecord | None: ...
    async def list_integration_events(
        self,
        org_id: str,
        integration_id: str | None,
        outcome: EventOutcome | None,
        after: str | None,
        limit: int,
        *,
        received_after: datetime | None = None,
        received_before: datetime | None = None,
    ) -> Page:
        """Received events in (received_at, id) order, of one integration and outcome if given,
        received at or after ``received_after`` and before ``received_before``."""
        ...

    async def settle_integration_event(
        self,
        org_id: str,
        event_id: str,
        outcome: EventOutcome,
        reason: str | None,
        credential_ids: Sequence[str],
        at: datetime | None,
    ) -> bool:
        """Record what processing decided (``pending`` with ``at`` None: to be processed again)."""
        ...

    async def add_learner_progress(
        self, org_id: str, rule_id: str, learner: str, items: Sequence[str]
    ) -> frozenset[str]:
        """Add ``items`` (module ids) to what ``learner`` completed under ``rule_id``, atomically
        against concurrent additions; returns everything recorded so far."""
        ...

    # -- delivery -- (the records are below the Store)

    async def add_delivery_attempt(self, attempt: DeliveryAttemptRecord) -> bool:
        """Store ``attempt``; ``False`` (nothing changed) if its (delivery, attempt) is stored already."""
        ...

    async def list_delivery_attempts(
        self, org_id: str, credential_id: str
    ) -> Sequence[DeliveryAttemptRecord]:
        """The attempts at delivering the credential, oldest first (by ``at``, then ``attempt``)."""
        ...

    async def add_claim_token(self, token: ClaimTokenRecord) -> None:
        """Store a new token (``Conflict`` if its hash is stored already)."""
        ...

    async def find_claim_token(self, token_hash: str) -> ClaimTokenRecord | None:
        """By hash across orgs: whoever holds the link is not signed in."""
        ...

    async def accept_claim(self, token_hash: str, at: datetime) -> ClaimTokenRecord | None:
        """Set ``claimed_at`` to ``at`` unless it is set already; the token as stored now (None:
        no such token). One atomic step: two concurrent accepts keep the first ``claimed_at``."""
        ...

    async def claimed_at(self, org_id: str, credential_id: str) -> datetime | None:
        """When the credential was first claimed (through any of its tokens); None: not yet."""
        ...

    async def put_status_notice(self, notice: StatusNoticeRecord) -> None:
        """Store what the credential's public page says about its status (replacing the last)."""
        ...

    async def find_status_notice(self, credential_id: str) -> StatusNoticeRecord | None:
        """By credential id across orgs: the public page is not org-scoped."""
        ...

    async def put_email_template(self, template: EmailTemplateRecord) -> None:
        """Store the organization's email template (replacing the one it had)."""
        ...

    async def get_email_template(self, org_id: str) -> EmailTemplateRecord | None: ...

    async def put_issuer_branding(self, branding: IssuerBrandingRecord) -> None:
        """Store the issuer's branding (replacing what it had)."""
        ...

    async def find_issuer_branding(self, issuer_id: str) -> IssuerBrandingRecord | None:
        """By issuer id across orgs: public pages show it."""
        ...

    async def put_earner_profile(self, profile: EarnerProfileRecord) -> None:
        """Store the profile (replacing the one with its ``slug``); ``Conflict`` if another profile
        has its (``org_id``, ``subject_key``) (one profile per earner and organization), or its
        ``slug`` is another earner's."""
        ...

    async def find_earner_profile(self, slug: str) -> EarnerProfileRecord | None:
        """By slug across orgs: the public profile page."""
        ...

    async def find_earner_profile_of(self, org_id: str, subject_key: str) -> EarnerProfileRecord | None: ...


@dataclass(frozen=True, slots=True)
class DeliveryAttemptRecord:
    """One attempt at delivering a credential (an email, say): what happened and when.

    ``delivery_id`` is the id of the job that delivers it, ``attempt`` that job's claim number
    (one record per claim). ``outcome`` is ``sent``, ``failed`` (may pass: retried), ``bounced``
    (refused for good) or ``skipped`` (nothing to send it with); ``detail`` says why,
    ``message_id`` is the message's Message-ID."""

    id: str
    org_id: str
    credential_id: str
    delivery_id: str
    attempt: int
    at: datetime
    outcome: Literal["sent", "failed", "bounced", "skipped"]
    detail: str | None = None
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimTokenRecord:
    """A claim link's token, stored as its SHA-256 (``token_hash``, hex), never the token itself.

    It claims one credential, until ``expires_at``; ``claimed_at`` is when it was accepted."""

    token_hash: str
    org_id: str
    credential_id: str
    created_at: datetime
    expires_at: datetime
    claimed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StatusNoticeRecord:
    """What a credential's public pages say about a status change: when it was ``status``
    (``revoked``) and, if the issuer chose to publish one, why (``public_reason``)."""

    credential_id: str
    org_id: str
    status: CredentialStatus
    at: datetime
    public_reason: str | None = None


@dataclass(frozen=True, slots=True)
class EmailTemplateRecord:
    """An organization's own email template; a part left None is the default one."""

    org_id: str
    subject: str | None
    html: str | None
    text: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class IssuerBrandingRecord:
    """How an issuer's public pages look: a logo (https URL) and colours (``#rrggbb``)."""

    issuer_id: str
    org_id: str
    logo_url: str | None
    primary_color: str | None
    accent_color: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class EarnerProfileRecord:
    """An earner's opt-in public profile in one organization: the badges they chose to show.

    ``slug`` (random) is its public address; ``subject_key`` identifies the earner (a hash of the
    organization and the recipient's email); ``credential_ids`` are in the order they were added."""

    slug: str
    org_id: str
    subject_key: str
    name: str | None
    credential_ids: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
