"""Webhooks in MongoDB: the ``webhook_endpoints`` and ``webhook_attempts`` collections, their
documents and indexes. Deliveries are jobs (``_mongo_jobs``) of the queue ``webhook:<endpoint id>``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import ASCENDING, IndexModel

from vcengine.services.ports import WEBHOOK_ENDPOINT_CHANGES, WebhookAttemptRecord, WebhookEndpointRecord
from vcengine.storage._codec import decode_time, encode_time, maybe_time

Doc = dict[str, Any]

INDEXES: dict[str, list[IndexModel]] = {
    "webhook_endpoints": [IndexModel([("org_id", ASCENDING), ("page_key", ASCENDING)], name="by_org")],
    "webhook_attempts": [
        IndexModel([("delivery_id", ASCENDING), ("attempt", ASCENDING)], name="by_delivery"),
        IndexModel([("endpoint_id", ASCENDING)], name="by_endpoint"),
    ],
    # events stored with their deliveries (``add_event``) until those are copied out
    "events": [
        IndexModel(
            [("outbox_jobs", ASCENDING)],
            partialFilterExpression={"outbox_jobs": {"$exists": True}},
            name="with_jobs",
        )
    ],
}


def _t(value: Any) -> str | None:
    return None if value is None else encode_time(value)


def endpoint_doc(r: WebhookEndpointRecord) -> Doc:
    created = encode_time(r.created_at)
    return {
        "_id": r.id,
        "org_id": r.org_id,
        "url": r.url,
        "events": list(r.events),
        "sealed_secret": r.sealed_secret,
        "created_at": created,
        "page_key": f"{created} {r.id}",
        "description": r.description,
        "disabled_at": _t(r.disabled_at),
        "disabled_reason": r.disabled_reason,
        "failing_since": _t(r.failing_since),
        "updated_at": _t(r.updated_at),
        "previous_sealed_secret": r.previous_sealed_secret,
        "previous_secret_until": _t(r.previous_secret_until),
    }


def endpoint(d: Doc) -> WebhookEndpointRecord:
    return WebhookEndpointRecord(
        id=d["_id"],
        org_id=d["org_id"],
        url=d["url"],
        events=tuple(d["events"]),
        sealed_secret=bytes(d["sealed_secret"]),
        created_at=decode_time(d["created_at"]),
        description=d["description"],
        disabled_at=maybe_time(d.get("disabled_at")),
        disabled_reason=d.get("disabled_reason"),
        failing_since=maybe_time(d.get("failing_since")),
        updated_at=maybe_time(d.get("updated_at")),
        previous_sealed_secret=None
        if d.get("previous_sealed_secret") is None
        else bytes(d["previous_sealed_secret"]),
        previous_secret_until=maybe_time(d.get("previous_secret_until")),
    )


def endpoint_changes(changes: Mapping[str, Any]) -> Doc:
    unknown = set(changes) - WEBHOOK_ENDPOINT_CHANGES
    if unknown:
        raise ValueError(f"not a changeable webhook endpoint field: {sorted(unknown)}")
    out: Doc = {}
    for name, value in changes.items():
        if name == "events":
            out[name] = list(value)
        elif name in {"disabled_at", "failing_since", "updated_at", "previous_secret_until"}:
            out[name] = _t(value)
        else:
            out[name] = value
    return out


def attempt_doc(r: WebhookAttemptRecord) -> Doc:
    return {
        "_id": r.id,
        "org_id": r.org_id,
        "endpoint_id": r.endpoint_id,
        "delivery_id": r.delivery_id,
        "attempt": r.attempt,
        "at": encode_time(r.at),
        "duration_ms": r.duration_ms,
        "status_code": r.status_code,
        "error": r.error,
    }


def attempt(d: Doc) -> WebhookAttemptRecord:
    return WebhookAttemptRecord(
        id=d["_id"],
        org_id=d["org_id"],
        endpoint_id=d["endpoint_id"],
        delivery_id=d["delivery_id"],
        attempt=d["attempt"],
        at=decode_time(d["at"]),
        duration_ms=d["duration_ms"],
        status_code=d.get("status_code"),
        error=d.get("error"),
    )
