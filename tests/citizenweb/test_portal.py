"""The public catalogue (/dich-vu-cong/), signed out: search insensitive to diacritics and case,
filters that narrow, 20 per page, the results alone for htmx; a procedure's page with its
components, times, fee, receiving agencies and the online button only where online is allowed."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tinhso.catalogue.models import OnlineLevel, Procedure
from tinhso.catalogue.search import allows_online
from tinhso.catalogue.services import catalogue_load, read_procedure_rows, sample_catalogue_path

KHAI_SINH = {"1.001193", "1.004884", "2.000635", "2.000528", "3.000722"}
LISTED = re.compile(r'href="/dich-vu-cong/([^/"]+)/"')


@pytest.fixture
def catalogue(world) -> None:
    catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))


def listed(html: str) -> list[str]:
    return LISTED.findall(html)


def get(client: Client, **query: str):  # noqa: ANN201
    return client.get(reverse("portal:catalogue"), query)


@pytest.mark.parametrize("typed", ["khai sinh", "KHAI SINH", "khai sinh ", "Khai Sinh", "khai sinh"])
def test_khai_sinh_typed_any_way_finds_the_birth_procedures(client, catalogue, typed):
    """Returns the birth-registration procedures, whatever the diacritics and case typed."""
    page = get(client, q=typed)
    assert page.status_code == 200
    codes = listed(page.content.decode())
    assert set(codes) >= KHAI_SINH and "1.000894" not in codes  # marriage is not listed
    assert codes[0] == "1.001193" or codes.index("1.001193") < codes.index("1.004884")


def test_the_best_match_comes_first(client, catalogue):
    """Returns "đăng ký khai sinh" procedures before one that only contains both words apart."""
    codes = listed(get(client, q="dang ky khai sinh").content.decode())
    assert codes[0] == "1.001193"
    assert "2.000635" not in codes[:2]  # "bản sao Giấy khai sinh": no "đăng ký" in it


def test_the_count_is_shown(client, catalogue):
    """Returns the number of procedures found."""
    text = get(client, q="khai sinh").content.decode()
    assert re.search(rf"\b{len(listed(text))} thủ tục\b", text)


def test_filters_narrow_the_list(client, catalogue):
    """Returns only the procedures of the field, level and online level asked for."""
    everything = set(listed(get(client, q="dang ky").content.decode()))
    by_field = set(listed(get(client, q="dang ky", field="Hộ tịch").content.decode()))
    assert by_field and by_field < everything
    assert all(Procedure.objects.get(code=c).field == "Hộ tịch" for c in by_field)
    province = set(listed(get(client, level="province").content.decode()))
    assert province == set(Procedure.objects.filter(level="province").values_list("code", flat=True))
    full = set(listed(get(client, online="full").content.decode()))
    assert full and all(Procedure.objects.get(code=c).online_level == OnlineLevel.FULL for c in full)
    both = set(listed(get(client, level="province", online="full").content.decode()))
    assert both == province & full


def test_no_result_suggests_dropping_a_filter(client, catalogue):
    """Returns a "no result" message with a link that drops the filter (and keeps the query)."""
    text = get(client, q="khai sinh", field="Đất đai").content.decode()
    assert listed(text) == []
    assert "Không tìm thấy thủ tục nào" in text and "Bỏ lọc lĩnh vực" in text
    assert 'href="/dich-vu-cong/?q=khai+sinh"' in text


def test_an_unknown_filter_value_is_ignored(client, catalogue):
    """Returns 200 and every procedure for a level or online value that does not exist."""
    page = get(client, level="district", online="weekly")
    assert page.status_code == 200 and "35 thủ tục" in page.content.decode()


def test_twenty_per_page(client, catalogue):
    """Returns 20 procedures on page 1, the other 15 on page 2, the pager keeping the filters."""
    first = get(client).content.decode()
    second = get(client, page="2").content.decode()
    assert len(listed(first)) == 20 and len(listed(second)) == 15
    assert not set(listed(first)) & set(listed(second))
    assert 'href="/dich-vu-cong/?page=2"' in first
    filtered = get(client, level="commune").content.decode()
    assert "level=commune&amp;page=2" in filtered


def test_htmx_gets_the_results_only(client, catalogue):
    """Returns the results partial (no page, no form) for an htmx request, varying on the header."""
    page = client.get(reverse("portal:catalogue"), {"q": "khai sinh"}, headers={"HX-Request": "true"})
    text = page.content.decode()
    assert page.status_code == 200 and "<html" not in text and 'role="search"' not in text
    assert set(listed(text)) >= KHAI_SINH and 'id="portal-count"' in text
    assert "HX-Request" in page["Vary"]
    full = get(client, q="khai sinh").content.decode()
    assert "<html" in full and 'hx-get="/dich-vu-cong/"' in full and 'hx-target="#portal-results"' in full
    assert 'hx-push-url="true"' in full and "<script>" not in full and "style=" not in full


def test_detail_shows_components_times_fee_and_agencies(client, catalogue, world):
    """Returns the procedure's components (number, requirement, copies, files), legal time in
    words, the fee in đồng, the result, the legal basis and the agencies that receive it."""
    text = client.get(reverse("portal:procedure", kwargs={"code": "1.004222"})).content.decode()
    p = Procedure.objects.get(code="1.004222")
    assert p.name in text and "7 ngày làm việc" in text and "20.000 đồng" in text
    for c in p.components.all():
        assert c.name in text
    assert "Bắt buộc" in text and "PDF, JPG, PNG" in text and "1 bản" in text
    assert world.commune.name in text and world.other_commune.name in text
    assert p.result_document in text
    birth = client.get(reverse("portal:procedure", kwargs={"code": "1.001193"})).content.decode()
    assert "Miễn phí" in birth and "Trong ngày" in birth and "Giấy chứng sinh" in birth
    assert "123/2015/NĐ-CP" in birth
    # In English the amount is grouped and named the English way.
    client.post("/i18n/setlang/", {"language": "en", "next": "/dich-vu-cong/"})
    english = client.get(reverse("portal:procedure", kwargs={"code": "1.004222"})).content.decode()
    assert '<dd id="fee">20,000 dong</dd>' in english


def test_submit_button_only_where_online_is_allowed(client, catalogue):
    """Returns the "Nộp trực tuyến" button linking to the online submission when the procedure
    allows it; otherwise the note to submit at the one-stop desk, and no button."""
    online = Procedure.objects.get(code="1.001193")
    assert allows_online(online)
    text = client.get(reverse("portal:procedure", kwargs={"code": online.code})).content.decode()
    submit = reverse("citizen:submit", kwargs={"procedure_code": online.code})
    assert f'href="{submit}"' in text and "Nộp trực tuyến" in text and 'id="submit-at-desk"' not in text

    Procedure.objects.filter(code=online.code).update(online_level=OnlineLevel.NONE)
    text = client.get(reverse("portal:procedure", kwargs={"code": online.code})).content.decode()
    assert f'href="{submit}"' not in text and 'id="submit-online"' not in text
    assert "bộ phận một cửa" in text


def test_the_submit_button_sends_a_signed_out_citizen_to_sign_in(client, catalogue):
    """Returns a redirect to the citizens' sign-in page, coming back to the submission."""
    submit = reverse("citizen:submit", kwargs={"procedure_code": "1.001193"})
    answer = client.get(submit)
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("citizen:login"))


def test_unknown_or_inactive_code_is_404(client, catalogue):
    """Returns 404 for a code not in the catalogue and for an inactive procedure, which the
    list does not show either."""
    assert client.get(reverse("portal:procedure", kwargs={"code": "9.999999"})).status_code == 404
    Procedure.objects.filter(code="1.001193").update(is_active=False)
    assert client.get(reverse("portal:procedure", kwargs={"code": "1.001193"})).status_code == 404
    assert "1.001193" not in listed(get(client, q="khai sinh").content.decode())


def test_the_list_takes_a_bounded_number_of_queries(client, catalogue, django_assert_max_num_queries):
    """Returns a page of 20 in a handful of queries, not one per procedure."""
    with django_assert_max_num_queries(8):
        client.get(reverse("portal:catalogue"))
