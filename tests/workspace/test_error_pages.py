"""403, 404, 500 and a refused form (CSRF) answer with the product's own pages, Vietnamese
first, with a way on (home, sign-in, tracking), with DEBUG off."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse

from .test_pages import signed_in

NAVIGATION = ('href="/"', 'href="/tra-cuu/"')


@pytest.fixture(autouse=True)
def _no_debug(settings):
    settings.DEBUG = False


def assert_ours(response, status: int, title: str) -> str:
    assert response.status_code == status
    page = response.content.decode()
    assert title in page and 'lang="vi"' in page
    assert 'class="site-header"' in page  # base.html
    for link in NAVIGATION:
        assert link in page
    return page


def test_404(db):
    page = assert_ours(Client().get("/khong-co-trang-nay/"), 404, "Không tìm thấy trang")
    assert 'href="/dang-nhap/"' in page  # signed out: the way to sign in


def test_404_of_an_unknown_dossier(world):
    assert_ours(signed_in("chuyenvien").get("/ho-so/H44.100-000000-0000/"), 404, "Không tìm thấy trang")


def test_403_says_why(world):
    from tests.factories import UserFactory

    UserFactory(username="khongvaitro")
    client = signed_in("khongvaitro")
    page = assert_ours(client.get(reverse("workspace:inbox")), 403, "Không có quyền truy cập")
    assert "Tài khoản chưa được gán vai trò" in page


def test_csrf_failure(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/dang-nhap/", {"username": "tiepnhan", "password": "matkhau-123"},
                           HTTP_REFERER="http://testserver/dang-nhap/")
    page = assert_ours(response, 403, "Biểu mẫu đã hết hạn")
    assert 'href="http://testserver/dang-nhap/"' in page  # back to the page the form came from


def test_csrf_failure_does_not_link_elsewhere(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/dang-nhap/", {"username": "x"}, HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in assert_ours(response, 403, "Biểu mẫu đã hết hạn")


def test_500(db, settings):
    settings.ROOT_URLCONF = "tests.workspace.boom_urls"
    client = Client(raise_request_exception=False)
    assert_ours(client.get("/boom/"), 500, "Lỗi hệ thống")


def test_500_renders_without_context_or_database():
    """Django renders 500.html with an empty context; nothing in it may need the database (this
    test has none: pytest-django refuses any query)."""
    page = get_template("500.html").render()
    assert "Lỗi hệ thống" in page and 'href="/tra-cuu/"' in page
