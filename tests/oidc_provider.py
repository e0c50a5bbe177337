"""A real OpenID Connect provider on localhost for the tests of tinhso's OIDC clients (staff single
sign-on today, the citizens' login next).

It runs in a thread on a free port and speaks the authorization-code flow over HTTP as a real
provider does: discovery (`/.well-known/openid-configuration`), `/authorize` (no consent page:
it signs in `provider.user` and redirects back with a code, as a directory with a live session
would), `/token` (client secret, PKCE S256 checked with authlib's RFC 7636 helper, the code used
once), `/userinfo` and `/jwks`. ID tokens are RS256 JWTs signed with its own RSA key
(authlib's JOSE library, joserfc), published in the JWKS.

`provider.misbehave` makes the next ID tokens wrong in one way, to test that the client refuses
them: `"nonce"` (another nonce), `"expired"` (exp an hour ago), `"audience"` (another client),
`"signature"` (signed with a key not in the JWKS, same kid), `"issuer"` (another issuer).

    with OidcProvider(client_id="tinhso", client_secret="s3cret") as provider:
        provider.user = {"sub": "u-1", "preferred_username": "lanhdao", "email": "ld@example.vn"}
        ... settings.TINHSO_STAFF_OIDC_ISSUER = provider.issuer ...
"""

from __future__ import annotations

import http.server
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import RSAKey


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str | None
    method: str | None
    user: dict[str, Any]


@dataclass
class OidcProvider:
    client_id: str = "tinhso"
    client_secret: str = "s3cret"
    user: dict[str, Any] = field(default_factory=lambda: {"sub": "u-1", "email": "user@example.vn"})
    misbehave: str | None = None
    # What the provider saw, for assertions: the last /authorize query and /token form.
    last_authorize: dict[str, str] = field(default_factory=dict)
    last_token_request: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "key-1", "alg": "RS256", "use": "sig"})
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "key-1", "alg": "RS256", "use": "sig"})
        self._grants: dict[str, _Grant] = {}
        self._tokens: dict[str, dict[str, Any]] = {}
        self._server: http.server.ThreadingHTTPServer | None = None
        self.issuer = ""

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> OidcProvider:
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                provider._handle(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                provider._handle(self, "POST")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- the endpoints -------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }

    def _handle(self, h: http.server.BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        form: dict[str, str] = {}
        if method == "POST":
            length = int(h.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(h.rfile.read(length).decode()).items()}
        if url.path == "/.well-known/openid-configuration":
            return self._json(h, 200, self.discovery())
        if url.path == "/jwks":
            return self._json(h, 200, {"keys": [self.key.as_dict(private=False)]})
        if url.path == "/authorize":
            return self._authorize(h, query)
        if url.path == "/token" and method == "POST":
            return self._token(h, form)
        if url.path == "/userinfo":
            token = (h.headers.get("Authorization") or "").removeprefix("Bearer ")
            claims = self._tokens.get(token)
            return self._json(h, 200, claims) if claims else self._json(h, 401, {"error": "invalid_token"})
        return self._json(h, 404, {"error": "not_found"})

    def _authorize(self, h: http.server.BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        self.last_authorize = dict(query)
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return self._json(h, 400, {"error": "invalid_request"})
        code = secrets.token_urlsafe(24)
        self._grants[code] = _Grant(
            client_id=query["client_id"], redirect_uri=query.get("redirect_uri", ""), nonce=query.get("nonce"),
            challenge=query.get("code_challenge"), method=query.get("code_challenge_method"), user=dict(self.user),
        )
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        h.send_response(302)
        h.send_header("Location", target)
        h.send_header("Content-Length", "0")
        h.end_headers()

    def _token(self, h: http.server.BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        self.last_token_request = dict(form)
        grant = self._grants.pop(form.get("code", ""), None)  # a code is used once
        if grant is None or form.get("grant_type") != "authorization_code":
            return self._json(h, 400, {"error": "invalid_grant"})
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return self._json(h, 401, {"error": "invalid_client"})
        if form.get("redirect_uri") != grant.redirect_uri:
            return self._json(h, 400, {"error": "invalid_grant", "error_description": "redirect_uri"})
        if grant.challenge is not None:
            verifier = form.get("code_verifier", "")
            if grant.method != "S256" or create_s256_code_challenge(verifier) != grant.challenge:
                return self._json(h, 400, {"error": "invalid_grant", "error_description": "PKCE"})
        now = int(time.time())
        claims: dict[str, Any] = {
            **grant.user, "iss": self.issuer, "aud": grant.client_id, "iat": now, "exp": now + 300,
            "nonce": grant.nonce,
        }
        key = self.key
        if self.misbehave == "nonce":
            claims["nonce"] = "not-the-nonce"
        elif self.misbehave == "expired":
            claims.update(iat=now - 7200, exp=now - 3600)
        elif self.misbehave == "audience":
            claims["aud"] = "another-client"
        elif self.misbehave == "issuer":
            claims["iss"] = "https://other.example"
        elif self.misbehave == "signature":
            key = self.rogue_key
        id_token = jwt.encode({"alg": "RS256", "kid": "key-1"}, claims, key)
        access_token = secrets.token_urlsafe(24)
        self._tokens[access_token] = dict(grant.user)
        return self._json(h, 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                                   "id_token": id_token})

    @staticmethod
    def _json(h: http.server.BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.send_header("Cache-Control", "no-store")
        h.end_headers()
        h.wfile.write(data)
