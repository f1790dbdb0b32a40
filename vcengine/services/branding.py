"""An issuer's branding on its public pages (credential and claim pages): a logo and two colours.

The logo is an ``https`` URL (the pages allow images from https and this server only); colours
are ``#rrggbb``. Setting branding needs ``admin``; unset fields clear it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from vcengine.errors import InputError, NotFound
from vcengine.services.context import Actor, Services
from vcengine.services.ports import IssuerBrandingRecord

__all__ = ["set_issuer_branding"]

_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def _logo(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme != "https" or not parts.hostname or len(url) > 2000 or '"' in url:
        raise InputError("must be an https URL (at most 2,000 characters)", path="logoUrl")
    return url


def _color(value: str | None, path: str) -> str | None:
    if not value:
        return None
    if not _COLOR.fullmatch(value):
        raise InputError("must be a colour as #rrggbb", path=path)
    return value.lower()


async def set_issuer_branding(
    services: Services,
    actor: Actor,
    issuer_id: str,
    *,
    logo_url: str | None,
    primary_color: str | None,
    accent_color: str | None,
) -> IssuerBrandingRecord:
    actor.require("admin")
    record = IssuerBrandingRecord(
        issuer_id,
        actor.org_id,
        _logo(logo_url),
        _color(primary_color, "primaryColor"),
        _color(accent_color, "accentColor"),
        services.now(),
    )
    if await services.store.get_issuer(actor.org_id, issuer_id) is None:
        raise NotFound(f"no issuer {issuer_id}", path="issuerId")
    await services.store.put_issuer_branding(record)
    return record
