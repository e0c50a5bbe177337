"""Staff single sign-on against a real OpenID Connect provider on localhost (tests/oidc_provider.py):
the flow carries state, nonce and PKCE; a good ID token signs the matching staff account in; a
wrong nonce, an expired token, another audience or issuer, a bad signature, a replayed state or
an unknown person are refused with a page that says so, and audited."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.oidc_provider import OidcProvider
from tinhso.audit.models import AuditEntry
from tinhso.identity.oidc import forget_discovery


@pytest.fixture
def provider(settings) -> Iterator[OidcProvider]:
    with OidcProvider(client_id="tinhso-staff", client_secret="s3cret") as running:
        settings.TINHSO_STAFF_OIDC_ISSUER = running.issuer
        settings.TINHSO_STAFF_OIDC_CLIENT_ID = running.client_id
        settings.TINHSO_STAFF_OIDC_CLIENT_SECRET = running.client_secret
        running.user = {"sub": "dir-42", "preferred_username": "lanhdao", "email": "lanhdao@phutho.gov.vn"}
        forget_discovery()
        yield running
        forget_discovery()


def sign_in_through(provider: OidcProvider, client: Client, next_url: str = "/ho-so/"):
    """Start at the sign-in button, follow the provider's redirect with a real HTTP request, and
    come back to the callback with what the provider answered."""
    start = client.get(reverse("identity:staff_sso"), {"next": next_url})
    assert start.status_code == 302 and start["Location"].startswith(provider.issuer + "/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == reverse("identity:staff_sso_callback")
    return client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})


def test_the_sign_in_page_offers_single_sign_on_only_when_configured(world, provider, settings):
    assert 'id="staff-sso"' in Client().get(reverse("workspace:login")).content.decode()
    settings.TINHSO_STAFF_OIDC_ISSUER = ""
    assert 'id="staff-sso"' not in Client().get(reverse("workspace:login")).content.decode()
    assert Client().get(reverse("identity:staff_sso")).status_code == 404


def test_a_directory_sign_in_opens_the_matching_staff_account(world, provider):
    client = Client()
    done = sign_in_through(provider, client)
    assert done.status_code == 302 and done["Location"] == "/ho-so/"
    assert client.get(reverse("workspace:inbox")).status_code == 200
    # The request carried state, nonce and a PKCE S256 challenge; the token request the verifier.
    asked = provider.last_authorize
    assert asked["state"] and asked["nonce"] and asked["code_challenge_method"] == "S256" and asked["code_challenge"]
    assert "openid" in asked["scope"].split()
    assert len(provider.last_token_request["code_verifier"]) >= 43
    entry = AuditEntry.objects.get(action="auth.sso")
    assert entry.data["issuer"] == provider.issuer
    assert entry.object_id == str(get_user_model().objects.get(username="lanhdao").pk)


def test_the_account_is_found_by_e_mail_when_the_username_differs(world, provider):
    get_user_model().objects.filter(username="lanhdao").update(email="LanhDao@phutho.gov.vn")
    provider.user = {"sub": "dir-42", "preferred_username": "ld.nguyen", "email": "lanhdao@phutho.gov.vn"}
    client = Client()
    assert sign_in_through(provider, client).status_code == 302
    assert client.get(reverse("workspace:inbox")).status_code == 200


@pytest.mark.parametrize(
    ("misbehave", "reason"),
    [("nonce", "nonce"), ("expired", "id token expired"), ("audience", "id token audience"),
     ("signature", "id token signature"), ("issuer", "id token issuer")],
)
def test_a_wrong_id_token_is_refused_with_a_clear_page(world, provider, misbehave, reason):
    provider.misbehave = misbehave
    client = Client()
    refused = sign_in_through(provider, client)
    assert refused.status_code == 403
    body = refused.content.decode()
    assert "Không đăng nhập được" in body and reason in body
    assert client.get(reverse("workspace:inbox")).status_code == 302  # still signed out
    assert AuditEntry.objects.get(action="auth.sso_refused").data["reason"] == reason
    assert not AuditEntry.objects.filter(action="auth.sso").exists()


def test_a_person_unknown_here_is_refused_and_no_account_is_made(world, provider):
    provider.user = {"sub": "dir-99", "preferred_username": "nguoila", "email": "nguoila@example.vn"}
    users = get_user_model().objects.count()
    refused = sign_in_through(provider, Client())
    assert refused.status_code == 403 and "no matching account" in refused.content.decode()
    assert get_user_model().objects.count() == users


def test_a_citizen_account_is_never_opened_by_staff_single_sign_on(world, provider):
    from tinhso.citizens.accounts import citizen_for_phone

    citizen = citizen_for_phone("0912345678")
    citizen.user.email = "lanhdao-ca-nhan@example.vn"
    citizen.user.save()
    provider.user = {"sub": "dir-7", "preferred_username": citizen.user.username, "email": citizen.user.email}
    refused = sign_in_through(provider, Client())
    assert refused.status_code == 403 and "no matching account" in refused.content.decode()


def test_a_setting_may_create_an_account_without_roles(world, provider, settings):
    settings.TINHSO_STAFF_OIDC_CREATE_USERS = True
    provider.user = {"sub": "dir-99", "preferred_username": "nguoimoi", "email": "nguoimoi@example.vn"}
    client = Client()
    assert sign_in_through(provider, client).status_code == 302
    user = get_user_model().objects.get(username="nguoimoi")
    assert not user.staff_roles.exists() and not user.has_usable_password()


def test_a_callback_replayed_or_forged_is_refused(world, provider):
    client = Client()
    start = client.get(reverse("identity:staff_sso"))
    back = urlsplit(requests.get(start["Location"], allow_redirects=False, timeout=10).headers["Location"])
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    forged = client.get(back.path, {**query, "state": "not-the-state"})
    assert forged.status_code == 403
    assert client.get(back.path, query).status_code == 302  # the real answer still works once
    client.logout()
    assert client.get(back.path, query).status_code == 403  # …and only once


def test_the_second_factor_still_applies_after_single_sign_on(world, provider, settings):
    settings.TINHSO_STAFF_OTP_REQUIRED_ROLES = ["leader"]
    client = Client()
    sign_in_through(provider, client)
    page = client.get(reverse("workspace:inbox"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("identity:second_factor_enrol"))
