"""Attachments through the API: upload checked from the bytes, list, download of the same bytes."""

from __future__ import annotations

import hashlib
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF

from tests.api.conftest import URL, act, as_officer, receive, with_key


def pdf_bytes() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="To khai dang ky ket hon")
    return bytes(pdf.output())


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(
        b"IEND", b"")


def upload(client, code, content, filename, **fields):
    data = {"file": SimpleUploadedFile(filename, content), "name": "Tờ khai", **fields}
    return client.post(f"{URL}/{code}/attachments", data)


def test_upload_pdf_then_download_same_bytes(world):
    reception = as_officer(world.reception)
    code = receive(reception, world)["code"]
    content = pdf_bytes()
    assert content.startswith(b"%PDF-")
    response = upload(reception, code, content, "to-khai.pdf", digitised="true")
    assert response.status_code == 201, response.content
    meta = response.json()
    assert meta["content_type"] == "application/pdf" and meta["size"] == len(content)
    assert meta["sha256"] == hashlib.sha256(content).hexdigest()
    assert meta["filename"] == "to-khai.pdf" and meta["name"] == "Tờ khai" and meta["kind"] == "component"
    assert meta["uploaded_at"].endswith("+07:00")

    listed = reception.get(f"{URL}/{code}/attachments").json()
    assert [a["id"] for a in listed] == [meta["id"]]

    download = with_key(world.province).get(f"{URL}/{code}/attachments/{meta['id']}")
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == meta["sha256"]
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="to-khai.pdf"' in download["Content-Disposition"]
    assert reception.get(f"{URL}/{code}").json()["components_digitised"] is True


def test_png_not_digitised_marks_the_components(world):
    reception = as_officer(world.reception)
    code = receive(reception, world)["code"]
    response = upload(reception, code, png_bytes(), "anh.png", digitised="false", kind="supplement")
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/png" and response.json()["kind"] == "supplement"
    upload(reception, code, pdf_bytes(), "a.pdf", digitised="false")
    assert reception.get(f"{URL}/{code}").json()["components_digitised"] is False


def test_type_is_read_from_the_bytes(world):
    """An .exe, or plain text named .pdf, is refused with 422 on `file`; nothing is stored."""
    reception = as_officer(world.reception)
    code = receive(reception, world)["code"]
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"
    for content, filename in [(exe, "setup.exe"), (b"just some text, not a PDF", "fake.pdf"), (b"", "empty.pdf")]:
        response = upload(reception, code, content, filename)
        assert response.status_code == 422, filename
        assert "file" in response.json()["error"]["fields"]
    assert reception.get(f"{URL}/{code}/attachments").json() == []


def test_too_large_is_422(world, settings):
    settings.TINHSO_MAX_ATTACHMENT_BYTES = 100
    reception = as_officer(world.reception)
    code = receive(reception, world)["code"]
    response = upload(reception, code, pdf_bytes(), "big.pdf")
    assert response.status_code == 422 and "file" in response.json()["error"]["fields"]


def test_bad_kind_or_missing_file_is_422(world):
    reception = as_officer(world.reception)
    code = receive(reception, world)["code"]
    assert upload(reception, code, pdf_bytes(), "a.pdf", kind="other").status_code == 422
    missing = reception.post(f"{URL}/{code}/attachments", {"name": "Tờ khai"})
    assert missing.status_code == 422 and "file" in missing.json()["error"]["fields"]


def test_closed_dossier_takes_no_files(world):
    reception = as_officer(world.reception)
    code = receive(reception, world)["code"]
    act(reception, code, "withdraw", {"reason": "Rút"})
    response = upload(reception, code, pdf_bytes(), "a.pdf")
    assert response.status_code == 409 and response.json()["error"]["code"] == "closed"


def test_unknown_attachment_is_404(world):
    reception = as_officer(world.reception)
    code = receive(reception, world)["code"]
    assert reception.get(f"{URL}/{code}/attachments/999999").status_code == 404
