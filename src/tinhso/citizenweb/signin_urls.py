"""URLs of the citizen's sign-in (see citizenweb/urls.py): phone + code, VNeID, sign-out."""

from django.urls import path

from tinhso.citizens.oidc import CitizenOidcCallback, CitizenOidcStart
from tinhso.citizenweb import signin_views

urlpatterns = [
    path("dang-nhap/", signin_views.login_page, name="login"),
    path("dang-nhap/ma/", signin_views.login_code, name="login_code"),
    path("dang-nhap/vneid/", CitizenOidcStart.as_view(), name="oidc_start"),
    path("oidc/callback/", CitizenOidcCallback.as_view(), name="oidc_callback"),
    path("dang-xuat/", signin_views.logout_view, name="logout"),
]
