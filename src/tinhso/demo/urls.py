"""`/demo/…`: the pages of demo mode (`tinhso demo`)."""

from django.urls import path

from tinhso.demo import views

app_name = "demo"
urlpatterns = [
    path("messages/", views.messages, name="messages"),
]
