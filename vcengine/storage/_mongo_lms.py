"""LMS integrations in MongoDB: the collections of integrations, award rules, received events (the
inbox) and learner progress, their documents and indexes.

A received event's ``_id`` is derived from (integration, source event id), so the unique ``_id``
is the de-duplication, across instances. Learner progress is one document per (rule, learner)
one document per
(rule, learner, item) whose ``_id`` says which, so adding one is an idempotent insert.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel

from vcengine.services.ports import AwardRuleRecord, IntegrationEventRecord, IntegrationRecord
from vcengine.storage._codec import decode_time, dump_json, encode_time, load_json, maybe_time

Doc = dict[str, Any]


def _asc(*fields: str) -> list[tuple[str, int]]:
    return [(f, ASCENDING) for f in fields]


INDEXES: dict[str, list[IndexModel]] = {
    "lms_integrations": [IndexModel(_asc("org_id", "created_at"), name="by_org")],
    "lms_award_rules": [IndexModel(_asc("org_id", "integration_id", "created_at"), name="by_integration")],
    "lms_events": [
        IndexModel(_asc("org_id", "page_key"), name="by_org"),
        IndexModel(_asc("org_id", "integration_id", "page_key"), name="by_integration"),
    ],
    "lms_progress": [IndexModel(_asc("key"), name="by_learner")],
}


def _t(value: Any) -> str | None:
    return None if value is None else encode_time(value)


def integration_doc(r: IntegrationRecord) -> Doc:
    return {
        "_id": r.id,
        "org_id": r.org_id,
        "platform": r.platform,
        "name": r.name,
        "sealed_secret": bytes(r.sealed_secret),
        "created_at": encode_time(r.created_at),
        "settings": dump_json(r.settings),
        "paused": r.paused,
        "updated_at": _t(r.updated_at),
        "sealed_api_token": None if r.sealed_api_token is None else bytes(r.sealed_api_token),
    }


def integration(d: Doc) -> IntegrationRecord:
    return IntegrationRecord(
        id=d["_id"],
        org_id=d["org_id"],
        platform=d["platform"],
        name=d["name"],
        sealed_secret=bytes(d["sealed_secret"]),
        created_at=decode_time(d["created_at"]),
        settings=load_json(d["settings"]),
        paused=bool(d["paused"]),
        updated_at=maybe_time(d.get("updated_at")),
        sealed_api_token=None if d.get("sealed_api_token") is None else bytes(d["sealed_api_token"]),
    )


def rule_doc(r: AwardRuleRecord) -> Doc:
    return {
        "_id": r.id,
        "org_id": r.org_id,
        "integration_id": r.integration_id,
        "achievement_id": r.achievement_id,
        "trigger": r.trigger,
        "created_at": encode_time(r.created_at),
        "conditions": dump_json(r.conditions),
        "options": dump_json(r.options),
    }


def rule(d: Doc) -> AwardRuleRecord:
    return AwardRuleRecord(
        id=d["_id"],
        org_id=d["org_id"],
        integration_id=d["integration_id"],
        achievement_id=d["achievement_id"],
        trigger=d["trigger"],
        created_at=decode_time(d["created_at"]),
        conditions=load_json(d["conditions"]),
        options=load_json(d["options"]),
    )


def event_doc(r: IntegrationEventRecord) -> Doc:
    received = encode_time(r.received_at)
    return {
        "_id": r.id,
        "org_id": r.org_id,
        "integration_id": r.integration_id,
        "source_event_id": r.source_event_id,
        "received_at": received,
        "page_key": f"{received} {r.id}",
        "event": dump_json(r.event),
        "raw": dump_json(r.raw),
        "outcome": r.outcome,
        "reason": r.reason,
        "credential_ids": list(r.credential_ids),
        "processed_at": _t(r.processed_at),
    }


def event(d: Doc) -> IntegrationEventRecord:
    return IntegrationEventRecord(
        id=d["_id"],
        org_id=d["org_id"],
        integration_id=d["integration_id"],
        source_event_id=d["source_event_id"],
        received_at=decode_time(d["received_at"]),
        event=load_json(d["event"]),
        raw=load_json(d["raw"]),
        outcome=d["outcome"],
        reason=d.get("reason"),
        credential_ids=tuple(d.get("credential_ids", [])),
        processed_at=maybe_time(d.get("processed_at")),
    )


def progress_key(*parts: str) -> str:
    """The key of (org, rule, learner), or with an item appended, of one item of their progress."""
    return dump_json({"k": list(parts)})


def progress_item(key: str) -> str:
    item: str = load_json(key)["k"][3]
    return item
