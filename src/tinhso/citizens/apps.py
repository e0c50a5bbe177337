from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    name = "tinhso.citizens"
    verbose_name = _("Công dân và kho dữ liệu")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tinhso.citizens import receivers  # noqa: F401
