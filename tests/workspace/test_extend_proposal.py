"""The extension form (form 04) refuses a new appointment outside working time, says why, and
comes back pre-filled with the proposed next valid instant and the reason typed."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tinhso.dossiers.models import Dossier
from tinhso.workcalendar.selectors import calendar_for_agency

from .test_pages import receive, signed_in


def test_a_sunday_is_refused_and_the_proposal_prefills_the_form(world):
    d = receive(world)
    client = signed_in("truongphong")
    local_due = timezone.localtime(d.due_at)
    sunday = (local_due + timedelta(days=7 + (6 - local_due.weekday()))).replace(hour=10, minute=0)
    assert sunday.weekday() == 6
    url = reverse("workspace:dossier_action", kwargs={"code": d.code, "action": "extend"})
    response = client.post(url, {"extend-version": d.version, "extend-new_due_at": f"{sunday:%Y-%m-%dT%H:%M}",
                                 "extend-reason": "Cần xác minh"}, follow=True)
    page = response.content.decode()
    proposal = calendar_for_agency(world.commune).next_due_instant(sunday, after=d.due_at)
    assert "ngày nghỉ" in page and f"{timezone.localtime(proposal):%H:%M %d/%m/%Y}" in page
    assert f'value="{timezone.localtime(proposal):%Y-%m-%dT%H:%M}"' in page
    assert "Cần xác minh</textarea>" in page
    assert 'data-action="extend" open' in page
    assert not Dossier.objects.get(code=d.code).extended
    # Once shown, the proposal is not offered again on the next visit.
    again = client.get(reverse("workspace:dossier", kwargs={"code": d.code})).content.decode()
    assert 'data-action="extend" open' not in again

    client.post(url, {"extend-version": d.version, "extend-new_due_at": f"{timezone.localtime(proposal):%Y-%m-%dT%H:%M}",
                      "extend-reason": "Cần xác minh"})
    assert Dossier.objects.get(code=d.code).due_at == proposal
