"""Template context of the citizen pages: `citizen` (the signed-in citizen's profile, or None)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def citizen(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"citizen": None}
    return {"citizen": getattr(user, "citizen", None)}
