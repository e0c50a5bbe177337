"""Where a signing key lives, behind one seam: `signer_for(key)` gives a pyHanko `Signer`.

The caller never knows whether the key is a PKCS#12 file (`SimpleSigner`), a token behind
PKCS#11 (`PKCS11Signer`, an HSM; tested with SoftHSM2) or a remote-signing service
(`RemoteSigner`, the hash goes out and the signature comes back). Secrets come from the
environment variable (or, failing that, the Django setting) the key names, never from the
database.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from asn1crypto import x509
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.sign.signers.pdf_cms import Signer, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tinhso.core.errors import ApplicationError
from tinhso.signing.certificates import load_certificates
from tinhso.signing.models import KeySource, SigningKey
from tinhso.signing.remote import HttpRemoteSigningClient, RemoteSigningClient


class SigningKeyUnavailable(ApplicationError):
    """The key exists but cannot be used now: file, passphrase, token or PIN missing or wrong."""

    status = 409
    code = "signing_key_unavailable"


def demo_secrets_file() -> Path:
    """Where `tinhso signing demo-ca` writes its passphrases (mode 0600); read outside
    production only."""
    return Path(settings.VAR_DIR) / "signing" / "secrets.env"


def _demo_secret(variable: str) -> str | None:
    path = demo_secrets_file()
    if settings.PRODUCTION or not path.is_file():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() == variable:
            return value.strip()
    return None


def secret_of(variable: str) -> str | None:
    """The secret held by the environment variable `variable`, else by the setting of that name
    (only `TINHSO_SIGNING_…` settings), else (outside production) by the demo CA's secrets file."""
    if not variable:
        return None
    value = os.environ.get(variable)
    if value is None and variable.startswith("TINHSO_SIGNING_"):  # never another setting (SECRET_KEY…)
        value = getattr(settings, variable, None)
    if value is None:
        value = _demo_secret(variable)
    return None if value is None else str(value)


class RemoteSigner(Signer):
    """A pyHanko signer whose raw signature is made by a remote-signing service."""

    def __init__(
        self, *, client: RemoteSigningClient, user_id: str, signing_cert: x509.Certificate,
        chain: list[x509.Certificate], description: str = "",
    ) -> None:
        super().__init__(signing_cert=signing_cert, cert_registry=SimpleCertificateStore.from_certs([signing_cert, *chain]))
        self.client = client
        self.user_id = user_id
        self.description = description

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        assert self.signing_cert is not None
        public_key = self.signing_cert.public_key
        if dry_run:  # pyHanko's size estimate: a signature as long as the key (ECDSA: DER overhead)
            size = public_key.bit_size // 8
            return bytes(size if public_key.algorithm == "rsa" else 2 * size + 9)
        digest = hashlib.new(digest_algorithm, data).digest()
        return self.client.sign_hash(
            user_id=self.user_id, digest=digest, digest_algorithm=digest_algorithm, description=self.description
        )


def _unavailable(key: SigningKey, reason: str) -> SigningKeyUnavailable:
    return SigningKeyUnavailable(
        _("Không dùng được khoá ký số của %(signer)s: %(reason)s") % {"signer": key.signer_name, "reason": reason}
    )


def _pkcs12_signer(key: SigningKey) -> Signer:
    path = Path(key.pkcs12_path)
    if not path.is_file():
        raise _unavailable(key, _("không tìm thấy tệp %(path)s.") % {"path": key.pkcs12_path})
    passphrase = secret_of(key.passphrase_variable)
    if key.passphrase_variable and passphrase is None:
        raise _unavailable(key, _("chưa đặt biến môi trường %(name)s.") % {"name": key.passphrase_variable})
    try:
        signer = SimpleSigner.load_pkcs12_data(
            path.read_bytes(), other_certs=[], passphrase=passphrase.encode() if passphrase is not None else None
        )
    except (ValueError, TypeError):
        signer = None
    if signer is None:  # pyHanko logs the reason and answers None
        raise _unavailable(key, _("không mở được tệp PKCS#12 (sai mật khẩu hoặc tệp hỏng)."))
    return signer


@contextmanager
def _pkcs11_signer(key: SigningKey) -> Iterator[Signer]:
    from pkcs11 import PKCS11Error
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    pin = secret_of(key.passphrase_variable)
    if pin is None:
        raise _unavailable(key, _("chưa đặt mã PIN (biến môi trường %(name)s).") % {"name": key.passphrase_variable})
    try:
        session = open_pkcs11_session(
            key.pkcs11_module, token_criteria=TokenCriteria(label=key.pkcs11_token_label), user_pin=pin
        )
    except (PKCS11Error, OSError, RuntimeError) as exc:
        raise _unavailable(key, _("không mở được token %(label)s (%(error)s).") % {
            "label": key.pkcs11_token_label, "error": type(exc).__name__}) from None
    try:
        certs = load_certificates(key.certificate_pem.encode()) if key.certificate_pem.strip() else []
        yield PKCS11Signer(
            session, key_label=key.pkcs11_key_label, cert_label=None if certs else key.pkcs11_key_label,
            signing_cert=certs[0] if certs else None, ca_chain=certs[1:], other_certs_to_pull=(),
        )
    finally:
        session.close()


def _remote_signer(key: SigningKey, client: RemoteSigningClient | None) -> Signer:
    client = client or HttpRemoteSigningClient.from_settings()
    if key.certificate_pem.strip():
        certs = load_certificates(key.certificate_pem.encode())
    else:
        der, chain = client.certificate(user_id=key.remote_user_id)
        certs = [x509.Certificate.load(der), *(x509.Certificate.load(c) for c in chain)]
    return RemoteSigner(client=client, user_id=key.remote_user_id, signing_cert=certs[0], chain=certs[1:],
                        description=key.signer_name)


@contextmanager
def signer_for(key: SigningKey, *, remote_client: RemoteSigningClient | None = None) -> Iterator[Signer]:
    """A pyHanko signer for `key`, open for the `with` block (a PKCS#11 session is closed after)."""
    if key.source == KeySource.PKCS12:
        yield _pkcs12_signer(key)
    elif key.source == KeySource.PKCS11:
        with _pkcs11_signer(key) as signer:
            yield signer
    elif key.source == KeySource.REMOTE:
        yield _remote_signer(key, remote_client)
    else:
        raise _unavailable(key, _("nguồn khoá không hợp lệ."))
