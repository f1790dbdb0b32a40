"""The ``Imsx_StatusInfo`` payload of the Open Badges API's errors (OB 3.0 §6, the OpenAPI's
``Imsx_StatusInfo`` and ``Imsx_CodeMinorFieldValue`` enumeration), by HTTP status."""

from __future__ import annotations

from typing import Any

__all__ = ["status_info"]

_MINOR = {
    304: "not_modified",
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    406: "not_acceptable",
    413: "invalid_data",
    415: "invalid_data",
    429: "server_busy",
    500: "internal_server_error",
    503: "server_busy",
}


def status_info(status: int, description: str, *, minor: str | None = None) -> dict[str, Any]:
    """The error payload of an HTTP ``status`` (``minor`` overrides the code minor value)."""
    return {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": minor or _MINOR.get(status, "unknown"),
                }
            ]
        },
    }
