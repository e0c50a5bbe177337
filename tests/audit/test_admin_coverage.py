"""No admin page can change data without an audit entry: every registered ModelAdmin and every
inline it shows mixes in `AuditedAdmin`, except the audit log's own read-only admin."""

from __future__ import annotations

from django.contrib import admin

from tinhso.audit.admin import AuditEntryAdmin
from tinhso.audit.admin_mixins import AuditedAdmin
from tinhso.audit.models import AuditEntry


def test_every_registered_admin_and_inline_is_audited():
    unaudited = []
    for model, model_admin in admin.site._registry.items():
        if model is AuditEntry:
            continue
        if not isinstance(model_admin, AuditedAdmin):
            unaudited.append(f"{model._meta.label}: {type(model_admin).__name__}")
        for inline in model_admin.inlines:
            if not issubclass(inline, AuditedAdmin):
                unaudited.append(f"{model._meta.label} inline {inline.__name__}")
    assert unaudited == []


def test_the_audit_log_admin_is_read_only(rf, admin_user):
    request = rf.get("/admin/audit/auditentry/")
    request.user = admin_user
    audit_admin = admin.site._registry[AuditEntry]
    assert isinstance(audit_admin, AuditEntryAdmin)
    assert not audit_admin.has_add_permission(request)
    assert not audit_admin.has_change_permission(request)
    assert not audit_admin.has_delete_permission(request)


def test_django_users_and_groups_are_registered_again_with_the_audit():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    assert isinstance(admin.site._registry[get_user_model()], AuditedAdmin)
    assert isinstance(admin.site._registry[Group], AuditedAdmin)
