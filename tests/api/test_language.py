"""The API answers in the request's language: Vietnamese by default and for `Accept-Language: vi`,
English for `Accept-Language: en` — the top message and the field messages; the error `code` and
the field names never change."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.api.conftest import URL, dossier_body, with_key

# A letter only Vietnamese uses (English text never holds one).
VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def _bad_receipt(world, **headers):
    body = dossier_body(world, channel="counter")
    del body["procedure_code"]
    response = with_key(world.commune).post(URL, body, content_type="application/json", headers=headers)
    assert response.status_code == 422, response.content
    return response.json()["error"]


@pytest.mark.django_db
def test_the_same_bad_request_in_vietnamese_and_english(world):
    vi = _bad_receipt(world, **{"Accept-Language": "vi"})
    en = _bad_receipt(world, **{"Accept-Language": "en"})

    assert vi["code"] == en["code"] == "invalid"
    assert set(vi["fields"]) == set(en["fields"]) == {"procedure_code", "channel"}
    assert vi["message"] == "Yêu cầu có trường không hợp lệ."
    assert en["message"] == "The request has invalid fields."
    assert vi["fields"]["procedure_code"] == "Bắt buộc phải có."
    assert en["fields"]["procedure_code"] == "Required."
    assert vi["fields"]["channel"] == "Phải là một trong: 1, 2 hoặc 3."
    assert en["fields"]["channel"] == "Must be one of: 1, 2 or 3."
    assert not VIETNAMESE.search(str(en))


@pytest.mark.django_db
def test_without_accept_language_the_answer_is_vietnamese(world):
    assert _bad_receipt(world)["message"] == "Yêu cầu có trường không hợp lệ."


@pytest.mark.django_db
def test_a_service_message_follows_the_language(world):
    """Domain messages come from the services as Vietnamese msgids; the en catalogue has them all."""
    answers = {}
    for lang in ("vi", "en"):
        response = with_key(world.commune).post(
            URL, dossier_body(world, procedure_code="9.999999"), content_type="application/json",
            headers={"Accept-Language": lang},
        )
        assert response.status_code == 422, response.content
        answers[lang] = response.json()["error"]
    assert answers["vi"]["code"] == answers["en"]["code"]
    assert set(answers["vi"]["fields"]) == set(answers["en"]["fields"])
    assert VIETNAMESE.search(str(answers["vi"]))
    assert not VIETNAMESE.search(str(answers["en"])), answers["en"]


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "message"), [
    ("vi", "Hãy đăng nhập hoặc gửi Authorization: Bearer <khoá API>."),
    ("en", "Sign in or send Authorization: Bearer <API key>."),
])
def test_unauthenticated_in_the_request_language(world, lang, message):
    response = Client().get(URL, headers={"Accept-Language": lang})
    assert response.status_code == 401
    assert response.json()["error"] == {"code": "unauthenticated", "message": message, "fields": {}}


@pytest.mark.django_db
def test_a_public_endpoint_and_the_idempotency_key_follow_the_language(world):
    query = {"start": "2026-03-02T08:00:00", "amount": 1, "unit": "working_days"}
    vi = Client().get("/api/v1/calendar/due", query, headers={"Accept-Language": "vi"}).json()["error"]
    en = Client().get("/api/v1/calendar/due", query, headers={"Accept-Language": "en"}).json()["error"]
    assert vi["code"] == en["code"] and set(vi["fields"]) == set(en["fields"])
    assert VIETNAMESE.search(str(vi)) and not VIETNAMESE.search(str(en)), (vi, en)

    for lang in ("vi", "en"):
        response = with_key(world.commune).post(
            URL, dossier_body(world), content_type="application/json",
            headers={"Accept-Language": lang, "Idempotency-Key": "x" * 300},
        )
        assert response.status_code in (400, 422), response.content
        error = response.json()["error"]
        assert bool(VIETNAMESE.search(error["message"])) == (lang == "vi"), error


@pytest.mark.django_db
def test_the_boundary_rules_answer_in_the_request_language(world):
    """A value the boundary refuses (a NUL byte, an offset beyond ±14:00) is named in the
    request's language too."""
    body = dossier_body(world, summary="a\x00b", received_at="2026-03-02T08:00:00+16:00")
    answers = {}
    for language in ("vi", "en"):
        response = with_key(world.commune).post(URL, body, content_type="application/json",
                                                headers={"Accept-Language": language})
        assert response.status_code == 422, response.content
        answers[language] = response.json()["error"]["fields"]
    assert set(answers["vi"]) == set(answers["en"]) and "summary" in answers["en"]
    assert answers["en"]["summary"].startswith("contains a character that is not allowed: U+0000")
    assert answers["vi"]["summary"].startswith("có ký tự không được phép: U+0000")
