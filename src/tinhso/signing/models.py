"""Signing keys, trust roots and the record of every signed document tinhso issued.

A `SigningKey` is where the private key of a signatory (a leader's personal certificate, chữ ký
số cá nhân) or of an agency's seal (con dấu điện tử của cơ quan) lives: a PKCS#12 file, a token
behind PKCS#11 (an HSM), or a remote-signing service (VNPT SmartCA / Viettel MySign style). Its
secrets never live in the database: the row names the environment variable (or setting) that
holds the passphrase, the PIN or the service's token.

`TrustRoot` is a certificate the province trusts as the top of a signer's chain, besides the PEM
files of `TINHSO_SIGNING_TRUST_ROOTS`. `IssuedDocument` is what tinhso signed: the public page
`/xac-thuc/<uuid>/` shows it and verification recognises it by its digest or the id embedded in
its signature.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.agencies.models import Agency


class KeyKind(models.TextChoices):
    SIGNATORY = "signatory", _("Người ký (chữ ký số cá nhân)")
    SEAL = "seal", _("Con dấu của cơ quan")


class KeySource(models.TextChoices):
    PKCS12 = "pkcs12", _("Tệp PKCS#12 (.p12/.pfx)")
    PKCS11 = "pkcs11", _("Thiết bị PKCS#11 (HSM, token)")
    REMOTE = "remote", _("Ký số từ xa (SmartCA, MySign…)")


class SigningKey(models.Model):
    kind = models.CharField(_("loại"), max_length=10, choices=KeyKind.choices, default=KeyKind.SIGNATORY)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="signing_keys", verbose_name=_("cơ quan"))
    # The signatory; empty for an agency's seal.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="signing_keys",
        verbose_name=_("người ký"),
    )
    signer_name = models.CharField(_("tên hiển thị trên chữ ký"), max_length=255)
    title = models.CharField(_("chức vụ"), max_length=255, blank=True)
    source = models.CharField(_("nơi giữ khoá"), max_length=10, choices=KeySource.choices)
    # PKCS#12: the file and the environment variable (or setting) holding its passphrase.
    pkcs12_path = models.CharField(_("đường dẫn tệp PKCS#12"), max_length=500, blank=True)
    passphrase_variable = models.CharField(
        _("biến môi trường chứa mật khẩu"), max_length=100, blank=True,
        help_text=_("Tên biến môi trường hoặc thiết lập chứa mật khẩu/PIN/token; không bao giờ lưu mật khẩu ở đây."),
    )
    # PKCS#11: the module, the token and the key (the PIN comes from `passphrase_variable`).
    pkcs11_module = models.CharField(_("thư viện PKCS#11"), max_length=500, blank=True)
    pkcs11_token_label = models.CharField(_("nhãn token"), max_length=100, blank=True)
    pkcs11_key_label = models.CharField(_("nhãn khoá"), max_length=100, blank=True)
    # Remote signing: the signer's account at the service (its token in `passphrase_variable`).
    remote_user_id = models.CharField(_("tài khoản ký số từ xa"), max_length=255, blank=True)
    # The signer's certificate when the key source does not hold it (PKCS#11 without a
    # certificate object, or a cached copy of the remote service's), PEM.
    certificate_pem = models.TextField(_("chứng thư số (PEM)"), blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("khoá ký số")
        verbose_name_plural = _("khoá ký số")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "user"], condition=models.Q(is_active=True, kind="signatory"),
                name="signing_one_active_key_per_signatory",
            ),
            models.UniqueConstraint(
                fields=["agency"], condition=models.Q(is_active=True, kind="seal"), name="signing_one_active_seal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer_name} ({self.agency.code}, {self.get_source_display()})"


class TrustRoot(models.Model):
    name = models.CharField(_("tên"), max_length=255)
    certificate_pem = models.TextField(_("chứng thư gốc (PEM)"))
    sha256 = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    # "demo_ca" for the root `tinhso signing demo-ca` made, "admin" for one added by hand.
    origin = models.CharField(_("nguồn"), max_length=20, default="admin")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư gốc tin cậy")
        verbose_name_plural = _("chứng thư gốc tin cậy")

    def __str__(self) -> str:
        return self.name


class IssuedDocument(models.Model):
    """One signed PDF tinhso issued (văn bản điện tử đã ký số)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="issued_documents"
    )
    document_name = models.CharField(_("tên văn bản"), max_length=255)
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="issued_documents", verbose_name=_("cơ quan"))
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="issued_documents")
    signer_name = models.CharField(_("người ký"), max_length=255)
    signed_at = models.DateTimeField(_("thời điểm ký"))
    sha256 = models.CharField(_("SHA-256 của tệp đã ký"), max_length=64, db_index=True)
    # The fingerprint of the signer's certificate: an id copied into another signer's file is
    # not enough to pass as this document.
    certificate_sha256 = models.CharField(max_length=64)
    # The signed file verified (tinhso.signing.verification) when it was issued.
    verified = models.BooleanField(_("đã xác thực"), default=False)

    class Meta:
        verbose_name = _("văn bản đã ký số")
        verbose_name_plural = _("văn bản đã ký số")
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.document_name} {self.number}".strip()

    @property
    def field_name(self) -> str:
        """The name of the signature field that carries this document's id in the PDF."""
        return f"tinhso-{self.id}"
