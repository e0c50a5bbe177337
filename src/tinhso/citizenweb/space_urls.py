"""URLs of the citizen's space under /cong-dan/ (namespace `citizen`, see citizenweb/urls.py)."""

from django.urls import path, re_path

from tinhso.citizenweb import space_views as v

urlpatterns = [
    path("", v.home, name="home"),
    path("nop/<str:procedure_code>/", v.submit, name="submit"),
    path("nhap/<int:draft_id>/xoa/", v.draft_delete, name="draft_delete"),
    path("ho-so/", v.dossiers, name="dossiers"),
    path("ho-so/<str:code>/", v.dossier, name="dossier"),
    path("ho-so/<str:code>/da-nop/", v.submitted, name="submitted"),
    path("ho-so/<str:code>/bo-sung/", v.supplement, name="supplement"),
    path("ho-so/<str:code>/rut/", v.withdraw, name="withdraw"),
    path("ho-so/<str:code>/ket-qua/<int:document_id>/", v.result_file, name="result_file"),
    re_path(r"^ho-so/(?P<code>[^/]+)/mau-(?P<form>0[1-5])\.pdf$", v.form_pdf, name="form_pdf"),
    path("giay-to/", v.documents, name="documents"),
    path("giay-to/them/", v.document_add, name="document_add"),
    path("giay-to/<int:document_id>/", v.document_file, name="document_file"),
    path("giay-to/<int:document_id>/xoa/", v.document_delete, name="document_delete"),
    path("thong-tin/", v.profile, name="profile"),
    path("thong-tin/sua/", v.profile_edit, name="profile_edit"),
]
