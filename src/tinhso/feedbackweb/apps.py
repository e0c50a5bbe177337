"""Django app config of the citizen-feedback web pages."""

from django.apps import AppConfig


class FeedbackWebConfig(AppConfig):
    name = "tinhso.feedbackweb"
    label = "feedbackweb"
    verbose_name = "Phản ánh — trang web"
