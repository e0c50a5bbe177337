"""Second factor and single sign-on pages, under the workspace's sign-in path."""

from django.urls import path

from tinhso.identity import staff_sso, views

app_name = "identity"
urlpatterns = [
    path("dang-nhap/ma-xac-thuc/", views.second_factor, name="second_factor"),
    path("dang-nhap/ma-xac-thuc/thiet-bi/", views.second_factor_enrol, name="second_factor_enrol"),
    path("dang-nhap/sso/", staff_sso.StaffSsoStart.as_view(), name="staff_sso"),
    path("dang-nhap/sso/ve/", staff_sso.StaffSsoCallback.as_view(), name="staff_sso_callback"),
]
