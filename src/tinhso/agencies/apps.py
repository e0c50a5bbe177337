from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "tinhso.agencies"
    label = "agencies"
    verbose_name = _("Cơ quan và cán bộ")

    def ready(self) -> None:
        from tinhso.agencies import receivers  # noqa: F401 - connects the sign-in audit receivers
