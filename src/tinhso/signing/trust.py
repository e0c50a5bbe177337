"""The province's trust roots: the PEM files of `TINHSO_SIGNING_TRUST_ROOTS` plus the `TrustRoot`
rows (the demo CA's, or added in the admin). A signature is *trusted* when its certificate chains
up to one of them and was valid when it signed."""

from __future__ import annotations

from pathlib import Path

from asn1crypto import x509
from django.conf import settings
from pyhanko_certvalidator import ValidationContext

from tinhso.signing.certificates import load_certificates
from tinhso.signing.models import TrustRoot


def trust_roots() -> list[x509.Certificate]:
    roots: list[x509.Certificate] = []
    for path in settings.TINHSO_SIGNING_TRUST_ROOTS:
        try:
            roots += load_certificates(Path(path).read_bytes())
        except (OSError, ValueError):
            continue  # a missing or unreadable file trusts nothing
    for text in TrustRoot.objects.values_list("certificate_pem", flat=True):
        roots += load_certificates(text.encode())
    return roots


def validation_context() -> ValidationContext:
    """Validation against the trust roots. Revocation is checked from what the file embeds (and,
    with `TINHSO_SIGNING_ALLOW_FETCHING`, from OCSP/CRL on the network); missing revocation
    information is tolerated (soft-fail) because the demo CA publishes none."""
    return ValidationContext(
        trust_roots=trust_roots(), allow_fetching=settings.TINHSO_SIGNING_ALLOW_FETCHING, revocation_mode="soft-fail",
    )
