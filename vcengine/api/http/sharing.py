"""``/credentials/{id}/linkedin``: the "Add to LinkedIn profile" link of emails and pages.

It counts the click (``linkedin_clicked``, bots aside) and redirects (302) to LinkedIn's add-to-
profile form filled from the credential (``core.linkedin``). A credential that stopped counting
(revoked, suspended, expired) is not promoted: the link leads to its public page instead.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from vcengine.api.http import _lookup
from vcengine.api.http._deps import services
from vcengine.api.http._problem import Problem
from vcengine.core.credential_view import CredentialView
from vcengine.core.linkedin import add_to_profile_url
from vcengine.services.engagement import record_engagement
from vcengine.services.issuing import credential_json, credential_url

__all__ = ["routes"]


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


async def linkedin(request: Request) -> Response:
    svc = services(request)
    key = request.path_params["credential_id"]
    record = await _lookup.find_credential(svc.store, svc.base_url, key)
    if record is None:
        raise Problem(404, "not-found", "No such credential", f"no credential {key}")
    page = credential_url(svc, record.id)
    expired = record.valid_until is not None and record.valid_until <= svc.now()
    if record.status != "active" or expired:
        return RedirectResponse(page, status_code=303)
    await record_engagement(svc, record, "linkedin_clicked", request.headers.get("user-agent"))
    view = CredentialView(credential_json(record))
    issuer = view.issuer or {}
    target = add_to_profile_url(
        name=_text((view.achievement or {}).get("name")) or view.name or "Badge",
        organization_name=_text(issuer.get("name")) or view.issuer_id or "Issuer",
        issued=record.issued_at,
        expires=record.valid_until,
        cert_url=page,
        cert_id=view.id or page,
    )
    return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})


routes = [Route("/credentials/{credential_id}/linkedin", linkedin, methods=["GET"])]
