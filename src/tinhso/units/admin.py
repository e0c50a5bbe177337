"""Admin for administrative units and their successions; every edit is audited (`AuditedAdmin`)."""

from django.contrib import admin

from tinhso.audit.admin_mixins import AuditedAdmin
from tinhso.units.models import AdministrativeUnit, UnitSuccession


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "type", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "type"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["old_unit", "new_unit", "effective_on"]
    raw_id_fields = ["old_unit", "new_unit"]
