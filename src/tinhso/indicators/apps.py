from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "tinhso.indicators"
    label = "indicators"
    verbose_name = _("Chỉ số phục vụ")

    def ready(self) -> None:
        from tinhso.indicators import receivers

        receivers.connect()
