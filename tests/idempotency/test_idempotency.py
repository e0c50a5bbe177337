"""`Idempotency-Key`: a retried request answers the first answer again and creates nothing; the
same key with another request is refused; failures are not kept; keys expire; parallel retries
of one key do the work once."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from tests.api.conftest import URL, dossier_body, with_key
from tests.factories import api_key
from tests.feedback.conftest import categories  # noqa: F401 (fixture)
from tinhso.dossiers.models import Dossier
from tinhso.feedback.models import Report
from tinhso.idempotency.models import IdempotentRequest
from tinhso.idempotency.services import idempotency_purge


def _post(client: Client, body: dict, key: str | None, path: str = URL):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(path, body, content_type="application/json", headers=headers)


def test_a_retry_with_the_same_key_answers_the_first_answer_and_creates_nothing(world):
    client = with_key(world.commune)
    first = _post(client, dossier_body(world), "k-1")
    again = _post(client, dossier_body(world), "k-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Dossier.objects.count() == 1


def test_key_order_and_spacing_do_not_make_another_request(world):
    client = with_key(world.commune)
    body = dossier_body(world)
    _post(client, body, "k-order")
    reordered = dict(reversed(list(body.items())))
    assert _post(client, reordered, "k-order").status_code == 201
    assert Dossier.objects.count() == 1


def test_the_same_key_with_another_body_is_422(world):
    client = with_key(world.commune)
    _post(client, dossier_body(world), "k-2")
    other = dossier_body(world, summary="Một hồ sơ khác")
    response = _post(client, other, "k-2")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert _post(client, dossier_body(world), "k-2", path=f"{URL}/submit").status_code == 422
    assert Dossier.objects.count() == 1


def test_without_a_key_each_request_is_new(world):
    client = with_key(world.commune)
    _post(client, dossier_body(world), None)
    _post(client, dossier_body(world), None)
    assert Dossier.objects.count() == 2


def test_keys_belong_to_their_client(world):
    """Another client's identical request with the same key is its own request."""
    _post(with_key(world.commune), dossier_body(world), "shared")
    second = _post(with_key(world.commune), dossier_body(world), "shared")
    assert second.status_code == 201 and "Idempotent-Replayed" not in second
    assert Dossier.objects.count() == 2


def test_a_refused_request_is_not_kept(world):
    client = with_key(world.commune)
    bad = dossier_body(world, procedure_code="0.000000")
    assert _post(client, bad, "k-3").status_code == 422
    assert not IdempotentRequest.objects.exists()
    assert _post(client, dossier_body(world), "k-3").status_code == 201


@pytest.mark.parametrize("key", ["", "a b", "x" * 256, "khoá"])
def test_malformed_keys_are_400(world, key):
    response = with_key(world.commune).post(URL, dossier_body(world), content_type="application/json",
                                            headers={"Idempotency-Key": key})
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Dossier.objects.exists()


def test_keys_expire_after_the_retention_period(world, settings):
    settings.TINHSO_IDEMPOTENCY_RETENTION_HOURS = 1
    client = with_key(world.commune)
    _post(client, dossier_body(world), "k-4")
    IdempotentRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _post(client, dossier_body(world), "k-4").status_code == 201
    assert Dossier.objects.count() == 2
    IdempotentRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert idempotency_purge() == 1 and not IdempotentRequest.objects.exists()


def test_online_submission_and_import_take_keys_too(world):
    client = with_key(world.commune)
    body = {k: v for k, v in dossier_body(world).items() if k not in ("channel", "fee_paid")}
    assert _post(client, body, "s-1", path=f"{URL}/submit").status_code == 201
    assert _post(client, body, "s-1", path=f"{URL}/submit")["Idempotent-Replayed"] == "true"
    line = ('{"code": "H44.100-240105-0001", "procedure_code": "1.000894", "agency_code": "H44.100", '
            '"channel": "counter", "applicant_type": "citizen", "received_at": "2024-01-05T08:12:00+07:00", '
            '"due_at": "2024-01-08T08:12:00+07:00", "finished_at": null, "returned_at": null, "status": 2, '
            '"fee_due": 0, "fee_paid_online": false, "components_digitised": true, "result_electronic": true, '
            '"rating": null, "complained": false}\n')
    first = client.post(f"{URL}/import", line, content_type="application/x-ndjson", headers={"Idempotency-Key": "i-1"})
    again = client.post(f"{URL}/import", line, content_type="application/x-ndjson", headers={"Idempotency-Key": "i-1"})
    assert first.json() == again.json() == {"created": 1, "updated": 0, "rejected": 0, "errors": []}
    assert again["Idempotent-Replayed"] == "true"
    changed = client.post(f"{URL}/import", line.replace('"status": 2', '"status": 4'),
                          content_type="application/x-ndjson", headers={"Idempotency-Key": "i-1"})
    assert changed.status_code == 422
    assert Dossier.objects.get(code="H44.100-240105-0001").status == 2


def test_open311_requests_take_keys(categories):  # noqa: F811
    secret = api_key(categories.province)
    form = {"api_key": secret, "service_code": "chieu-sang", "lat": "21.3227", "long": "105.4020",
            "description": "Cột đèn số VT-0042 không sáng từ tối qua.", "phone": "0912345678"}
    first = Client().post("/open311/v2/requests.json", form, headers={"Idempotency-Key": "o-1"})
    again = Client().post("/open311/v2/requests.json", form, headers={"Idempotency-Key": "o-1"})
    assert first.status_code == again.status_code == 200 and first.content == again.content
    other = Client().post("/open311/v2/requests.json", form | {"description": "Một phản ánh khác hẳn."},
                          headers={"Idempotency-Key": "o-1"})
    assert other.status_code == 422
    assert Report.objects.count() == 1


def test_the_openapi_document_describes_the_header(world):
    schema = Client().get("/api/v1/openapi.json").json()
    for path in ("/api/v1/dossiers", "/api/v1/dossiers/submit", "/api/v1/dossiers/import"):
        names = [p["name"] for p in schema["paths"][path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_retries_of_one_key_receive_once(world):
    secret = api_key(world.commune)
    key = str(uuid.uuid4())
    barrier = threading.Barrier(8)
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            barrier.wait(timeout=30)
            response = Client(headers={"Authorization": f"Bearer {secret}"}).post(
                URL, dossier_body(world), content_type="application/json", headers={"Idempotency-Key": key})
            with lock:
                answers.append((response.status_code, response.content))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [status for status, _ in answers] == [201] * 8
    assert len({body for _, body in answers}) == 1
    assert Dossier.objects.count() == 1
