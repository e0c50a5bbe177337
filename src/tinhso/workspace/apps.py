from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "tinhso.workspace"
    label = "workspace"
