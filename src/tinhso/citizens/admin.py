"""The citizens in the admin: read mostly (a profile is changed by its citizen or the identity
provider), audited like the other admins."""

from __future__ import annotations

from django.contrib import admin

from tinhso.audit.admin_mixins import AuditedAdmin
from tinhso.citizens.models import Citizen


@admin.register(Citizen)
class CitizenAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "phone", "created_at")
    list_filter = ("kind",)
    search_fields = ("full_name", "phone", "id_number")
    raw_id_fields = ("user", "commune")
    readonly_fields = ("user", "oidc_subject", "sources", "created_at", "updated_at")
