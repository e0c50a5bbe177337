"""Citizens' sign-in through OpenID Connect: VNeID, reached through the national public-service
portal's SSO, on the generic client of `tinhso.identity.oidc` (mozilla-django-oidc).

Off unless `TINHSO_OIDC_ISSUER` and `TINHSO_OIDC_CLIENT_ID` are set. The backend answers only on
its own callback path (/cong-dan/oidc/callback/), so a staff sign-in never creates a citizen, and
the citizen it signs in has no staff roles, so it opens nothing in the workspace.
`TINHSO_OIDC_ACR_VALUES`, when set, is sent as `acr_values` in the authorisation request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse

from tinhso.agencies.principals import Principal
from tinhso.audit.services import audit_record
from tinhso.citizens.accounts import citizen_from_claims
from tinhso.core.clients import client_address
from tinhso.core.errors import InvalidInput
from tinhso.identity.oidc import OidcBackend, OidcCallbackView, OidcProvider, OidcRequestView, refused_page

BACKEND = "tinhso.citizens.oidc.CitizenOidcBackend"


def citizen_provider() -> OidcProvider:
    return OidcProvider(
        issuer=settings.TINHSO_OIDC_ISSUER, client_id=settings.TINHSO_OIDC_CLIENT_ID,
        client_secret=settings.TINHSO_OIDC_CLIENT_SECRET, scopes=settings.TINHSO_OIDC_SCOPES,
        callback="citizen:oidc_callback",
    )


def citizen_oidc_enabled() -> bool:
    return citizen_provider().enabled


def citizen_home() -> str:
    try:
        return reverse("citizen:home")
    except NoReverseMatch:
        return "/cong-dan/"


class CitizenOidcBackend(OidcBackend):
    @classmethod
    def provider(cls) -> OidcProvider:
        return citizen_provider()

    def user_for_claims(self, claims: dict[str, Any]) -> Any:
        try:
            return citizen_from_claims(claims).user
        except InvalidInput:
            return None


class CitizenOidcStart(OidcRequestView):
    backend = CitizenOidcBackend

    def get_extra_params(self, request: Any) -> dict[str, str]:
        acr = settings.TINHSO_OIDC_ACR_VALUES
        return {"acr_values": acr} if acr else {}

    def get(self, request: Any) -> HttpResponse:
        from tinhso.citizenweb.guards import safe_next

        wanted = safe_next(request.GET.get("next"))
        if request.GET.get("next") and not wanted:
            query = request.GET.copy()
            query.pop("next")
            request.GET = query
        return super().get(request)


class CitizenOidcCallback(OidcCallbackView):
    backend = CitizenOidcBackend

    @property
    def success_url(self) -> str:
        from tinhso.citizenweb.guards import safe_next

        return safe_next(self.request.session.pop("oidc_login_next", None)) or citizen_home()

    def signed_in(self, user: Any) -> None:
        from tinhso.citizenweb.guards import stamp

        stamp(self.request)
        audit_record(principal=Principal.for_applicant(user), action="citizen.signed_in", object_type="citizen",
                     object_id=user.citizen.pk,
                     data={"by": "oidc", "issuer": settings.TINHSO_OIDC_ISSUER,
                           "address": client_address(self.request)})

    def refused(self, reason: str) -> HttpResponse:
        audit_record(principal=None, action="citizen.sign_in_refused", object_type="citizen", object_id="",
                     data={"issuer": settings.TINHSO_OIDC_ISSUER, "reason": reason[:200],
                           "address": client_address(self.request)})
        return refused_page(self.request, reason)
