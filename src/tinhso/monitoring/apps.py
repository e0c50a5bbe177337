"""The monitoring app; on start it listens to dossier changes to count actions for /metrics."""

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "tinhso.monitoring"
    label = "monitoring"
    verbose_name = "Giám sát vận hành"

    def ready(self) -> None:
        from tinhso.dossiers.signals import dossier_changed
        from tinhso.monitoring import receivers

        dossier_changed.connect(receivers.count_action, dispatch_uid="tinhso.monitoring.count_action")
