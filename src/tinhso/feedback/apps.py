from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "tinhso.feedback"
    label = "feedback"
    verbose_name = _("Phản ánh, kiến nghị")

    def ready(self) -> None:
        # The reporter's SMS and e-mails on submit and answer; importing the tasks registers
        # them with huey in every process (web, worker, tests), not only in `tinhso worker`.
        from tinhso.feedback import notifications, tasks  # noqa: F401

        notifications.connect()
