"""Staff sessions end after TINHSO_STAFF_SESSION_SECONDS without activity: the next request
signs the officer out and the sign-in page says the session expired, leading back to the page."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from tinhso.workspace import session_timeout

from .test_pages import signed_in


class Clock:
    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(session_timeout.time, "time", fake)
    return fake


@pytest.fixture
def short_day(settings):
    settings.TINHSO_STAFF_SESSION_SECONDS = 600
    settings.TINHSO_SESSION_WARNING_SECONDS = 60


def test_the_default_is_a_working_day(settings):
    assert settings.TINHSO_STAFF_SESSION_SECONDS == 9 * 3600


def test_an_idle_session_ends_and_the_sign_in_page_says_so(world, clock, short_day):
    client = signed_in("chuyenvien")
    inbox = reverse("workspace:inbox")
    assert client.get(inbox).status_code == 200
    clock.now += 601
    response = client.get(inbox + "?xem=tat-ca")
    assert response.status_code == 302
    assert response.url == reverse("workspace:login") + "?next=%2Fho-so%2F%3Fxem%3Dtat-ca"
    page = client.get(response.url)
    assert "Phiên làm việc đã hết hạn" in page.content.decode()
    assert 'name="next" value="/ho-so/?xem=tat-ca"' in page.content.decode()
    # Said once: a later visit to the sign-in page is plain.
    assert "Phiên làm việc đã hết hạn" not in client.get(reverse("workspace:login")).content.decode()
    # Signed out for real.
    assert client.get(inbox).status_code == 302


def test_activity_keeps_the_session(world, clock, short_day):
    client = signed_in("chuyenvien")
    inbox = reverse("workspace:inbox")
    for _ in range(5):
        clock.now += 400
        assert client.get(inbox).status_code == 200


def test_asking_how_long_is_left_is_not_activity(world, clock, short_day):
    client = signed_in("chuyenvien")
    client.get(reverse("workspace:inbox"))
    status = reverse("workspace:session_status")
    clock.now += 300
    assert client.get(status).json() == {"seconds_left": 300}
    clock.now += 299
    assert client.get(status).json() == {"seconds_left": 1}
    clock.now += 1
    assert client.get(status).json() == {"seconds_left": 0}
    assert client.get(reverse("workspace:inbox")).status_code == 302


def test_keep_working_restarts_the_wait(world, clock, short_day):
    client = signed_in("chuyenvien")
    client.get(reverse("workspace:inbox"))
    clock.now += 590
    assert client.post(reverse("workspace:session_keep")).json() == {"seconds_left": 600}
    clock.now += 500
    assert client.get(reverse("workspace:inbox")).status_code == 200


def test_a_form_sent_after_expiry_returns_to_its_page(world, clock, short_day):
    """The action URL accepts only POST: the way back is the page the form was on."""
    client = signed_in("truongphong")
    client.get(reverse("workspace:inbox"))
    clock.now += 601
    page = "http://testserver/ho-so/H44.100-260302-0001/"
    response = client.post("/ho-so/H44.100-260302-0001/extend/", {"extend-reason": "x"}, HTTP_REFERER=page)
    assert response.status_code == 302
    assert response.url == reverse("workspace:login") + "?next=%2Fho-so%2FH44.100-260302-0001%2F"


def test_htmx_requests_are_redirected_by_header(world, clock, short_day):
    client = signed_in("tiepnhan")
    client.get(reverse("workspace:inbox"))
    clock.now += 601
    response = client.get(reverse("workspace:counter_procedure"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("workspace:login"))


def test_the_page_carries_the_warning(world, clock, short_day):
    client = signed_in("chuyenvien")
    page = client.get(reverse("workspace:inbox")).content.decode()
    assert 'id="session-warning"' in page and 'data-seconds-left="600"' in page and 'data-warn-seconds="60"' in page
    assert "Tiếp tục làm việc" in page


def test_signed_out_pages_carry_no_warning(db):
    from django.test import Client

    assert 'id="session-warning"' not in Client().get(reverse("workspace:tracking")).content.decode()
