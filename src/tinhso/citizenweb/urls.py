"""The citizen's pages under /cong-dan/: sign-in (`signin_urls`) and their space (`space_urls`)."""

from django.urls import include, path

app_name = "citizen"

urlpatterns = [
    path("", include("tinhso.citizenweb.signin_urls")),
    path("", include("tinhso.citizenweb.space_urls")),
]
