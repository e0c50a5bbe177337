from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdempotencyConfig(AppConfig):
    name = "tinhso.idempotency"
    label = "idempotency"
    verbose_name = _("Yêu cầu lặp lại an toàn")
