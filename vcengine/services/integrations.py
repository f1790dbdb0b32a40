"""LMS integrations and their award rules (scope ``admin``, one organization's).

An integration is where one LMS (or Zapier/Make, or any Standard Webhooks sender) posts its
events: its ``webhook_url`` and the secret its receiver checks. The secret is made here (or,
where the platform dictates it, given: Thinkific's API key or client secret, Teachable's webhook
secret), shown once in what ``create_integration`` / ``rotate_integration_secret`` return, and
stored only sealed under the master key (``keystore.seal_secret``, bound to the integration id).

What the secret is, per platform:

- GENERIC: a Standard Webhooks secret ``whsec_…`` (the sender signs each request);
- ZAPIER, MAKE: a token sent as ``Authorization: Bearer <token>`` (they cannot sign);
- MOODLE: the token the webhooks plugin puts in each body (``token``);
- THINKIFIC: the key of ``X-Thinkific-Hmac-Sha256`` (the site's API key, or the app's client secret);
- TEACHABLE: the key of ``teachable-signature``;
- CANVAS, KAJABI, TALENTLMS: a token carried in the webhook URL (``?token=``), since these
  platforms send no signature we could check.

Award rules (which achievement an event earns) are ``services.award_rules``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, get_args

from vcengine.core.lms.signatures import new_standard_webhooks_secret, new_token, standard_webhooks_key
from vcengine.errors import InputError, NotFound
from vcengine.services.context import Actor, Services
from vcengine.services.keystore import seal_secret, unseal_secret
from vcengine.services.ports import IntegrationPlatform, IntegrationRecord

__all__ = [
    "PLATFORMS",
    "URL_TOKEN_PLATFORMS",
    "NewSecret",
    "create_integration",
    "delete_integration",
    "get_integration",
    "integration_api_token",
    "integration_secret",
    "list_integrations",
    "rotate_integration_secret",
    "setup_url",
    "update_integration",
    "webhook_url",
]

PLATFORMS: tuple[IntegrationPlatform, ...] = get_args(IntegrationPlatform)
#: platforms whose only proof is a token in the URL they post to
SECRET_PURPOSE = "integration"
#: an integration's platform API token is sealed for its own purpose: it never opens as the secret
API_TOKEN_PURPOSE = "integration-api-token"
URL_TOKEN_PLATFORMS = frozenset({"canvas", "kajabi", "talentlms"})
#: platforms whose secret the platform itself dictates (it may be given)
_GIVEN = frozenset({"thinkific", "teachable", "generic", "moodle", "zapier", "make"})
_MAX_SETTINGS = 20


@dataclass(frozen=True, slots=True)
class NewSecret:
    """An integration and its secret in the clear: returned once, never stored so."""

    record: IntegrationRecord
    secret: str


def webhook_url(services: Services, record: IntegrationRecord) -> str:
    """Where the platform posts its events (without any secret)."""
    return f"{services.base_url}/hooks/lms/{record.id}"


def setup_url(services: Services, record: IntegrationRecord, secret: str) -> str:
    """What to paste into the platform: the webhook URL, with the token for URL-token platforms."""
    url = webhook_url(services, record)
    return f"{url}?token={secret}" if record.platform in URL_TOKEN_PLATFORMS else url


def integration_secret(services: Services, record: IntegrationRecord) -> str:
    """The integration's secret in the clear (for its receiver only)."""
    return unseal_secret(record.sealed_secret, services.master_key, purpose=SECRET_PURPOSE, aad=record.id)


def integration_api_token(services: Services, record: IntegrationRecord) -> str | None:
    """The platform API token in the clear (for learner lookups only); None if there is none."""
    if record.sealed_api_token is None:
        return None
    return unseal_secret(
        record.sealed_api_token, services.master_key, purpose=API_TOKEN_PURPOSE, aad=record.id
    )


def _seal_api_token(services: Services, integration_id: str, token: str) -> bytes:
    token = token.strip()
    if not 8 <= len(token) <= 500 or not token.isprintable():
        raise InputError("must be 8 to 500 printable characters", path="apiToken")
    master, purpose = services.master_key, API_TOKEN_PURPOSE
    return seal_secret(token, master, purpose=purpose, aad=integration_id, random_bytes=services.random_bytes)


def _new_secret(services: Services, platform: str, given: str | None) -> str:
    if given is None:
        if platform == "generic":
            return new_standard_webhooks_secret(services.random_bytes)
        return new_token(services.random_bytes)
    if platform not in _GIVEN:
        raise InputError(f"the {platform} secret is made by vcengine; give none", path="secret")
    given = given.strip()
    if platform == "generic":
        standard_webhooks_key(given)
    elif not 16 <= len(given) <= 200 or not given.isprintable():
        raise InputError("must be 16 to 200 printable characters", path="secret")
    return given


def _check_name(name: str) -> str:
    name = name.strip()
    if not 0 < len(name) <= 200:
        raise InputError("must be 1 to 200 characters", path="name")
    return name


def _check_settings(settings: Mapping[str, Any]) -> dict[str, str]:
    if len(settings) > _MAX_SETTINGS:
        raise InputError(f"at most {_MAX_SETTINGS} settings", path="settings")
    for name in ("siteUrl", "jwksUrl"):
        url = settings.get(name)
        if url is not None and not (isinstance(url, str) and url.startswith("https://") and "?" not in url):
            raise InputError(f"{name} must be an https:// address", path="settings")
    for key, value in settings.items():
        if not (isinstance(value, str) and len(key) <= 100 and len(value) <= 2000):
            raise InputError(
                "settings are text (names up to 100, values up to 2000 characters)", path="settings"
            )
    return dict(settings)


async def create_integration(
    services: Services,
    actor: Actor,
    platform: str,
    name: str,
    *,
    secret: str | None = None,
    settings: Mapping[str, Any] | None = None,
    api_token: str | None = None,
) -> NewSecret:
    """A new integration of the caller's organization, with its secret (shown this once).
    ``api_token``: the platform's API credential for learner lookups (a Moodle web-service token),
    sealed, never shown again."""
    actor.require("admin")
    if platform not in PLATFORMS:
        raise InputError(f"must be one of {', '.join(PLATFORMS)}", path="platform")
    record_id = services.new_id()
    plaintext = _new_secret(services, platform, secret)
    record = IntegrationRecord(
        id=record_id,
        org_id=actor.org_id,
        platform=platform,
        name=_check_name(name),
        sealed_secret=seal_secret(
            plaintext,
            services.master_key,
            purpose=SECRET_PURPOSE,
            aad=record_id,
            random_bytes=services.random_bytes,
        ),
        created_at=services.now(),
        settings=_check_settings(settings or {}),
        sealed_api_token=None if api_token is None else _seal_api_token(services, record_id, api_token),
    )
    await services.store.create_integration(record)
    return NewSecret(record, plaintext)


async def get_integration(services: Services, actor: Actor, integration_id: str) -> IntegrationRecord:
    actor.require("admin")
    record = await services.store.get_integration(actor.org_id, integration_id)
    if record is None:
        raise NotFound(f"no integration {integration_id}", path="id")
    return record


async def list_integrations(services: Services, actor: Actor) -> Sequence[IntegrationRecord]:
    actor.require("admin")
    return await services.store.list_integrations(actor.org_id)


async def _save(services: Services, record: IntegrationRecord) -> IntegrationRecord:
    record = replace(record, updated_at=services.now())
    if not await services.store.save_integration(record):
        raise NotFound(f"no integration {record.id}", path="id")
    return record


async def update_integration(
    services: Services,
    actor: Actor,
    integration_id: str,
    *,
    name: str | None = None,
    settings: Mapping[str, Any] | None = None,
    paused: bool | None = None,
    api_token: str | None = None,
) -> IntegrationRecord:
    """Rename, change settings, set the API token ("" removes it), pause (events are kept) or
    un-pause; to resume, use
    ``lms_processing.resume_integration``, which also queues the events kept meanwhile."""
    record = await get_integration(services, actor, integration_id)
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = _check_name(name)
    if settings is not None:
        changes["settings"] = _check_settings(settings)
    if paused is not None:
        changes["paused"] = paused
    if api_token is not None:
        changes["sealed_api_token"] = _seal_api_token(services, record.id, api_token) if api_token else None
    return await _save(services, replace(record, **changes))


async def rotate_integration_secret(
    services: Services, actor: Actor, integration_id: str, secret: str | None = None
) -> NewSecret:
    """A new secret (the old one stops working at once), shown this once."""
    record = await get_integration(services, actor, integration_id)
    plaintext = _new_secret(services, record.platform, secret)
    sealed = seal_secret(
        plaintext,
        services.master_key,
        purpose=SECRET_PURPOSE,
        aad=record.id,
        random_bytes=services.random_bytes,
    )
    return NewSecret(await _save(services, replace(record, sealed_secret=sealed)), plaintext)


async def delete_integration(services: Services, actor: Actor, integration_id: str) -> None:
    """Delete the integration and its rules; its received events stay, for the record."""
    actor.require("admin")
    if not await services.store.delete_integration(actor.org_id, integration_id):
        raise NotFound(f"no integration {integration_id}", path="id")
