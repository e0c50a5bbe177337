"""`/xac-thuc/`: public verification of signed results."""

from django.urls import path

from tinhso.signing import views

app_name = "signing"

urlpatterns = [
    path("", views.verify, name="verify"),
    path("<uuid:document_id>/", views.issued, name="issued"),
]
