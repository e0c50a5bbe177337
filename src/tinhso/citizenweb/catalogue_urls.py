"""The public catalogue of procedures under /dich-vu-cong/."""

from django.urls import URLPattern

app_name = "portal"

urlpatterns: list[URLPattern] = []
