"""The OpenID Connect client, for any provider: staff single sign-on (`staff_sso.py`) today, the
citizens' login next.

Built on mozilla-django-oidc (the authorization-code flow, state, nonce, PKCE S256, the token and
userinfo requests), configured per provider instead of through its global `OIDC_*` settings:
an `OidcProvider` names the issuer, the client and the callback; the endpoints come from the
issuer's discovery document (fetched once per process and cached, its `issuer` checked). The ID
token is verified more strictly than the library does by default: RS256 only, signature against
the provider's JWKS, `iss` equal to the issuer, `aud` containing the client id, `exp`, `iat` and
`sub` required (60 s of clock leeway), the nonce of this sign-in; any failure is an `OidcRefused`
with a reason for the audit log.

A face for a provider subclasses `OidcBackend` (how claims become a user) and points the two
views at it: `OidcRequestView` (sends the browser to the provider) and `OidcCallbackView` (back
from it: verifies, signs in, or renders the refusal page).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.contrib import auth
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

logger = logging.getLogger(__name__)

DISCOVERY_TTL_SECONDS = 3600
LEEWAY_SECONDS = 60


class OidcRefused(SuspiciousOperation):
    """The provider's answer cannot be trusted (or names nobody who may sign in here)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    callback: str  # URL name of the callback view
    timeout: float = 10.0

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id)


_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def discovery(provider: OidcProvider) -> dict[str, Any]:
    """The provider's discovery document, cached for an hour; its `issuer` must be ours."""
    issuer = provider.issuer.rstrip("/")
    with _lock:
        cached = _discovered.get(issuer)
        if cached and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
            return cached[1]
    response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=provider.timeout)
    response.raise_for_status()
    document = response.json()
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise OidcRefused("discovery issuer mismatch")
    with _lock:
        _discovered[issuer] = (time.monotonic(), document)
    return document


def forget_discovery() -> None:
    with _lock:
        _discovered.clear()


def _provider_settings(provider: OidcProvider, attr: str, *default: Any) -> Any:
    """The `OIDC_*` setting mozilla-django-oidc asks for, answered from `provider`."""
    if not provider.enabled:
        raise ImproperlyConfigured("this OIDC provider is not configured")
    fixed: dict[str, Any] = {
        "OIDC_RP_CLIENT_ID": provider.client_id,
        "OIDC_RP_CLIENT_SECRET": provider.client_secret,
        "OIDC_RP_SCOPES": provider.scopes,
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_AUTHENTICATION_CALLBACK_URL": provider.callback,
        "OIDC_TIMEOUT": provider.timeout,
        "OIDC_VERIFY_SSL": True,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_CREATE_USER": False,
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_VERIFY_KID": True,
    }
    if attr in fixed:
        return fixed[attr]
    endpoints = {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
        "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
        "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
        "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    }
    if attr in endpoints:
        return discovery(provider).get(endpoints[attr], *default) if default else discovery(provider)[endpoints[attr]]
    if default:
        return default[0]
    raise ImproperlyConfigured(f"{attr} is not known for this OIDC provider")


class OidcBackend(OIDCAuthenticationBackend):
    """An authentication backend for one provider. Subclasses set `provider()` and
    `user_for_claims(claims)`; it answers only on its own provider's callback path."""

    @classmethod
    def provider(cls) -> OidcProvider:  # pragma: no cover - subclasses say which
        raise NotImplementedError

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Lazy: a configured provider is needed only on its own callback, not to load a session.
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    def get_settings(self, attr: str, *default: Any) -> Any:  # type: ignore[override]
        return _provider_settings(self.provider(), attr, *default)

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        provider = self.provider()
        if request is None or not provider.enabled or request.path != reverse(provider.callback):
            return None
        self.OIDC_OP_TOKEN_ENDPOINT = self.get_settings("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = self.get_settings("OIDC_OP_USER_ENDPOINT", None)
        self.OIDC_OP_JWKS_ENDPOINT = self.get_settings("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        if kwargs.get("nonce") is None:
            raise OidcRefused("no nonce in this sign-in")
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload: Any, key: Any) -> Any:
        """Signature, issuer, audience, expiry: all of them, not only the signature."""
        provider = self.provider()
        try:
            header = jwt.get_unverified_header(payload)
            if header.get("alg") != "RS256":
                raise OidcRefused(f"id token algorithm {header.get('alg')!r}")
            return jwt.decode(
                payload, key, algorithms=["RS256"], audience=provider.client_id,
                issuer=provider.issuer.rstrip("/"), leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise OidcRefused("id token expired") from None
        except jwt.InvalidAudienceError:
            raise OidcRefused("id token audience") from None
        except jwt.InvalidIssuerError:
            raise OidcRefused("id token issuer") from None
        except jwt.InvalidSignatureError:
            raise OidcRefused("id token signature") from None
        except jwt.InvalidTokenError as exc:
            raise OidcRefused(f"id token invalid: {exc.__class__.__name__}") from None

    def verify_token(self, token: Any, **kwargs: Any) -> Any:
        try:
            return super().verify_token(token, **kwargs)
        except OidcRefused:
            raise
        except SuspiciousOperation as exc:
            raise OidcRefused("nonce" if "Nonce" in str(exc) else str(exc)) from None

    def get_userinfo(self, access_token: Any, id_token: Any, payload: Any) -> dict[str, Any]:
        """The verified ID token's claims, completed by the userinfo endpoint for the same `sub`."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if str(info.get("sub")) != str(payload.get("sub")):
                raise OidcRefused("userinfo subject mismatch")
            claims = {**info, **claims}
        return claims

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token: Any, id_token: Any, payload: Any) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        user = self.user_for_claims(claims)
        if user is None or not user.is_active:
            raise OidcRefused("no matching account")
        self.signed_in_claims = claims
        return user

    def user_for_claims(self, claims: dict[str, Any]) -> Any:  # pragma: no cover
        raise NotImplementedError


class OidcRequestView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with state, nonce and a PKCE challenge."""

    backend: type[OidcBackend]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get_settings(self, attr: str, *default: Any) -> Any:  # type: ignore[override]
        return _provider_settings(self.backend.provider(), attr, *default)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.backend.provider().enabled:
            return refused_page(request, "not configured", status=404)
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError, OidcRefused) as exc:
            logger.warning("OIDC discovery failed: %s", exc)
            return refused_page(request, "provider unreachable", status=502)
        self.OIDC_RP_CLIENT_ID = self.backend.provider().client_id
        return super().get(request)


class OidcCallbackView(OIDCAuthenticationCallbackView):
    """Back from the provider: verified and signed in, or refused with a page that says so."""

    backend: type[OidcBackend]

    def get_settings(self, attr: str, *default: Any) -> Any:  # type: ignore[override]
        return _provider_settings(self.backend.provider(), attr, *default)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.backend.provider().enabled:
            return refused_page(request, "not configured", status=404)
        try:
            return super().get(request)
        except OidcRefused as exc:
            return self.refused(exc.reason)
        except SuspiciousOperation as exc:
            return self.refused("state" if "state" in str(exc) else str(exc))
        except (requests.RequestException, ValueError) as exc:
            logger.warning("OIDC sign-in failed: %s", exc)
            return self.refused("provider error")

    def login_failure(self) -> HttpResponse:
        error = self.request.GET.get("error")
        return self.refused(error or ("no matching account" if "code" in self.request.GET else "no code"))

    def login_success(self) -> HttpResponse:
        auth.login(self.request, self.user)
        self.signed_in(self.user)
        return super().login_success()

    def signed_in(self, user: Any) -> None:
        """A hook for the face (audit)."""

    def refused(self, reason: str) -> HttpResponse:
        return refused_page(self.request, reason)


def refused_page(request: HttpRequest, reason: str, *, status: int = 403) -> HttpResponse:
    return render(request, "identity/sso_refused.html", {"reason": reason}, status=status)
