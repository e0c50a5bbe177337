"""The identity app."""

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "tinhso.identity"
    label = "identity"
    verbose_name = "Định danh cán bộ"
