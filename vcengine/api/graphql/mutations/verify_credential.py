"""verifyCredential: verify a credential given as JSON, a VC-JWT or a baked image (base64).

Any authenticated key may verify. Malformed input (not JSON, not a JWS, not a PNG/SVG, bad
base64) is a userError; every other outcome — bad signature, revoked, expired — is in the report.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.verification import VerificationReport
from vcengine.core import jsontext
from vcengine.errors import InputError, JsonError
from vcengine.services import verifying


@strawberry.input(description="Exactly one of credential, jwt and imageBase64.")
class VerifyCredentialInput:
    credential: JSON | None = strawberry.field(default=None, description="The credential JSON object.")
    jwt: str | None = strawberry.field(default=None, description="A compact VC-JWT.")
    image_base64: str | None = strawberry.field(default=None, description="A baked PNG or SVG, base64.")


@strawberry.type
class VerifyCredentialPayload:
    report: VerificationReport | None
    user_errors: list[UserError]


def _data(input: VerifyCredentialInput) -> Any:
    given = [name for name in ("credential", "jwt", "image_base64") if getattr(input, name) is not None]
    if len(given) != 1:
        raise InputError("give exactly one of credential, jwt and imageBase64")
    if input.credential is not None:
        if not isinstance(input.credential, dict):
            raise InputError("must be a JSON object", path="credential")
        # Variables arrive through the strict body parser; a literal in the query does not (GraphQL
        # refuses repeated fields and lone surrogates, but reads 1e999 as infinity).
        try:
            jsontext.check_value(input.credential)
        except JsonError as exc:
            raise InputError(exc.message, path="credential") from None
        return input.credential
    if input.jwt is not None:
        return input.jwt
    text = str(input.image_base64)
    if len(text) > verifying.MAX_INPUT_BYTES * 4 // 3 + 4:
        raise InputError("the image is too large", path="imageBase64")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("is not base64", path="imageBase64") from None


async def verify_credential(
    info: Info[Context, Any], input: VerifyCredentialInput
) -> VerifyCredentialPayload:
    async def run(services: Any, actor: Any) -> Any:
        try:
            return await verifying.verify(services, _data(input))
        except InputError as exc:
            field = exc.path if exc.path in ("credential", "imageBase64") else None
            raise InputError(exc.message, path=field) from None

    report, errors = await perform(info, run)
    return VerifyCredentialPayload(
        report=VerificationReport.of(report) if report else None, user_errors=errors
    )
