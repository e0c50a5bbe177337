from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpscentreConfig(AppConfig):
    name = "tinhso.opscentre"
    label = "opscentre"
    verbose_name = _("Trung tâm điều hành")
