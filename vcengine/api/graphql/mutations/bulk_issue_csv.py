"""bulkIssueCsv: issue from an uploaded spreadsheet (scope issue), or only check it (``dryRun``).

The CSV travels as a GraphQL multipart request (the "GraphQL multipart request" spec: an
``operations`` part, a ``map`` part and the file). Columns: ``email, name, achievement,
evidence_url, valid_until, idempotency_key`` (``core.bulk_csv``); ``achievement`` is an
Achievement's GraphQL id (or its record id). Every row's result and problems carry its line.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import UserError, user_errors
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.credential import Credential
from vcengine.api.graphql.types.delivery import DeliveryMethod
from vcengine.api.graphql.types.ids import record_id
from vcengine.errors import InputError
from vcengine.services import csv_issuing
from vcengine.services.context import Actor, Services


@strawberry.input
class BulkIssueCsvInput:
    file: Upload = strawberry.field(description="The CSV (UTF-8, a header line first).")
    dry_run: bool = strawberry.field(default=False, description="Check every row; issue nothing.")
    delivery: DeliveryMethod | None = strawberry.field(default=None, description="For every row.")


@strawberry.type(description="One CSV row: its line (the header is line 1), credential and problems.")
class CsvLineResult:
    line: int
    credential: Credential | None
    replayed: bool
    user_errors: list[UserError] = strawberry.field(description="field: [the CSV column], if one.")


@strawberry.type
class BulkIssueCsvPayload:
    dry_run: bool
    row_count: int
    issued_count: int
    failed_count: int
    rows: list[CsvLineResult]
    user_errors: list[UserError]


def _achievement(value: str) -> str:
    if "-" in value and len(value) == 36:  # a record id (UUID) as given
        return value
    return record_id(strawberry.ID(value), "Achievement", "achievement")


def _row(line: csv_issuing.CsvLine) -> CsvLineResult:
    errors = [
        UserError(field=[column] if column else None, message=e.message, code=e.code)
        for column, exc in line.errors
        for e in user_errors(exc, ())
    ]
    issued = line.issued
    return CsvLineResult(
        line=line.line,
        credential=None if issued is None else Credential.of(issued.record),
        replayed=issued is not None and not issued.created,
        user_errors=errors,
    )


async def bulk_issue_csv(info: Info[Context, Any], input: BulkIssueCsvInput) -> BulkIssueCsvPayload:
    async def run(services: Services, actor: Actor) -> list[csv_issuing.CsvLine]:
        data: object = input.file  # the view has read the file part into bytes
        if not isinstance(data, bytes):
            raise InputError("must be a file", path="file")
        return await csv_issuing.issue_csv(
            services,
            actor,
            data,
            dry_run=input.dry_run,
            delivery=None if input.delivery is None else input.delivery.value,
            achievement_id=_achievement,
        )

    lines, errors = await perform(info, run)
    rows = [_row(line) for line in lines or []]
    return BulkIssueCsvPayload(
        dry_run=input.dry_run,
        row_count=len(rows),
        issued_count=sum(1 for r in rows if r.credential is not None and not r.replayed),
        failed_count=sum(1 for r in rows if r.user_errors),
        rows=rows,
        user_errors=[
            UserError(field=["input", *(e.field or [])], message=e.message, code=e.code) for e in errors
        ]
        if errors and errors[0].field and errors[0].field[0] != "input"
        else errors,
    )
