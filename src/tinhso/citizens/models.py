"""Citizens (and businesses) of the portal, their personal document store and their drafts.

A citizen is a Django user without staff roles with a `Citizen` profile (one-to-one): what the
State knows of them — citizen ID (12 digits) or tax code for a business account, name, birth
date, permanent address (a commune of the 2025 divisions + street), phone, e-mail — and, per
field, where it came from (`identity_provider` when the national identity said it, `declared`
when they typed it). A field from the identity provider is read-only in the portal.

`Document` is the personal document store ("declare once"): every file a citizen uploaded and
every electronic result they received, with its type, number, issuer, dates and SHA-256. A
dossier that reuses one points at the same stored file (`dossiers.Attachment.reused`);
`DocumentUse` records which dossiers used which document. Deleting an upload hides it from the
citizen (`deleted_at`); dossiers keep their copy, so the file itself stays while any uses it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    BUSINESS = "business", _("Tổ chức, doanh nghiệp")


class FieldSource(models.TextChoices):
    IDENTITY_PROVIDER = "identity_provider", _("Từ định danh điện tử")
    DECLARED = "declared", _("Tự khai")


# The profile fields whose source is tracked.
PROFILE_FIELDS = ("id_number", "full_name", "birth_date", "commune", "street", "phone", "email")


class Citizen(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen")
    kind = models.CharField(_("loại tài khoản"), max_length=10, choices=AccountKind.choices, default=AccountKind.CITIZEN)
    # A 12-digit citizen ID, or a business's tax code; empty until known (a phone sign-in).
    id_number = models.CharField(_("số định danh / mã số thuế"), max_length=14, blank=True)
    full_name = models.CharField(_("họ và tên"), max_length=255, blank=True)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    commune = models.ForeignKey(
        "units.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("xã, phường thường trú"),
    )
    street = models.CharField(_("số nhà, đường, thôn"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    # field name → FieldSource, for the fields of PROFILE_FIELDS that have a value.
    sources = models.JSONField(default=dict, blank=True)
    # The identity provider's subject (`sub`), when signed in through OIDC.
    oidc_subject = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("công dân")
        verbose_name_plural = _("công dân")
        constraints = [
            models.UniqueConstraint(fields=["oidc_subject"], condition=~Q(oidc_subject=""), name="citizen_oidc_subject_unique"),
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="citizen_phone_unique"),
        ]
        indexes = [models.Index(fields=["id_number"], name="citizen_id_number")]

    def __str__(self) -> str:
        return self.full_name or self.phone or str(self.user_id)

    def source_of(self, field: str) -> str:
        return str(self.sources.get(field, FieldSource.DECLARED))

    def is_verified(self, field: str) -> bool:
        return self.sources.get(field) == FieldSource.IDENTITY_PROVIDER

    @property
    def address(self) -> str:
        parts = [self.street]
        if self.commune is not None:
            parts.append(self.commune.name)
            if self.commune.parent is not None:
                parts.append(self.commune.parent.name)
        return ", ".join(p for p in parts if p)


class DocumentOrigin(models.TextChoices):
    UPLOADED = "uploaded", _("Công dân tải lên")
    RESULT = "result", _("Kết quả giải quyết")


def document_path(instance: Document, filename: str) -> str:
    # Content-addressed like dossiers' attachments, so a reuse shares the stored file.
    return f"dossiers/{instance.sha256[:2]}/{instance.sha256}"


class Document(models.Model):
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="documents")
    origin = models.CharField(_("nguồn"), max_length=10, choices=DocumentOrigin.choices, default=DocumentOrigin.UPLOADED)
    # What it is, matched to a catalogue component's `document_type` (e.g. "cccd", "giay_khai_sinh").
    document_type = models.CharField(_("loại giấy tờ"), max_length=50, blank=True)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    issuer = models.CharField(_("cơ quan cấp"), max_length=255, blank=True)
    issued_on = models.DateField(_("ngày cấp"), null=True, blank=True)
    expires_on = models.DateField(_("có giá trị đến"), null=True, blank=True)
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=document_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    # The dossier whose electronic result this is (origin = result).
    result_of = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("giấy tờ trong kho")
        verbose_name_plural = _("kho giấy tờ")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["citizen", "document_type"], name="document_citizen_type")]
        constraints = [
            models.UniqueConstraint(
                fields=["result_of"], condition=Q(result_of__isnull=False), name="document_one_per_result"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_usable(self, day: object = None) -> bool:
        """Offered for a new dossier: not deleted and not expired."""
        today = day or timezone.localdate()
        return self.deleted_at is None and (self.expires_on is None or self.expires_on >= today)  # type: ignore[operator]


class DocumentUse(models.Model):
    """A stored document used in a dossier (reused, or uploaded for it and kept in the store)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="uses")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    attachment = models.ForeignKey("dossiers.Attachment", null=True, on_delete=models.SET_NULL, related_name="+")
    reused = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lần sử dụng giấy tờ")
        verbose_name_plural = _("lần sử dụng giấy tờ")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.dossier_id}"


class Draft(models.Model):
    """An online dossier being filled in (a citizen on a phone gets interrupted)."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="drafts")
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.CharField(max_length=1000, blank=True)
    # component number (as a string) → stored Document id chosen for it.
    choices = models.JSONField(default=dict, blank=True)
    result_delivery = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ nháp")
        verbose_name_plural = _("hồ sơ nháp")
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["citizen", "procedure"], name="draft_one_per_procedure")]

    def __str__(self) -> str:
        return f"{self.citizen_id} {self.procedure_id}"
