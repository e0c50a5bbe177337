"""Certificates as bytes and digests: what the admin, the trust roots and the verification need
of a certificate without loading pyHanko's signing machinery (which costs every process most of
a second at start-up; `keys`, `pades` and `verification` load it when something is signed or
checked)."""

from __future__ import annotations

import hashlib

from asn1crypto import pem, x509


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from PEM (one or several) or DER bytes."""
    if pem.detect(data):
        return [x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, multiple=True)]
    return [x509.Certificate.load(data)]


def certificate_sha256(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()
