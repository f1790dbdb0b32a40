"""bulkIssue: issue up to 10,000 credentials in one call (scope issue).

Each item has its own idempotency key and its own result; progress is published as
BULK_PROGRESS events (subscribe to ``credentialEvents`` with the same ``bulkId``).
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import ErrorCode, UserError, user_errors
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.mutations.issue_credential import IssueCredentialInput
from vcengine.api.graphql.types.credential import Credential
from vcengine.errors import VcengineError
from vcengine.services import issuing


@strawberry.input
class BulkIssueInput:
    items: list[IssueCredentialInput]
    bulk_id: str | None = strawberry.field(default=None, description="Names the progress events.")


@strawberry.type
class BulkIssueResult:
    index: int
    credential: Credential | None
    replayed: bool
    user_errors: list[UserError]


@strawberry.type
class BulkIssuePayload:
    bulk_id: str | None
    issued_count: int
    replayed_count: int
    failed_count: int
    results: list[BulkIssueResult]
    user_errors: list[UserError]


def nothing_issued(errors: list[UserError], bulk_id: str | None = None) -> BulkIssuePayload:
    """The answer when the whole call was refused: ``errors`` and no results."""
    return BulkIssuePayload(
        bulk_id=bulk_id, issued_count=0, replayed_count=0, failed_count=0, results=[], user_errors=errors
    )


def _requests(
    items: list[IssueCredentialInput],
) -> tuple[list[issuing.IssueRequest | None], dict[int, VcengineError]]:
    requests: list[issuing.IssueRequest | None] = []
    bad: dict[int, VcengineError] = {}
    for i, item in enumerate(items):
        try:
            requests.append(item.to_domain())
        except VcengineError as exc:
            requests.append(None)
            bad[i] = exc
    return requests, bad


async def bulk_issue(info: Info[Context, Any], input: BulkIssueInput) -> BulkIssuePayload:
    requests, bad = _requests(input.items)
    return await issue_requests(info, requests, bad, input.bulk_id)


async def issue_requests(
    info: Info[Context, Any],
    requests: list[issuing.IssueRequest | None],
    bad: dict[int, VcengineError],
    bulk_id_given: str | None,
) -> BulkIssuePayload:
    """Issue ``requests`` (None where the item was refused: its error is in ``bad``) as one bulk;
    one result per item, in order. Shared by bulkIssue and bulkIssueJson."""
    if bulk_id_given is not None and not 0 < len(bulk_id_given) <= 200:
        error = UserError(
            field=["input", "bulkId"], message="must be 1 to 200 characters", code=ErrorCode.INVALID
        )
        return nothing_issued([error])
    valid = [r for r in requests if r is not None]
    bulk_id = bulk_id_given or info.context.services.new_id()

    async def run(services: Any, actor: Any) -> list[issuing.BulkItemResult]:
        if not valid and requests:
            actor.require("issue")
            return []
        return await issuing.bulk_issue(services, actor, valid, bulk_id=bulk_id)

    outcome, errors = await perform(info, run)
    if outcome is None and errors:
        return nothing_issued(errors, bulk_id)
    results = iter(outcome or [])
    rows = []
    for i in range(len(requests)):
        if i in bad:
            rows.append(
                BulkIssueResult(
                    index=i,
                    credential=None,
                    replayed=False,
                    user_errors=user_errors(bad[i], ("input", "items", str(i))),
                )
            )
            continue
        r = next(results)
        if r.issued is not None:
            rows.append(
                BulkIssueResult(
                    index=i,
                    credential=Credential.of(r.issued.record),
                    replayed=not r.issued.created,
                    user_errors=[],
                )
            )
        else:
            assert r.error is not None
            rows.append(
                BulkIssueResult(
                    index=i,
                    credential=None,
                    replayed=False,
                    user_errors=user_errors(r.error, ("input", "items", str(i))),
                )
            )
    return BulkIssuePayload(
        bulk_id=bulk_id,
        issued_count=sum(1 for r in rows if r.credential and not r.replayed),
        replayed_count=sum(1 for r in rows if r.replayed),
        failed_count=sum(1 for r in rows if r.user_errors),
        results=rows,
        user_errors=[],
    )
