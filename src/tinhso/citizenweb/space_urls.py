"""URLs of the citizen pages (see citizenweb/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
