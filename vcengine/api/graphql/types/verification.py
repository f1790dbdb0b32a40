# mypy: disable-error-code="untyped-decorator, arg-type"
"""The verification report: the verdict and every check with its outcome and reason."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.scalars import JSON

from vcengine.core.verify import VerificationReport as CoreReport

__all__ = ["CheckOutcome", "Verdict", "VerificationCheck", "VerificationReport"]


@strawberry.enum
class Verdict(Enum):
    VERIFIED = "verified"
    FAILED = "failed"
    INDETERMINATE = "indeterminate"


@strawberry.enum
class CheckOutcome(Enum):
    PASS = "pass"
    FAIL = "fail"
    INDETERMINATE = "indeterminate"
    SKIPPED = "skipped"


@strawberry.type(description="One check: syntax, schema, proof, issuer, validity, status…")
class VerificationCheck:
    check: str = strawberry.field(
        description="The check's name, as the JSON reports (CLI --json, POST /credentials/verify) call it."
    )
    outcome: CheckOutcome
    reason: str
    code: str | None
    details: JSON | None

    @strawberry.field(deprecation_reason="Use `check`, the name the JSON reports use.")
    def name(self) -> str:
        return self.check


@strawberry.type(description="Verified only when no check failed and none was indeterminate.")
class VerificationReport:
    verdict: Verdict
    verified: bool
    format: str
    credential_id: str | None
    checks: list[VerificationCheck]
    json: JSON

    @classmethod
    def of(cls, report: CoreReport) -> VerificationReport:
        data = report.to_json()
        credential_id = data.get("id")
        return cls(
            verdict=Verdict(report.verdict),
            verified=report.verified,
            format=report.format,
            credential_id=credential_id if isinstance(credential_id, str) else None,
            checks=[
                VerificationCheck(
                    check=c.name,
                    outcome=CheckOutcome(c.outcome),
                    reason=c.reason,
                    code=c.code,
                    details=[dict(d) for d in c.details] if c.details else None,
                )
                for c in report.checks
            ],
            json=data,
        )
