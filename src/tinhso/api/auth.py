"""Authentication for the API: the web session, or `Authorization: Bearer <API key>`.

Either way the request gets `request.principal`; endpoints that need one and find none answer
401 in the one error shape.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from tinhso.agencies.principals import Principal, api_key_check
from tinhso.core.clients import client_address
from tinhso.identity.second_factor import second_factor_pending


class BearerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        key = api_key_check(token, client_address=client_address(request))
        if key is None:
            return None
        principal = Principal.for_api_key(key)
        request.principal = principal  # type: ignore[attr-defined]
        return principal


class SessionAuth(APIKeyCookie):
    """The signed-in officer's session (with CSRF for unsafe methods)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if second_factor_pending(request.user):
            return None  # signed in with a password, the role's second factor still missing
        principal = Principal.for_user(request.user)
        if principal is not None:
            request.principal = principal  # type: ignore[attr-defined]
        return principal


def principal_of(request: HttpRequest) -> Principal:
    return request.auth  # type: ignore[attr-defined,no-any-return]


AUTH = [BearerKey(), SessionAuth()]
