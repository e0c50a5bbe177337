"""The API finds a dossier by its code however it is typed (`core.codes.dossier_code_candidates`),
within the caller's scope as ever."""

from __future__ import annotations

from urllib.parse import quote

from tests.api.conftest import URL, as_officer
from tests.factories import citizen
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel


def test_detail_and_history_take_a_code_typed_loosely(world):
    d = s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                          channel=Channel.COUNTER, applicant=citizen()).dossier
    client = as_officer(world.reception)
    for typed in (d.code.lower(), d.code.replace("-", ""), d.code.replace("-", " - ")):
        detail = client.get(f"{URL}/{quote(typed)}")
        assert detail.status_code == 200, (typed, detail.content)
        assert detail.json()["code"] == d.code
        assert client.get(f"{URL}/{quote(typed)}/history").status_code == 200
    # out of scope stays a 404, however the code is typed
    assert as_officer(world.other_reception).get(f"{URL}/{d.code.lower()}").status_code == 404
    assert client.get(f"{URL}/{d.code[:-1]}9").status_code == 404
