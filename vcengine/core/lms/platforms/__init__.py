"""Each platform's webhook, read: how its sender is authenticated and what learner events its body
carries (as ``core.lms.event`` JSON, validated by the event schema).

``authenticate`` runs before the body is trusted — over the raw bytes where the platform signs
them, on the parsed body where the token travels in it (Moodle); ``read`` turns the parsed body
into events (none, with the reason, for a delivery that is no learning event: a Thinkific
``order.created``, say) and the body as it is kept, with the secrets it carries removed.

| platform | module | proof |
| --- | --- | --- |
| generic | ``own`` | Standard Webhooks signature |
| zapier, make | ``own`` | ``Authorization: Bearer`` token |
| thinkific | ``thinkific`` | ``X-Thinkific-Hmac-Sha256`` |
| teachable | ``teachable`` | ``teachable-signature`` |
| moodle | ``moodle`` | ``token`` in the body |
| canvas | ``canvas`` | ``?token=`` in the URL (+ the RS256 JWT of ``canvas_jwt`` when signed) |
| kajabi | ``kajabi`` | ``?token=`` in the URL |
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vcengine.core import jsontext
from vcengine.core.lms.platforms import canvas, canvas_jwt, kajabi, moodle, own, teachable, thinkific
from vcengine.core.lms.platforms.delivery import Delivery
from vcengine.errors import UnsupportedError

__all__ = ["Delivery", "receive"]

_MAX_DEPTH = 16
_SIGNED = {
    "generic": own.authenticate_signed,
    "zapier": own.authenticate_bearer,
    "make": own.authenticate_bearer,
    "thinkific": thinkific.authenticate,
    "teachable": teachable.authenticate,
}
_READERS = {
    "generic": own.read,
    "zapier": own.read,
    "make": own.read,
    "thinkific": thinkific.read,
    "teachable": teachable.read,
    "moodle": moodle.read,
    "canvas": canvas.read,
    "kajabi": kajabi.read,
}


def receive(
    platform: str,
    secret: str,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    body: bytes,
    now: datetime,
    *,
    max_bytes: int,
    jwks: Mapping[str, Any] | None = None,
) -> Delivery:
    """Authenticate and read one request (``headers`` with lower-case names). ``jwks``: the key
    set a Canvas integration's signed events are checked against (see ``canvas_jwt``).

    Raises ``SignatureError`` (not from the sender), ``JsonError`` (not JSON), ``InputError``
    (not a body the platform sends), ``UnsupportedError`` (a platform or form not received) or
    ``canvas_jwt.KeyNotInSet`` (the JWKS lacks the token's key: fetch it again)."""
    reader = _READERS.get(platform)
    if reader is None:
        raise UnsupportedError(f"{platform} sends no webhooks; connect it through Zapier or Make")
    if platform in _SIGNED:
        _SIGNED[platform](secret, headers, query, body, now)
    elif platform in ("canvas", "kajabi"):
        canvas.authenticate_url_token(secret, query)
    if platform == "canvas" and canvas_jwt.looks_signed(body):
        if jwks is None:
            raise UnsupportedError("signed Live Events need the integration's jwksUrl setting")
        return reader(canvas_jwt.read_signed(body, jwks, now), headers)
    doc: Any = jsontext.loads(body, max_bytes=max_bytes, max_depth=_MAX_DEPTH)
    if platform == "moodle":
        moodle.authenticate(secret, doc)
    return reader(doc, headers)
