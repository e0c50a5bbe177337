"""Operations-centre pages (written next)."""

from django.urls import URLPattern

app_name = "opscentre"
urlpatterns: list[URLPattern] = []
