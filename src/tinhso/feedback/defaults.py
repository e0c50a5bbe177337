"""The default report categories `tinhso setup` loads once; a province edits them afterwards.
Each category created gets its audit entry (`category.create`)."""

from __future__ import annotations

from django.db import transaction

from tinhso.audit.services import audit_record
from tinhso.feedback.models import Category, Classification

# (code, Vietnamese name, English name, deadline in working days, classification)
DEFAULT_CATEGORIES: list[tuple[str, str, str, int, str]] = [
    ("duong-cau", "Đường sá, cầu cống", "Roads and bridges", 10, Classification.NONE),
    ("chieu-sang", "Chiếu sáng công cộng", "Street lighting", 5, Classification.NONE),
    ("rac-ve-sinh", "Rác thải, vệ sinh môi trường", "Waste and sanitation", 5, Classification.NONE),
    ("cap-thoat-nuoc", "Cấp nước, thoát nước, ngập úng", "Water and drainage", 7, Classification.NONE),
    ("trat-tu", "Trật tự công cộng, an ninh", "Public order", 5, Classification.NONE),
    ("moi-truong", "Ô nhiễm môi trường", "Environment", 10, Classification.NONE),
    ("thu-tuc", "Thủ tục hành chính, quy định", "Administrative procedures and regulations", 10,
     Classification.PROCEDURES),
    ("can-bo", "Hành vi, thái độ của cán bộ", "Officials' behaviour", 10, Classification.STAFF),
    ("khac", "Vấn đề khác", "Other", 10, Classification.NONE),
]


@transaction.atomic
def load_default_categories() -> int:
    """Create the missing default categories; existing ones are left as the province edited them."""
    created = 0
    for order, (code, name, name_en, days, classification) in enumerate(DEFAULT_CATEGORIES):
        category, was_created = Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "deadline_amount": days, "classification": classification,
                      "order": order},
        )
        if was_created:
            audit_record(principal=None, action="category.create", object_type="category", object_id=category.pk,
                         data={"code": code, "name": name, "deadline_amount": days, "classification": classification})
        created += was_created
    return created
