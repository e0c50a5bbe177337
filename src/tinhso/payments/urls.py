"""The officers' payments pages, mounted at `/thanh-toan/`."""

from django.urls import path

from tinhso.payments import views

app_name = "payments"

urlpatterns = [
    path("", views.unmatched, name="unmatched"),
    path("<str:transaction_id>/gan-ho-so/", views.assign, name="assign"),
    path("<str:transaction_id>/khong-thuoc/", views.dismiss, name="dismiss"),
]
