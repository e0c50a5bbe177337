"""Admin for the procedure catalogue and its workflows; every edit is audited (`AuditedAdmin`)."""

from django.contrib import admin

from tinhso.audit.admin_mixins import AuditedAdmin
from tinhso.catalogue.models import Component, Procedure, WorkflowStep


class WorkflowStepInline(AuditedAdmin, admin.TabularInline):
    model = WorkflowStep
    extra = 0
    raw_id_fields = ["agency"]


class ComponentInline(AuditedAdmin, admin.TabularInline):
    """The dossier's components; correct here what the loader read wrongly from their text (the
    requirement, the document type, the number of copies) and the file types accepted online.
    A later load keeps these corrections."""

    model = Component
    extra = 0
    fields = ["order", "name", "requirement", "document_type", "copies", "file_types", "notes"]


@admin.register(Procedure)
class ProcedureAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "online_level", "processing_amount", "processing_unit", "fee_vnd"]
    list_filter = ["level", "online_level", "processing_unit", "field"]
    search_fields = ["code", "name", "name_en"]
    inlines = [ComponentInline, WorkflowStepInline]
