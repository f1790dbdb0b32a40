"""LinkedIn "Add to profile" link for a certification (standards digest §9).

The parameter names are LinkedIn's and case-sensitive: ``startTask=CERTIFICATION_NAME``,
``name``, ``organizationName``, ``issueYear``/``issueMonth``, ``expirationYear``/``expirationMonth``
(only for an expiring credential), ``certUrl``, ``certId``. Mapping from OB 3.0: name <- the
achievement's name, issue <- ``validFrom`` (or ``awardedDate``), expiration <- ``validUntil``,
certUrl <- the public verification page, certId <- the credential ``id``. The learner's name or
email never goes into the link.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

__all__ = ["ADD_TO_PROFILE", "add_to_profile_url"]

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def add_to_profile_url(
    *,
    name: str,
    organization_name: str,
    issued: datetime | None,
    expires: datetime | None,
    cert_url: str,
    cert_id: str,
) -> str:
    params: list[tuple[str, str]] = [("startTask", "CERTIFICATION_NAME"), ("name", name)]
    params.append(("organizationName", organization_name))
    if issued is not None:
        params += [("issueYear", str(issued.year)), ("issueMonth", str(issued.month))]
    if expires is not None:
        params += [("expirationYear", str(expires.year)), ("expirationMonth", str(expires.month))]
    params += [("certUrl", cert_url), ("certId", cert_id)]
    return f"{ADD_TO_PROFILE}?{urlencode(params)}"
