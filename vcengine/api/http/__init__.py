"""The public HTTP surface (no auth, except the VC API's issue and status endpoints).

One module per concept: ``credentials`` (a credential at its URL, its page and baked images),
``status_lists``, ``issuers`` (profiles and DID documents), ``oid4vci`` and ``exchanges``
(wallets: OpenID for Verifiable Credential Issuance, VC API exchanges), ``ob_api`` (the 1EdTech
Open Badges 3.0 API and its OAuth 2.0 server), ``achievements``,
``vc_api`` (W3C VC API issuer and status), ``vc_verifier`` (W3C VC API verifier), ``lms_webhooks``
(LMS events in), ``claim`` and ``claim_wallet`` (the learner's claim page, "Add to wallet"),
``earners`` (opt-in public profiles), ``sharing`` (the counted LinkedIn link), ``health`` and
``home`` (the landing page). Errors are RFC 9457 problem details (``_problem``).
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from vcengine.api.http import (
    achievements,
    claim,
    claim_wallet,
    credentials,
    earners,
    exchanges,
    health,
    home,
    issuers,
    lms_webhooks,
    ob_api,
    oid4vci,
    sharing,
    status_lists,
    vc_api,
    vc_verifier,
)

__all__ = ["routes"]


def routes() -> list[BaseRoute]:
    """Every public route; the VC API's fixed paths come before ``/credentials/{id}``."""
    return [
        *vc_api.routes,
        *vc_verifier.routes,
        *sharing.routes,
        *credentials.routes,
        *claim.routes,
        *claim_wallet.routes,
        *earners.routes,
        *status_lists.routes,
        *oid4vci.routes,
        *ob_api.routes,
        *exchanges.routes,
        *issuers.routes,
        *achievements.routes,
        *lms_webhooks.routes,
        *health.routes,
        *home.routes,
    ]
