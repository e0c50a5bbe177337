"""Who is asking, for /api/v1/citizen/*: the signed-in citizen's session, or
`Authorization: Bearer <access token>` issued by the identity provider (VNeID through the national
portal), checked by calling the provider's userinfo endpoint (from its discovery document).

A token's answer is kept per process for `TOKEN_CACHE_SECONDS`, keyed by the token's SHA-256
(never the token itself). A token the provider refuses counts against the client address
(throttling rule `CITIZEN_TOKEN_PER_ADDRESS`); past the limit no token from that address is
checked until the window passes.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time

import requests
from django.http import HttpRequest

from tinhso.citizens.accounts import citizen_from_claims
from tinhso.citizens.models import Citizen
from tinhso.core.clients import client_address
from tinhso.core.errors import InvalidInput
from tinhso.identity.oidc import OidcRefused, discovery
from tinhso.throttling.services import rule, throttle_exceeded, throttle_hit

logger = logging.getLogger(__name__)

TOKEN_CACHE_SECONDS = 60
_cache: dict[str, tuple[float, int | None]] = {}
_lock = threading.Lock()


def forget_tokens() -> None:
    with _lock:
        _cache.clear()


def _session_citizen(request: HttpRequest) -> Citizen | None:
    from tinhso.citizenweb.guards import current_citizen

    return current_citizen(request)


def citizen_for_token(token: str, *, address: str | None) -> Citizen | None:
    """The citizen whose access token this is, or None (unknown, expired, provider not set)."""
    from tinhso.citizens.oidc import citizen_provider

    provider = citizen_provider()
    if not token or not provider.enabled:
        return None
    key = hashlib.sha256(token.encode()).hexdigest()
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
    if cached is not None and now - cached[0] < TOKEN_CACHE_SECONDS:
        return Citizen.objects.filter(pk=cached[1]).select_related("user").first() if cached[1] else None
    if address and throttle_exceeded(rule("CITIZEN_TOKEN_PER_ADDRESS"), address) is not None:
        return None
    citizen: Citizen | None = None
    try:
        endpoint = discovery(provider).get("userinfo_endpoint")
        if endpoint:
            answer = requests.get(endpoint, headers={"Authorization": f"Bearer {token}"}, timeout=provider.timeout)
            if answer.status_code == 200:
                claims = answer.json()
                if isinstance(claims, dict) and claims.get("sub"):
                    citizen = citizen_from_claims(claims)
    except (requests.RequestException, ValueError, OidcRefused, InvalidInput) as exc:
        logger.warning("citizen token check failed: %s", exc.__class__.__name__)
    if citizen is None and address:
        throttle_hit(rule("CITIZEN_TOKEN_PER_ADDRESS"), address)
    if citizen is not None and not citizen.user.is_active:
        citizen = None
    with _lock:
        _cache[key] = (now, citizen.pk if citizen else None)
    return citizen


def citizen_for_request(request: HttpRequest) -> Citizen | None:
    """The session's citizen, else the bearer token's; None when neither names one."""
    citizen = _session_citizen(request)
    if citizen is not None:
        return citizen
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return citizen_for_token(header[7:].strip(), address=client_address(request))
    return None
