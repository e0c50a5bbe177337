from django.apps import AppConfig


class CitizenwebConfig(AppConfig):
    name = "tinhso.citizenweb"
    label = "citizenweb"
