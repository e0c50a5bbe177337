"""Authentication of /api/v1/citizen/*: the signed-in citizen's session or
`Authorization: Bearer <access token from the identity provider>` (`tinhso.citizens.auth`).

`auth=CitizenAuth()` sets `request.auth` to the `Citizen`; without one the endpoint answers 401.
A staff session or an API key is not a citizen (the staff API has its own `api.auth`).
OpenAPI shows the scheme as HTTP bearer `CitizenAuth`.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from tinhso.citizens.auth import citizen_for_request
from tinhso.citizens.models import Citizen


class CitizenAuth(HttpBearer):
    """Bearer access token (VNeID) or the citizen's session cookie."""

    openapi_description = "Access token of the identity provider (VNeID), or the citizen's session."

    def __call__(self, request: HttpRequest) -> Citizen | None:
        from tinhso.citizenweb.guards import current_citizen

        # The session: unsafe methods need the CSRF token, as for any cookie-authenticated call.
        if (
            current_citizen(request) is not None
            and not request.headers.get("Authorization")
            and request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
            and check_csrf(request) is not None
        ):
            return None
        citizen = citizen_for_request(request)
        if citizen is not None:
            request.citizen = citizen  # type: ignore[attr-defined]
        return citizen

    def authenticate(self, request: HttpRequest, token: str) -> Citizen | None:  # pragma: no cover - __call__
        return citizen_for_request(request)


def citizen_of(request: HttpRequest) -> Citizen:
    return request.auth  # type: ignore[attr-defined,no-any-return]
