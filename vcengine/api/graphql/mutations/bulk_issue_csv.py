"""bulkIssueCsv: issue from an uploaded spreadsheet (CSV, GraphQL multipart upload; scope issue).

The file's columns and limits are in ``services.bulk_csv``. Every row is checked first (its
fields, its achievement and issuer, the data-model rules of the credential it would make); a
file with any bad row issues nothing and gets every error by line, so the corrected file can be
sent again without issuing anything twice (rows are keyed by the file's digest and line, or by
their ``idempotency_key`` column). ``dryRun`` stops after the checks. Progress is published as
BULK_PROGRESS events under ``bulkId``, as for ``bulkIssue``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from vcengine.api.graphql.context import Context
from vcengine.api.graphql.errors import ErrorCode, UserError, user_errors
from vcengine.api.graphql.mutations._common import perform
from vcengine.api.graphql.types.credential import Credential
from vcengine.api.graphql.types.ids import record_id
from vcengine.errors import InputError, VcengineError
from vcengine.services import bulk_csv, issuing
from vcengine.services.context import Actor, Services

__all__ = ["BulkIssueCsvInput", "bulk_issue_csv"]


@strawberry.input
class BulkIssueCsvInput:
    file: Upload = strawberry.field(description="The CSV, as a file of a GraphQL multipart request.")
    dry_run: bool = strawberry.field(default=False, description="Check every row; issue nothing.")
    bulk_id: str | None = strawberry.field(default=None, description="Names the progress events.")


@strawberry.type(description="One row of the file: its credential, or what is wrong with it.")
class CsvRowResult:
    line: int = strawberry.field(description="The row's line in the file (the header is line 1).")
    column: str | None = strawberry.field(description="The column at fault, when one is.")
    credential: Credential | None
    replayed: bool = strawberry.field(description="True when an earlier upload issued it.")
    user_errors: list[UserError]


@strawberry.type
class BulkIssueCsvPayload:
    bulk_id: str | None
    dry_run: bool
    row_count: int = strawberry.field(description="Rows read, blank lines not counted.")
    valid_count: int = strawberry.field(description="Rows with nothing wrong.")
    issued_count: int
    replayed_count: int
    failed_count: int
    rows: list[CsvRowResult] = strawberry.field(
        description="Every row on a run that issued; only the rows with errors otherwise."
    )
    user_errors: list[UserError] = strawberry.field(description="What is wrong with the file as a whole.")


#: The columns behind the input paths that issuing names in its errors.
_COLUMN_OF = {
    "achievementId": "achievement",
    "recipient.email": "email",
    "recipient.identifier": "identifier",
    "recipient.name": "name",
    "evidence.0.url": "evidence_url",
    "evidence.0": "evidence_url",
    "validUntil": "valid_until",
    "idempotencyKey": "idempotency_key",
}


def _failed(bulk_id: str | None, dry_run: bool, errors: list[UserError]) -> BulkIssueCsvPayload:
    return BulkIssueCsvPayload(
        bulk_id=bulk_id,
        dry_run=dry_run,
        row_count=0,
        valid_count=0,
        issued_count=0,
        replayed_count=0,
        failed_count=0,
        rows=[],
        user_errors=errors,
    )


def _row_error(line: int, column: str | None, exc: VcengineError) -> CsvRowResult:
    errors = user_errors(exc, ("input", "file", f"line {line}"))
    return CsvRowResult(line=line, column=column, credential=None, replayed=False, user_errors=errors)


async def bulk_issue_csv(info: Info[Context, Any], input: BulkIssueCsvInput) -> BulkIssueCsvPayload:
    dry_run, bulk_id, file = input.dry_run, input.bulk_id, input.file
    if not (hasattr(file, "read") and hasattr(file, "close")):
        message = "send the CSV as a file of a GraphQL multipart request (operations, map, file)"
        error = UserError(field=["input", "file"], message=message, code=ErrorCode.INVALID)
        return _failed(None, dry_run, [error])
    try:  # a starlette UploadFile, spooled to a temporary file that strawberry does not close
        data = await file.read(bulk_csv.MAX_BYTES + 1)
    finally:
        await file.close()
    if bulk_id is not None and not 0 < len(bulk_id) <= 200:
        message = "must be 1 to 200 characters"
        error = UserError(field=["input", "bulkId"], message=message, code=ErrorCode.INVALID)
        return _failed(None, dry_run, [error])
    bulk_id = bulk_id or info.context.services.new_id()

    async def run(services: Services, actor: Actor) -> BulkIssueCsvPayload:
        actor.require("issue")
        try:
            sheet = bulk_csv.read_sheet(data)
        except InputError as exc:  # the file as a whole
            return _failed(bulk_id, dry_run, user_errors(exc, ("input",)))
        rows: list[CsvRowResult] = []
        for error in sheet.errors:
            rows.append(_row_error(error.line, error.column, InputError(error.message)))
        requests = []
        lines = []
        for row in sheet.rows:
            try:
                achievement = record_id(row.achievement, "Achievement", "achievement")
            except VcengineError as exc:
                rows.append(_row_error(row.line, "achievement", exc))
                continue
            requests.append(replace(row.request, achievement_id=achievement))
            lines.append(row.line)
        if requests:
            checked = await issuing.check_requests(services, actor, requests)
            for line, problem in zip(lines, checked, strict=True):
                if problem is not None:
                    column = _COLUMN_OF.get(problem.path or "")
                    rows.append(_row_error(line, column, problem))
        rows.sort(key=lambda r: r.line)
        valid = sheet.row_count - len({r.line for r in rows})
        if dry_run or rows or not requests:
            return BulkIssueCsvPayload(
                bulk_id=None if dry_run or rows else bulk_id,
                dry_run=dry_run,
                row_count=sheet.row_count,
                valid_count=valid,
                issued_count=0,
                replayed_count=0,
                failed_count=len({r.line for r in rows}),
                rows=rows,
                user_errors=[],
            )
        results = await issuing.bulk_issue(services, actor, requests, bulk_id=bulk_id)
        for line, result in zip(lines, results, strict=True):
            if result.issued is not None:
                rows.append(
                    CsvRowResult(
                        line=line,
                        column=None,
                        credential=Credential.of(result.issued.record),
                        replayed=not result.issued.created,
                        user_errors=[],
                    )
                )
            else:
                assert result.error is not None
                rows.append(_row_error(line, None, result.error))
        return BulkIssueCsvPayload(
            bulk_id=bulk_id,
            dry_run=False,
            row_count=sheet.row_count,
            valid_count=valid,
            issued_count=sum(1 for r in rows if r.credential and not r.replayed),
            replayed_count=sum(1 for r in rows if r.replayed),
            failed_count=sum(1 for r in rows if r.user_errors),
            rows=rows,
            user_errors=[],
        )

    payload, errors = await perform(info, run)
    return payload if payload is not None else _failed(bulk_id, dry_run, errors)
