from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkCalendarConfig(AppConfig):
    name = "tinhso.workcalendar"
    label = "workcalendar"
    verbose_name = _("Lịch làm việc")

    def ready(self) -> None:
        from tinhso.workcalendar import selectors

        selectors.connect_invalidation()
