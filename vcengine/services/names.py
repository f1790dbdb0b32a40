"""Names people give things (organizations, keys, issuers, achievements): trimmed, non-empty,
printable, bounded. Shared by the services that take names, below all of them."""

from __future__ import annotations

from vcengine.errors import InputError

__all__ = ["MAX_NAME", "clean_name"]

MAX_NAME = 200


def clean_name(value: str, path: str = "name") -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise InputError("must not be empty", path=path)
    if len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise InputError(f"must be at most {MAX_NAME} printable characters", path=path)
    return name
