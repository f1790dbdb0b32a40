# mypy: disable-error-code="untyped-decorator, arg-type"
"""The Query type: the viewer, issuers, achievements, credentials, API keys (keyset connections), node."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from vcengine.api.graphql.context import Context, actor_of
from vcengine.api.graphql.errors import coded, outage
from vcengine.api.graphql.integration_queries import IntegrationQueries
from vcengine.api.graphql.types.achievement import Achievement, AchievementConnection, AchievementEdge
from vcengine.api.graphql.types.analytics import Analytics, AnalyticsInterval
from vcengine.api.graphql.types.api_key import ApiKey, ApiKeyConnection, ApiKeyEdge
from vcengine.api.graphql.types.credential import Credential, CredentialConnection, CredentialEdge
from vcengine.api.graphql.types.email_template import EmailTemplate
from vcengine.api.graphql.types.enums import CredentialState, Scope
from vcengine.api.graphql.types.ids import record_id
from vcengine.api.graphql.types.issuer import Issuer
from vcengine.api.graphql.types.organization import Organization, Viewer
from vcengine.api.graphql.types.pagination import page
from vcengine.api.graphql.types.webhook import (
    WebhookDelivery,
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookEndpoint,
)
from vcengine.errors import InputError, NotFound, PermissionDenied, StoreError
from vcengine.services import analytics, email_templates, organizations, webhook_delivery
from vcengine.services.ports import AnalyticsFilter, CredentialFilter

__all__ = ["AnalyticsFilterInput", "CredentialFilterInput", "Query"]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


@strawberry.input(description="Every filter given must match.")
class CredentialFilterInput:
    achievement_id: strawberry.ID | None = None
    issuer_id: strawberry.ID | None = None
    recipient: str | None = strawberry.field(default=None, description="Email, name or identifier.")
    status: CredentialState | None = None
    issued_after: datetime | None = None
    issued_before: datetime | None = None

    def to_domain(self) -> CredentialFilter:
        recipient = self.recipient
        if recipient is not None and _EMAIL.fullmatch(recipient.strip()):
            recipient = recipient.strip().lower()
        for moment in (self.issued_after, self.issued_before):
            if moment is not None and moment.tzinfo is None:
                raise coded("issuedAfter/issuedBefore need a time zone", "BAD_USER_INPUT")
        try:
            return CredentialFilter(
                achievement_id=record_id(self.achievement_id, "Achievement", "achievementId")
                if self.achievement_id is not None
                else None,
                issuer_id=record_id(self.issuer_id, "Issuer", "issuerId")
                if self.issuer_id is not None
                else None,
                recipient=recipient,
                status=self.status.value if self.status else None,
                issued_after=self.issued_after,
                issued_before=self.issued_before,
            )
        except NotFound as exc:
            raise coded(exc.message, "BAD_USER_INPUT") from None


@strawberry.input(description="UTC days from and to (both included); the issuer and achievement when given.")
class AnalyticsFilterInput:
    from_: date = strawberry.field(name="from")
    to: date
    achievement_id: strawberry.ID | None = None
    issuer_id: strawberry.ID | None = None

    def to_domain(self) -> AnalyticsFilter:
        try:
            achievement = (
                None
                if self.achievement_id is None
                else record_id(self.achievement_id, "Achievement", "achievementId")
            )
            issuer = None if self.issuer_id is None else record_id(self.issuer_id, "Issuer", "issuerId")
        except NotFound as exc:
            raise coded(exc.message, "BAD_USER_INPUT") from None
        return AnalyticsFilter(self.from_, self.to, issuer_id=issuer, achievement_id=achievement)


async def _organization(info: Info[Context, Any]) -> Organization:
    try:
        org = await organizations.get_organization(info.context.services, actor_of(info))
    except PermissionDenied as exc:
        raise coded(exc.message, "UNAUTHENTICATED") from None
    except StoreError as exc:
        raise outage(exc) from None
    return Organization.of(org)


@strawberry.type
class Query(IntegrationQueries):
    @strawberry.field(description="The caller: its organization and the scopes of its API key.")
    async def viewer(self, info: Info[Context, Any]) -> Viewer:
        scopes = [Scope(s) for s in sorted(actor_of(info).scopes)]
        return Viewer(organization=await _organization(info), scopes=scopes)

    @strawberry.field(description="The caller's organization.")
    async def organization(self, info: Info[Context, Any]) -> Organization:
        # (a resolver's ``self`` is the root value, not a Query: share a function, not a method)
        return await _organization(info)

    @strawberry.field(
        description="The organization's API keys, oldest first (keyset pages of 1 to 100; scope ADMIN)."
    )
    async def api_keys(
        self,
        info: Info[Context, Any],
        first: int = 20,
        after: str | None = None,
        include_revoked: Annotated[
            bool, strawberry.argument(description="False: only the keys that still work.")
        ] = True,
    ) -> ApiKeyConnection:
        actor = actor_of(info, "admin")
        store = info.context.services.store
        edges, page_info = await page(
            lambda a, n: store.list_api_keys(actor.org_id, a, n, include_revoked=include_revoked),
            first,
            after,
        )
        return ApiKeyConnection(
            edges=[ApiKeyEdge(cursor=c, node=ApiKey.of(r)) for c, r in edges], page_info=page_info
        )

    @strawberry.field(description="The organization's issuers.")
    async def issuers(self, info: Info[Context, Any]) -> list[Issuer]:
        actor = actor_of(info, "read")
        return [Issuer.of(r) for r in await info.context.services.store.list_issuers(actor.org_id)]

    @strawberry.field
    async def issuer(self, info: Info[Context, Any], id: strawberry.ID) -> Issuer | None:
        actor_of(info, "read")
        try:
            record = await info.context.issuer(record_id(id, "Issuer", "id"))
        except NotFound:
            return None
        return Issuer.of(record) if record else None

    @strawberry.field(description="The organization's achievements, oldest first.")
    async def achievements(
        self, info: Info[Context, Any], first: int = 20, after: str | None = None
    ) -> AchievementConnection:
        actor = actor_of(info, "read")
        store = info.context.services.store
        edges, page_info = await page(lambda a, n: store.list_achievements(actor.org_id, a, n), first, after)
        return AchievementConnection(
            edges=[AchievementEdge(cursor=c, node=Achievement.of(r)) for c, r in edges], page_info=page_info
        )

    @strawberry.field
    async def achievement(self, info: Info[Context, Any], id: strawberry.ID) -> Achievement | None:
        actor_of(info, "read")
        try:
            record = await info.context.achievement(record_id(id, "Achievement", "id"))
        except NotFound:
            return None
        return Achievement.of(record) if record else None

    @strawberry.field(description="Credentials in issue order (keyset pages of 1 to 100).")
    async def credentials(
        self,
        info: Info[Context, Any],
        first: int = 20,
        after: str | None = None,
        filter: CredentialFilterInput | None = None,
    ) -> CredentialConnection:
        actor = actor_of(info, "read")
        store = info.context.services.store
        criteria = filter.to_domain() if filter else CredentialFilter()
        edges, page_info = await page(
            lambda a, n: store.list_credentials(actor.org_id, criteria, a, n), first, after
        )
        return CredentialConnection(
            edges=[CredentialEdge(cursor=c, node=Credential.of(r)) for c, r in edges], page_info=page_info
        )

    @strawberry.field
    async def credential(self, info: Info[Context, Any], id: strawberry.ID) -> Credential | None:
        actor = actor_of(info, "read")
        try:
            rid = record_id(id, "Credential", "id")
        except NotFound:
            return None
        record = await info.context.services.store.get_credential(actor.org_id, rid)
        return Credential.of(record) if record else None

    @strawberry.field(
        description="The organization's badge email template (its own parts, else the default)."
    )
    async def email_template(self, info: Info[Context, Any]) -> EmailTemplate:
        actor = actor_of(info, "read")
        return EmailTemplate.of(await email_templates.email_template(info.context.services, actor))

    @strawberry.field(description="Any object by its global id (null if unknown or not the caller's).")
    async def node(self, info: Info[Context, Any], id: strawberry.ID) -> relay.Node | None:
        actor_of(info, "read")
        try:
            gid = relay.GlobalID.from_id(str(id))
        except Exception:
            return None
        types: dict[str, Any] = {"Issuer": Issuer, "Achievement": Achievement, "Credential": Credential}
        cls = types.get(gid.type_name)
        if cls is None:
            return None
        found = await cls.resolve_nodes(info=info, node_ids=[gid.node_id])
        return found[0]  # type: ignore[no-any-return]

    @strawberry.field(description="The organization's webhook endpoints, oldest first (scope ADMIN).")
    async def webhook_endpoints(self, info: Info[Context, Any]) -> list[WebhookEndpoint]:
        actor = actor_of(info, "admin")
        records = await info.context.services.store.list_webhook_endpoints(actor.org_id)
        return [WebhookEndpoint.of(r) for r in records]

    @strawberry.field(
        description="What was sent to an endpoint, oldest first, with every attempt (pages of 1 to 100; "
        "scope ADMIN). An endpoint of another organization is NOT_FOUND."
    )
    async def webhook_deliveries(
        self, info: Info[Context, Any], endpoint_id: strawberry.ID, first: int = 20, after: str | None = None
    ) -> WebhookDeliveryConnection:
        actor = actor_of(info, "admin")
        services = info.context.services
        try:
            edges, page_info = await page(
                lambda a, n: webhook_delivery.deliveries(services, actor, str(endpoint_id), a, n),
                first,
                after,
            )
        except NotFound as exc:
            raise coded(exc.message, "NOT_FOUND") from None
        except StoreError as exc:
            raise outage(exc) from None
        attempts = await services.store.list_webhook_attempts(actor.org_id, [job.id for _, job in edges])
        by_delivery: dict[str, list[Any]] = {}
        for attempt in attempts:
            by_delivery.setdefault(attempt.delivery_id, []).append(attempt)
        return WebhookDeliveryConnection(
            edges=[
                WebhookDeliveryEdge(cursor=c, node=WebhookDelivery.of(job, by_delivery.get(job.id, [])))
                for c, job in edges
            ],
            page_info=page_info,
        )

    @strawberry.field(
        description="The organization's events per interval and type in a range of UTC days (at most three "
        "years), their totals, and the funnel issued -> delivered -> claimed -> shared of the credentials "
        "issued in the range (scope READ)."
    )
    async def analytics(
        self,
        info: Info[Context, Any],
        filter: AnalyticsFilterInput,
        interval: AnalyticsInterval = AnalyticsInterval.DAY,
    ) -> Analytics:
        actor = actor_of(info, "read")
        criteria = filter.to_domain()
        try:
            result = await analytics.analytics(info.context.services, actor, criteria, interval.value)
        except InputError as exc:
            raise coded(str(exc), "BAD_USER_INPUT") from None
        except StoreError as exc:
            raise outage(exc) from None
        return Analytics.of(result)
