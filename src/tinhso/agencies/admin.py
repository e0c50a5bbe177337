from django.contrib import admin

from tinhso.agencies.models import Agency, ApiKey, StaffRole


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["unit", "parent"]
    inlines = [StaffRoleInline]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from tinhso.agencies.services import _refresh_paths

        obj.path = obj.compute_path()
        super().save_model(request, obj, form, change)
        _refresh_paths()


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "agency__code"]
    raw_id_fields = ["user", "agency"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "agency", "created_at", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
    raw_id_fields = ["agency"]
