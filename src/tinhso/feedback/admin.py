"""Admin for the feedback reference data (categories, routing rules) and read-mostly views of
reports, the SMS outbox and phone verifications. Reports change only through the services
(the officers' pages), so the admin shows them without letting anyone edit their workflow; the
one thing it may change on a report, its public flag, goes through `report_set_public`. Every
other add, change and delete here is audited (`AuditedAdmin`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tinhso.agencies.principals import Principal
from tinhso.audit.admin_mixins import AuditedAdmin
from tinhso.audit.services import audit_record
from tinhso.core.codes import mask_phone
from tinhso.feedback.models import Category, PhoneVerification, Report, ReportEvent, RoutingRule, SmsMessage
from tinhso.feedback.services import report_set_public


class ReadOnlyAdmin(AuditedAdmin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "agency", "deadline_amount", "deadline_unit", "classification", "is_active", "order"]
    list_editable = ["is_active", "order"]
    list_filter = ["classification", "deadline_unit", "is_active"]
    search_fields = ["code", "name", "name_en"]
    raw_id_fields = ["agency"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["__str__", "category", "commune", "agency"]
    list_filter = ["category"]
    search_fields = ["commune__name", "commune__code", "agency__code", "agency__name"]
    raw_id_fields = ["commune", "agency"]


class ReportEventInline(AuditedAdmin, admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "action", "from_status", "to_status", "actor_name", "to_agency", "note",
                                "is_public")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(AuditedAdmin, admin.ModelAdmin):
    """Read-mostly: only the public flag may be changed here (e.g. to hide an abusive report);
    every workflow step goes through the officers' pages and the services."""

    list_display = ["code_display", "category", "status", "agency", "channel", "received_at", "due_at",
                    "warned_at", "escalated_at", "satisfied", "is_public"]
    list_filter = ["status", "channel", "category", "is_public", "satisfied"]
    search_fields = ["description", "reporter_name"]
    date_hierarchy = "received_at"
    list_select_related = ["category", "agency"]
    inlines = [ReportEventInline]
    REPORT_FIELDS = ["category", "status", "agency", "handler", "description", "address", "commune", "latitude", "longitude",
              "channel", "reporter_name", "reporter_phone", "reporter_email", "phone_verified", "anonymous",
              "is_public", "received_at", "due_at", "answered_at", "closed_at", "public_answer", "reject_reason",
              "satisfied", "reopen_count", "warned_at", "escalated_at", "version"]
    fields = tuple(REPORT_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f for f in self.REPORT_FIELDS if f != "is_public"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Report, form: Any, change: bool) -> None:
        saved = report_set_public(principal=Principal.for_user(request.user), report_id=obj.pk, is_public=obj.is_public)
        obj.version = saved.version

    @admin.display(description=_("mã"), ordering="pk")
    def code_display(self, obj: Report) -> str:
        return obj.code


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    """The outbox: every SMS sent, whatever the backend — with the console backend, the only
    place to read them besides the log."""

    list_display = ["created_at", "phone", "body", "backend", "sent_at", "error"]
    list_filter = ["backend", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["phone"]
    date_hierarchy = "created_at"
    actions = ["resend"]

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    @admin.action(description=_("Gửi lại các tin chưa gửi được"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[SmsMessage]) -> None:
        from tinhso.feedback.tasks import send_sms

        ids = list(queryset.filter(sent_at__isnull=True).values_list("pk", flat=True))
        principal = Principal.for_user(request.user)
        for message_id in ids:
            audit_record(principal=principal, action="sms.resend", object_type="smsmessage", object_id=message_id)
            send_sms(message_id)
        self.message_user(request, ngettext("Đã đưa %(n)d tin vào hàng đợi.", "Đã đưa %(n)d tin vào hàng đợi.",
                                            len(ids)) % {"n": len(ids)}, messages.SUCCESS)


@admin.register(PhoneVerification)
class PhoneVerificationAdmin(ReadOnlyAdmin):
    """Codes are stored as digests only; the list helps answer "I never got the code"."""

    list_display = ["created_at", "masked_phone", "client_ip", "expires_at", "attempts", "verified_at"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["phone", "client_ip"]
    date_hierarchy = "created_at"
    exclude = ["code_digest"]

    @admin.display(description=_("điện thoại"), ordering="phone")
    def masked_phone(self, obj: PhoneVerification) -> str:
        return mask_phone(obj.phone)
