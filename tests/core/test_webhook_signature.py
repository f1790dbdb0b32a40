"""Standard Webhooks signatures, checked by the ``standardwebhooks`` package (the independent
implementation) and against the specification's example."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from vcengine.core.webhook_signature import sign, signed_headers, webhook_secret
from vcengine.errors import InputError


def test_the_specification_example() -> None:
    # standard-webhooks spec, "Signature scheme" example (also the svix documentation's)
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    signature = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_independent_client_verifies_what_is_signed() -> None:
    secret = webhook_secret(bytes(range(32)))
    body = '{"type":"credential.issued","data":{"name":"Zoë"}}'.encode()
    now = int(datetime.now(UTC).timestamp())
    headers = signed_headers([webhook_secret(bytes(32 * [7])), secret], "evt_1", now, body)
    assert Webhook(secret).verify(body, dict(headers))["data"]["name"] == "Zoë"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", dict(headers))
    with pytest.raises(WebhookVerificationError):
        Webhook(webhook_secret(bytes(32 * [9]))).verify(body, dict(headers))


def test_secrets_are_24_to_64_random_bytes_with_the_prefix() -> None:
    assert webhook_secret(bytes(24)).startswith("whsec_")
    for size in (23, 65):
        with pytest.raises(InputError):
            webhook_secret(bytes(size))
    with pytest.raises(InputError):
        sign("not-a-secret", "m", 1, b"")
    with pytest.raises(InputError):
        sign("whsec_***", "m", 1, b"")
