"""URL map: the JSON API, the officer workspace, the public pages and the admin."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _

from tinhso.api.api import api
from tinhso.monitoring import views as monitoring_views

# The admin's branding, in the request's language.
admin.site.site_header = _("tinhso — Quản trị hệ thống một cửa")
admin.site.site_title = _("tinhso — Quản trị")
admin.site.index_title = _("Quản trị hệ thống")

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("metrics", monitoring_views.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dieu-hanh/", include("tinhso.opscentre.urls")),
    path("phan-anh/", include("tinhso.feedbackweb.urls")),
    path("thanh-toan/", include("tinhso.payments.urls")),
    path("xac-thuc/", include("tinhso.signing.urls")),
    path("open311/v2/", include("tinhso.open311.urls")),
    path("demo/", include("tinhso.demo.urls")),
    path("dich-vu-cong/", include("tinhso.citizenweb.catalogue_urls")),
    path("cong-dan/", include("tinhso.citizenweb.urls")),
    path("", include("tinhso.identity.urls")),
    path("", include("tinhso.workspace.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
