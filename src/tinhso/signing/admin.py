"""Signing keys, trust roots and issued documents in the admin, audited like every admin
(`AuditedAdmin`). A key names where its secret is (an environment variable), never the secret."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tinhso.audit.admin_mixins import AuditedAdmin
from tinhso.signing.certificates import certificate_sha256, load_certificates
from tinhso.signing.models import IssuedDocument, SigningKey, TrustRoot


@admin.register(SigningKey)
class SigningKeyAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("signer_name", "kind", "agency", "source", "is_active", "created_at")
    list_filter = ("kind", "source", "is_active")
    search_fields = ("signer_name", "agency__code", "agency__name", "user__username")
    raw_id_fields = ("agency", "user")
    fieldsets = (
        (None, {"fields": ("kind", "agency", "user", "signer_name", "title", "source", "is_active")}),
        ("PKCS#12", {"fields": ("pkcs12_path",)}),
        ("PKCS#11", {"fields": ("pkcs11_module", "pkcs11_token_label", "pkcs11_key_label")}),
        (None, {"fields": ("remote_user_id", "passphrase_variable", "certificate_pem")}),
    )


class TrustRootForm(forms.ModelForm):
    class Meta:
        model = TrustRoot
        fields = ("name", "certificate_pem", "origin")

    def clean_certificate_pem(self) -> str:
        text = self.cleaned_data["certificate_pem"]
        try:
            cert = load_certificates(text.encode())[0]
        except (ValueError, TypeError, IndexError):
            raise forms.ValidationError(_("Không đọc được chứng thư số (cần PEM).")) from None
        self.instance.sha256 = certificate_sha256(cert)
        return str(text)


@admin.register(TrustRoot)
class TrustRootAdmin(AuditedAdmin, admin.ModelAdmin):
    form = TrustRootForm
    list_display = ("name", "origin", "sha256", "created_at")
    readonly_fields = ("sha256", "created_at")


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("document_name", "number", "agency", "signer_name", "signed_at", "verified")
    list_filter = ("verified",)
    search_fields = ("number", "dossier__code", "sha256")
    readonly_fields = ("id", "dossier", "document_name", "number", "agency", "key", "signer_name", "signed_at",
                       "sha256", "certificate_sha256", "verified")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # issued by signing, never typed in

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
