"""Operations-centre pages under `/dieu-hanh/`: the dashboard and its live parts, the metric
drill-down, table exports, the PDF report, and the public read-only variant (`cong-khai/`)."""

from django.urls import path

from tinhso.opscentre import views

app_name = "opscentre"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("so-lieu/", views.kpis, name="kpis"),
    path("du-lieu.json", views.data, name="data"),
    path("chi-tieu/<str:code>/", views.metric, name="metric"),
    path("bang/xep-hang/", views.ranking_table, name="ranking_table"),
    path("bang/chi-tieu/", views.metrics_table, name="metrics_table"),
    path("bang/den-han/", views.due_table, name="due_table"),
    path("bao-cao/<str:period>.pdf", views.report, name="report"),
    path("cong-khai/", views.public_dashboard, name="public"),
    path("cong-khai/so-lieu/", views.public_kpis, name="public_kpis"),
    path("cong-khai/du-lieu.json", views.public_data, name="public_data"),
    path("cong-khai/bang/xep-hang/", views.public_ranking_table, name="public_ranking_table"),
    path("cong-khai/bang/chi-tieu/", views.public_metrics_table, name="public_metrics_table"),
]
