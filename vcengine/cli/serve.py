"""`vcengine serve`: run the service (GraphQL, public pages, W3C VC API) under uvicorn.

    vcengine serve [--host 127.0.0.1] [--port 8000] [--data DIR] [--mongodb-uri URI]
                   [--base-url URL] [--ssl-certfile F --ssl-keyfile F] [--dev]
                   [--header-timeout S] [--body-timeout S] [--keep-alive-timeout S]
                   [--max-connections N]

Flags override the environment (``VCENGINE_*``, see ``vcengine.api.settings``). The first start
creates a default organization with a did:key issuer and prints an admin API key once (or adds
``VCENGINE_BOOTSTRAP_API_KEY``), and says where the master key file was created.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vcengine.errors import InputError

__all__ = ["register"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _positive(kind: type[float] | type[int]) -> Any:
    def parse(text: str) -> float | int:
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if not 0 < value < float("inf"):
            raise argparse.ArgumentTypeError(f"must be a {kind.__name__} greater than 0, not {text!r}")
        return value

    return parse


def _base_url(args: argparse.Namespace, from_env: str | None) -> str | None:
    if args.base_url:
        return str(args.base_url)
    if from_env:
        return None  # keep the environment's
    scheme = "https" if args.ssl_certfile else "http"
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}:{args.port}"


def _announce(settings: Any, out: Any) -> Any:
    def on_start(started: Any) -> None:
        boot = started.bootstrap
        where = "MongoDB" if settings.mongodb_uri else f"SQLite in {settings.data_dir.resolve()}"
        print(f"vcengine: store: {where}", file=out)
        print(f"vcengine: {started.master_key_message}", file=out)
        if boot.created:
            issuer = boot.issuer.profile.get("id") if boot.issuer is not None else None
            print(
                f"vcengine: created organization {boot.organization.name!r} ({boot.organization.id})",
                file=out,
            )
            if issuer:
                print(f"vcengine: created issuer {issuer}", file=out)
        if boot.api_key:
            print(f"vcengine: admin API key (shown once, store it now): {boot.api_key}", file=out)
        elif boot.api_key_prefix:
            print(
                f"vcengine: admin API key from VCENGINE_BOOTSTRAP_API_KEY (prefix {boot.api_key_prefix})",
                file=out,
            )
        print(f"vcengine: serving {settings.base_url}  (GraphQL: {settings.base_url}/graphql)", file=out)
        out.flush()

    return on_start


def base_url_warning(base_url: str) -> str | None:
    """Why credential ids made from ``base_url`` will not verify elsewhere, if they will not."""
    from vcengine.fetch import is_loopback_http

    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if is_loopback_http(base_url) or host == "localhost" or _is_loopback_literal(host):
        return (
            f"credential ids will carry the loopback base URL {base_url}: only this machine can "
            "resolve them (verify with --online --allow-http-loopback); set --base-url or "
            "VCENGINE_BASE_URL to the public https URL before issuing real badges"
        )
    if parts.scheme == "http":
        return (
            f"credential ids will carry the plain-http base URL {base_url}: verifiers fetch keys and "
            "status lists over https only; serve behind TLS and set --base-url https://..."
        )
    return None


def _is_loopback_literal(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _QuietStartupFailure(logging.Filter):
    """Drop uvicorn's own lines about a failed start when the app failed on a misconfiguration
    (a ``VcengineError``): ``cmd_serve`` says what is wrong in one line instead."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app

    def filter(self, record: logging.LogRecord) -> bool:
        return self.app.state.startup_error is None


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from vcengine.api.app import create_app
    from vcengine.api.server import uvicorn_config
    from vcengine.api.settings import Secret, Settings

    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        raise InputError("give both --ssl-certfile and --ssl-keyfile, or neither")
    env = Settings.from_env()
    settings = env.with_overrides(
        data_dir=Path(args.data) if args.data else None,
        mongodb_uri=Secret(args.mongodb_uri) if args.mongodb_uri else None,
        base_url=_base_url(args, None if env.base_url == Settings().base_url else env.base_url),
        dev=True if args.dev else None,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        keep_alive_timeout=args.keep_alive_timeout,
        max_connections=args.max_connections,
    )
    if settings.bootstrap_api_key is not None:
        from vcengine.services.organizations import parse_api_key

        try:
            parse_api_key(str(settings.bootstrap_api_key))
        except InputError as exc:
            raise InputError(f"VCENGINE_BOOTSTRAP_API_KEY is not a vcengine API key: {exc}") from None
    warning = base_url_warning(settings.base_url)
    if warning:
        print(f"vcengine: warning: {warning}", file=sys.stderr)
    app = create_app(settings, on_start=_announce(settings, sys.stdout))
    config = uvicorn_config(
        app,
        settings,
        host=args.host,
        port=args.port,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
    )
    server = uvicorn.Server(config)
    quiet = _QuietStartupFailure(app)
    logger = logging.getLogger("uvicorn.error")
    logger.addFilter(quiet)
    try:
        server.run()
    except SystemExit:  # uvicorn exits 3 when the app does not start
        if app.state.startup_error is None:
            raise
    finally:
        logger.removeFilter(quiet)
    if app.state.startup_error is not None:
        raise app.state.startup_error  # main prints it as one line and exits 2
    return 0 if server.started else 1


def register(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run the service: GraphQL, public pages and the W3C VC API")
    serve.add_argument(
        "--host", default=DEFAULT_HOST, help=f"interface to listen on (default {DEFAULT_HOST})"
    )
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument(
        "--data", metavar="DIR", help="data directory of the embedded store (default ./vcengine-data)"
    )
    serve.add_argument("--mongodb-uri", metavar="URI", help="use MongoDB instead of the embedded store")
    serve.add_argument("--base-url", metavar="URL", help="public URL of this instance (ids are made from it)")
    serve.add_argument("--ssl-certfile", metavar="F", help="TLS certificate (PEM)")
    serve.add_argument("--ssl-keyfile", metavar="F", help="TLS private key (PEM)")
    serve.add_argument("--dev", action="store_true", help="development mode: GraphiQL, access log")
    serve.add_argument(
        "--header-timeout",
        type=_positive(float),
        metavar="S",
        help="seconds a client has to send a request's headers, else 408 (default 10)",
    )
    serve.add_argument(
        "--body-timeout",
        type=_positive(float),
        metavar="S",
        help="seconds a client has to send a request's body after its headers, else 408 (default 30)",
    )
    serve.add_argument(
        "--keep-alive-timeout",
        type=_positive(float),
        metavar="S",
        help="seconds an idle keep-alive connection stays open (default 5)",
    )
    serve.add_argument(
        "--max-connections",
        type=_positive(int),
        metavar="N",
        help="open connections and requests in flight at most; beyond, 503 (default 500)",
    )
    serve.set_defaults(func=cmd_serve)
