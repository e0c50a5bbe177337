"""Signing keys behind one seam: a PKCS#12 file (passphrase from the environment, never the
database), a PKCS#11 token (SoftHSM2), and a remote-signing service (a local fake that records
calls and sometimes fails)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from tests.signing.conftest import plain_pdf
from tinhso.signing import democa
from tinhso.signing.keys import SigningKeyUnavailable
from tinhso.signing.models import KeyKind, KeySource, SigningKey
from tinhso.signing.pades import sign_result
from tinhso.signing.remote import HttpRemoteSigningClient, RemoteSigningError
from tinhso.signing.services import signing_key_register
from tinhso.signing.verification import verify_pdf


def _sign(key, **kwargs):
    return sign_result(plain_pdf(), key, signer_name=key.signer_name, title="Chủ tịch", agency_name="UBND",
                       verify_url="https://motcua.example.gov.vn/xac-thuc/", **kwargs)


# --- PKCS#12 ---------------------------------------------------------------------------------


def test_pkcs12_passphrase_is_read_from_the_environment_not_stored(world, pki, monkeypatch):
    key = pki.key(agency=world.commune, user=world.leader.user)
    passphrase = __import__("os").environ[key.passphrase_variable]
    stored = SigningKey.objects.filter(pk=key.pk).values().get()
    assert passphrase not in {str(v) for v in stored.values()}
    assert verify_pdf(_sign(key)).valid


def test_pkcs12_without_its_passphrase_is_unavailable(world, pki, monkeypatch):
    key = pki.key(agency=world.commune, user=world.leader.user)
    monkeypatch.delenv(key.passphrase_variable)
    with pytest.raises(SigningKeyUnavailable) as refused:
        _sign(key)
    assert refused.value.status == 409 and key.passphrase_variable in refused.value.message


def test_pkcs12_with_a_wrong_passphrase_or_missing_file_is_unavailable(world, pki, monkeypatch):
    key = pki.key(agency=world.commune, user=world.leader.user)
    monkeypatch.setenv(key.passphrase_variable, "sai mật khẩu")
    with pytest.raises(SigningKeyUnavailable):
        _sign(key)
    key.pkcs12_path = "/nonexistent/key.p12"
    with pytest.raises(SigningKeyUnavailable):
        _sign(key)


def test_only_signing_settings_can_hold_a_secret(world, pki, settings, monkeypatch):
    """A key naming another setting (SECRET_KEY) does not get it as its passphrase."""
    from tinhso.signing.keys import secret_of

    settings.TINHSO_SIGNING_TEST_PASS = "từ thiết lập"
    assert secret_of("TINHSO_SIGNING_TEST_PASS") == "từ thiết lập"
    assert secret_of("SECRET_KEY") is None


def test_registering_a_key_retires_the_previous_one(world, pki):
    first = pki.key(agency=world.commune, user=world.leader.user)
    second = pki.key(agency=world.commune, user=world.leader.user)
    first.refresh_from_db()
    assert not first.is_active and second.is_active


# --- PKCS#11 (SoftHSM2) ------------------------------------------------------------------------

SOFTHSM_MODULES = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory):
    """One SoftHSM2 token for the module: the PKCS#11 library reads SOFTHSM2_CONF once per
    process, so every test of the module uses this token, each under its own key label."""
    module = next((m for m in SOFTHSM_MODULES if Path(m).exists()), None)
    if module is None or shutil.which("softhsm2-util") is None:
        pytest.skip("softhsm2 is not installed (apt-get install softhsm2)")
    base = tmp_path_factory.mktemp("softhsm")
    tokens = base / "tokens"
    tokens.mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))
        subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "tinhso-test", "--pin", "123456",
                        "--so-pin", "654321"], check=True, capture_output=True)
        yield module


def _import_into_token(module: str, issued: democa.Issued, tmp_path: Path, label: str) -> None:
    """The key and its certificate into the token, with OpenSC's pkcs11-tool."""
    if shutil.which("pkcs11-tool") is None:
        pytest.skip("pkcs11-tool is not installed (apt-get install opensc)")
    key = tmp_path / "key.der"
    key.write_bytes(issued.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL,
                                             serialization.NoEncryption()))
    cert = tmp_path / "cert.der"
    cert.write_bytes(issued.cert.public_bytes(serialization.Encoding.DER))
    for path, kind in ((key, "privkey"), (cert, "cert")):
        subprocess.run(["pkcs11-tool", "--module", module, "--token-label", "tinhso-test", "--login", "--pin", "123456",
                        "--write-object", str(path), "--type", kind, "--id", label.encode().hex(), "--label", label],
                       check=True, capture_output=True)


@pytest.mark.parametrize("certificate_in_database", [True, False])
def test_pkcs11_key_in_softhsm_signs_a_valid_pdf(world, pki, softhsm, tmp_path, monkeypatch, certificate_in_database):
    """The certificate comes from the key's row, or from the token under the key's label."""
    issued = democa.issue(pki.ca, "Phạm Thị HSM", organisation=world.commune.name)
    label = f"lanhdao-{certificate_in_database}"
    _import_into_token(softhsm, issued, tmp_path, label)
    monkeypatch.setenv("TINHSO_TEST_PIN", "123456")
    key = signing_key_register(
        kind=KeyKind.SIGNATORY, agency=world.commune, user=world.leader.user, signer_name="Phạm Thị HSM",
        source=KeySource.PKCS11, pkcs11_module=softhsm, pkcs11_token_label="tinhso-test", pkcs11_key_label=label,
        passphrase_variable="TINHSO_TEST_PIN",
        certificate_pem=(issued.pem + pki.ca.pem).decode() if certificate_in_database else "",
    )
    result = verify_pdf(_sign(key))
    assert result.valid
    assert result.signatures[0].signer.startswith("Phạm Thị HSM")


def test_pkcs11_with_a_wrong_pin_or_token_is_unavailable(world, pki, softhsm, monkeypatch):
    monkeypatch.setenv("TINHSO_TEST_PIN", "000000")
    key = SigningKey(kind=KeyKind.SIGNATORY, agency=world.commune, signer_name="X", source=KeySource.PKCS11,
                     pkcs11_module=softhsm, pkcs11_token_label="tinhso-test", pkcs11_key_label="lanhdao",
                     passphrase_variable="TINHSO_TEST_PIN")
    with pytest.raises(SigningKeyUnavailable):
        _sign(key)
    key.pkcs11_token_label = "không có"
    with pytest.raises(SigningKeyUnavailable):
        _sign(key)


# --- remote signing ----------------------------------------------------------------------------


def _remote_key(world) -> SigningKey:
    return signing_key_register(kind=KeyKind.SIGNATORY, agency=world.commune, user=world.leader.user,
                                signer_name="Trần Thị Ký Xa", source=KeySource.REMOTE, remote_user_id="079123456789")


@pytest.fixture
def remote_settings(settings, remote_service):
    settings.TINHSO_SIGNING_REMOTE_URL = remote_service.url
    settings.TINHSO_SIGNING_REMOTE_TOKEN = "token-thu-nghiem"
    settings.TINHSO_SIGNING_REMOTE_POLL_SECONDS = 0.01
    settings.TINHSO_SIGNING_REMOTE_CONFIRM_SECONDS = 5
    return settings


def test_remote_signing_sends_the_hash_and_gets_a_valid_signature(world, pki, remote_service, remote_settings):
    """Certificate fetched, hash sent (not the document), confirmation polled, a 503 retried."""
    remote_service.state["fail_next"] = 1
    signed = _sign(_remote_key(world))
    assert verify_pdf(signed).valid
    methods = [(m, p) for m, p, _ in remote_service.calls]
    assert methods[0] == ("GET", "/v1/credentials/079123456789/certificate")  # the 503, then again
    assert methods[1] == methods[0]
    posts = [body for m, _p, body in remote_service.calls if m == "POST"]
    assert len(posts) == 1 and posts[0]["user_id"] == "079123456789" and posts[0]["hash_algorithm"] == "sha256"
    assert len(__import__("base64").b64decode(posts[0]["hash"])) == 32
    polls = [p for m, p, _ in remote_service.calls if m == "GET" and p.startswith("/v1/signatures/")]
    assert len(polls) == 2  # pending once, then confirmed
    assert all(auth == "Bearer token-thu-nghiem" for m, _p, auth in remote_service.calls if m == "GET")


def test_remote_signer_refusing_is_a_conflict(world, pki, remote_service, remote_settings):
    remote_service.state["reject"] = True
    with pytest.raises(RemoteSigningError) as refused:
        _sign(_remote_key(world))
    assert refused.value.status == 409 and refused.value.code == "remote_signing_refused"


def test_remote_service_down_gives_up_after_its_retries(world, pki, remote_service, remote_settings):
    remote_service.state["fail_next"] = 10
    with pytest.raises(RemoteSigningError) as failed:
        _sign(_remote_key(world))
    assert failed.value.status == 502
    assert len(remote_service.calls) == 3  # one try and TINHSO_SIGNING_REMOTE_RETRIES (2) retries


def test_remote_signing_needs_its_address(world, pki, settings):
    settings.TINHSO_SIGNING_REMOTE_URL = ""
    with pytest.raises(RemoteSigningError) as refused:
        HttpRemoteSigningClient.from_settings()
    assert refused.value.code == "remote_signing_not_configured"
