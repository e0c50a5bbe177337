"""Staff single sign-on through the province's directory (an OpenID Connect provider).

Off unless `TINHSO_STAFF_OIDC_ISSUER` and `TINHSO_STAFF_OIDC_CLIENT_ID` are set. The person the
directory names is matched to an existing account: by the username claim
(`TINHSO_STAFF_OIDC_USERNAME_CLAIM`, default `preferred_username`) first, else by the e-mail
claim (`TINHSO_STAFF_OIDC_EMAIL_CLAIM`, default `email`, not when `email_verified` is false),
case-insensitively, exactly one account. Roles are never created from the directory: with
`TINHSO_STAFF_OIDC_CREATE_USERS` an unknown person gets an account without roles (and without a
password) that an administrator then grants roles to; without it (the default) they are refused.
A role that requires the second factor still requires it after single sign-on.
Each sign-in writes `auth.sso` (issuer and subject) beside `auth.login`; each refusal
`auth.sso_refused` with the reason.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse

from tinhso.agencies.principals import Principal
from tinhso.audit.services import audit_record
from tinhso.core.clients import client_address
from tinhso.identity.oidc import OidcBackend, OidcCallbackView, OidcProvider, OidcRequestView, refused_page


def staff_provider() -> OidcProvider:
    return OidcProvider(
        issuer=settings.TINHSO_STAFF_OIDC_ISSUER, client_id=settings.TINHSO_STAFF_OIDC_CLIENT_ID,
        client_secret=settings.TINHSO_STAFF_OIDC_CLIENT_SECRET, scopes=settings.TINHSO_STAFF_OIDC_SCOPES,
        callback="identity:staff_sso_callback",
    )


def staff_sso_enabled() -> bool:
    return staff_provider().enabled


class StaffOidcBackend(OidcBackend):
    @classmethod
    def provider(cls) -> OidcProvider:
        return staff_provider()

    def user_for_claims(self, claims: dict[str, Any]) -> Any:
        # A citizen's account (tinhso.citizens) is never a staff account, whatever the claims say.
        users = get_user_model().objects.filter(citizen__isnull=True)
        username = str(claims.get(settings.TINHSO_STAFF_OIDC_USERNAME_CLAIM) or "").strip()
        email = str(claims.get(settings.TINHSO_STAFF_OIDC_EMAIL_CLAIM) or "").strip()
        if username:
            found = list(users.filter(username__iexact=username)[:2])
            if len(found) == 1:
                return found[0]
        if email and claims.get("email_verified") is not False:
            found = list(users.filter(email__iexact=email)[:2])
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                return None  # two accounts share the address: refuse rather than guess
        if settings.TINHSO_STAFF_OIDC_CREATE_USERS and (username or email):
            user = get_user_model().objects.create_user(username=(username or email)[:150], email=email)  # no password, no roles
            audit_record(principal=None, action="user.create_from_sso", object_type="user", object_id=user.pk,
                         data={"username": user.get_username(), "issuer": settings.TINHSO_STAFF_OIDC_ISSUER})
            return user
        return None


class StaffSsoStart(OidcRequestView):
    backend = StaffOidcBackend


class StaffSsoCallback(OidcCallbackView):
    backend = StaffOidcBackend

    def signed_in(self, user: Any) -> None:
        audit_record(principal=Principal.for_user(user), action="auth.sso", object_type="user", object_id=user.pk,
                     data={"issuer": settings.TINHSO_STAFF_OIDC_ISSUER, "address": client_address(self.request)})

    def refused(self, reason: str) -> HttpResponse:
        audit_record(principal=None, action="auth.sso_refused", object_type="user", object_id="",
                     data={"issuer": settings.TINHSO_STAFF_OIDC_ISSUER, "reason": reason[:200],
                           "address": client_address(self.request)})
        return refused_page(self.request, reason)
