"""The citizen's JSON API over real HTTP (Django's test client, session sign-in): the store, the
form, drafts, an idempotent online submission, the dossier's timeline and result, and that a
citizen only ever reaches their own things (another's is 404; anonymous and staff are 401)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.citizens.test_services import PDF, make_citizen
from tests.factories import finish, sign
from tinhso.citizens import services as cs
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Dossier, Status

BASE = "/api/v1/citizen"


@pytest.fixture
def lan(db):
    return make_citizen("lan", "025090001234", "Trần Thị Lan")


@pytest.fixture
def binh(db):
    return make_citizen("binh", "025090009999", "Lê Văn Bình")


@pytest.fixture
def as_lan(client, lan):
    client.force_login(lan.user)
    return client


def pdf(name: str = "cccd.pdf", extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + extra, content_type="application/pdf")


def store(client, **fields) -> dict:
    r = client.post(f"{BASE}/documents", {"file": pdf(extra=fields.pop("extra", b"")), "name": "Căn cước",
                                          "document_type": "cccd", **fields})
    assert r.status_code == 201, r.content
    return r.json()


def submit(client, world, key: str | None = None, extra: bytes = b"new"):
    first, second = world.procedure.components.order_by("order")
    document = store(client)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"{BASE}/dossiers", {
        "procedure_code": world.procedure.code, "agency_code": world.commune.code,
        f"pick_{first.order}": str(document["id"]), f"file_{second.order}": pdf("to-khai.pdf", extra),
    }, **headers)


def test_profile_documents_and_download(as_lan, lan):
    r = as_lan.get(f"{BASE}/profile")
    assert r.status_code == 200 and r.json()["id_number"] == "025090001234"
    assert r.json()["sources"]["full_name"] == "identity_provider"
    document = store(as_lan, number="025090001234", issued_on="2021-05-01", expires_on="2036-05-01")
    assert document["sha256"] and document["usable"] and document["issued_on"] == "2021-05-01"
    assert [d["id"] for d in as_lan.get(f"{BASE}/documents").json()] == [document["id"]]
    r = as_lan.get(f"{BASE}/documents/{document['id']}/file")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert as_lan.delete(f"{BASE}/documents/{document['id']}").status_code == 204
    assert as_lan.get(f"{BASE}/documents/{document['id']}").status_code == 404


def test_an_upload_whose_bytes_are_not_an_accepted_type_is_422(as_lan):
    r = as_lan.post(f"{BASE}/documents", {"file": SimpleUploadedFile("a.pdf", b"MZ not a pdf at all"), "name": "x"})
    assert r.status_code == 422 and "file" in r.json()["error"]["fields"]


def test_form_draft_and_idempotent_submission(world, as_lan):
    r = as_lan.get(f"{BASE}/procedures/{world.procedure.code}/form")
    assert r.status_code == 200, r.content
    form = r.json()
    assert form["applicant"] == {"name": "Trần Thị Lan", "id_number": "025090001234", "address": "12 Hùng Vương",
                                 "verified": True}
    assert world.commune.code in [a["code"] for a in form["agencies"]] and len(form["components"]) == 2
    r = as_lan.put(f"{BASE}/drafts/{world.procedure.code}", {"agency_code": world.commune.code, "summary": "Kết hôn"},
                   content_type="application/json")
    assert r.status_code == 200 and r.json()["agency_code"] == world.commune.code
    assert len(as_lan.get(f"{BASE}/drafts").json()) == 1

    first = submit(as_lan, world, key="k-1")
    assert first.status_code == 201, first.content
    again = submit(as_lan, world, key="k-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert Dossier.objects.count() == 1
    code = first.json()["code"]
    assert as_lan.get(f"{BASE}/drafts").json() == []
    d = Dossier.objects.get(code=code)
    assert d.status == Status.REGISTERED and d.documents_reused and d.applicant_verified


def test_missing_component_is_422_naming_it(world, as_lan):
    first, second = world.procedure.components.order_by("order")
    r = as_lan.post(f"{BASE}/dossiers", {"procedure_code": world.procedure.code, "agency_code": world.commune.code,
                                         f"file_{first.order}": pdf()})
    assert r.status_code == 422 and f"components.{second.order}" in r.json()["error"]["fields"]
    assert not Dossier.objects.exists()


def test_timeline_supplement_result_and_rating(world, as_lan, lan, django_capture_on_commit_callbacks):
    code = submit(as_lan, world).json()["code"]
    s.dossier_accept(principal=world.reception, code=code)
    s.dossier_request_supplement(principal=world.reception, code=code, reason="Thiếu bản sao")
    detail = as_lan.get(f"{BASE}/dossiers/{code}").json()
    assert detail["expected_now"] == "supplement" and [e["status"] for e in detail["timeline"]] == [1, 2, 5]
    assert "tiepnhan" not in str(detail) and "Cán bộ" not in str(detail)
    assert [e["label"] for e in detail["timeline"]] == [
        "Bạn đã nộp hồ sơ trực tuyến", "Hồ sơ được tiếp nhận", "Cơ quan yêu cầu bổ sung hồ sơ"]
    first = world.procedure.components.order_by("order").first()
    r = as_lan.post(f"{BASE}/dossiers/{code}/supplement", {f"file_{first.order}": pdf("bs.pdf", b"bs"), "note": "Đã bổ sung"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == Status.IN_PROGRESS
    assert as_lan.get(f"{BASE}/dossiers/{code}/result").status_code == 404
    s.dossier_forward(principal=world.specialist, code=code)
    s.dossier_forward(principal=world.head, code=code)
    s.dossier_approve(principal=world.leader, code=code)
    sign(principal=world.leader, code=code, result_kind="electronic")
    with django_capture_on_commit_callbacks(execute=True):
        finish(principal=world.clerk, code=code)
    detail = as_lan.get(f"{BASE}/dossiers/{code}").json()
    assert detail["result_in_store"] and len(detail["results"]) == 1
    r = as_lan.get(f"{BASE}/dossiers/{code}/result")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    r = as_lan.post(f"{BASE}/dossiers/{code}/result-delivery", {"delivery": "post"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["result_delivery"] == "post"
    s.dossier_return(principal=world.reception, code=code)
    r = as_lan.post(f"{BASE}/dossiers/{code}/rating", {"rating": "satisfied"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["rating"] == "satisfied"


def test_another_citizen_gets_404_and_strangers_401(world, client, lan, binh):
    client.force_login(lan.user)
    code = submit(client, world).json()["code"]
    document = cs.documents_of(lan).first()
    draft = cs.draft_save(citizen=lan, procedure_code=world.procedure.code)
    client.force_login(binh.user)
    for method, url, data in [
        ("get", f"/dossiers/{code}", None), ("get", f"/dossiers/{code}/result", None),
        ("get", f"/documents/{document.pk}", None), ("get", f"/documents/{document.pk}/file", None),
        ("delete", f"/documents/{document.pk}", None), ("delete", f"/drafts/{draft.pk}", None),
        ("post", f"/dossiers/{code}/supplement", {"file_1": pdf()}),
        ("post_json", f"/dossiers/{code}/result-delivery", {"delivery": "counter"}),
        ("post_json", f"/dossiers/{code}/rating", {"rating": "satisfied"}),
        ("post_json", f"/dossiers/{code}/withdraw", {"reason": "Không cần nữa"}),
    ]:
        if method == "post_json":
            r = client.post(BASE + url, data, content_type="application/json")
        else:
            r = getattr(client, method)(BASE + url, data) if data else getattr(client, method)(BASE + url)
        assert r.status_code == 404, (url, r.status_code)
        assert "error" in r.json()
    assert client.get(f"{BASE}/dossiers").json() == [] and client.get(f"{BASE}/documents").json() == []
    client.logout()
    assert client.get(f"{BASE}/profile").status_code == 401
    client.force_login(world.reception.user)
    assert client.get(f"{BASE}/profile").status_code == 401
    assert client.get(f"{BASE}/dossiers/{code}").status_code == 401


def test_the_applicant_withdraws_online_with_a_reason(world, as_lan):
    code = submit(as_lan, world).json()["code"]
    r = as_lan.post(f"{BASE}/dossiers/{code}/withdraw", {"reason": ""}, content_type="application/json")
    assert r.status_code == 422 and "reason" in str(r.json()["error"]["fields"])
    r = as_lan.post(f"{BASE}/dossiers/{code}/withdraw", {"reason": "Đã nộp nhầm thủ tục"},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == Status.WITHDRAWN
    timeline = as_lan.get(f"{BASE}/dossiers/{code}").json()["timeline"]
    assert timeline[-1]["label"] == "Hồ sơ đã được rút"
    again = as_lan.post(f"{BASE}/dossiers/{code}/withdraw", {"reason": "lần nữa"}, content_type="application/json")
    assert again.status_code == 409, again.content
