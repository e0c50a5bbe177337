"""Pages: the officer workspace, the printable forms and the public tracking page.

Paths are Vietnamese (what officers and citizens read in the address bar); names are English.
"""

from django.contrib.auth.views import LogoutView
from django.urls import include, path

from tinhso.workspace import form_views, session_timeout, views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.SignInView.as_view(), name="login"),
    path("dang-xuat/", LogoutView.as_view(), name="logout"),
    path("ho-so/", views.inbox, name="inbox"),
    path("ho-so/<str:code>/", views.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/tep/<int:pk>/", views.attachment_download, name="attachment"),
    path("ho-so/<str:code>/<slug:action>/", views.dossier_action, name="dossier_action"),
    path("tiep-nhan/", views.counter, name="counter"),
    path("tiep-nhan/thu-tuc/", views.counter_procedure, name="counter_procedure"),
    path("tra-cuu/", views.tracking, name="tracking"),
    path("so-theo-doi/", form_views.register_home, name="register"),
    path("phien/", session_timeout.session_status, name="session_status"),
    path("phien/gia-han/", session_timeout.session_keep, name="session_keep"),
    path("forms/", include("tinhso.workspace.form_urls")),
]
