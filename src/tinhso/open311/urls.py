"""Routes of the Open311 GeoReport v2 server, mounted at `/open311/v2/`; `{fmt}` is json or xml
(anything else → 404 in the Open311 error shape)."""

from django.urls import path

from tinhso.open311 import views

app_name = "open311"

urlpatterns = [
    path("discovery.<str:fmt>", views.discovery, name="discovery"),
    path("services.<str:fmt>", views.services, name="services"),
    path("services/<str:service_code>.<str:fmt>", views.service_definition, name="service_definition"),
    path("requests.<str:fmt>", views.requests, name="requests"),
    path("requests/<str:service_request_id>.<str:fmt>", views.request_detail, name="request"),
    path("tokens/<str:token>.<str:fmt>", views.token, name="token"),
    path("servicerequestupdates.<str:fmt>", views.request_updates, name="updates"),
    path("media/<int:photo_id>/<str:digest>", views.photo, name="photo"),
]
