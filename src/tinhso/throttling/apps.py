from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThrottlingConfig(AppConfig):
    name = "tinhso.throttling"
    label = "throttling"
    verbose_name = _("Giới hạn số lần thử")
