from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tinhso.api"
    label = "api"
