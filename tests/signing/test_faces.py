"""The public faces: `/xac-thuc/` (upload, a verdict in plain words), `/xac-thuc/<uuid>/` (what
was issued, the applicant's name masked) and `POST /api/v1/verify`; uploads checked like
attachments, tries throttled per address; the signing admin audited."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.signing.conftest import plain_pdf
from tests.signing.test_dossier_results import at_sign_step, newest_result
from tests.signing.test_verification import _alter_signed_byte
from tinhso.dossiers import services as s
from tinhso.signing.models import IssuedDocument
from tinhso.signing.pades import sign_result


def upload(data: bytes, name: str = "ket-qua.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def issued_pdf(world, pki) -> tuple[str, bytes]:
    pki.key(agency=world.commune, user=world.leader.user)
    code = at_sign_step(world)
    s.dossier_sign(principal=world.leader, code=code, result_number="12/QĐ-UBND", result_kind="electronic")
    return code, newest_result(code)


def test_verify_page_says_valid_and_issued(client, issued_pdf):
    assert client.get("/xac-thuc/").status_code == 200
    page = client.post("/xac-thuc/", {"file": upload(issued_pdf[1])})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hợp lệ: văn bản do cơ quan nhà nước cấp qua Tỉnh số." in text
    document = IssuedDocument.objects.get()
    assert reverse("signing:issued", args=[document.pk]) in text


def test_verify_page_says_altered_in_plain_words(client, issued_pdf):
    page = client.post("/xac-thuc/", {"file": upload(_alter_signed_byte(issued_pdf[1]))})
    assert page.status_code == 200
    assert "Không hợp lệ: tệp đã bị thay đổi sau khi ký." in page.content.decode()


def test_verify_page_says_valid_but_not_ours(client, world, pki):
    key = pki.key(agency=world.commune, user=world.leader.user)
    signed = sign_result(plain_pdf(), key, signer_name="A", title="", agency_name="B", verify_url="https://x/")
    text = client.post("/xac-thuc/", {"file": upload(signed)}).content.decode()
    assert "Chữ ký số hợp lệ, nhưng văn bản không do Tỉnh số cấp." in text


def test_verify_page_refuses_what_is_not_a_pdf_on_its_field(client, pki):
    page = client.post("/xac-thuc/", {"file": upload(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "anh.png")})
    assert page.status_code == 422
    assert "Chỉ nhận tệp PDF." in page.content.decode()
    assert client.post("/xac-thuc/", {}).status_code == 422


def test_issued_page_shows_what_was_issued_and_masks_the_name(client, issued_pdf):
    code, _pdf = issued_pdf
    document = IssuedDocument.objects.get()
    text = client.get(reverse("signing:issued", args=[document.pk])).content.decode()
    assert "12/QĐ-UBND" in text and "UBND phường Việt Trì" in text
    assert "N***** V** An" in text and "Nguyễn Văn An" not in text
    assert code not in text and "025090001234" not in text
    assert client.get(reverse("signing:issued", args=[uuid.uuid4()])).status_code == 404


def test_api_verify_answers_the_documented_shape(client, issued_pdf):
    code, pdf = issued_pdf
    answer = client.post("/api/v1/verify", {"file": upload(pdf)})
    assert answer.status_code == 200
    body = answer.json()
    assert body["valid"] is True and body["issued_by_tinhso"] is True and body["dossier"] == code
    [signature] = body["signatures"]
    assert set(signature) == {"signer", "certificate_issuer", "signed_at", "timestamped", "intact", "trusted"}
    assert signature["intact"] and signature["trusted"] and not signature["timestamped"]


def test_api_verify_reports_an_altered_file_invalid(client, issued_pdf):
    body = client.post("/api/v1/verify", {"file": upload(_alter_signed_byte(issued_pdf[1]))}).json()
    assert body["valid"] is False and body["signatures"][0]["intact"] is False


def test_api_verify_refuses_a_missing_or_wrong_file_with_field_messages(client, pki):
    missing = client.post("/api/v1/verify", {})
    assert missing.status_code == 422
    wrong = client.post("/api/v1/verify", {"file": upload(b"hello, not a pdf", "a.pdf")})
    assert wrong.status_code == 422 and "file" in wrong.json()["error"]["fields"]


def test_api_verify_refuses_a_file_over_the_limit(client, pki, settings):
    settings.TINHSO_MAX_ATTACHMENT_BYTES = 1024
    answer = client.post("/api/v1/verify", {"file": upload(plain_pdf() + b"\n%" + b"x" * 2048)})
    assert answer.status_code == 422 and "file" in answer.json()["error"]["fields"]


def test_verification_is_throttled_per_address(client, pki, settings):
    settings.TINHSO_VERIFY_MAX_PER_IP = 2
    for _ in range(2):
        assert client.post("/api/v1/verify", {"file": upload(plain_pdf())}).status_code == 200
    refused = client.post("/api/v1/verify", {"file": upload(plain_pdf())})
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert client.post("/xac-thuc/", {"file": upload(plain_pdf())}).status_code == 429


def test_signing_admin_pages_open_and_a_trust_root_is_audited(admin_client, pki):
    from tinhso.audit.models import AuditEntry
    from tinhso.signing import democa

    for model in ("signingkey", "trustroot", "issueddocument"):
        assert admin_client.get(reverse(f"admin:signing_{model}_changelist")).status_code == 200
    bad = admin_client.post(reverse("admin:signing_trustroot_add"), {"name": "x", "certificate_pem": "rác",
                                                                       "origin": "admin"})
    assert bad.status_code == 200 and "Không đọc được chứng thư số" in bad.content.decode()
    pem = democa.make_ca("CA mới").pem.decode()
    added = admin_client.post(reverse("admin:signing_trustroot_add"), {"name": "CA mới", "certificate_pem": pem,
                                                                         "origin": "admin"})
    assert added.status_code == 302
    assert AuditEntry.objects.filter(action="admin.add", object_type="trustroot").exists()
