"""Outside the admin too, every change that matters leaves an audit entry: staff roles granted,
moved and revoked, API keys created and revoked from the command line, a report's public flag,
procedures loaded from the catalogue, indicator sets, feedback categories and administrative
units loaded by `tinhso setup`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from tests.factories import UserFactory
from tinhso.agencies.models import ApiKey, Role, StaffRole
from tinhso.agencies.services import staff_role_change, staff_role_grant, staff_role_revoke
from tinhso.audit.models import AuditEntry
from tinhso.catalogue.models import Procedure
from tinhso.catalogue.services import catalogue_load
from tinhso.core.errors import NotFound
from tinhso.feedback.defaults import DEFAULT_CATEGORIES, load_default_categories
from tinhso.feedback.models import Category
from tinhso.feedback.services import report_set_public
from tinhso.indicators.defaults import DEFAULT_SETS, load_default_sets
from tinhso.units.models import AdministrativeUnit
from tinhso.units.services import units_load_divisions


def test_a_role_granted_and_revoked_leaves_an_entry_each_with_its_actor(world):
    newcomer = UserFactory(username="canbomoi")
    admin_principal = world.province_leader
    staff_role_grant(user=newcomer, agency=world.commune, role=Role.HEAD, principal=admin_principal)
    staff_role_grant(user=newcomer, agency=world.commune, role=Role.HEAD, principal=admin_principal)  # held: no entry
    assert staff_role_revoke(user=newcomer, agency=world.commune, role=Role.HEAD, principal=admin_principal)
    assert not staff_role_revoke(user=newcomer, agency=world.commune, role=Role.HEAD, principal=admin_principal)
    entries = list(AuditEntry.objects.filter(object_type="user", object_id=str(newcomer.pk)).order_by("id"))
    assert [(e.action, e.actor, e.data) for e in entries] == [
        ("staff.role_grant", admin_principal.user, {"agency": "H44.100", "role": "head"}),
        ("staff.role_revoke", admin_principal.user, {"agency": "H44.100", "role": "head"}),
    ]


def test_a_role_moved_to_another_agency_is_a_revoke_and_a_grant_in_one_go(world):
    role = StaffRole.objects.get(user=world.reception.user)
    moved = staff_role_change(staff_role_id=role.pk, user=role.user, agency=world.other_commune, role=Role.RECEPTION,
                              principal=world.province_leader)
    assert (moved.agency, moved.role) == (world.other_commune, Role.RECEPTION)
    assert not StaffRole.objects.filter(pk=role.pk).exists()
    assert [(e.action, e.data["agency"]) for e in AuditEntry.objects.filter(object_id=str(role.user_id)).order_by("id")] \
        == [("staff.role_revoke", "H44.100"), ("staff.role_grant", "H44.101")]
    # Unchanged: nothing happens.
    assert staff_role_change(staff_role_id=moved.pk, user=moved.user, agency=moved.agency, role=moved.role).pk == moved.pk
    assert AuditEntry.objects.count() == 2


def test_api_keys_created_and_revoked_from_the_command_line_are_audited(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("apikey", "create", "Cổng phường", "--agency", "H44.100", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    key = ApiKey.objects.get(digest=ApiKey.digest_of(secret))
    call_command("apikey", "revoke", key.prefix, stdout=io.StringIO())
    entries = list(AuditEntry.objects.filter(object_type="apikey", object_id=str(key.pk)).order_by("id"))
    assert [e.action for e in entries] == ["apikey.create", "apikey.revoke"]
    assert entries[0].data == {"name": "Cổng phường", "agency": "H44.100", "prefix": key.prefix}
    assert all(e.actor is None and e.api_key is None for e in entries)  # the command line acts as the system
    assert all(key.digest not in json.dumps(e.data) and secret not in json.dumps(e.data) for e in entries)


def test_a_reports_public_flag_changes_through_the_service_with_old_and_new(world):
    from tests.feedback.conftest import file_report
    from tinhso.feedback.defaults import load_default_categories

    load_default_categories()
    report = file_report()
    before = AuditEntry.objects.count()
    hidden = report_set_public(principal=world.province_leader, report_id=report.pk, is_public=False)
    assert (hidden.is_public, hidden.version) == (False, report.version + 1)
    entry = AuditEntry.objects.get(action="report.set_public")
    assert entry.actor == world.province_leader.user and entry.object_id == str(report.pk)
    assert entry.data == {"changes": {"is_public": {"from": "True", "to": "False"}}}
    # The same value again changes nothing and writes nothing.
    assert report_set_public(principal=world.province_leader, report_id=report.pk, is_public=False).version == hidden.version
    assert AuditEntry.objects.count() == before + 1
    with pytest.raises(NotFound):
        report_set_public(principal=None, report_id=report.pk + 1000, is_public=True)


def _row(**overrides):
    row = {"code": "2.000001", "name_vi": "Cấp giấy phép xây dựng", "level": "province", "processing_unit": "working_days",
           "processing_days": "15", "fee_vnd": "100000", "online_level": "full"}
    row.update(overrides)
    return row


def test_a_catalogue_load_records_each_procedure_created_and_changed(world):
    catalogue_load(rows=[(2, _row())], principal=world.province_leader)
    procedure = Procedure.objects.get(code="2.000001")
    created = AuditEntry.objects.get(action="procedure.create")
    assert created.actor == world.province_leader.user and created.object_id == str(procedure.pk)
    assert created.data["fields"]["fee_vnd"] == "100000" and created.data["code"] == "2.000001"
    catalogue_load(rows=[(2, _row(fee_vnd="150000", processing_days="10"))])
    changed = AuditEntry.objects.get(action="procedure.update")
    assert changed.actor is None and changed.object_id == str(procedure.pk)
    assert changed.data["changes"] == {"processing_amount": {"from": "15.00", "to": "10"},
                                       "fee_vnd": {"from": "100000", "to": "150000"}}
    catalogue_load(rows=[(2, _row(fee_vnd="150000", processing_days="10"))])  # unchanged: no entry
    assert AuditEntry.objects.filter(action="procedure.update").count() == 1
    assert [e.data for e in AuditEntry.objects.filter(action="catalogue.load").order_by("id")] == [
        {"created": 1, "updated": 0, "unchanged": 0}, {"created": 0, "updated": 1, "unchanged": 0}]


def test_loading_the_default_indicator_sets_records_each_set_with_its_targets(db):
    load_default_sets()
    entries = AuditEntry.objects.filter(action="indicator_set.create")
    assert sorted(e.data["code"] for e in entries) == sorted(s["code"] for s in DEFAULT_SETS)
    first = next(e for e in entries if e.data["code"] == "muc-tieu-nghi-quyet")
    assert first.data["indicators"]["dung-han"] == {"target": "95", "warning": "90"}
    load_default_sets()  # nothing new: no entry
    assert AuditEntry.objects.filter(action="indicator_set.create").count() == len(DEFAULT_SETS)


def test_loading_the_default_categories_records_each_one_created(db):
    Category.objects.create(code="khac", name="Khác (đã sửa)", deadline_amount=3)  # edited by the province
    assert load_default_categories() == len(DEFAULT_CATEGORIES) - 1
    entries = AuditEntry.objects.filter(action="category.create")
    assert sorted(e.data["code"] for e in entries) == sorted(c[0] for c in DEFAULT_CATEGORIES if c[0] != "khac")
    assert load_default_categories() == 0
    assert entries.count() == len(DEFAULT_CATEGORIES) - 1


def test_loading_the_divisions_records_one_entry_per_load_that_changed_something(db):
    first = units_load_divisions()
    [entry] = AuditEntry.objects.filter(action="units.load")
    assert entry.data["created"] == first["created"] == 34 + 3321
    AdministrativeUnit.objects.filter(code="01").update(name="Tên cũ")
    assert units_load_divisions() == {"created": 0, "updated": 1}
    assert AuditEntry.objects.filter(action="units.load").order_by("id").last().data == {
        "created": 0, "updated": 1, "changed": ["01"]}
    units_load_divisions()  # nothing changed: no entry
    assert AuditEntry.objects.filter(action="units.load").count() == 2
