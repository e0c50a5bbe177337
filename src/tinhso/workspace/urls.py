"""Pages: the officer workspace, the printable forms and the public tracking page."""

from django.urls import include, path

from tinhso.workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("forms/", include("tinhso.workspace.form_urls")),
]
