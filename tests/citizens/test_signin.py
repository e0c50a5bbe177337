"""Citizens' sign-in: VNeID through a real OIDC provider on localhost (tests/oidc_provider.py),
its refusals, the phone one-time code, idle expiry, sign-out, no way into the staff side, and the
API's bearer token."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from tests.oidc_provider import OidcProvider
from tinhso.audit.models import AuditEntry
from tinhso.citizens.auth import citizen_for_token, forget_tokens
from tinhso.citizens.models import Citizen, FieldSource
from tinhso.citizenweb.guards import SEEN_KEY
from tinhso.feedback.models import SmsMessage
from tinhso.identity.oidc import forget_discovery

ID = "001203004567"


@pytest.fixture
def provider(settings) -> Iterator[OidcProvider]:
    with OidcProvider(client_id="tinhso-citizen", client_secret="s3cret") as running:
        settings.TINHSO_OIDC_ISSUER = running.issuer
        settings.TINHSO_OIDC_CLIENT_ID = running.client_id
        settings.TINHSO_OIDC_CLIENT_SECRET = running.client_secret
        settings.TINHSO_OIDC_ACR_VALUES = "LOA2"
        running.user = {"sub": "vneid-1", "SoDinhDanh": ID, "HoVaTen": "Nguyễn Văn An", "NgaySinh": "1990-05-02"}
        forget_discovery()
        forget_tokens()
        yield running
        forget_discovery()
        forget_tokens()


def through(provider: OidcProvider, client: Client, next_url: str = ""):
    start = client.get(reverse("citizen:oidc_start"), {"next": next_url} if next_url else {})
    assert start.status_code == 302 and start["Location"].startswith(provider.issuer + "/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == reverse("citizen:oidc_callback")
    return client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})


def test_vneid_sign_in_creates_a_citizen_from_the_claims_and_a_second_updates_it(db, provider):
    client = Client()
    assert 'id="citizen-vneid"' in client.get(reverse("citizen:login")).content.decode()
    done = through(provider, client, "/dich-vu-cong/")
    assert done.status_code == 302 and done["Location"] == "/dich-vu-cong/"
    asked = provider.last_authorize
    assert asked["acr_values"] == "LOA2" and asked["nonce"] and asked["code_challenge_method"] == "S256"
    citizen = Citizen.objects.get()
    assert (citizen.id_number, citizen.full_name, str(citizen.birth_date)) == (ID, "Nguyễn Văn An", "1990-05-02")
    assert citizen.sources["id_number"] == citizen.sources["full_name"] == FieldSource.IDENTITY_PROVIDER
    assert citizen.user.username.startswith("cd-") and not citizen.user.is_staff
    assert not citizen.user.has_usable_password()
    assert AuditEntry.objects.filter(action="citizen.signed_in", object_id=str(citizen.pk)).exists()
    provider.user = {**provider.user, "HoVaTen": "Nguyễn Văn Bình"}
    through(provider, Client())
    assert Citizen.objects.count() == 1 and Citizen.objects.get().full_name == "Nguyễn Văn Bình"


def test_an_unsafe_next_is_not_followed(db, provider):
    done = through(provider, Client(), "https://evil.example/cong-dan/")
    assert done.status_code == 302 and done["Location"] == "/cong-dan/"
    done = through(provider, Client(), "/ho-so/")
    assert done["Location"] == "/cong-dan/"


@pytest.mark.parametrize("fault", ["nonce", "expired", "audience", "signature", "issuer"])
def test_a_bad_id_token_is_refused_and_creates_nobody(db, provider, fault):
    provider.misbehave = fault
    client = Client()
    done = through(provider, client)
    assert done.status_code == 403
    assert not Citizen.objects.exists()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="citizen.sign_in_refused").exists()


def test_the_vneid_button_is_offered_only_when_configured(db, settings):
    settings.TINHSO_OIDC_ISSUER = ""
    assert 'id="citizen-vneid"' not in Client().get(reverse("citizen:login")).content.decode()
    assert Client().get(reverse("citizen:oidc_start")).status_code == 404


def last_code(phone: str) -> str:
    body = SmsMessage.objects.filter(phone=phone).order_by("-pk").values_list("body", flat=True).first()
    assert body is not None
    match = re.search(r"\b(\d{6})\b", body)
    assert match is not None
    return match.group(1)


def phone_sign_in(client: Client, phone: str = "0912345678", next_url: str = "") -> object:
    sent = client.post(reverse("citizen:login") + (f"?next={next_url}" if next_url else ""), {"phone": phone})
    assert sent.status_code == 302 and sent["Location"] == reverse("citizen:login_code")
    return client.post(reverse("citizen:login_code"), {"code": last_code(phone.replace(" ", ""))})


def test_phone_code_signs_a_citizen_in_and_out(db):
    client = Client()
    done = phone_sign_in(client, "0912 345 678", "/cong-dan/ho-so/")
    assert done.status_code == 302 and done["Location"] == "/cong-dan/ho-so/"
    citizen = Citizen.objects.get()
    assert citizen.phone == "0912345678" and citizen.sources == {"phone": FieldSource.DECLARED}
    assert int(client.session["_auth_user_id"]) == citizen.user_id
    assert AuditEntry.objects.filter(action="citizen.signed_in", data__by="phone").exists()
    # Again: the same account.
    phone_sign_in(Client())
    assert Citizen.objects.count() == 1
    out = client.post(reverse("citizen:logout"))
    assert out.status_code == 302 and "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="citizen.signed_out", object_id=str(citizen.pk)).exists()
    assert client.get(reverse("citizen:logout")).status_code == 405


def test_wrong_codes_are_refused_then_throttled(db, settings):
    settings.TINHSO_OTP_MAX_CHECKS_PER_IP = 3
    client = Client()
    client.post(reverse("citizen:login"), {"phone": "0912345678"})
    right = last_code("0912345678")
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(3):
        assert client.post(reverse("citizen:login_code"), {"code": wrong}).status_code == 400
    assert client.post(reverse("citizen:login_code"), {"code": right}).status_code == 429
    assert "_auth_user_id" not in client.session and not Citizen.objects.exists()


def test_a_bad_phone_is_refused(db):
    answer = Client().post(reverse("citizen:login"), {"phone": "12345"})
    assert answer.status_code == 400 and not SmsMessage.objects.exists()


def test_an_idle_citizen_session_ends(db, settings):
    client = Client()
    phone_sign_in(client)
    session = client.session
    session[SEEN_KEY] = int(time.time()) - settings.TINHSO_CITIZEN_SESSION_SECONDS - 5
    session.save()
    answer = client.get("/cong-dan/ho-so/")
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("citizen:login"))
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="citizen.signed_out", data__by="idle").exists()
    assert "hết hạn" in client.get(reverse("citizen:login")).content.decode()


def test_a_citizen_session_opens_nothing_on_the_staff_side(world):
    client = Client()
    phone_sign_in(client)
    inbox = client.get(reverse("workspace:inbox"))
    assert inbox.status_code in (302, 403)
    assert inbox.status_code == 403 or not inbox["Location"].startswith("/ho-so/")
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "login" in admin["Location"]


def test_a_bearer_token_from_the_provider_names_the_citizen(db, provider, settings):
    settings.TINHSO_CITIZEN_TOKEN_MAX_FAILURES_PER_IP = 2
    through(provider, Client())
    token = next(iter(provider._tokens))
    citizen = citizen_for_token(token, address="198.51.100.1")
    assert citizen is not None and citizen.id_number == ID
    assert citizen_for_token("nonsense", address="198.51.100.2") is None
    assert citizen_for_token("nonsense-2", address="198.51.100.2") is None
    # Past the limit, even a good token from that address is not checked.
    forget_tokens()
    assert citizen_for_token(token, address="198.51.100.2") is None
    assert citizen_for_token(token, address="198.51.100.3") is not None


def test_citizen_auth_on_a_ninja_router(db, provider):
    from django.test import RequestFactory
    from ninja import NinjaAPI

    from tinhso.api.citizen_auth import CitizenAuth

    api = NinjaAPI(urls_namespace="h3auth-test")

    @api.get("/me", auth=CitizenAuth())
    def me(request):
        return {"id": request.auth.id_number}

    through(provider, Client())
    token = next(iter(provider._tokens))
    auth = CitizenAuth()
    good = RequestFactory().get("/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert auth(good) is not None and good.citizen.id_number == ID
    assert auth(RequestFactory().get("/me", HTTP_AUTHORIZATION="Bearer wrong")) is None
    schema = api.get_openapi_schema(path_prefix="/")
    assert "CitizenAuth" in schema["components"]["securitySchemes"]


def test_the_citizen_api_answers_a_mobile_app_holding_only_the_access_token(db, provider):
    through(provider, Client())
    token = next(iter(provider._tokens))
    app = Client()  # no session: what a Zalo mini-app or a phone app holds is the provider's token
    r = app.get("/api/v1/citizen/profile", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200, r.content
    assert ID in r.content.decode()
    assert app.get("/api/v1/citizen/profile").status_code == 401
    assert app.get("/api/v1/citizen/profile", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
    # A token needs no CSRF token: an unsafe call goes through.
    r = app.put("/api/v1/citizen/drafts/1.000001", {}, content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code not in (401, 403), r.content  # (404: no such procedure in this test)
