"""What both adapters store the same way: instants as sortable text, keyset cursors, JSON text.

- An instant is ISO 8601 basic format in UTC, ``YYYYMMDDTHHMMSS.ffffffZ``: fixed width, so text
  order is time order (keyset pagination and date filters compare it), and exact to the
  microsecond (BSON dates keep only milliseconds). Not the extended ``YYYY-MM-DDTHH:MM:SS``
  form: nx-27017 mistakes such strings for dates and then ``$gt``/``$lt`` match nothing.
- A cursor is base64url(JSON ``[sort value, id]``): opaque to callers, checked when read back.
- JSON documents are stored as their JSON text, so they come back exactly as written (key order,
  big integers, keys with ``.`` or ``$``) — signed documents must not change by a byte.
- ``revoked_list_of`` rebuilds a suspension list's ``revoked_list`` from its revoked credentials
  (migrating data written before lists kept it).
- ``refuse_repeated_ids``: a batch of credentials naming one id twice is refused before writing.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from vcengine.core.status import StatusList
from vcengine.errors import Conflict, InputError
from vcengine.services.ports import CredentialInsert

__all__ = [
    "decode_cursor",
    "decode_time",
    "dump_json",
    "encode_cursor",
    "encode_time",
    "load_json",
    "maybe_time",
    "recipient_values",
    "refuse_repeated_ids",
    "revoked_list_of",
]

_FORMAT = "%Y%m%dT%H%M%S.%fZ"


def encode_time(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("the store needs timezone-aware datetimes")
    return value.astimezone(UTC).strftime(_FORMAT)


def decode_time(text: str) -> datetime:
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)


def maybe_time(text: str | None) -> datetime | None:
    return None if text is None else decode_time(text)


def dump_json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def load_json(text: str) -> Any:
    return json.loads(text)


def encode_cursor(sort_value: str, record_id: str) -> str:
    raw = json.dumps([sort_value, record_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """The (sort value, id) a cursor from ``encode_cursor`` holds; anything else is an ``InputError``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise InputError("not a valid page cursor") from None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise InputError("not a valid page cursor")
    return value[0], value[1]


def recipient_values(recipient: Mapping[str, Any]) -> list[str]:
    """The string values a ``CredentialFilter.recipient`` is compared with."""
    return sorted({v for v in recipient.values() if isinstance(v, str)})


def revoked_list_of(length: int, indexes: Iterable[int]) -> str:
    """The ``revoked_list`` of a list of ``length`` entries whose ``indexes`` are revoked ("": none)."""
    revoked = {i: 1 for i in indexes if 0 <= i < length}
    if not revoked:
        return ""
    return StatusList(bytes(-(-length // 8)), length).with_changes(revoked).encode()


def refuse_repeated_ids(items: Sequence[CredentialInsert]) -> None:
    """``Conflict`` naming the first credential id given twice in ``items``."""
    seen: set[str] = set()
    for item in items:
        if item.credential.id in seen:
            raise Conflict(f"credential {item.credential.id} is given twice: none of the batch is stored")
        seen.add(item.credential.id)
