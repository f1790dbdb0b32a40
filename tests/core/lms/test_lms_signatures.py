"""Webhook authenticity checks: the Standard Webhooks spec's test vector, signatures made by the
``standardwebhooks`` reference package, the replay window, hex HMACs and tokens."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from vcengine.core.lms.signatures import (
    new_standard_webhooks_secret,
    new_token,
    standard_webhooks_key,
    verify_hex_hmac,
    verify_standard_webhook,
    verify_token,
)
from vcengine.errors import InputError, SignatureError

# The test vector of the Standard Webhooks specification (standard-webhooks/standard-webhooks,
# spec/standard-webhooks.md "Signature scheme"; first published in Svix's docs).
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
STAMP = 1614265330
BODY = b'{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
AT = datetime.fromtimestamp(STAMP, UTC)


def headers(signature: str = SIGNATURE, stamp: int = STAMP, msg_id: str = MSG_ID) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": str(stamp), "webhook-signature": signature}


def test_the_spec_vector_verifies() -> None:
    assert verify_standard_webhook(SECRET, headers(), BODY, AT) == MSG_ID


def test_any_listed_v1_signature_may_match_rotation() -> None:
    other = Webhook(new_standard_webhooks_secret(lambda n: bytes(range(n)))).sign(MSG_ID, AT, BODY.decode())
    assert verify_standard_webhook(SECRET, headers(f"{other} v1a,ed25519sig {SIGNATURE}"), BODY, AT) == MSG_ID


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"body": BODY + b" "}, "matches the body"),
        ({"msg_id": "msg_other"}, "matches the body"),
        ({"signature": SIGNATURE.replace("v1,", "v2,")}, "matches the body"),
        ({"signature": ""}, "missing"),
        ({"stamp": STAMP + 1}, "matches the body"),
    ],
)
def test_anything_changed_fails(change: dict[str, object], message: str) -> None:
    body = change.pop("body", BODY)
    with pytest.raises(SignatureError, match=message):
        verify_standard_webhook(SECRET, headers(**change), body, AT)  # type: ignore[arg-type]


def test_the_replay_window_is_five_minutes_either_way() -> None:
    for skew in (timedelta(minutes=5), timedelta(minutes=-5)):
        verify_standard_webhook(SECRET, headers(), BODY, AT + skew)
    for skew in (timedelta(minutes=5, seconds=1), timedelta(minutes=-5, seconds=-1)):
        with pytest.raises(SignatureError, match="replay"):
            verify_standard_webhook(SECRET, headers(), BODY, AT + skew)


def test_a_timestamp_that_is_no_unix_time_is_refused() -> None:
    for bad in ("-5", "1e9", "", "9" * 20):
        with pytest.raises(SignatureError):
            verify_standard_webhook(SECRET, {**headers(), "webhook-timestamp": bad}, BODY, AT)


def test_signatures_of_the_reference_package_verify() -> None:
    secret = new_standard_webhooks_secret(lambda n: b"\x07" * n)
    now = datetime.now(UTC)
    body = '{"id":"e1","event":"course_completed"}'
    signature = Webhook(secret).sign("msg_1", now, body)
    assert verify_standard_webhook(
        secret, headers(signature, int(now.timestamp()), "msg_1"), body.encode(), now
    )


def test_secrets_are_checked() -> None:
    assert len(standard_webhooks_key(new_standard_webhooks_secret(lambda n: b"k" * n))) == 32
    for bad in ("whsec_not base64!", "whsec_" + "QUFB" * 2):  # not base64; only 6 bytes
        with pytest.raises(InputError):
            standard_webhooks_key(bad)
    assert len(new_token(lambda n: b"t" * n)) == 43


def test_hex_hmac_and_tokens() -> None:
    body = b'{"id":"1"}'
    digest = hmac.new(b"key-123", body, hashlib.sha256).hexdigest()
    verify_hex_hmac("key-123", body, digest.upper(), "X-Sig")
    with pytest.raises(SignatureError, match="missing the X-Sig"):
        verify_hex_hmac("key-123", body, None, "X-Sig")
    with pytest.raises(SignatureError, match="X-Sig does not match"):
        verify_hex_hmac("key-124", body, digest, "X-Sig")
    verify_token("s3cret-token", "s3cret-token", "here")
    for given in (None, "", "s3cret-tokeN"):
        with pytest.raises(SignatureError):
            verify_token("s3cret-token", given, "here")
