"""Global ids: ``base64("Type:id")`` (Relay). Inputs take a global id of the named type; a raw
record id is accepted too, so ids read from URLs can be used directly."""

from __future__ import annotations

from strawberry import relay

from vcengine.errors import NotFound

__all__ = ["global_id", "record_id"]


def global_id(type_name: str, record: str) -> relay.GlobalID:
    return relay.GlobalID(type_name, record)


def record_id(value: object, type_name: str, path: str) -> str:
    """The record id an input id names; NotFound (a user error) when it names another type."""
    text = str(value)
    if len(text) > 500:
        raise NotFound("no such id", path=path)
    try:
        gid = relay.GlobalID.from_id(text)
    except Exception:  # strawberry raises several types for a string that is no global id
        return text
    if gid.type_name != type_name or not gid.node_id:
        raise NotFound(f"not a {type_name} id", path=path)
    return gid.node_id
