"""Feedback pages under /phan-anh/: public (file, list, report, survey) and officers' (xu-ly,
tong-dai, tong-quan). Paths are Vietnamese; names are English."""

from django.urls import path

from tinhso.feedbackweb import public, staff

app_name = "feedbackweb"
urlpatterns = [
    path("", public.public_list, name="list"),
    path("gui/", public.report_new, name="new"),
    path("gui/xong/", public.submitted, name="submitted"),
    path("<int:report_id>/", public.public_report, name="public_report"),
    path("<int:report_id>/anh/<int:photo_id>/", public.public_photo, name="public_photo"),
    path("khao-sat/<str:survey_token>/", public.survey, name="survey"),
    path("xu-ly/", staff.inbox, name="inbox"),
    path("xu-ly/<int:report_id>/", staff.report_detail, name="report"),
    path("xu-ly/<int:report_id>/anh/<int:photo_id>/", staff.photo, name="photo"),
    path("xu-ly/<int:report_id>/<slug:action>/", staff.report_action, name="report_action"),
    path("tong-dai/", staff.hotline, name="hotline"),
    path("tong-dai/lich-su/", staff.hotline_history, name="hotline_history"),
    path("tong-quan/", staff.overview, name="overview"),
    path("tong-quan/bang-dieu-hanh/", staff.ops_panel, name="ops_panel"),
]
