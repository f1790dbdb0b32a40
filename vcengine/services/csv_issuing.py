"""Issuing from a spreadsheet: every CSV row (``core.bulk_csv``) checked, then issued in one bulk
(``issuing.bulk_issue``), or only checked (a dry run). Results and errors are per line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from vcengine.core.bulk_csv import CsvRow, parse_bulk_csv
from vcengine.errors import InputError, VcengineError
from vcengine.services import issuing
from vcengine.services.context import Actor, Services
from vcengine.services.delivery import DeliveryChoice

__all__ = ["CsvLine", "issue_csv"]

#: where an issuing error's path points, in the CSV's columns
_COLUMN = {
    "recipient.email": "email",
    "recipient.name": "name",
    "recipient": "email",
    "achievementId": "achievement",
    "evidence.0.url": "evidence_url",
    "evidence.0": "evidence_url",
    "validUntil": "valid_until",
    "idempotencyKey": "idempotency_key",
    "delivery": "email",
}


Problem = tuple[str | None, VcengineError]  # the CSV column (None: the whole row), and the error


@dataclass(slots=True)
class CsvLine:
    """One row's outcome: the credential (None in a dry run, or when it failed) and its problems."""

    line: int
    issued: issuing.Issued | None = None
    errors: list[Problem] = field(default_factory=list)


def _column(exc: VcengineError) -> Problem:
    return _COLUMN.get(exc.path or "", exc.path), exc


def _request(
    row: CsvRow, achievement_id: Callable[[str], str], delivery: DeliveryChoice | None
) -> issuing.IssueRequest:
    evidence = [issuing.EvidenceInput(url=row.evidence_url)] if row.evidence_url else []
    return issuing.IssueRequest(
        achievement_id=achievement_id(row.achievement),
        recipient=issuing.RecipientInput(email=row.email, name=row.name),
        evidence=evidence,
        valid_until=row.valid_until,
        idempotency_key=row.idempotency_key,
        delivery=delivery,
    )


async def issue_csv(
    services: Services,
    actor: Actor,
    data: bytes,
    *,
    dry_run: bool,
    delivery: DeliveryChoice | None = None,
    achievement_id: Callable[[str], str] = str,
) -> list[CsvLine]:
    """Every row's outcome, in line order (needs ``issue``). ``achievement_id`` turns the
    ``achievement`` column into an achievement's record id (``InputError`` if it cannot)."""
    actor.require("issue")
    rows, problems = parse_bulk_csv(data)
    lines = {p.line: CsvLine(p.line) for p in problems}
    for p in problems:
        lines[p.line].errors.append((p.column, InputError(p.message)))
    requests: list[tuple[CsvRow, issuing.IssueRequest]] = []
    for row in rows:
        try:
            requests.append((row, _request(row, achievement_id, delivery)))
        except VcengineError as exc:
            lines[row.line] = CsvLine(row.line, errors=[("achievement", exc)])
    for row, _ in requests:
        lines[row.line] = CsvLine(row.line)
    if requests:
        batch = [r for _, r in requests]
        if dry_run:
            for (row, _), error in zip(
                requests, await issuing.validate_bulk(services, actor, batch), strict=True
            ):
                if error is not None:
                    lines[row.line].errors.append(_column(error))
        else:
            results = await issuing.bulk_issue(services, actor, batch)
            for (row, _), result in zip(requests, results, strict=True):
                lines[row.line].issued = result.issued
                if result.error is not None:
                    lines[row.line].errors.append(_column(result.error))
    return [lines[n] for n in sorted(lines)]
