"""Fixtures of the signing tests: a test CA trusted by the province, PKCS#12 keys for staff and
seals, a plain PDF, and servers started on localhost (a time-stamping authority, a remote-signing
service) that record what they were asked."""

from __future__ import annotations

import base64
import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, utils
from fpdf import FPDF

from tinhso.agencies.models import Agency
from tinhso.signing import democa
from tinhso.signing.models import KeyKind, KeySource, SigningKey
from tinhso.signing.services import signing_key_register, trust_root_add

_counter = itertools.count(1)


def plain_pdf(text: str = "Quyết định cấp giấy phép") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=text.encode("ascii", "replace").decode())
    return bytes(pdf.output())


def asn1_cert(issued: democa.Issued) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(issued.cert.public_bytes(serialization.Encoding.DER))


@dataclass
class Pki:
    directory: Path
    monkeypatch: pytest.MonkeyPatch
    ca: democa.Issued = field(default_factory=lambda: democa.make_ca("CA thử nghiệm tỉnh Phú Thọ"))

    def trust(self, ca: democa.Issued | None = None) -> None:
        ca = ca or self.ca
        trust_root_add(pem_text=ca.pem.decode(), name="test CA", origin="admin")

    def p12(self, issued: democa.Issued, ca: democa.Issued | None = None) -> tuple[str, str]:
        n = next(_counter)
        variable, passphrase = f"TINHSO_TEST_P12_{n}", democa.new_passphrase()
        path = self.directory / f"key-{n}.p12"
        path.write_bytes(democa.pkcs12_bytes(issued, ca or self.ca, friendly_name=f"k{n}", passphrase=passphrase))
        self.monkeypatch.setenv(variable, passphrase)
        return str(path), variable

    def key(self, *, agency: Agency, user: Any = None, name: str = "Nguyễn Văn Lãnh", kind: str = KeyKind.SIGNATORY,
            ca: democa.Issued | None = None, issued: democa.Issued | None = None) -> SigningKey:
        ca = ca or self.ca
        issued = issued or democa.issue(ca, name, organisation=agency.name)
        path, variable = self.p12(issued, ca)
        return signing_key_register(kind=kind, agency=agency, user=user, signer_name=name, title="Chủ tịch",
                                    source=KeySource.PKCS12, pkcs12_path=path, passphrase_variable=variable)


@pytest.fixture
def pki(db, tmp_path, monkeypatch, settings) -> Pki:
    settings.VAR_DIR = tmp_path / "var"
    settings.TINHSO_SIGNING_TSA_URL = ""
    settings.TINHSO_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"
    pki = Pki(directory=tmp_path, monkeypatch=monkeypatch)
    pki.trust()
    return pki


# --- servers on localhost ----------------------------------------------------------------------


@dataclass
class Server:
    url: str
    calls: list[tuple[str, str, Any]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)


def _serve(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def tsa(pki) -> Iterator[Server]:
    """An RFC 3161 time-stamping authority (pyHanko's DummyTimeStamper behind HTTP), its
    certificate issued by the test CA for time-stamping."""
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    issued = democa.issue(pki.ca, "TSA thử nghiệm", organisation="Tỉnh số", time_stamping=True)
    key_der = issued.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    stamper = DummyTimeStamper(tsa_cert=asn1_cert(issued), tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
                               certs_to_embed=[asn1_cert(pki.ca)])
    record = Server(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            record.calls.append(("POST", self.path, self.headers.get("Content-Type")))
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server, record.url = _serve(Handler)
    yield record
    server.shutdown()


@pytest.fixture
def remote_service(pki) -> Iterator[Server]:
    """A remote-signing service (SmartCA / MySign style) holding one signer's key. It records every
    call; `state["fail_next"]` answers that many 503s first; a signature stays "pending" for
    `state["pending_polls"]` polls; `state["reject"]` makes the signer refuse."""
    issued = democa.issue(pki.ca, "Trần Thị Ký Xa", organisation="UBND phường Việt Trì")
    record = Server(url="", state={"fail_next": 0, "pending_polls": 1, "reject": False, "transactions": {},
                                   "issued": issued})

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _failing(self) -> bool:
            if record.state["fail_next"] > 0:
                record.state["fail_next"] -= 1
                self._answer(503, {"error": "busy"})
                return True
            return False

        def do_GET(self) -> None:  # noqa: N802
            record.calls.append(("GET", self.path, self.headers.get("Authorization")))
            if self._failing():
                return
            if self.path.endswith("/certificate"):
                self._answer(200, {
                    "certificate": base64.b64encode(issued.cert.public_bytes(serialization.Encoding.DER)).decode(),
                    "chain": [base64.b64encode(pki.ca.cert.public_bytes(serialization.Encoding.DER)).decode()],
                })
                return
            tid = self.path.rsplit("/", 1)[-1]
            transaction = record.state["transactions"].get(tid)
            if transaction is None:
                self._answer(404, {"error": "unknown"})
            elif record.state["reject"]:
                self._answer(200, {"status": "rejected"})
            elif transaction["polls"] < record.state["pending_polls"]:
                transaction["polls"] += 1
                self._answer(200, {"status": "pending"})
            else:
                signature = issued.key.sign(transaction["hash"], padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
                self._answer(200, {"status": "confirmed", "signature": base64.b64encode(signature).decode()})

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            record.calls.append(("POST", self.path, body))
            if self._failing():
                return
            tid = f"tx-{len(record.state['transactions']) + 1}"
            record.state["transactions"][tid] = {"hash": base64.b64decode(body["hash"]), "polls": 0}
            self._answer(202, {"transaction_id": tid})

        def log_message(self, *args: Any) -> None:
            pass

    server, record.url = _serve(Handler)
    yield record
    server.shutdown()


def pdfsig(data: bytes, tmp_path: Path) -> list[dict[str, str]]:
    """poppler's `pdfsig` on `data`, its report parsed per signature (it exits 0 even when a
    digest does not match, so the words are what count)."""
    import shutil
    import subprocess

    if shutil.which("pdfsig") is None:
        pytest.skip("poppler's pdfsig is not installed")
    path = tmp_path / f"checked-{next(_counter)}.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout
    signatures: list[dict[str, str]] = []
    for line in out.splitlines():
        if line.startswith("Signature #"):
            signatures.append({})
        elif signatures and line.strip().startswith("- ") and ":" in line:
            name, _sep, value = line.strip()[2:].partition(":")
            signatures[-1][name.strip()] = value.strip()
    return signatures
