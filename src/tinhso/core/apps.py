"""The core app: ground-floor helpers; on start it connects the end of the request id's life."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tinhso.core"
    label = "core"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from tinhso.core.logging import forget_request_id

        request_finished.connect(forget_request_id, dispatch_uid="tinhso.core.logging.forget_request_id")
