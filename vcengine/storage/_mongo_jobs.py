"""Durable jobs in MongoDB: the ``jobs`` collection, its documents and its indexes.

A claim is one ``find_one_and_update`` per job, conditional on the state and ``attempts`` the
claimer read, so two claimers never both win the same attempt. "Oldest unfinished job of its
queue" is checked just before (a job never becomes runnable again by others' claims, so a
stale check can only skip a job, never run two of one queue at once).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import ASCENDING, IndexModel

from vcengine.services.ports import JobRecord
from vcengine.storage._codec import decode_time, dump_json, encode_time, load_json, maybe_time

Doc = dict[str, Any]

INDEXES = [
    IndexModel([("state", ASCENDING), ("kind", ASCENDING), ("due_at", ASCENDING)], name="runnable"),
    IndexModel([("state", ASCENDING), ("lease_until", ASCENDING)], name="by_lease"),
    IndexModel([("queue", ASCENDING), ("page_key", ASCENDING)], name="by_queue"),
    IndexModel([("org_id", ASCENDING), ("kind", ASCENDING), ("page_key", ASCENDING)], name="by_org"),
]
UNFINISHED = ["pending", "running"]


def _t(value: Any) -> str | None:
    return None if value is None else encode_time(value)


def j(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else dump_json(value)


def job_doc(r: JobRecord) -> Doc:
    created = encode_time(r.created_at)
    return {
        "_id": r.id,
        "org_id": r.org_id,
        "kind": r.kind,
        "payload": dump_json(r.payload),
        "created_at": created,
        "page_key": f"{created} {r.id}",
        "due_at": encode_time(r.due_at),
        "queue": r.queue,
        "state": r.state,
        "attempts": r.attempts,
        "lease_until": _t(r.lease_until),
        "last_error": r.last_error,
        "result": j(r.result),
        "finished_at": _t(r.finished_at),
    }


def job(d: Doc) -> JobRecord:
    return JobRecord(
        id=d["_id"],
        org_id=d["org_id"],
        kind=d["kind"],
        payload=load_json(d["payload"]),
        created_at=decode_time(d["created_at"]),
        due_at=decode_time(d["due_at"]),
        queue=d.get("queue"),
        state=d["state"],
        attempts=d["attempts"],
        lease_until=maybe_time(d.get("lease_until")),
        last_error=d.get("last_error"),
        result=None if d.get("result") is None else load_json(d["result"]),
        finished_at=maybe_time(d.get("finished_at")),
    )


def runnable(kinds: list[str], at: str) -> Doc:
    return {
        "kind": {"$in": kinds},
        "$or": [
            {"state": "pending", "due_at": {"$lte": at}},
            {"state": "running", "lease_until": {"$lte": at}},
        ],
    }
