"""PAdES signing with a PKCS#12 key: the signature validates in pyHanko and in poppler's pdfsig,
carries a visible Vietnamese stamp (embedded font, QR link to the public page), an RFC 3161
time-stamp from a local TSA when one is configured, and validation info for the long term."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.signing.conftest import pdfsig, plain_pdf
from tinhso.core.errors import InvalidInput
from tinhso.signing.pades import sign_result
from tinhso.signing.verification import verify_pdf

URL = "https://motcua.example.gov.vn/xac-thuc/4f1c0f1e-0000-4000-8000-000000000001/"


def _sign(key, pdf=None, **kwargs):
    return sign_result(pdf or plain_pdf(), key, signer_name="Nguyễn Văn Lãnh", title="Chủ tịch",
                       agency_name="UBND phường Việt Trì", verify_url=URL, **kwargs)


def test_signature_validates_in_pyhanko_and_pdfsig(world, pki, tmp_path):
    """Returns a PDF whose signature is intact and trusted (pyHanko) and valid (pdfsig)."""
    signed = _sign(pki.key(agency=world.commune, user=world.leader.user))
    result = verify_pdf(signed)
    assert result.valid
    [check] = result.signatures
    assert check.intact and check.trusted and not check.timestamped
    assert check.signer.startswith("Nguyễn Văn Lãnh")
    assert check.certificate_issuer.startswith("CA thử nghiệm tỉnh Phú Thọ")
    [poppler] = pdfsig(signed, tmp_path)
    assert poppler["Signature Validation"] == "Signature is Valid."
    assert poppler["Signature Type"] == "ETSI.CAdES.detached"
    assert poppler["Signer Certificate Common Name"] == "Nguyễn Văn Lãnh"


def test_visible_stamp_embeds_font_and_links_the_verification_page(world, pki):
    """The stamp's appearance uses an embedded TrueType font and the QR code links to the page."""
    signed = _sign(pki.key(agency=world.commune, user=world.leader.user))
    assert b"/FontFile2" in signed
    assert b"DejaVuSans" in signed
    page = PdfReader(io.BytesIO(signed)).pages[-1]
    annotations = [a.get_object() for a in page["/Annots"]]
    links = [a["/A"]["/URI"] for a in annotations if a.get("/Subtype") == "/Link"]
    widgets = [a for a in annotations if a.get("/Subtype") == "/Widget"]
    assert links == [URL]  # the QR code is a link to the public page
    assert widgets and widgets[0]["/V"]["/ContactInfo"] == URL
    x1, y1, x2, y2 = (float(v) for v in widgets[0]["/Rect"])
    assert x2 - x1 > 100 and y2 - y1 > 50  # visible, not a zero-size field


def test_long_term_validation_info_is_embedded_for_a_trusted_chain(world, pki):
    """A chain the province trusts is written into the document's DSS."""
    signed = _sign(pki.key(agency=world.commune, user=world.leader.user))
    assert b"/DSS" in signed


def test_time_stamp_from_a_local_tsa(world, pki, tsa, settings):
    """With TINHSO_SIGNING_TSA_URL set, the signature carries a TSA's time-stamp."""
    settings.TINHSO_SIGNING_TSA_URL = tsa.url
    signed = _sign(pki.key(agency=world.commune, user=world.leader.user))
    assert tsa.calls and tsa.calls[0][2] == "application/timestamp-query"
    [check] = verify_pdf(signed).signatures
    assert check.timestamped and check.intact and check.trusted


def test_second_signature_keeps_the_first_valid(world, pki, tmp_path):
    """The seal signs after the leader: both signatures stay valid (incremental update)."""
    once = _sign(pki.key(agency=world.commune, user=world.leader.user))
    twice = _sign(pki.key(agency=world.commune, name="UBND phường Việt Trì", kind="seal"), pdf=once)
    result = verify_pdf(twice)
    assert len(result.signatures) == 2 and result.valid
    assert [s["Signature Validation"] for s in pdfsig(twice, tmp_path)] == ["Signature is Valid."] * 2


def test_not_a_pdf_is_refused_naming_the_field(world, pki):
    with pytest.raises(InvalidInput) as refused:
        _sign(pki.key(agency=world.commune, user=world.leader.user), pdf=b"%PDF-1.4 not really")
    assert "result" in refused.value.fields


def test_an_unreachable_tsa_refuses_to_sign(world, pki, settings):
    """502 `timestamp_failed`, not a signature without the time-stamp the province asked for."""
    import socket

    from tinhso.core.errors import ApplicationError

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.TINHSO_SIGNING_TSA_URL = f"http://127.0.0.1:{port}/tsa"
    with pytest.raises(ApplicationError) as refused:
        _sign(pki.key(agency=world.commune, user=world.leader.user))
    assert refused.value.status == 502 and refused.value.code == "timestamp_failed"
