from django.contrib import admin

from tinhso.catalogue.models import Procedure, WorkflowStep


class WorkflowStepInline(admin.TabularInline):
    model = WorkflowStep
    extra = 0
    raw_id_fields = ["agency"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "online_level", "processing_amount", "processing_unit", "fee_vnd"]
    list_filter = ["level", "online_level", "processing_unit", "field"]
    search_fields = ["code", "name", "name_en"]
    inlines = [WorkflowStepInline]
