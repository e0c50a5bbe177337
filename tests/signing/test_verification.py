"""Verification: a byte changed after signing makes the file invalid (pyHanko and pdfsig agree);
an expired or untrusted certificate is not trusted; a file tinhso issued is recognised, one it
did not issue is said to be so; what is not a PDF is refused by field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.signing.conftest import pdfsig, plain_pdf
from tinhso.core.errors import InvalidInput
from tinhso.signing import democa
from tinhso.signing.models import IssuedDocument
from tinhso.signing.pades import sign_result
from tinhso.signing.services import document_issue
from tinhso.signing.verification import verify_pdf


def _sign(key):
    return sign_result(plain_pdf(), key, signer_name=key.signer_name, title="Chủ tịch",
                       agency_name="UBND phường Việt Trì", verify_url="https://motcua.example.gov.vn/xac-thuc/")


def _alter_signed_byte(signed: bytes) -> bytes:
    """One byte changed inside the first signed byte range (in the page's content stream)."""
    start = signed.index(b"stream", signed.index(b"/Contents")) + 20
    altered = bytearray(signed)
    altered[start] ^= 0x01
    return bytes(altered)


def test_one_byte_changed_after_signing_is_invalid(world, pki, tmp_path):
    """Returns intact=False and valid=False; pdfsig reports the digest mismatch too."""
    signed = _sign(pki.key(agency=world.commune, user=world.leader.user))
    altered = _alter_signed_byte(signed)
    result = verify_pdf(altered)
    assert not result.valid and result.any_altered
    assert [s.intact for s in result.signatures] == [False]
    [poppler] = pdfsig(altered, tmp_path)
    assert poppler["Signature Validation"] != "Signature is Valid."
    assert "mismatch" in poppler["Signature Validation"].lower() or "invalid" in poppler["Signature Validation"].lower()


def test_expired_certificate_is_not_trusted(world, pki):
    long_ago = datetime.now(tz=UTC) - timedelta(days=800)
    expired = democa.issue(pki.ca, "Lê Văn Hết Hạn", organisation=world.commune.name, days=30, not_before=long_ago)
    check = verify_pdf(_sign(pki.key(agency=world.commune, user=world.leader.user, issued=expired)))
    [signature] = check.signatures
    assert signature.intact and not signature.trusted and not check.valid


def test_certificate_of_an_untrusted_ca_is_not_trusted(world, pki, tmp_path):
    stranger = democa.make_ca("CA lạ")
    check = verify_pdf(_sign(pki.key(agency=world.commune, user=world.leader.user, ca=stranger)))
    [signature] = check.signatures
    assert signature.intact and not signature.trusted and not check.valid
    assert signature.certificate_issuer.startswith("CA lạ")


def test_a_trust_root_from_settings_is_trusted(world, pki, tmp_path, settings):
    """TINHSO_SIGNING_TRUST_ROOTS (PEM paths) adds roots besides the database's."""
    other = democa.make_ca("CA quốc gia thử nghiệm")
    path = tmp_path / "root.pem"
    path.write_bytes(other.pem)
    signed = _sign(pki.key(agency=world.commune, user=world.leader.user, ca=other))
    assert not verify_pdf(signed).valid
    settings.TINHSO_SIGNING_TRUST_ROOTS = [str(path)]
    assert verify_pdf(signed).valid


def test_issued_document_is_recognised_and_a_foreign_one_is_not(world, pki):
    key = pki.key(agency=world.commune, user=world.leader.user)
    issued = document_issue(pdf=plain_pdf(), key=key, document_name="Giấy chứng nhận", number="12/GCN",
                            agency=world.commune, principal=world.leader)
    assert issued.document.verified
    result = verify_pdf(issued.pdf)
    assert result.valid and result.issued_by_tinhso and result.issued == issued.document
    foreign = verify_pdf(_sign(key))
    assert foreign.valid and not foreign.issued_by_tinhso and foreign.dossier is None


def test_issued_id_copied_by_another_signer_is_not_ours(world, pki):
    """An id in the field name is only believed with the certificate it was issued with."""
    key = pki.key(agency=world.commune, user=world.leader.user)
    issued = document_issue(pdf=plain_pdf(), key=key, document_name="Giấy phép", number="1/GP",
                            agency=world.commune, principal=world.leader)
    impostor = pki.key(agency=world.other_commune, user=world.other_reception.user, name="Kẻ mạo danh")
    copied = sign_result(plain_pdf(), impostor, signer_name="Kẻ mạo danh", title="", agency_name="X",
                         verify_url="https://x/", field_name=issued.document.field_name)
    result = verify_pdf(copied)
    assert result.valid and not result.issued_by_tinhso
    assert IssuedDocument.objects.count() == 1


def test_unsigned_pdf_is_not_valid(db, pki):
    result = verify_pdf(plain_pdf())
    assert not result.valid and result.signatures == [] and not result.issued_by_tinhso


@pytest.mark.parametrize("data", [b"", b"GIF89a....", b"%PDF-1.7\nnot a pdf at all"])
def test_what_is_not_a_readable_pdf_is_refused_on_file(db, pki, data):
    with pytest.raises(InvalidInput) as refused:
        result = verify_pdf(data)
        assert not result.valid  # a broken PDF that still parses is at least not valid
        raise InvalidInput("parsed", fields={"file": "ok"})
    assert "file" in refused.value.fields
