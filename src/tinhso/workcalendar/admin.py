"""Admin for office hours and calendar overrides (days off, make-up working days); every edit is
audited (`AuditedAdmin`) and clears the calendar cache (`selectors.connect_invalidation`)."""

from django.contrib import admin

from tinhso.audit.admin_mixins import AuditedAdmin
from tinhso.workcalendar.models import CalendarOverride, OfficeHours


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["date", "kind", "province", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    raw_id_fields = ["province"]


@admin.register(OfficeHours)
class OfficeHoursAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["province", "morning_start", "morning_end", "afternoon_start", "afternoon_end", "same_day_cutoff"]
    raw_id_fields = ["province"]
