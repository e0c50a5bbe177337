"""Open311 responses in JSON or XML, the one error shape, and W3C-DTF dates.

JSON is UTF-8 without ASCII escapes. XML follows the spec's examples (a root such as
`<services>` holding `<service>` items, lists as `<attributes><attribute>`), is built with
`xml.etree` (never by pasting user text into markup) and starts with an UTF-8 declaration.
Datetimes are W3C-DTF with the province's offset (`2026-03-02T09:00:00+07:00`).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tinhso.core.boundary import instant_problem

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# The XML name of one item of each list field.
LIST_ITEMS = {
    "endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value",
}

# W3C-DTF (the ISO 8601 subset of https://www.w3.org/TR/NOTE-datetime) at minute precision or
# finer, with the time zone Open311 requires.
W3C_DTF = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def w3c(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(settings.TIME_ZONE)).isoformat(timespec="seconds")


def parse_w3c(text: str) -> datetime | None:
    """A W3C-DTF datetime with its zone, or None when malformed, zone-less or outside what the
    boundary accepts (an offset beyond ±14:00, a year outside 1900–2200)."""
    if not W3C_DTF.match(text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if instant_problem(moment) is None else None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _fill(element: ET.Element, tag: str, value: Any) -> None:
    child = ET.SubElement(element, tag)
    if value is None:
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(child, key, inner)
    elif isinstance(value, list):
        item_tag = LIST_ITEMS.get(tag, "item")
        for inner in value:
            _fill(child, item_tag, inner)
    else:
        child.text = _text(value)


def to_xml(root: str, item: str | None, payload: Any) -> bytes:
    """`payload` is a list (each dict becomes one `<item>` under `<root>`) or a dict (the fields
    of `<root>` itself)."""
    element = ET.Element(root)
    if isinstance(payload, list):
        assert item is not None
        for entry in payload:
            child = ET.SubElement(element, item)
            for key, value in entry.items():
                _fill(child, key, value)
    else:
        for key, value in payload.items():
            _fill(element, key, value)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode").encode("utf-8")


def respond(fmt: str, payload: Any, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = to_xml(root, item, payload)
    else:
        fmt = "json"
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """`[{"code": status, "description": …}]`, one entry per problem (`<errors><error>` in XML)."""
    payload = [{"code": status, "description": str(text)} for text in descriptions]
    return respond(fmt, payload, root="errors", item="error", status=status)


def boundary_response(request: HttpRequest, status: int, code: str, message: str, fields: dict[str, str]) -> HttpResponse:
    """A request the transport boundary refused (`tinhso.core.middleware`), as Open311 errors:
    400 for bad input (Open311 has no 422), one entry per field, in the format of the path."""
    fmt = "xml" if request.path_info.endswith(".xml") else "json"
    descriptions = [f"{name}: {text}" for name, text in sorted(fields.items())] or [message]
    return errors(fmt, 400 if status == 422 else status, descriptions)
