"""`GET /api/v1/procedures/{code}`: what a client needs to receive a dossier — the numbered
components and which of them are required — and a clear 404 for an unknown code."""

from __future__ import annotations

from tests.api.conftest import as_officer, receive
from tinhso.catalogue.models import Component, Requirement


def test_a_procedure_lists_its_numbered_components_with_their_requirement(world):
    Component.objects.filter(procedure=world.procedure).delete()
    Component.objects.create(procedure=world.procedure, order=1, name="Tờ khai", requirement=Requirement.REQUIRED)
    Component.objects.create(procedure=world.procedure, order=2, name="Giấy ủy quyền (nếu ủy quyền)",
                             requirement=Requirement.CONDITIONAL)
    client = as_officer(world.reception)
    response = client.get(f"/api/v1/procedures/{world.procedure.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == world.procedure.code and body["fee_vnd"] == world.procedure.fee_vnd
    assert [(c["number"], c["requirement"]) for c in body["components"]] == [(1, "required"), (2, "conditional")]
    assert body["components"][1]["requirement_label"] == "Theo trường hợp (nếu có)"
    # What it lists is what a receipt accepts: the required ones only, by number.
    required = [{"number": c["number"]} for c in body["components"] if c["requirement"] == "required"]
    assert receive(client, world, components=required)["status"]


def test_an_unknown_procedure_is_404_and_the_catalogue_is_public(world, client):
    assert as_officer(world.reception).get("/api/v1/procedures/9.999999").status_code == 404
    # The catalogue is public information: a citizen's app reads it without a key.
    assert client.get(f"/api/v1/procedures/{world.procedure.code}").status_code == 200
