"""Webhook endpoints of an organization: create, list, change, disable, delete, rotate the secret.

Every use case needs the ``admin`` scope and acts only within the caller's organization. An
endpoint's signing secret (``whsec_…``, Standard Webhooks) is returned once, when it is made
(created or rotated); the store keeps it sealed under the master key, like issuer keys
(``keystore.seal_secret``). URLs are checked by ``core.webhook_urls``: https, not a private,
loopback or link-local address (``Services.allow_loopback_webhooks``, set by
``vcengine serve --dev``, also allows http and loopback).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from vcengine.core.webhook_events import check_event_types
from vcengine.core.webhook_signature import webhook_secret
from vcengine.core.webhook_urls import check_endpoint_url
from vcengine.errors import InputError, NotFound
from vcengine.services.context import Actor, Services
from vcengine.services.keystore import seal_secret, unseal_secret
from vcengine.services.ports import WebhookEndpointRecord

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_ENDPOINTS",
    "NewSecret",
    "create_endpoint",
    "delete_endpoint",
    "endpoint_secret",
    "get_endpoint",
    "list_endpoints",
    "rotate_secret",
    "set_enabled",
    "signing_secrets",
    "update_endpoint",
]

MAX_ENDPOINTS = 50
MAX_DESCRIPTION = 500
SECRET_PURPOSE = "webhook"
SECRET_BYTES = 32
#: how many hours the replaced secret still signs deliveries after a rotation, by default and at most
KEEP_OLD_HOURS = 24
MAX_KEEP_OLD_HOURS = 72


@dataclass(frozen=True, slots=True)
class NewSecret:
    """An endpoint and its secret in plaintext: returned this once, never again."""

    endpoint: WebhookEndpointRecord
    secret: str = field(repr=False)


def _description(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_DESCRIPTION:
        raise InputError(f"a description has at most {MAX_DESCRIPTION} characters", path="description")
    return text


def _sealed(services: Services, endpoint_id: str) -> tuple[str, bytes]:
    secret = webhook_secret(services.random_bytes(SECRET_BYTES))
    master, random_bytes = services.master_key, services.random_bytes
    sealed = seal_secret(secret, master, purpose=SECRET_PURPOSE, aad=endpoint_id, random_bytes=random_bytes)
    return secret, sealed


def endpoint_secret(services: Services, endpoint: WebhookEndpointRecord) -> str:
    """The endpoint's secret, unsealed (for signing a delivery; never returned to a caller)."""
    return unseal_secret(endpoint.sealed_secret, services.master_key, purpose=SECRET_PURPOSE, aad=endpoint.id)


def signing_secrets(services: Services, endpoint: WebhookEndpointRecord) -> list[str]:
    """The secrets a delivery is signed with now: the endpoint's, and the one it replaced while
    that one is still valid (a receiver switches secrets without missing a delivery)."""
    secrets = [endpoint_secret(services, endpoint)]
    until, previous = endpoint.previous_secret_until, endpoint.previous_sealed_secret
    if previous is not None and until is not None and services.now() < until:
        master = services.master_key
        secrets.append(unseal_secret(previous, master, purpose=SECRET_PURPOSE, aad=endpoint.id))
    return secrets


async def create_endpoint(
    services: Services, actor: Actor, url: str, events: Sequence[str], description: str | None = None
) -> NewSecret:
    """A new endpoint subscribed to ``events``, with its secret (shown once)."""
    actor.require("admin")
    checked = check_endpoint_url(url, allow_loopback=services.allow_loopback_webhooks)
    types = check_event_types(events)
    text = _description(description)
    if len(await services.store.list_webhook_endpoints(actor.org_id)) >= MAX_ENDPOINTS:
        raise InputError(f"an organization has at most {MAX_ENDPOINTS} webhook endpoints", path="url")
    endpoint_id = services.new_id()
    secret, sealed = _sealed(services, endpoint_id)
    record = WebhookEndpointRecord(endpoint_id, actor.org_id, checked, types, sealed, services.now(), text)
    await services.store.create_webhook_endpoint(record)
    return NewSecret(record, secret)


async def list_endpoints(services: Services, actor: Actor) -> Sequence[WebhookEndpointRecord]:
    actor.require("admin")
    return await services.store.list_webhook_endpoints(actor.org_id)


async def get_endpoint(services: Services, actor: Actor, endpoint_id: str) -> WebhookEndpointRecord:
    actor.require("admin")
    found = await services.store.get_webhook_endpoint(actor.org_id, endpoint_id)
    if found is None:
        raise NotFound("no such webhook endpoint", path="id")
    return found


async def _change(
    services: Services, actor: Actor, endpoint_id: str, changes: dict[str, Any]
) -> WebhookEndpointRecord:
    actor.require("admin")
    changed = await services.store.update_webhook_endpoint(
        actor.org_id, endpoint_id, {**changes, "updated_at": services.now()}
    )
    if changed is None:
        raise NotFound("no such webhook endpoint", path="id")
    return changed


async def update_endpoint(
    services: Services,
    actor: Actor,
    endpoint_id: str,
    *,
    url: str | None = None,
    events: Sequence[str] | None = None,
    description: str | None = None,
) -> WebhookEndpointRecord:
    """Change what is given (None: keep it)."""
    changes: dict[str, Any] = {}
    if url is not None:
        changes["url"] = check_endpoint_url(url, allow_loopback=services.allow_loopback_webhooks)
        changes["failing_since"] = None  # failures of the old URL say nothing about the new one
    if events is not None:
        changes["events"] = check_event_types(events)
    if description is not None:
        changes["description"] = _description(description)
    return await _change(services, actor, endpoint_id, changes)


async def set_enabled(
    services: Services, actor: Actor, endpoint_id: str, enabled: bool
) -> WebhookEndpointRecord:
    """Disable (nothing is delivered to it) or enable again (a fresh start: no failures counted)."""
    if enabled:
        changes: dict[str, Any] = {"disabled_at": None, "disabled_reason": None, "failing_since": None}
    else:
        changes = {"disabled_at": services.now(), "disabled_reason": "disabled by an API call"}
    return await _change(services, actor, endpoint_id, changes)


async def delete_endpoint(services: Services, actor: Actor, endpoint_id: str) -> str:
    """Delete the endpoint and its attempts (deliveries still queued are dropped); its id."""
    actor.require("admin")
    if not await services.store.delete_webhook_endpoint(actor.org_id, endpoint_id):
        raise NotFound("no such webhook endpoint", path="id")
    return endpoint_id


async def rotate_secret(
    services: Services, actor: Actor, endpoint_id: str, keep_old_hours: int = KEEP_OLD_HOURS
) -> NewSecret:
    """A new secret for the endpoint (shown once). Deliveries are signed with it from now on, and
    also with the old one for ``keep_old_hours`` (0 to ``MAX_KEEP_OLD_HOURS``; 0: not at all)."""
    if not 0 <= keep_old_hours <= MAX_KEEP_OLD_HOURS:
        raise InputError(
            f"the old secret is kept 0 to {MAX_KEEP_OLD_HOURS} hours", path="oldSecretValidForHours"
        )
    keep_old_for = timedelta(hours=keep_old_hours)
    current = await get_endpoint(services, actor, endpoint_id)
    secret, sealed = _sealed(services, endpoint_id)
    changes: dict[str, Any] = {
        "sealed_secret": sealed,
        "previous_sealed_secret": None,
        "previous_secret_until": None,
    }
    if keep_old_for:
        changes["previous_sealed_secret"] = current.sealed_secret
        changes["previous_secret_until"] = services.now() + keep_old_for
    changed = await _change(services, actor, endpoint_id, changes)
    return NewSecret(changed, secret)
