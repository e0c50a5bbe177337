"""The Open311 GeoReport v2 server through Django's test client: every JSON answer validates against
the Open311 schemas; XML has the spec's shape; filters, errors and the round trip behave."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from tests.feedback.conftest import file_report
from tinhso.agencies.services import apikey_revoke
from tinhso.audit.models import AuditEntry
from tinhso.feedback import services as fs
from tinhso.feedback.models import Report, ReportEvent

BASE = "/open311/v2"
VALID = {
    "service_code": "chieu-sang", "lat": "21.3227", "long": "105.4020", "address_id": "07900",
    "address_string": "Trước số 12 Hùng Vương, phường Việt Trì",
    "description": "Đèn đường trước số 12 Hùng Vương bị hỏng ba ngày nay, tối om.",
    "first_name": "Thị Bình", "last_name": "Trần", "phone": "0987654321", "email": "binh@example.vn",
    "device_id": "android-1", "attribute[pole_number]": "VT-0123",
}


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def _xml(response: Any, status: int = 200) -> ET.Element:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def _post(client, key: str, fmt: str = "json", **overrides: Any) -> Any:
    data = {**VALID, "api_key": key, **overrides}
    return client.post(f"{BASE}/requests.{fmt}", {k: v for k, v in data.items() if v is not None})


def _jpeg(size: tuple[int, int] = (32, 24)) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (21.0, 19.0, 22.0), 3: "E", 4: (105.0, 24.0, 7.0)}
    Image.new("RGB", size, (30, 200, 30)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_discovery(client, conformance, categories):
    body = conformance.check("discovery", _json(client.get(f"{BASE}/discovery.json")))
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    root = _xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["application/json", "text/xml"]


def test_services_list_vietnamese_and_english(client, conformance, categories):
    body = conformance.check("services", _json(client.get(f"{BASE}/services.json")))
    by_code = {s["service_code"]: s for s in body}
    assert by_code["chieu-sang"]["service_name"] == "Chiếu sáng công cộng"
    assert by_code["chieu-sang"]["metadata"] is True and by_code["chieu-sang"]["type"] == "realtime"
    assert by_code["thu-tuc"]["group"] == "Thủ tục hành chính, quy định"
    assert len(body) == 9
    english = conformance.check("services", _json(client.get(f"{BASE}/services.json?locale=en")))
    assert {s["service_code"]: s["service_name"] for s in english}["chieu-sang"] == "Street lighting"
    by_header = _json(client.get(f"{BASE}/services.json", HTTP_ACCEPT_LANGUAGE="en"))
    assert {s["service_code"]: s["service_name"] for s in by_header}["chieu-sang"] == "Street lighting"

    root = _xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == 9
    first = root.find("service")
    assert first is not None and first.findtext("metadata") == "true"
    assert "Đường sá, cầu cống" in [s.findtext("service_name") for s in root.findall("service")]


def test_service_definition(client, conformance, categories):
    body = conformance.check("service_definition", _json(client.get(f"{BASE}/services/chieu-sang.json")))
    codes = [a["code"] for a in body["attributes"]]
    assert codes == ["is_public", "anonymous", "pole_number"]
    assert body["attributes"][0]["values"] == [{"key": "yes", "name": "Có"}, {"key": "no", "name": "Không"}]
    road = conformance.check("service_definition", _json(client.get(f"{BASE}/services/duong-cau.json")))
    assert {a["code"]: a["required"] for a in road["attributes"]}["hazard"] is True
    root = _xml(client.get(f"{BASE}/services/chieu-sang.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "chieu-sang"
    assert [k.text for k in root.findall("attributes/attribute/values/value/key")][:2] == ["yes", "no"]
    error = conformance.check("errors", _json(client.get(f"{BASE}/services/khong-co.json"), 404))
    assert error[0]["code"] == 404
    assert _xml(client.get(f"{BASE}/services/khong-co.xml"), 404).tag == "errors"


def test_post_then_get_round_trip(client, conformance, key, categories):
    created = conformance.check("post", _json(_post(client, key)))
    request_id = created[0]["service_request_id"]
    assert created[0]["account_id"] is None and "PA" in created[0]["service_notice"]
    report = Report.objects.get(pk=int(request_id))
    assert report.channel == "open311" and report.phone_verified and report.api_key is not None
    assert report.reporter_name == "Trần Thị Bình" and report.attributes == {"pole_number": "VT-0123"}
    assert report.agency == categories.commune  # routed by the commune rule

    item = conformance.check("requests", _json(client.get(f"{BASE}/requests/{request_id}.json")))[0]
    assert item["service_request_id"] == request_id and item["status"] == "open"
    assert item["service_code"] == "chieu-sang" and item["service_name"] == "Chiếu sáng công cộng"
    assert item["description"] == VALID["description"]
    assert item["agency_responsible"] == categories.commune.name
    assert item["lat"] == 21.3227 and item["long"] == 105.402
    assert item["address_id"] == "07900" and item["zipcode"] is None
    assert item["requested_datetime"].endswith("+07:00") and item["expected_datetime"].endswith("+07:00")
    assert datetime.fromisoformat(item["expected_datetime"]) == report.due_at.replace(microsecond=0)  # shown to the second
    body = client.get(f"{BASE}/requests/{request_id}.json").content.decode()
    assert "0987654321" not in body and "binh@example.vn" not in body and "Trần Thị Bình" not in body

    root = _xml(client.get(f"{BASE}/requests/{request_id}.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == request_id
    assert root.findtext("request/description") == VALID["description"]  # Vietnamese survives UTF-8
    assert root.findtext("request/zipcode") == ""

    token = Report.objects.get(pk=int(request_id)).token
    tokens = conformance.check("token", _json(client.get(f"{BASE}/tokens/{token}.json")))
    assert tokens == [{"service_request_id": request_id, "token": token}]
    conformance.check("errors", _json(client.get(f"{BASE}/tokens/khongco.json"), 404))


def test_post_in_xml_with_photo_and_attributes(client, conformance, key, categories):
    response = client.post(f"{BASE}/requests.xml", {
        **VALID, "api_key": key, "attribute[anonymous]": "yes", "media": io.BytesIO(_jpeg()),
    })
    root = _xml(response)
    assert root.tag == "service_requests"
    request_id = root.findtext("request/service_request_id")
    report = Report.objects.get(pk=int(request_id))
    assert report.anonymous and report.is_public
    item = conformance.check("requests", _json(client.get(f"{BASE}/requests/{request_id}.json")))[0]
    photo = report.photos.get()
    assert item["media_url"] == f"http://testserver/open311/v2/media/{photo.pk}/{photo.sha256}"
    served = client.get(item["media_url"].removeprefix("http://testserver"))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert not Image.open(io.BytesIO(b"".join(served.streaming_content))).getexif()  # no GPS


def test_private_reports_are_not_listed(client, conformance, key, categories):
    created = _json(_post(client, key, **{"attribute[is_public]": "no"}))
    request_id = created[0]["service_request_id"]
    assert Report.objects.get(pk=int(request_id)).is_public is False
    conformance.check("errors", _json(client.get(f"{BASE}/requests/{request_id}.json"), 404))
    assert conformance.check("requests", _json(client.get(f"{BASE}/requests.json"))) == []


def test_media_url_is_kept_without_fetching(client, conformance, key, categories):
    created = _json(_post(client, key, media_url="https://anh.example.vn/den-hong.jpg"))
    item = _json(client.get(f"{BASE}/requests/{created[0]['service_request_id']}.json"))[0]
    assert item["media_url"] == "https://anh.example.vn/den-hong.jpg"


def test_filters(client, conformance, categories):
    w = categories
    now = timezone.now()
    lamp = file_report(at=now - timedelta(days=2))
    road = file_report(category_code="duong-cau", at=now - timedelta(days=1))
    old = file_report(at=now - timedelta(days=120))
    fs.report_answer(principal=w.specialist, report_id=lamp.pk, answer="Đã thay bóng đèn mới.")
    fs.report_close(report_id=lamp.pk)
    fs.report_reject(principal=w.head, report_id=road.pk, reason="duplicate", note="Trùng phản ánh PA0000001.")

    def ids(query: str) -> list[str]:
        body = conformance.check("requests", _json(client.get(f"{BASE}/requests.json{query}")))
        return [item["service_request_id"] for item in body]

    assert ids("") == [str(road.pk), str(lamp.pk)]  # default: last 90 days, newest first
    assert ids("?service_code=duong-cau") == [str(road.pk)]
    assert ids("?status=open") == []
    assert ids("?status=closed,open") == [str(road.pk), str(lamp.pk)]
    assert ids(f"?service_request_id={old.pk},{lamp.pk}") == [str(lamp.pk), str(old.pk)]  # overrides the dates
    start = (now - timedelta(days=130)).astimezone().isoformat(timespec="seconds")
    end = (now - timedelta(days=100)).astimezone().isoformat(timespec="seconds")
    assert ids(f"?start_date={start}&end_date={end}".replace("+", "%2B")) == [str(old.pk)]
    assert ids("?start_date=2010-01-01T00:00:00Z&end_date=2010-01-02T00:00:00Z") == []

    items = {i["service_request_id"]: i for i in _json(client.get(f"{BASE}/requests.json?status=closed"))}
    assert items[str(lamp.pk)]["status_notes"] == "Đã thay bóng đèn mới."
    assert items[str(road.pk)]["status_notes"] == "Trùng lặp: Trùng phản ánh PA0000001."
    lamp.refresh_from_db()
    assert datetime.fromisoformat(items[str(lamp.pk)]["updated_datetime"]) == lamp.closed_at.replace(microsecond=0)
    root = _xml(client.get(f"{BASE}/requests.xml?status=closed"))
    assert {r.findtext("status") for r in root.findall("request")} == {"closed"}

    updates = _json(client.get(f"{BASE}/servicerequestupdates.json"))
    assert [(u["service_request_id"], u["status"]) for u in updates] == [(str(lamp.pk), "open"), (str(road.pk), "closed")]
    assert _xml(client.get(f"{BASE}/servicerequestupdates.xml")).tag == "service_request_updates"


@pytest.mark.parametrize(
    "query",
    ["?start_date=2026-03-01", "?start_date=2026-03-01T00:00:00", "?end_date=hôm-nay", "?status=pending",
     "?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "?service_request_id=abc"],
)
def test_bad_queries_are_400(client, conformance, categories, query):
    body = conformance.check("errors", _json(client.get(f"{BASE}/requests.json{query}"), 400))
    assert body[0]["code"] == 400
    assert _xml(client.get(f"{BASE}/requests.xml{query}"), 400).findtext("error/code") == "400"


def _nothing_written() -> None:
    assert not Report.objects.exists()
    assert not ReportEvent.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="report.").exists()


@pytest.mark.parametrize(
    "overrides, status, mentions",
    [
        ({"api_key": "ts_sai_khoa"}, 403, ["api_key"]),
        ({"api_key": None}, 403, ["api_key"]),
        ({"service_code": None}, 400, ["service_code"]),
        ({"service_code": "khong-co"}, 400, ["service_code"]),
        ({"lat": None, "long": None, "address_id": None, "address_string": None}, 400, ["lat/long, address_string, address_id"]),
        ({"lat": "48.85", "long": "2.35"}, 400, ["lat", "long"]),
        ({"address_id": "99999"}, 400, ["address_id"]),
        ({"description": "ngắn"}, 400, ["description"]),
        ({"email": "khong-phai-email"}, 400, ["email"]),
        ({"media_url": "javascript:alert(1)"}, 400, ["media_url"]),
        ({"attribute[pole_number]": "x" * 31, "attribute[is_public]": "co-le"}, 400,
         ["attribute[pole_number]", "attribute[is_public]"]),
        ({"attribute[khong_co]": "1"}, 400, ["attribute[khong_co]"]),
        ({"service_code": "duong-cau", "attribute[pole_number]": None}, 400, ["attribute[hazard]"]),
    ],
)
def test_malformed_posts_are_refused_and_write_nothing(client, conformance, key, overrides, status, mentions):
    for fmt in ("json", "xml"):
        response = _post(client, key, fmt, **overrides)
        if fmt == "json":
            body = conformance.check("errors", _json(response, status))
            descriptions = [e["description"] for e in body]
            assert {e["code"] for e in body} == {status}
        else:
            descriptions = [e.findtext("description") for e in _xml(response, status).findall("error")]
        for name in mentions:  # one entry per bad field
            assert sum(d.startswith(f"{name}: ") for d in descriptions) == 1, descriptions
    _nothing_written()


def test_revoked_key_and_oversized_photo(client, conformance, key, settings):
    prefix = key.split("_")[1]
    settings.TINHSO_FEEDBACK_MAX_PHOTO_BYTES = 1000
    body = _json(client.post(f"{BASE}/requests.json", {**VALID, "api_key": key, "media": io.BytesIO(_jpeg((400, 400)))}),
                 400)
    assert conformance.check("errors", body)[0]["description"].startswith("media:")
    body = _json(client.post(f"{BASE}/requests.json", {**VALID, "api_key": key, "media": io.BytesIO(b"not an image")}),
                 400)
    assert body[0]["description"].startswith("media:")
    apikey_revoke(prefix=prefix)
    assert _json(_post(client, key), 403)[0]["code"] == 403
    _nothing_written()


def test_unknown_format_and_id_are_404(client, conformance, categories):
    assert _json(client.get(f"{BASE}/services.html"), 404)[0]["code"] == 404
    assert _json(client.get(f"{BASE}/requests/999999.json"), 404)[0]["code"] == 404
    assert _json(client.get(f"{BASE}/requests/abc.json"), 404)[0]["code"] == 404
    assert client.get(f"{BASE}/media/1/{'0' * 64}").status_code == 404


def test_vietnamese_round_trips_in_both_formats(client, conformance, key):
    text = "Ống nước vỡ ở ngõ 5 đường Nguyễn Tất Thành — nước tràn, đường trơn trượt; cần xử lý gấp!"
    for fmt in ("json", "xml"):
        response = _post(client, key, fmt, service_code="cap-thoat-nuoc", description=text,
                         **{"attribute[pole_number]": None, "attribute[water_depth_cm]": "15"})
        assert response.status_code == 200, response.content
    items = _json(client.get(f"{BASE}/requests.json?service_code=cap-thoat-nuoc"))
    assert [i["description"] for i in items] == [text, text]
    assert "Ống nước vỡ".encode() in client.get(f"{BASE}/requests.json").content  # raw UTF-8, not \\u escapes
    root = _xml(client.get(f"{BASE}/requests.xml?service_code=cap-thoat-nuoc"))
    assert [r.findtext("description") for r in root.findall("request")] == [text, text]
    assert Report.objects.first().attributes == {"water_depth_cm": 15.0}
