"""A provincial test CA (`tinhso signing demo-ca`), with `cryptography`, so the demo signs for
real: a root "CA thử nghiệm tỉnh …", and per leader and per agency seal a certificate for
document signing (digitalSignature + nonRepudiation) in a PKCS#12 file under
`TINHSO_VAR_DIR/signing/`. Its passphrases are written beside the files (`passphrases.env`, mode
0600) and read back through the variable each key names — a demo, never production (the command
refuses `TINHSO_ENV=production`). The tests use the same builders for expired and untrusted
certificates.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass
class Issued:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
    ])


def make_ca(common_name: str, *, organisation: str = "Tỉnh số", years: int = 10,
            not_before: datetime | None = None) -> Issued:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = not_before or datetime.now(tz=UTC) - timedelta(days=1)
    name = _name(common_name, organisation)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def issue(ca: Issued, common_name: str, *, organisation: str, days: int = 730, not_before: datetime | None = None,
          time_stamping: bool = False) -> Issued:
    """A certificate signed by `ca`: for documents, or (`time_stamping`) for a TSA."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = not_before or datetime.now(tz=UTC) - timedelta(hours=1)
    builder = (
        x509.CertificateBuilder().subject_name(_name(common_name, organisation)).issuer_name(ca.cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=not time_stamping,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     key_cert_sign=False, crl_sign=False, encipher_only=False,
                                     decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
    )
    if time_stamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return Issued(key, builder.sign(ca.key, hashes.SHA256()))


def pkcs12_bytes(issued: Issued, ca: Issued, *, friendly_name: str, passphrase: str) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode()[:64], issued.key, issued.cert, [ca.cert],
        serialization.BestAvailableEncryption(passphrase.encode()),
    )


def new_passphrase() -> str:
    return secrets.token_urlsafe(18)


def write_private(path: Path, data: bytes) -> None:
    """Write `data` readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(data)


# --- `tinhso signing demo-ca` ------------------------------------------------------------------


@dataclass
class DemoCaReport:
    ca_path: Path
    signatories: int
    seals: int


def demo_ca_create(*, province_name: str = "") -> DemoCaReport:
    """The demo CA and a key for every leader (per agency where they lead) and every agency with
    a leader or a records clerk (its seal), registered as signing keys; the CA as a trust root.
    Refused in production. Run again: a new CA, new keys (the old ones are retired)."""
    from django.conf import settings
    from django.db import transaction
    from django.utils.text import slugify
    from django.utils.translation import gettext as _

    from tinhso.agencies.models import Agency, Role, StaffRole
    from tinhso.core.errors import Conflict
    from tinhso.signing.keys import demo_secrets_file
    from tinhso.signing.models import KeyKind, KeySource
    from tinhso.signing.services import signing_key_register, trust_root_add

    if settings.PRODUCTION:
        raise Conflict(_("Không tạo CA thử nghiệm trong môi trường production."), code="production")
    directory = Path(settings.VAR_DIR) / "signing"
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%d%H%M%S")
    ca = make_ca(f"CA thử nghiệm {province_name or 'Tỉnh số'} {stamp}"[:64])
    ca_path = directory / "demo-ca.pem"
    ca_path.write_bytes(ca.pem)
    secrets_lines: list[str] = []

    def p12(name: str, subject: str, organisation: str) -> tuple[str, str]:
        issued = issue(ca, subject, organisation=organisation)
        passphrase = new_passphrase()
        variable = f"TINHSO_SIGNING_DEMO_{len(secrets_lines) + 1}"
        secrets_lines.append(f"{variable}={passphrase}")
        path = directory / f"{stamp}-{name}.p12"
        write_private(path, pkcs12_bytes(issued, ca, friendly_name=subject, passphrase=passphrase))
        return str(path), variable

    leaders = StaffRole.objects.filter(role=Role.LEADER).select_related("user", "agency").order_by("agency__code", "user_id")
    signatories = seals = 0
    with transaction.atomic():
        trust_root_add(pem_text=ca.pem.decode(), name=ca.cert.subject.rfc4514_string()[:255], origin="demo_ca")
        for role in leaders:
            user, agency = role.user, role.agency
            name = user.get_full_name() or user.get_username()
            path, variable = p12(slugify(f"{agency.code}-{user.get_username()}"), name, agency.name)
            signing_key_register(kind=KeyKind.SIGNATORY, agency=agency, user=user, signer_name=name,
                                 title=_("Lãnh đạo"), source=KeySource.PKCS12, pkcs12_path=path,
                                 passphrase_variable=variable)
            signatories += 1
        with_seal = Agency.objects.filter(
            is_active=True, staff_roles__role__in=[Role.LEADER, Role.RECORDS_CLERK]).distinct().order_by("code")
        for agency in with_seal:
            path, variable = p12(slugify(f"{agency.code}-seal"), agency.name, agency.name)
            signing_key_register(kind=KeyKind.SEAL, agency=agency, user=None, signer_name=agency.name,
                                 title=_("Con dấu cơ quan"), source=KeySource.PKCS12, pkcs12_path=path,
                                 passphrase_variable=variable)
            seals += 1
        write_private(demo_secrets_file(), ("\n".join(secrets_lines) + "\n").encode())
    return DemoCaReport(ca_path=ca_path, signatories=signatories, seals=seals)
