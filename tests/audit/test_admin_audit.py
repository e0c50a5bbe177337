"""Every change made through the admin leaves an audit entry with the administrator as actor and
the fields that moved, old → new, and never a secret: API keys, staff roles (on their own page
and inside an agency), users and groups, reports' public flag, procedures and their workflow
steps, calendar overrides, indicator sets and entered values, bulk deletes."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission

from tests.audit.admin_forms import add_inline_row, page_data
from tests.factories import UserFactory
from tinhso.agencies.models import ApiKey, Role, StaffRole
from tinhso.agencies.services import apikey_create
from tinhso.audit.models import AuditEntry
from tinhso.feedback.models import Report
from tinhso.indicators.defaults import load_default_sets
from tinhso.indicators.models import Indicator, IndicatorInput
from tinhso.indicators.selectors import INPUT_METRICS
from tinhso.workcalendar.models import CalendarOverride, OverrideKind


def only_entry(**lookup: object) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(**lookup))
    assert len(entries) == 1, [(e.action, e.object_type, e.object_id, e.data) for e in AuditEntry.objects.all()]
    return entries[0]


def post_page(client, url: str, change: dict[str, object]):
    data = page_data(client.get(url))
    data.update(change)
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [
        response.context["adminform"].form.errors,
        [f.errors for i in response.context["inline_admin_formsets"] for f in i.formset.forms],
    ]
    return response


def test_moving_an_api_key_from_a_commune_to_the_province_is_audited_without_its_digest(world, admin_client, admin_user):
    key, secret = apikey_create(name="Cổng phường", agency_code="H44.100")
    post_page(admin_client, f"/admin/agencies/apikey/{key.pk}/change/", {"agency": world.province.pk})
    key.refresh_from_db()
    assert key.agency == world.province
    entry = only_entry(action="admin.change", object_type="apikey", object_id=str(key.pk))
    assert entry.actor == admin_user and entry.api_key is None
    assert entry.data["changes"] == {"agency": {"from": "H44.100", "to": "H44"}}
    assert key.digest not in json.dumps(entry.data) and secret not in json.dumps(entry.data)


def test_an_api_key_added_in_the_admin_is_made_by_the_service_and_its_secret_shown_once(world, admin_client, admin_user):
    response = admin_client.post("/admin/agencies/apikey/add/", {"name": "Cổng tỉnh", "agency": world.province.pk},
                                 follow=True)
    key = ApiKey.objects.get(name="Cổng tỉnh")
    shown = [str(m) for m in response.context["messages"]]
    secret = next(m.rsplit(" ", 1)[1] for m in shown if m.rsplit(" ", 1)[1].startswith("ts_"))
    assert ApiKey.digest_of(secret) == key.digest and key.prefix and key.agency == world.province
    entry = only_entry(action="apikey.create", object_id=str(key.pk))
    assert entry.actor == admin_user
    assert entry.data == {"name": "Cổng tỉnh", "agency": "H44", "prefix": key.prefix}
    # Shown once: the next page does not carry it.
    assert secret not in admin_client.get(f"/admin/agencies/apikey/{key.pk}/change/").content.decode()


def test_revoking_an_api_key_in_the_admin_records_the_moment(world, admin_client, admin_user):
    key, _secret = apikey_create(name="Cổng phường", agency_code="H44.100")
    post_page(admin_client, f"/admin/agencies/apikey/{key.pk}/change/",
              {"revoked_at_0": "2026-09-01", "revoked_at_1": "08:00:00"})
    entry = only_entry(action="admin.change", object_type="apikey")
    assert entry.data["changes"]["revoked_at"]["from"] is None
    assert entry.data["changes"]["revoked_at"]["to"].startswith("2026-09-01T")


def test_a_staff_role_added_inside_an_agency_is_granted_through_the_service(world, admin_client, admin_user):
    newcomer = UserFactory(username="canbomoi")
    url = f"/admin/agencies/agency/{world.commune.pk}/change/"
    data = page_data(admin_client.get(url))
    add_inline_row(data, "staff_roles", {"user": newcomer.pk, "role": Role.LEADER, "agency": world.commune.pk})
    assert admin_client.post(url, data).status_code == 302
    assert StaffRole.objects.filter(user=newcomer, agency=world.commune, role=Role.LEADER).exists()
    entry = only_entry(action="staff.role_grant", object_id=str(newcomer.pk))
    assert entry.actor == admin_user and entry.object_type == "user"
    assert entry.data == {"agency": "H44.100", "role": "leader"}
    # Saving the agency with its fields untouched writes nothing about the agency itself.
    assert not AuditEntry.objects.filter(object_type="agency").exists()


def test_a_staff_role_deleted_or_changed_inside_an_agency_is_revoked_and_granted(world, admin_client, admin_user):
    url = f"/admin/agencies/agency/{world.commune.pk}/change/"
    data = page_data(admin_client.get(url))
    prefix = "staff_roles"
    rows = {StaffRole.objects.get(pk=data[f"{prefix}-{i}-id"]).user.username: i
            for i in range(int(data[f"{prefix}-TOTAL_FORMS"]))}
    data[f"{prefix}-{rows['vanthu']}-DELETE"] = "on"
    data[f"{prefix}-{rows['tiepnhan']}-role"] = Role.SPECIALIST
    assert admin_client.post(url, data).status_code == 302
    clerk, reception = world.clerk.user, world.reception.user
    assert not StaffRole.objects.filter(user=clerk).exists()
    assert list(StaffRole.objects.filter(user=reception).values_list("role", flat=True)) == [Role.SPECIALIST]
    revoked = only_entry(action="staff.role_revoke", object_id=str(clerk.pk))
    assert revoked.actor == admin_user and revoked.data == {"agency": "H44.100", "role": "records_clerk"}
    assert only_entry(action="staff.role_revoke", object_id=str(reception.pk)).data["role"] == "reception"
    assert only_entry(action="staff.role_grant", object_id=str(reception.pk)).data["role"] == "specialist"


def test_staff_roles_on_their_own_page_go_through_the_services(world, admin_client, admin_user):
    newcomer = UserFactory(username="canbomoi")
    response = admin_client.post("/admin/agencies/staffrole/add/",
                                 {"user": newcomer.pk, "agency": world.other_commune.pk, "role": Role.HEAD})
    assert response.status_code == 302
    role = StaffRole.objects.get(user=newcomer)
    assert only_entry(action="staff.role_grant").data == {"agency": "H44.101", "role": "head"}
    assert admin_client.post(f"/admin/agencies/staffrole/{role.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not StaffRole.objects.filter(user=newcomer).exists()
    entry = only_entry(action="staff.role_revoke")
    assert entry.actor == admin_user and entry.object_id == str(newcomer.pk)


def test_bulk_deleting_staff_roles_revokes_each(world, admin_client, admin_user):
    roles = list(StaffRole.objects.filter(agency=world.other_commune))
    response = admin_client.post("/admin/agencies/staffrole/", {
        "action": "delete_selected", "_selected_action": [r.pk for r in roles], "post": "yes"})
    assert response.status_code == 302
    assert not StaffRole.objects.filter(agency=world.other_commune).exists()
    assert AuditEntry.objects.filter(action="staff.role_revoke", actor=admin_user).count() == len(roles) == 1


def test_making_someone_superuser_and_changing_their_groups_and_permissions_is_audited(world, admin_client, admin_user):
    user = world.reception.user
    group = Group.objects.create(name="Quản trị danh mục")
    permission = Permission.objects.get(codename="change_procedure")
    post_page(admin_client, f"/admin/auth/user/{user.pk}/change/", {
        "is_staff": "on", "is_superuser": "on", "groups": [str(group.pk)], "user_permissions": [str(permission.pk)]})
    user.refresh_from_db()
    assert user.is_superuser and user.is_staff
    entry = only_entry(action="admin.change", object_type="user", object_id=str(user.pk))
    assert entry.actor == admin_user
    assert entry.data["changes"] == {
        "is_staff": {"from": "False", "to": "True"},
        "is_superuser": {"from": "False", "to": "True"},
        "groups": {"from": [], "to": ["Quản trị danh mục"]},
        "user_permissions": {"from": [], "to": ["catalogue.change_procedure"]},
    }
    assert user.password not in json.dumps(entry.data)


def test_a_password_changed_in_the_admin_is_recorded_as_changed_never_as_a_hash(world, admin_client, admin_user):
    user = world.reception.user
    old_hash = user.password
    response = admin_client.post(f"/admin/auth/user/{user.pk}/password/", {
        "password1": "mat-khau-moi-2026", "password2": "mat-khau-moi-2026", "usable_password": "true"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("mat-khau-moi-2026")
    entry = only_entry(action="admin.change", object_type="user", object_id=str(user.pk))
    assert entry.actor == admin_user and entry.data["changes"] == {"password": "changed"}
    text = json.dumps(entry.data)
    assert old_hash not in text and user.password not in text and "mat-khau-moi" not in text


def test_a_user_added_in_the_admin_is_recorded_with_password_set(db, admin_client, admin_user):
    response = admin_client.post("/admin/auth/user/add/", {
        "username": "canbo-moi", "password1": "mat-khau-moi-2026", "password2": "mat-khau-moi-2026",
        "usable_password": "true"})
    assert response.status_code == 302
    entry = only_entry(action="admin.add", object_type="user")
    assert entry.actor == admin_user
    assert entry.data["fields"]["username"] == "canbo-moi" and entry.data["fields"]["password"] == "set"
    assert "pbkdf2" not in json.dumps(entry.data) and "md5$" not in json.dumps(entry.data)


def test_group_permissions_changed_in_the_admin_are_audited(db, admin_client, admin_user):
    group = Group.objects.create(name="Theo dõi")
    permission = Permission.objects.get(codename="view_dossier")
    post_page(admin_client, f"/admin/auth/group/{group.pk}/change/", {"permissions": [str(permission.pk)]})
    entry = only_entry(action="admin.change", object_type="group")
    assert entry.actor == admin_user
    assert entry.data["changes"] == {"permissions": {"from": [], "to": ["dossiers.view_dossier"]}}


def test_hiding_a_report_in_the_admin_goes_through_the_service(world, admin_client, admin_user):
    from tests.feedback.conftest import file_report
    from tinhso.feedback.defaults import load_default_categories

    load_default_categories()
    report = file_report()
    version = report.version
    response = admin_client.post(f"/admin/feedback/report/{report.pk}/change/", {
        "is_public": "", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"})
    assert response.status_code == 302
    report = Report.objects.get(pk=report.pk)
    assert report.is_public is False and report.version == version + 1
    entry = only_entry(action="report.set_public")
    assert entry.actor == admin_user and entry.object_type == "report" and entry.object_id == str(report.pk)
    assert entry.data["changes"] == {"is_public": {"from": "True", "to": "False"}}


def test_editing_a_procedure_and_a_workflow_step_is_audited(world, admin_client, admin_user):
    procedure = world.procedure
    step = procedure.steps.get(order=1)
    url = f"/admin/catalogue/procedure/{procedure.pk}/change/"
    data = page_data(admin_client.get(url))
    index = next(i for i in range(int(data["steps-TOTAL_FORMS"])) if data[f"steps-{i}-id"] == str(step.pk))
    data["fee_vnd"] = "70000"
    data["processing_amount"] = "5"
    data[f"steps-{index}-budget_hours"] = "10.00"
    assert admin_client.post(url, data).status_code == 302
    entry = only_entry(action="admin.change", object_type="procedure", object_id=str(procedure.pk))
    assert entry.actor == admin_user
    assert entry.data["changes"] == {"processing_amount": {"from": "3.00", "to": "5"},
                                     "fee_vnd": {"from": "50000", "to": "70000"}}
    row = only_entry(action="admin.change", object_type="workflowstep", object_id=str(step.pk))
    assert row.actor == admin_user
    assert row.data["changes"] == {"budget_hours": {"from": str(step.budget_hours), "to": "10.00"}}
    assert row.data["parent"]["type"] == "procedure" and row.data["parent"]["id"] == str(procedure.pk)


def test_a_holiday_override_added_in_the_admin_is_audited(world, admin_client, admin_user):
    province_unit = world.province.unit
    response = admin_client.post("/admin/workcalendar/calendaroverride/add/", {
        "date": "2026-09-01", "kind": OverrideKind.DAY_OFF, "province": province_unit.pk, "note": "Nghỉ bù Quốc khánh"})
    assert response.status_code == 302
    override = CalendarOverride.objects.get()
    entry = only_entry(action="admin.add", object_type="calendaroverride", object_id=str(override.pk))
    assert entry.actor == admin_user
    assert entry.data["fields"] == {"date": "2026-09-01", "kind": "day_off", "province": "25",
                                    "note": "Nghỉ bù Quốc khánh"}


def test_bulk_deleting_overrides_writes_one_entry_each_with_what_was_deleted(world, admin_client, admin_user):
    days = [CalendarOverride.objects.create(date=date(2026, 9, d), kind=OverrideKind.DAY_OFF) for d in (1, 2)]
    response = admin_client.post("/admin/workcalendar/calendaroverride/", {
        "action": "delete_selected", "_selected_action": [d.pk for d in days], "post": "yes"})
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    entries = AuditEntry.objects.filter(action="admin.delete", object_type="calendaroverride").order_by("object_id")
    assert [e.object_id for e in entries] == [str(d.pk) for d in days]
    assert all(e.actor == admin_user for e in entries)
    assert [e.data["fields"]["date"] for e in entries] == ["2026-09-01", "2026-09-02"]


def test_an_indicator_target_changed_inside_its_set_is_audited(world, admin_client, admin_user):
    load_default_sets()
    indicator = Indicator.objects.get(code="dung-han")
    url = f"/admin/indicators/indicatorset/{indicator.indicator_set_id}/change/"
    data = page_data(admin_client.get(url))
    index = next(i for i in range(int(data["indicators-TOTAL_FORMS"]))
                 if data[f"indicators-{i}-id"] == str(indicator.pk))
    data[f"indicators-{index}-target"] = "97.50"
    data.pop("is_public")  # unticked: not public any more
    assert admin_client.post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert indicator.target == Decimal("97.50")
    row = only_entry(action="admin.change", object_type="indicator")
    assert row.actor == admin_user and row.data["changes"] == {"target": {"from": "95.00", "to": "97.50"}}
    entry = only_entry(action="admin.change", object_type="indicatorset")
    assert entry.data["changes"] == {"is_public": {"from": "True", "to": "False"}}


def test_an_entered_value_added_and_corrected_in_the_admin_is_audited(world, admin_client, admin_user):
    response = admin_client.post("/admin/indicators/indicatorinput/add/", {
        "agency": world.commune.pk, "period_key": "2026-08", "metric_code": INPUT_METRICS[0], "numerator": "8",
        "denominator": "10"})
    assert response.status_code == 302
    value = IndicatorInput.objects.get()
    added = only_entry(action="admin.add", object_type="indicatorinput")
    assert added.actor == admin_user
    assert (added.data["fields"]["numerator"], added.data["fields"]["denominator"]) == ("8", "10")
    assert added.data["fields"]["entered_by"] == admin_user.username
    post_page(admin_client, f"/admin/indicators/indicatorinput/{value.pk}/change/", {"numerator": "9"})
    changed = only_entry(action="admin.change", object_type="indicatorinput")
    assert changed.actor == admin_user and changed.data["changes"] == {"numerator": {"from": "8", "to": "9"}}


def test_list_editable_changes_are_audited(world, admin_client, admin_user):
    from tinhso.feedback.defaults import load_default_categories
    from tinhso.feedback.models import Category

    load_default_categories()
    category = Category.objects.order_by("pk").first()
    assert category is not None
    page = admin_client.get("/admin/feedback/category/")
    formset = page.context["cl"].formset
    data = {formset.management_form.add_prefix(k): str(formset.management_form[k].value())
            for k in formset.management_form.fields}
    for form in formset.forms:
        for name in form.fields:
            value = form.fields[name].prepare_value(form[name].value())
            if name == "is_active":
                if value and form.instance.pk != category.pk:
                    data[form.add_prefix(name)] = "on"
            else:
                data[form.add_prefix(name)] = "" if value is None else str(value)
    data["_save"] = "Lưu"
    assert admin_client.post("/admin/feedback/category/", data).status_code == 302
    entry = only_entry(action="admin.change", object_type="category")
    assert entry.object_id == str(category.pk) and entry.actor == admin_user
    assert entry.data["changes"] == {"is_active": {"from": "True", "to": "False"}}


@pytest.mark.parametrize("url", ["/admin/agencies/apikey/add/", "/admin/auth/user/", "/admin/auth/group/add/"])
def test_the_audited_pages_render(db, admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_deleting_a_user_revokes_their_roles_each_with_an_entry(world, admin_client, admin_user):
    user = world.other_reception.user
    pk = user.pk
    response = admin_client.post(f"/admin/auth/user/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not StaffRole.objects.filter(user_id=pk).exists()
    revoked = only_entry(action="staff.role_revoke", object_id=str(pk))
    assert revoked.actor == admin_user and revoked.data == {"agency": "H44.101", "role": "reception"}
    deleted = only_entry(action="admin.delete", object_type="user", object_id=str(pk))
    assert deleted.actor == admin_user and deleted.data["fields"]["username"] == "tiepnhan2"
    assert deleted.data["fields"]["password"] == "set" and user.password not in json.dumps(deleted.data)


def test_deleting_an_agency_revokes_the_roles_held_there_and_records_the_agency(world, admin_client, admin_user):
    from tests.factories import AgencyFactory, staff

    agency = AgencyFactory(code="H44.199", name="UBND xã Thử", unit=world.commune.unit, parent=world.province)
    holder = staff("canbothu", agency, Role.RECEPTION).user
    response = admin_client.post(f"/admin/agencies/agency/{agency.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    revoked = only_entry(action="staff.role_revoke", object_id=str(holder.pk))
    assert revoked.actor == admin_user and revoked.data == {"agency": "H44.199", "role": "reception"}
    deleted = only_entry(action="admin.delete", object_type="agency")
    assert deleted.object_id == str(agency.pk) and deleted.data["fields"]["code"] == "H44.199"
    assert deleted.data["fields"]["parent"] == "H44"


def test_sending_sms_again_from_the_outbox_is_audited(db, admin_client, admin_user):
    from tinhso.feedback.models import SmsMessage

    unsent = SmsMessage.objects.create(phone="0987654321", body="Mã xác minh 135790", backend="console", error="timeout")
    response = admin_client.post("/admin/feedback/smsmessage/", {"action": "resend", "_selected_action": [unsent.pk]})
    assert response.status_code == 302
    entry = only_entry(action="sms.resend")
    assert entry.actor == admin_user and entry.object_type == "smsmessage" and entry.object_id == str(unsent.pk)
    assert "135790" not in json.dumps(entry.data)
