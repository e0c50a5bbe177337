"""The public catalogue of procedures under /dich-vu-cong/ (namespace `portal`): the list with
its search and filters, and one procedure's page."""

from django.urls import path

from tinhso.citizenweb import catalogue_views as v

app_name = "portal"

urlpatterns = [
    path("", v.catalogue, name="catalogue"),
    path("<str:code>/", v.procedure, name="procedure"),
]
