"""Pure pieces of the HTTP layer: negotiation, the LinkedIn link, settings, cache lifetimes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from vcengine.api.http._negotiate import choose
from vcengine.api.http._problem import from_error
from vcengine.api.http._responses import etag_of
from vcengine.api.http.linkedin import add_to_profile_url
from vcengine.api.http.status_lists import cache_seconds
from vcengine.api.settings import Settings
from vcengine.errors import InputError, JsonError, NotFound, PermissionDenied, StoreUnavailable
from vcengine.services.verification_pool import default_workers

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
OFFERS = ("application/ld+json", "application/json", "text/html")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/ld+json"),
        ("", "application/ld+json"),
        ("*/*", "application/ld+json"),
        (BROWSER, "text/html"),
        ("application/json", "application/json"),
        ("application/ld+json;q=0.5, text/html;q=0.4", "application/ld+json"),
        ("text/*", "text/html"),
        ("application/json;q=0, */*;q=0.1", "application/ld+json"),
        ("image/png", None),
        ("garbage", "application/ld+json"),
        ("text/html;q=abc, application/json", "application/json"),
    ],
)
def test_choose(accept: str | None, expected: str | None) -> None:
    assert choose(accept, OFFERS) == expected


def test_linkedin_link_has_linkedins_exact_parameters() -> None:
    url = add_to_profile_url(
        name="Python & Data: Level 1",
        organization_name="Acme Academy",
        issued=datetime(2026, 3, 5, tzinfo=UTC),
        expires=datetime(2028, 11, 1, tzinfo=UTC),
        cert_url="https://vc.example/credentials/abc",
        cert_id="https://vc.example/credentials/abc",
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/profile/add"
    assert parse_qsl(parts.query) == [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", "Python & Data: Level 1"),
        ("organizationName", "Acme Academy"),
        ("issueYear", "2026"),
        ("issueMonth", "3"),
        ("expirationYear", "2028"),
        ("expirationMonth", "11"),
        ("certUrl", "https://vc.example/credentials/abc"),
        ("certId", "https://vc.example/credentials/abc"),
    ]


def test_linkedin_link_without_expiry_omits_expiration() -> None:
    url = add_to_profile_url(
        name="N", organization_name="O", issued=None, expires=None, cert_url="https://x/c", cert_id="urn:c"
    )
    assert "expiration" not in url and "issueYear" not in url


def test_settings_from_env_masks_secrets() -> None:
    settings = Settings.from_env(
        {
            "VCENGINE_DATA_DIR": "/srv/data",
            "VCENGINE_BASE_URL": "https://badges.example/",
            "VCENGINE_MONGODB_URI": "mongodb://user:hunter2@db/vc",
            "VCENGINE_BOOTSTRAP_API_KEY": "vce_abcdefgh_supersecretsupersecret",
            "VCENGINE_MASTER_KEY": "masterkeymasterkey",
            "VCENGINE_DEV": "true",
        }
    )
    assert settings.data_dir == Path("/srv/data")
    assert settings.base_url == "https://badges.example"
    assert settings.host == "badges.example"
    assert settings.dev is True
    assert str(settings.mongodb_uri) == "mongodb://user:hunter2@db/vc"
    text = repr(settings)
    for secret in ("hunter2", "supersecret", "masterkeymasterkey"):
        assert secret not in text


def test_settings_defaults_and_bad_values() -> None:
    settings = Settings.from_env({})
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.mongodb_uri is None and settings.dev is False
    with pytest.raises(InputError):
        Settings.from_env({"VCENGINE_DEV": "maybe"})
    with pytest.raises(InputError):
        Settings(base_url="ftp://example.com")
    assert settings.with_overrides(dev=True, base_url=None).dev is True


def test_settings_server_limits_from_env() -> None:
    defaults = Settings.from_env({})
    assert (defaults.header_timeout, defaults.body_timeout) == (10.0, 30.0)
    assert (defaults.keep_alive_timeout, defaults.max_connections) == (5.0, 500)
    settings = Settings.from_env(
        {
            "VCENGINE_HEADER_TIMEOUT": "2.5",
            "VCENGINE_BODY_TIMEOUT": "60",
            "VCENGINE_KEEP_ALIVE_TIMEOUT": "1",
            "VCENGINE_MAX_CONNECTIONS": "64",
        }
    )
    assert (settings.header_timeout, settings.body_timeout) == (2.5, 60.0)
    assert (settings.keep_alive_timeout, settings.max_connections) == (1.0, 64)
    for name, value in (
        ("VCENGINE_HEADER_TIMEOUT", "0"),
        ("VCENGINE_BODY_TIMEOUT", "nan"),
        ("VCENGINE_KEEP_ALIVE_TIMEOUT", "inf"),
        ("VCENGINE_MAX_CONNECTIONS", "1.5"),
        ("VCENGINE_MAX_CONNECTIONS", "-3"),
    ):
        with pytest.raises(InputError, match=name):
            Settings.from_env({name: value})
    with pytest.raises(InputError, match="max_connections"):
        Settings(max_connections=0)


def test_verification_pool_settings() -> None:
    defaults = Settings.from_env({})
    assert defaults.verify_workers == default_workers() >= 2
    assert (defaults.verify_queue, defaults.verify_deadline_seconds) == (8, 10.0)
    settings = Settings.from_env(
        {"VCENGINE_VERIFY_WORKERS": "0", "VCENGINE_VERIFY_QUEUE": "3", "VCENGINE_VERIFY_DEADLINE": "2.5"}
    )
    assert (settings.verify_workers, settings.verify_queue, settings.verify_deadline_seconds) == (0, 3, 2.5)
    for name, bad in [
        ("VCENGINE_VERIFY_WORKERS", "-1"),
        ("VCENGINE_VERIFY_WORKERS", "two"),
        ("VCENGINE_VERIFY_QUEUE", "1.5"),
        ("VCENGINE_VERIFY_DEADLINE", "0"),
        ("VCENGINE_VERIFY_DEADLINE", "nan"),
        ("VCENGINE_VERIFY_DEADLINE", "inf"),
    ]:
        with pytest.raises(InputError, match=name):
            Settings.from_env({name: bad})


def test_cache_seconds_follows_valid_until_and_ttl() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    doc = {"validUntil": "2026-01-01T00:02:00Z", "credentialSubject": {"ttl": 600_000}}
    assert cache_seconds(doc, now, 300) == 120
    assert cache_seconds({**doc, "validUntil": "2027-01-01T00:00:00Z"}, now, 300) == 300
    assert cache_seconds({"credentialSubject": {"ttl": 30_000}}, now, 300) == 30
    assert cache_seconds({"validUntil": "2025-01-01T00:00:00Z"}, now, 300) == 0
    assert cache_seconds({"validUntil": "not a date"}, now, 300) == 0


def test_etag_is_strong_and_stable() -> None:
    assert etag_of(b"abc") == etag_of(b"abc") != etag_of(b"abd")
    assert etag_of(b"abc").startswith('"') and not etag_of(b"abc").startswith("W/")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (JsonError("x"), 400),
        (InputError("x"), 422),
        (NotFound("x"), 404),
        (PermissionDenied("x"), 403),
        (StoreUnavailable("x"), 503),
    ],
)
def test_errors_map_to_http_statuses(error: Exception, status: int) -> None:
    assert from_error(error).status == status  # type: ignore[arg-type]
