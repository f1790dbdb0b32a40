"""`vcengine admin`: organizations and API keys, straight on the store (no server, no API key).

    vcengine admin org create NAME [--key-name NAME] [--issuer NAME]
    vcengine admin org list
    vcengine admin keys list --org ORG
    vcengine admin keys create --org ORG --scopes SCOPE[,SCOPE...] [--name NAME]
    vcengine admin keys revoke KEY --org ORG

Every command takes ``--data DIR`` or ``--mongodb-uri URI`` (else ``VCENGINE_DATA_DIR`` /
``VCENGINE_MONGODB_URI``, as ``vcengine serve``; default ``./vcengine-data``) and ``--json``.
ORG is an organization's id, or its name when no other organization has it; KEY is a key's id,
its prefix, or the whole key. A new key is printed once. A revocation holds at once on every
running instance (they read keys from the store on every request). Unlike the API, the operator
may revoke an organization's last admin key; the command then says how to make another.
Exit codes: 0 done, 2 refused (unknown organization or key, bad input, store unavailable).
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vcengine.errors import NotFound, SecretError

if TYPE_CHECKING:
    from vcengine.api.settings import Settings
    from vcengine.services.context import Services
    from vcengine.services.keystore import MasterKey
    from vcengine.services.ports import ApiKeyRecord, IssuerKeyRecord, OrganizationRecord, Store

__all__ = ["register"]

Handler = Callable[["Services", "Settings", argparse.Namespace], Awaitable[None]]


# -- the commands --------------------------------------------------------------------------------


async def org_create(services: Services, settings: Settings, args: argparse.Namespace) -> None:
    from vcengine.services import organizations

    if args.issuer is not None:
        services.master_key = await _sealing_key(settings, services.store)
    made = await organizations.provision(services, args.name, key_name=args.key_name, issuer_name=args.issuer)
    org, key, issuer = made.organization, made.key, made.issuer
    if args.json:
        issuer_json = None if issuer is None else {"id": issuer.id, "issuerId": issuer.profile["id"]}
        _print_json(
            {
                "organization": _org_json(org),
                "apiKey": _key_json(key.record),
                "key": key.plaintext,
                "issuer": issuer_json,
            }
        )
        return
    print(f"created organization {org.name!r} ({org.id})")
    if issuer is not None:
        print(f"created issuer {issuer.profile['id']} ({issuer.id})")
    print(f"admin API key {key.record.prefix} ({key.record.id}), shown once, store it now:")
    print(key.plaintext)


async def org_list(services: Services, settings: Settings, args: argparse.Namespace) -> None:
    orgs = await services.store.list_organizations()
    if args.json:
        _print_json([_org_json(o) for o in orgs])
        return
    _print_table(["ID", "NAME", "CREATED"], [[o.id, o.name, _time(o.created_at)] for o in orgs])


async def keys_list(services: Services, settings: Settings, args: argparse.Namespace) -> None:
    from vcengine.services import organizations

    org = await organizations.find_organization(services, args.org)
    keys = [k async for k in _all_keys(services.store, org.id)]
    if args.json:
        _print_json([_key_json(k) for k in keys])
        return
    rows = [
        [
            k.id,
            k.prefix,
            k.name,
            ",".join(sorted(k.scopes)),
            _time(k.created_at),
            _time(k.last_used_at) or "never",
            f"revoked {_time(k.revoked_at)}" if k.revoked_at else "active",
        ]
        for k in keys
    ]
    print(f"API keys of {org.name!r} ({org.id}):")
    _print_table(["ID", "PREFIX", "NAME", "SCOPES", "CREATED", "LAST USED", "STATUS"], rows)


async def keys_create(services: Services, settings: Settings, args: argparse.Namespace) -> None:
    from vcengine.services import organizations

    org = await organizations.find_organization(services, args.org)
    scopes = [s.strip() for value in args.scopes for s in value.split(",") if s.strip()]
    new = await organizations.create_api_key(services, organizations.operator(org.id), args.name, scopes)
    if args.json:
        _print_json({"organization": _org_json(org), "apiKey": _key_json(new.record), "key": new.plaintext})
        return
    scopes_text = ",".join(sorted(new.record.scopes))
    print(f"created API key {new.record.prefix} ({new.record.id}) of {org.name!r} with scopes {scopes_text},")
    print("shown once, store it now:")
    print(new.plaintext)


async def keys_revoke(services: Services, settings: Settings, args: argparse.Namespace) -> None:
    from vcengine.services import organizations

    org = await organizations.find_organization(services, args.org)
    operator = organizations.operator(org.id)
    key = await organizations.find_api_key(services, operator, args.key)
    already = key.revoked_at is not None
    revoked = await organizations.revoke_api_key(services, operator, key.id, keep_admin=False)
    admins = [
        k async for k in _all_keys(services.store, org.id, include_revoked=False) if "admin" in k.scopes
    ]
    if args.json:
        _print_json({"organization": _org_json(org), "apiKey": _key_json(revoked), "alreadyRevoked": already})
    else:
        when = _time(revoked.revoked_at)
        state = f"was already revoked ({when})" if already else f"revoked ({when})"
        print(f"API key {revoked.prefix} ({revoked.id}) of {org.name!r} {state}")
    if not admins:
        print(
            f"vcengine: warning: {org.name!r} has no working admin key now; make one with:\n"
            f"  vcengine admin keys create --org {org.id} --scopes admin",
            file=sys.stderr,
        )


# -- the store and the master key ----------------------------------------------------------------


def _settings(args: argparse.Namespace) -> Settings:
    from vcengine.api.settings import Secret, Settings

    return Settings.from_env().with_overrides(
        data_dir=Path(args.data) if args.data else None,
        mongodb_uri=Secret(args.mongodb_uri) if args.mongodb_uri else None,
    )


async def _run(args: argparse.Namespace) -> None:
    from vcengine.api.settings import store_for
    from vcengine.services.context import Services
    from vcengine.services.keystore import MasterKey
    from vcengine.storage import SQLITE_FILE

    settings = _settings(args)
    database = settings.data_dir / SQLITE_FILE
    if not settings.mongodb_uri and args.handler is not org_create and not database.exists():
        raise NotFound(
            f"no vcengine store at {database}: give --data DIR (or --mongodb-uri URI); "
            "`vcengine serve` or `vcengine admin org create` creates one"
        )
    store = store_for(settings)
    await store.start()
    services = Services(
        store=store,
        master_key=MasterKey.unavailable("vcengine admin opened no master key for this command"),
        base_url=settings.base_url,
    )
    try:
        await args.handler(services, settings, args)
    finally:
        await services.close()
        await store.close()


async def _sealing_key(settings: Settings, store: Store) -> MasterKey:
    """The master key the servers seal issuer keys with: ``VCENGINE_MASTER_KEY`` or the key file.

    A new key file is created only for a store that holds no issuer key yet and is not MongoDB
    (whose servers must share one key: it has to be given), as ``vcengine serve``'s first start
    would; a key that does not open the store's issuer keys is refused before anything is written.
    """
    from vcengine.services.keystore import ENV_VAR, load_or_create_master_key, unseal

    env = {ENV_VAR: str(settings.master_key)} if settings.master_key is not None else {}
    sample = await _an_issuer_key(store)
    if not env and not settings.master_key_file.exists() and (settings.mongodb_uri or sample):
        raise SecretError(
            f"creating an issuer needs the servers' master key: set {ENV_VAR} "
            f"(there is no {settings.master_key_file})"
        )
    master, _ = load_or_create_master_key(env, settings.master_key_file, secrets.token_bytes)
    if sample is not None:
        try:
            unseal(sample.encrypted_secret, master, aad=sample.id)
        except SecretError:
            raise SecretError(
                f"this master key does not open the store's issuer keys: give the servers' {ENV_VAR}"
            ) from None
    return master


async def _an_issuer_key(store: Store) -> IssuerKeyRecord | None:
    for org in await store.list_organizations():
        for issuer in await store.list_issuers(org.id):
            for key in await store.list_issuer_keys(issuer.id):
                return key
    return None


async def _all_keys(
    store: Store, org_id: str, *, include_revoked: bool = True
) -> AsyncIterator[ApiKeyRecord]:
    after = None
    while True:
        page = await store.list_api_keys(org_id, after, 100, include_revoked=include_revoked)
        for key in page.items:
            yield key
        if page.next is None:
            return
        after = page.next


# -- output --------------------------------------------------------------------------------------


def _time(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso(moment: datetime | None) -> str | None:
    """As GraphQL writes a DateTime."""
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _org_json(org: OrganizationRecord) -> dict[str, Any]:
    return {"id": org.id, "name": org.name, "createdAt": _iso(org.created_at)}


def _key_json(key: ApiKeyRecord) -> dict[str, Any]:
    """What ``apiKeys`` shows in GraphQL: never the secret or its hash."""
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "scopes": sorted(key.scopes),
        "createdAt": _iso(key.created_at),
        "lastUsedAt": _iso(key.last_used_at),
        "revokedAt": _iso(key.revoked_at),
        "createdBy": key.created_by,
    }


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    if not rows:
        print("(none)")
        return
    lines = [header, *rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


# -- the parser ----------------------------------------------------------------------------------


def cmd_admin(args: argparse.Namespace) -> int:
    import asyncio

    asyncio.run(_run(args))
    return 0


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    where = common.add_mutually_exclusive_group()
    where.add_argument(
        "--data", metavar="DIR", help="data directory of the embedded store (default ./vcengine-data)"
    )
    where.add_argument("--mongodb-uri", metavar="URI", help="the MongoDB store the servers use")
    common.add_argument("--json", action="store_true", help="print JSON")
    return common


def _command(sub: Any, name: str, handler: Handler, help: str, common: argparse.ArgumentParser) -> Any:
    parser = sub.add_parser(name, help=help, parents=[common])
    parser.set_defaults(func=cmd_admin, handler=handler)
    return parser


def register(sub: Any) -> None:
    admin = sub.add_parser(
        "admin", help="organizations and API keys, on the store (recover a lost or leaked key)"
    ).add_subparsers(dest="admin_command", required=True)
    common = _common()

    org = admin.add_parser("org", help="organizations").add_subparsers(dest="org_command", required=True)
    create = _command(org, "create", org_create, "a new organization and its first admin API key", common)
    create.add_argument("name", metavar="NAME", help="the organization's name")
    create.add_argument("--key-name", default="admin", help="name of the admin key (default admin)")
    create.add_argument(
        "--issuer", metavar="NAME", help="also create a did:key issuer with this name (needs the master key)"
    )
    _command(org, "list", org_list, "every organization", common)

    keys = admin.add_parser("keys", help="API keys of an organization").add_subparsers(
        dest="keys_command", required=True
    )
    org_help = "the organization's id, or its name when no other has it"
    listing = _command(keys, "list", keys_list, "the organization's keys (never their secrets)", common)
    listing.add_argument("--org", required=True, help=org_help)
    new = _command(keys, "create", keys_create, "a new API key, printed once", common)
    new.add_argument("--org", required=True, help=org_help)
    new.add_argument(
        "--scopes",
        required=True,
        action="append",
        metavar="SCOPE[,SCOPE...]",
        help="read, issue, revoke, admin (admin implies the others); repeat or separate with commas",
    )
    new.add_argument("--name", default="operator", help="the key's name (default operator)")
    revoke = _command(keys, "revoke", keys_revoke, "revoke a key: it fails at once everywhere", common)
    revoke.add_argument("key", metavar="KEY", help="the key's id, its prefix, or the whole key")
    revoke.add_argument("--org", required=True, help=org_help)
