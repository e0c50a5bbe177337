"""URL map: the JSON API, the officer workspace, the public pages and the admin."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from tinhso.api.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dieu-hanh/", include("tinhso.opscentre.urls")),
    path("phan-anh/", include("tinhso.feedbackweb.urls")),
    path("open311/v2/", include("tinhso.open311.urls")),
    path("", include("tinhso.workspace.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
