from django.contrib import admin

from tinhso.workcalendar.models import CalendarOverride, OfficeHours


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "province", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    raw_id_fields = ["province"]


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin):
    list_display = ["province", "morning_start", "morning_end", "afternoon_start", "afternoon_end", "same_day_cutoff"]
    raw_id_fields = ["province"]
