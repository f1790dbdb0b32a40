"""HostedBadge scope rules (allowedOrigins, startsWith, the issuer's own host) and comparison."""

from __future__ import annotations

from typing import Any

import pytest

from vcengine.core.ob2.hosted import differences, in_scope, is_http_url
from vcengine.core.ob2.profile import Profile


def profile(issuer_id: str = "https://badges.example/issuer.json", verification: Any = None) -> Profile:
    return Profile(id=issuer_id, public_keys=(), revocation_list=None, verification=verification, json={})


@pytest.mark.parametrize(
    ("assertion_id", "policy", "issuer_id", "outcome"),
    [
        ("https://badges.example/a/1", None, "https://badges.example/issuer.json", "pass"),
        ("https://badges.example:8443/a/1", None, "https://badges.example/issuer.json", "pass"),
        ("https://BADGES.example/a/1", None, "https://badges.example/issuer.json", "pass"),
        ("https://evil.example/a/1", None, "https://badges.example/issuer.json", "fail"),
        ("https://cdn.example/a/1", {"allowedOrigins": "cdn.example"}, "https://badges.example/i", "pass"),
        (
            "https://badges.example/a/1",
            {"allowedOrigins": ["cdn.example"]},
            "https://badges.example/i",
            "fail",
        ),
        (
            "https://badges.example/a/1",
            {"startsWith": "https://badges.example/a/"},
            "https://badges.example/i",
            "pass",
        ),
        (
            "https://badges.example/b/1",
            {"startsWith": ["https://badges.example/a/"]},
            "https://badges.example/i",
            "fail",
        ),
        ("https://badges.example/a/1", None, "urn:uuid:1", "indeterminate"),
        ("https://badges.example/a/1", {"startsWith": "https://badges.example/"}, "urn:uuid:1", "pass"),
        (
            "https://badges.example/a/1",
            "https://badges.example/policy.json",
            "https://badges.example/i",
            "indeterminate",
        ),
        (
            "https://badges.example/a/1",
            {"verificationProperty": "url"},
            "https://badges.example/i",
            "indeterminate",
        ),
        ("https://badges.example/a/1", {"allowedOrigins": [1]}, "https://badges.example/i", "fail"),
    ],
)
def test_scope(assertion_id: str, policy: Any, issuer_id: str, outcome: str) -> None:
    assert in_scope(assertion_id, profile(issuer_id, policy)).outcome == outcome


def test_differences_split_claims_from_other_members() -> None:
    base = {
        "id": "x",
        "recipient": {"identity": "a"},
        "badge": "https://b",
        "image": "i1",
        "verification": {"type": "hosted"},
    }
    embedded = {**base, "badge": {"id": "https://b", "name": "B"}, "image": "i2"}
    assert differences(base, embedded) == ([], ["image"])
    assert differences(base, {**base, "recipient": {"identity": "b"}, "expires": "2030-01-01T00:00:00Z"}) == (
        ["recipient", "expires"],
        [],
    )
    assert differences(
        base, {**{k: v for k, v in base.items() if k != "verification"}, "verify": {"type": "hosted"}}
    ) == ([], [])


def test_is_http_url() -> None:
    assert is_http_url("https://a.example/x") and is_http_url("http://a.example")
    assert not is_http_url("urn:uuid:1") and not is_http_url("https://") and not is_http_url(None)
