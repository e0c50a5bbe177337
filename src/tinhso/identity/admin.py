"""The TOTP devices in the admin, audited like every other admin (an administrator deletes a lost
device so its owner enrols again); the secret key is recorded only as "changed"."""

from django.contrib import admin
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.audit.admin_mixins import AuditedAdmin


class AuditedTOTPDeviceAdmin(AuditedAdmin, TOTPDeviceAdmin):
    audit_secret_fields = ("key",)
    audit_exclude = ("last_t", "drift", "throttling_failure_timestamp", "throttling_failure_count", "last_used_at")


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, AuditedTOTPDeviceAdmin)
