"""The transport side of the one boundary: what every HTTP request passes before any view runs.

`BoundaryMiddleware` refuses, before anything is read into memory or written:
- a body larger than the caller may send (`TINHSO_MAX_PUBLIC_REQUEST_BYTES` for anyone not
  signed in — the public forms, Open311 clients before their key is checked —,
  `TINHSO_MAX_REQUEST_BYTES` for a signed-in officer or an API client); a body the view streams
  itself (the JSON Lines import of an authenticated client) is not capped;
- a path, query parameter, form field or uploaded file name that breaks the text rule of
  `tinhso.core.boundary` (NUL and other control characters, invalid UTF-8 — Django decodes it to
  U+FFFD —, lone surrogates), naming the field;
- a form Django refuses to parse (too many fields or files, a malformed multipart body).

Each face answers in its own shape: the API its `{"error": …}` JSON, Open311 its `[{"code",
"description"}]` list (JSON or XML), the pages an HTML page. The renderers are named in
`TINHSO_BOUNDARY_RENDERERS` (path prefix → dotted path of `render(request, status, code,
message, fields)`), so this module imports no face.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from tinhso.core.boundary import text_problem

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
# Bodies a view reads as a stream, line by line, without buffering them.
STREAMED_TYPES = ("application/x-ndjson", "application/jsonl", "text/plain")

Renderer = Callable[[HttpRequest, int, str, str, dict[str, str]], HttpResponse]


@cache
def _renderers() -> list[tuple[str, Renderer]]:
    return [(prefix, import_string(path)) for prefix, path in settings.TINHSO_BOUNDARY_RENDERERS]


def refusal(request: HttpRequest, status: int, code: str, message: str, fields: dict[str, str] | None = None) -> HttpResponse:
    """A refused request, in the shape of the face its path belongs to."""
    for prefix, renderer in _renderers():
        if request.path_info.startswith(prefix):
            return renderer(request, status, code, message, fields or {})
    return render_html(request, status, code, message, fields or {})


def render_html(request: HttpRequest, status: int, code: str, message: str, fields: dict[str, str]) -> HttpResponse:
    return render(request, "errors/refused.html", {
        "status": status, "message": message, "fields": sorted(fields.items()),
    }, status=status)


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _body_limit(request: HttpRequest, content_type: str) -> int | None:
    """The most bytes this caller may send, or None when the body is not capped here."""
    api_client = request.path_info.startswith("/api/") and "HTTP_AUTHORIZATION" in request.META
    trusted = _signed_in(request) or api_client
    if trusted and content_type in STREAMED_TYPES:
        return None
    return settings.TINHSO_MAX_REQUEST_BYTES if trusted else settings.TINHSO_MAX_PUBLIC_REQUEST_BYTES


def _field_problems(items: Any, problems: dict[str, str]) -> None:
    for key, values in items:
        problem = text_problem(key, multiline=False)
        if problem is not None:
            problems[repr(key)[1:-1][:60]] = _("tên trường: %(problem)s") % {"problem": problem}
            continue
        for value in values:
            problem = text_problem(value)
            if problem is not None:
                problems[key] = problem
                break


class BoundaryMiddleware:
    """Size, text and form checks of every request (see the module docstring). Place it after
    the authentication middleware (it asks whether the caller is signed in) and before CSRF
    (which reads the form)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self.check(request)
        return refused if refused is not None else self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        if text_problem(request.path_info, multiline=False) is not None:
            return refusal(request, 404, "not_found", _("Không có trang này."))
        content_type = request.content_type or ""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return refusal(request, 400, "bad_request", _("Content-Length không hợp lệ."))
        limit = _body_limit(request, content_type)
        if limit is not None and length > limit:
            return refusal(request, 413, "too_large", _("Nội dung gửi lên quá lớn (tối đa %(mb)s MB).")
                           % {"mb": round(limit / 2**20, 1)})
        problems: dict[str, str] = {}
        _field_problems(request.GET.lists(), problems)
        if request.method in ("POST", "PUT", "PATCH") and content_type in FORM_TYPES:
            try:
                _field_problems(request.POST.lists(), problems)
                files = request.FILES
            except (TooManyFieldsSent, TooManyFilesSent):
                return refusal(request, 400, "too_many_fields", _("Biểu mẫu có quá nhiều trường hoặc tệp."))
            except RequestDataTooBig:
                return refusal(request, 413, "too_large", _("Nội dung biểu mẫu quá lớn."))
            except (MultiPartParserError, SuspiciousOperation):
                return refusal(request, 400, "bad_request", _("Nội dung biểu mẫu không đọc được."))
            for name, uploads in files.lists():
                for upload in uploads:
                    problem = text_problem(upload.name or "", multiline=False)
                    if problem is not None:
                        problems[name] = _("tên tệp: %(problem)s") % {"problem": problem}
        if problems:
            return refusal(request, 422, "invalid", _("Dữ liệu gửi lên có ký tự không hợp lệ."), problems)
        return None
