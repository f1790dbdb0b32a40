"""The service's settings, read from the environment once (like starlette's ``config.py``).

    VCENGINE_DATA_DIR            embedded store and master key file      (default ./vcengine-data)
    VCENGINE_MONGODB_URI         use MongoDB instead of the embedded store (secret: may hold a password)
    VCENGINE_BASE_URL            public URL of this instance; credential, issuer and status list
                                 ids are made from it                   (default http://127.0.0.1:8000)
    VCENGINE_BOOTSTRAP_API_KEY   the admin API key the first start creates (secret)
    VCENGINE_MASTER_KEY          the key that encrypts issuer keys at rest (secret; default: a key
                                 file in the data directory, created on first start)
    VCENGINE_DEV                 1/true: development mode (GraphiQL, detailed errors)
    VCENGINE_HEADER_TIMEOUT      seconds a client has to send a request's headers  (default 10)
    VCENGINE_BODY_TIMEOUT        seconds a client has to send a request's body, once its headers
                                 are in; else 408 and the connection is closed       (default 30)
    VCENGINE_KEEP_ALIVE_TIMEOUT  seconds an idle keep-alive connection stays open   (default 5)
    VCENGINE_MAX_CONNECTIONS     open connections (and requests in flight) at most; beyond it a
                                 request is answered 503                            (default 500)
    VCENGINE_VERIFY_WORKERS      worker processes that verify credentials (default: one per core,
                                 at least 2, at most 8; one of them is kept for credential pages).
                                 0 verifies in threads of the server, unbounded and without a
                                 deadline: for comparison benchmarks only
    VCENGINE_VERIFY_QUEUE        verifications that may wait for a worker, per lane (default 8);
                                 one more is refused with HTTP 503 + Retry-After
    VCENGINE_JOB_CONCURRENCY     background jobs (emails, webhook deliveries, LMS events) this
                                 instance runs at once (default 8); 0: none, an API-only instance
                                 that accepts and stores work for the instances that run jobs
    VCENGINE_VERIFY_DEADLINE     seconds a verification may run (and at most wait) before it is
                                 stopped and reported as not verified (default 10)
    VCENGINE_SMTP_URL            where credential emails are sent: smtp://user:password@host:587
                                 (STARTTLS) or smtps://user:password@host:465 (TLS) (secret;
                                 unset: no email is sent, deliveries are recorded as skipped)
    VCENGINE_SMTP_FROM           the From of credential emails (default Badges <no-reply@host>)
    VCENGINE_SMTP_RETRY_SECONDS  first wait before a failed send is retried; doubles up to an
                                 hour, 8 retries (default 30)
    VCENGINE_SMTP_TIMEOUT        seconds one SMTP session may take (default 30); an instance killed
                                 mid-send leaves its email to another after 2 x this + 15 s
    VCENGINE_CLAIM_DAYS          days a claim link works (default 30)
    VCENGINE_REMINDER_DAYS       email the learner this many days before the credential's
                                 validUntil (default: no reminders)

Secrets are ``Secret`` values: their repr is masked, ``str()`` reveals them where they are used.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.datastructures import Secret

from vcengine.errors import InputError
from vcengine.services.verification_pool import DEFAULT_DEADLINE, DEFAULT_QUEUE, default_workers

if TYPE_CHECKING:
    from vcengine.services.ports import Store

__all__ = ["MASTER_KEY_FILE", "Secret", "Settings", "store_for"]

DEFAULT_DATA_DIR = Path("vcengine-data")
MASTER_KEY_FILE = "master.key"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_BODY_TIMEOUT = 30.0
DEFAULT_KEEP_ALIVE_TIMEOUT = 5.0
DEFAULT_MAX_CONNECTIONS = 500
DEFAULT_JOB_CONCURRENCY = 8
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def _secret(value: str | None) -> Secret | None:
    return Secret(value) if value else None


def _flag(name: str, value: str | None) -> bool:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"{name} must be 1/true/yes/on or 0/false/no/off, not {value!r}")


def _number(env: Mapping[str, str], name: str, default: float, *, integer: bool = False) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        number = int(text) if integer else float(text)
    except ValueError:
        number = 0
    if not 0 < number < float("inf"):
        kind = "a whole number" if integer else "a number of seconds"
        raise InputError(f"{name} must be {kind} greater than 0, not {text!r}")
    return number


def _count(name: str, value: str | None, default: int) -> int:
    """A whole number >= 0 from the environment (unset or empty: ``default``)."""
    text = (value or "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()):
        raise InputError(f"{name} must be a whole number >= 0, not {value!r}")
    return int(text)


def _seconds(name: str, value: str | None, default: float) -> float:
    """A positive, finite number of seconds from the environment (unset or empty: ``default``)."""
    text = (value or "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:
        raise InputError(f"{name} must be a number of seconds > 0, not {value!r}")
    return seconds


def normalize_base_url(url: str) -> str:
    """``scheme://host[:port][/path]`` without a trailing slash; http(s) only."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise InputError(f"the base URL must be an http(s) URL without query or fragment, not {url!r}")
    return url.strip().rstrip("/")


#: Status lists are re-signed an hour before they expire; a pass every 5 minutes keeps every
#: list fresh with room for a few failed passes.
DEFAULT_STATUS_REFRESH = 300.0


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app factory needs; built by ``from_env`` or by the CLI from its flags."""

    data_dir: Path = DEFAULT_DATA_DIR
    base_url: str = DEFAULT_BASE_URL
    mongodb_uri: Secret | None = None
    bootstrap_api_key: Secret | None = None
    master_key: Secret | None = None
    dev: bool = False
    max_body_bytes: int = 8 * 1024 * 1024
    status_list_ttl_seconds: int = 300
    #: Seconds between two passes of the status list refresher (each instance runs one).
    status_refresh_seconds: float = DEFAULT_STATUS_REFRESH
    #: Slow clients (slowloris): seconds to send the headers, then the body, of a request.
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    keep_alive_timeout: float = DEFAULT_KEEP_ALIVE_TIMEOUT
    #: Open connections and requests in flight; beyond, 503 (and connections cost memory, fds).
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    verify_workers: int = field(default_factory=default_workers)
    verify_queue: int = DEFAULT_QUEUE
    job_concurrency: int = DEFAULT_JOB_CONCURRENCY
    verify_deadline_seconds: float = DEFAULT_DEADLINE
    #: Email delivery (see the module docstring): SMTP URL (secret), From, retries, claim links.
    smtp_url: Secret | None = None
    smtp_from: str | None = None
    smtp_retry_seconds: float = 30.0
    smtp_timeout: float = 30.0
    claim_days: int = 30
    reminder_days: int | None = None
    #: The Open Badges API's Service Description Document: terms, privacy policy, image URLs.
    ob_api_terms_url: str | None = None
    ob_api_privacy_url: str | None = None
    ob_api_image_url: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", normalize_base_url(self.base_url))
        for name in (
            "header_timeout",
            "body_timeout",
            "keep_alive_timeout",
            "max_connections",
            "status_refresh_seconds",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < float("inf"):
                raise InputError(f"{name} must be a number greater than 0, not {value!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            data_dir=Path(env.get("VCENGINE_DATA_DIR") or DEFAULT_DATA_DIR),
            base_url=env.get("VCENGINE_BASE_URL") or DEFAULT_BASE_URL,
            mongodb_uri=_secret(env.get("VCENGINE_MONGODB_URI")),
            bootstrap_api_key=_secret(env.get("VCENGINE_BOOTSTRAP_API_KEY")),
            master_key=_secret(env.get("VCENGINE_MASTER_KEY")),
            dev=_flag("VCENGINE_DEV", env.get("VCENGINE_DEV")),
            header_timeout=_number(env, "VCENGINE_HEADER_TIMEOUT", DEFAULT_HEADER_TIMEOUT),
            body_timeout=_number(env, "VCENGINE_BODY_TIMEOUT", DEFAULT_BODY_TIMEOUT),
            keep_alive_timeout=_number(env, "VCENGINE_KEEP_ALIVE_TIMEOUT", DEFAULT_KEEP_ALIVE_TIMEOUT),
            max_connections=int(
                _number(env, "VCENGINE_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS, integer=True)
            ),
            verify_workers=_count(
                "VCENGINE_VERIFY_WORKERS", env.get("VCENGINE_VERIFY_WORKERS"), default_workers()
            ),
            verify_queue=_count("VCENGINE_VERIFY_QUEUE", env.get("VCENGINE_VERIFY_QUEUE"), DEFAULT_QUEUE),
            job_concurrency=_count(
                "VCENGINE_JOB_CONCURRENCY", env.get("VCENGINE_JOB_CONCURRENCY"), DEFAULT_JOB_CONCURRENCY
            ),
            verify_deadline_seconds=_seconds(
                "VCENGINE_VERIFY_DEADLINE", env.get("VCENGINE_VERIFY_DEADLINE"), DEFAULT_DEADLINE
            ),
            status_refresh_seconds=_seconds(
                "VCENGINE_STATUS_REFRESH_SECONDS",
                env.get("VCENGINE_STATUS_REFRESH_SECONDS"),
                DEFAULT_STATUS_REFRESH,
            ),
            smtp_url=_secret(env.get("VCENGINE_SMTP_URL")),
            smtp_from=env.get("VCENGINE_SMTP_FROM") or None,
            smtp_retry_seconds=_seconds(
                "VCENGINE_SMTP_RETRY_SECONDS", env.get("VCENGINE_SMTP_RETRY_SECONDS"), 30.0
            ),
            smtp_timeout=_seconds("VCENGINE_SMTP_TIMEOUT", env.get("VCENGINE_SMTP_TIMEOUT"), 30.0),
            claim_days=int(_number(env, "VCENGINE_CLAIM_DAYS", 30, integer=True)),
            reminder_days=_count("VCENGINE_REMINDER_DAYS", env.get("VCENGINE_REMINDER_DAYS"), 0) or None,
            ob_api_terms_url=env.get("VCENGINE_OB_API_TERMS_URL") or None,
            ob_api_privacy_url=env.get("VCENGINE_OB_API_PRIVACY_URL") or None,
            ob_api_image_url=env.get("VCENGINE_OB_API_IMAGE_URL") or None,
        )

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given fields replaced (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]

    @property
    def master_key_file(self) -> Path:
        """Where the master key is read from (and created on first start) without ``VCENGINE_MASTER_KEY``."""
        return self.data_dir / MASTER_KEY_FILE

    @property
    def host(self) -> str:
        """``host[:port]`` of the base URL, as did:web identifiers need it."""
        return urlsplit(self.base_url).netloc


def store_for(settings: Settings) -> Store:
    """The store the settings name, not started: MongoDB if a URI is set, else SQLite in the data
    directory. ``vcengine serve`` and ``vcengine admin`` open it through here."""
    from vcengine.storage import open_store

    uri = str(settings.mongodb_uri) if settings.mongodb_uri else None
    return open_store(None if uri else settings.data_dir, uri)
