"""Template context in demo mode: the background seeding's progress, for the banner in
`base.html` ("Đang tạo dữ liệu mẫu: 40 %"). Outside demo mode it adds nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tinhso.demo.progress import demo_progress


def demo(request: HttpRequest) -> dict[str, Any]:
    if not getattr(settings, "TINHSO_DEMO", False):
        return {}
    progress = demo_progress()
    return {
        "demo_mode": True,
        "demo_seeding_percent": progress.percent if progress is not None and not progress.finished else None,
    }
