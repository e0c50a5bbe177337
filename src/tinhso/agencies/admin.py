"""Admin for agencies, staff roles, API keys, Django's users and groups and django-axes' sign-in
records, every change audited (`AuditedAdmin`). Staff roles and new API keys go through the
services (`staff_role_grant`, `staff_role_change`, `staff_role_revoke`, `apikey_create`),
whichever page they are made on."""

from __future__ import annotations

from typing import Any

from django.apps import apps as django_apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from tinhso.agencies.models import Agency, ApiKey, StaffRole
from tinhso.agencies.principals import Principal
from tinhso.agencies.services import apikey_create, staff_role_change, staff_role_grant, staff_role_revoke
from tinhso.audit.admin_mixins import CHANGE, AuditedAdmin, reregister_audited

User = get_user_model()


def _save_role(request: HttpRequest, obj: StaffRole, change: bool) -> None:
    """Grant (or move) a role through the services; the form's object takes the saved row's id."""
    principal = Principal.for_user(request.user)
    if change:
        saved = staff_role_change(staff_role_id=obj.pk, user=obj.user, agency=obj.agency, role=obj.role,
                                  principal=principal)
    else:
        saved = staff_role_grant(user=obj.user, agency=obj.agency, role=obj.role, principal=principal)
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db


def _revoke_role(request: HttpRequest, obj: StaffRole) -> None:
    staff_role_revoke(user=obj.user, agency=obj.agency, role=obj.role, principal=Principal.for_user(request.user))


def _revoke_roles(request: HttpRequest, roles: Any) -> None:
    """Revoke, each with its entry, the roles a deleted agency or user held (they would go
    silently with the row otherwise)."""
    for role in roles.select_related("user", "agency"):
        _revoke_role(request, role)


class StaffRoleInline(AuditedAdmin, admin.TabularInline):
    model = StaffRole
    extra = 0
    raw_id_fields = ["user"]

    def save_inline_object(self, request: HttpRequest, obj: Any, form: Any, *, change: bool, parent: Any) -> None:
        _save_role(request, obj, change)

    def delete_inline_object(self, request: HttpRequest, obj: Any, *, parent: Any) -> None:
        _revoke_role(request, obj)


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin, admin.ModelAdmin):
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

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            _revoke_roles(request, StaffRole.objects.filter(agency=obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic(using=queryset.db):
            _revoke_roles(request, StaffRole.objects.filter(agency__in=queryset))
            super().delete_queryset(request, queryset)


@admin.register(StaffRole)
class StaffRoleAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "agency__code"]
    raw_id_fields = ["user", "agency"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        _save_role(request, obj, change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _revoke_role(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic(using=queryset.db):
            for obj in queryset.select_related("user", "agency"):
                _revoke_role(request, obj)


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdmin, admin.ModelAdmin):
    """A new key is made by `apikey_create` (as with `tinhso apikey create`) and its secret shown
    once; a change (name, agency, revocation) is audited with old → new, never the digest."""

    list_display = ["name", "prefix", "agency", "created_at", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
    raw_id_fields = ["agency"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name", "agency"]
        return super().get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key, secret = apikey_create(name=obj.name, agency_code=obj.agency.code, principal=Principal.for_user(request.user))
        for name in ("id", "name", "prefix", "digest", "created_at"):
            setattr(obj, name, getattr(key, name))
        obj._state.adding = False
        obj._state.db = key._state.db
        self.message_user(request, _("Khoá API mới (chỉ hiện một lần, hãy sao chép ngay): %(secret)s")
                          % {"secret": secret}, messages.WARNING)


# Django's users and groups, registered again with the audit: granting superuser or staff
# status, groups, permissions or a new password through the admin leaves an entry.
for _model in (User, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            _revoke_roles(request, StaffRole.objects.filter(user=obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic(using=queryset.db):
            _revoke_roles(request, StaffRole.objects.filter(user__in=queryset))
            super().delete_queryset(request, queryset)

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """The password page saves the user itself (not through `save_model`): the entry says
        "password changed" when the stored hash moved, never the hash."""
        with transaction.atomic():
            user = User._base_manager.filter(pk=unquote(id)).first()
            response = super().user_change_password(request, id, form_url)
            if user is not None:
                after = User._base_manager.filter(pk=user.pk).values_list("password", flat=True).first()
                if after != user.password:
                    self.audit_write(request, CHANGE, user, before={"password": user.password},
                                     after={"password": after})
        return response


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass


# django-axes' sign-in records: deleting an access attempt unlocks a username at an address.
if django_apps.is_installed("axes"):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    reregister_audited(AccessAttempt, AccessLog, AccessFailureLog, exclude=("get_data", "post_data"))
