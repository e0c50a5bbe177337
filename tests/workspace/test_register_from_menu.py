"""The register (form 07) is one click from the workspace menu and opens on this month."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from tinhso.dossiers.forms.register import month_of

from .test_pages import signed_in


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 3, 15), date(2026, 3, 1), date(2026, 4, 1)),
        (date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1)),
        (date(2028, 2, 29), date(2028, 2, 1), date(2028, 3, 1)),
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 2, 1)),
    ],
)
def test_month_of(day, start, end):
    assert month_of(day) == (start, end)


def test_the_menu_links_the_register_which_opens_on_this_month(world):
    client = signed_in("tiepnhan")
    inbox = client.get(reverse("workspace:inbox")).content.decode()
    assert f'href="{reverse("workspace:register")}"' in inbox and "Sổ theo dõi" in inbox
    response = client.get(reverse("workspace:register"))
    start, end = month_of(timezone.localdate())
    assert response.status_code == 302
    assert response.url == (reverse("workspace:register_html", kwargs={"agency_code": "H44.100"})
                            + f"?from={start.isoformat()}&to={end.isoformat()}")
    page = client.get(response.url)
    assert page.status_code == 200
    assert f"{start:%d/%m/%Y}" in page.content.decode()


def test_the_register_without_a_period_shows_this_month(world):
    """A bare register address (bookmarked, typed) is this month, not a 400."""
    client = signed_in("tiepnhan")
    response = client.get(reverse("workspace:register_html", kwargs={"agency_code": "H44.100"}))
    assert response.status_code == 200
    assert response.context["period"].start == month_of(timezone.localdate())[0]


def test_another_agency_is_asked_for_by_code_and_scoped(world):
    client = signed_in("tiepnhan")
    response = client.get(reverse("workspace:register"), {"agency": "H44.101"})
    assert client.get(response.url).status_code == 404  # not in my scope


def test_a_half_given_period_is_still_an_error(world):
    client = signed_in("tiepnhan")
    response = client.get(reverse("workspace:register_html", kwargs={"agency_code": "H44.100"}), {"from": "2026-03-01"})
    assert response.status_code == 400


def test_a_superuser_without_a_seat_opens_the_provinces_register(world, admin_client):
    response = admin_client.get(reverse("workspace:register"))
    assert response.status_code == 302 and "/H44/" in response.url
    assert admin_client.get(response.url).status_code == 200


def test_an_agency_that_is_not_a_code_is_404(world):
    assert signed_in("tiepnhan").get(reverse("workspace:register"), {"agency": "%"}).status_code == 404
