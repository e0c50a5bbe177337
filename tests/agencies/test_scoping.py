"""The one scoping rule: who sees which agencies and dossiers, which roles they hold where, and
who may see an applicant's personal data."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AgencyFactory, api_key, citizen, staff
from tinhso.agencies.models import AgencyKind, ApiKey, Role
from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import (
    can_see_agency,
    may_see_personal_data,
    roles_at,
    visible_agencies,
    visible_agency_ids,
)
from tinhso.core.errors import NotFound
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel
from tinhso.dossiers.selectors import DossierFilters, dossier_get, dossier_list, dossiers_visible, inbox

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MON = datetime(2026, 3, 2, 10, 0, tzinfo=VN)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def codes(agencies) -> set[str]:
    return set(agencies.values_list("code", flat=True))


@pytest.fixture
def dossiers(world):
    """One dossier at each commune and one at the department, by their own reception officers."""
    dept_reception = staff("tn_so", world.department, Role.RECEPTION)

    def receive(principal, agency):
        return s.dossier_receive(principal=principal, procedure=world.procedure, agency=agency,
                                 channel=Channel.COUNTER, applicant=citizen(), at=MON).dossier.code

    return {
        "commune": receive(world.reception, world.commune),
        "other": receive(world.other_reception, world.other_commune),
        "department": receive(dept_reception, world.department),
    }


def visible_codes(principal) -> set[str]:
    return set(dossiers_visible(principal).values_list("code", flat=True))


def test_commune_reception_sees_own_commune_only(world, dossiers):
    assert codes(visible_agencies(world.reception)) == {"H44.100"}
    assert visible_codes(world.reception) == {dossiers["commune"]}
    assert visible_codes(world.other_reception) == {dossiers["other"]}
    # Everyone at the commune without a subtree role is the same.
    for p in (world.specialist, world.head, world.clerk):
        assert visible_codes(p) == {dossiers["commune"]}
    with pytest.raises(NotFound):
        dossier_get(principal=world.reception, code=dossiers["other"])
    assert dossier_get(principal=world.reception, code=dossiers["commune"]).code == dossiers["commune"]


@pytest.mark.parametrize("who", ["province_leader", "province_viewer"])
def test_province_leader_and_viewer_see_every_agency(world, dossiers, who):
    principal = getattr(world, who)
    assert codes(visible_agencies(principal)) == {"H44", "H44.03", "H44.100", "H44.101"}
    assert visible_codes(principal) == set(dossiers.values())


def test_province_api_key_sees_everything_under_it(world, dossiers):
    secret = api_key(world.province)
    key = ApiKey.objects.get(digest=ApiKey.digest_of(secret))
    principal = Principal.for_api_key(key)
    assert visible_codes(principal) == set(dossiers.values())
    assert roles_at(principal, world.commune) == set(Role.values)


def test_commune_api_key_sees_its_commune_only(world, dossiers):
    key = ApiKey.objects.get(digest=ApiKey.digest_of(api_key(world.commune)))
    principal = Principal.for_api_key(key)
    assert codes(visible_agencies(principal)) == {"H44.100"}
    assert visible_codes(principal) == {dossiers["commune"]}
    assert roles_at(principal, world.other_commune) == set()


def test_department_officer_sees_only_the_department(world, dossiers):
    officer = staff("cv_so", world.department, Role.SPECIALIST)
    assert codes(visible_agencies(officer)) == {"H44.03"}
    assert visible_codes(officer) == {dossiers["department"]}


def test_department_leader_sees_the_departments_subtree_not_its_siblings(world, dossiers):
    branch = AgencyFactory(code="H44.03.01", name="Phòng công chứng số 1", parent=world.department,
                           unit=world.department.unit)
    sibling = AgencyFactory(code="H44.030", name="Sở khác", parent=world.province, unit=world.department.unit)
    leader = staff("gd_so", world.department, Role.LEADER)
    assert codes(visible_agencies(leader)) == {"H44.03", "H44.03.01"}
    assert branch.path == "H44/H44.03/H44.03.01/"
    assert roles_at(leader, branch) == {Role.LEADER}
    # "H44/H44.030/" starts with "H44/H44.03" but not with "H44/H44.03/": the trailing slash matters.
    assert roles_at(leader, sibling) == set()
    assert visible_codes(leader) == {dossiers["department"]}


def test_no_principal_sees_nothing_and_superuser_everything(world, dossiers):
    assert visible_codes(None) == set()
    assert not visible_agencies(None).exists()
    su = Principal(user=world.reception.user, is_superuser=True)
    assert visible_codes(su) == set(dossiers.values())
    assert roles_at(su, world.commune) == set(Role.values)


def test_roles_at_counts_subtree_roles_only(world):
    assert roles_at(world.province_leader, world.commune) == {Role.LEADER}
    assert roles_at(world.province_leader, world.province) == {Role.LEADER}
    assert roles_at(world.province_viewer, world.other_commune) == {Role.VIEWER}
    # Non-subtree roles stay where they are held.
    assert roles_at(world.reception, world.commune) == {Role.RECEPTION}
    assert roles_at(world.reception, world.other_commune) == set()
    assert roles_at(world.reception, world.province) == set()
    # A commune leader holds nothing above or beside the commune.
    assert roles_at(world.leader, world.province) == set()
    assert roles_at(world.leader, world.other_commune) == set()
    # Several roles at once.
    both = staff("kiemnhiem", world.commune, Role.SPECIALIST, Role.HEAD)
    assert roles_at(both, world.commune) == {Role.SPECIALIST, Role.HEAD}


def test_anyone_at_the_province_committee_acts_below_it(world):
    """The rule's third clause: a province People's Committee sees (and acts in) its subtree."""
    assert world.province.kind == AgencyKind.PROVINCE_COMMITTEE
    officer = staff("tn_tinh", world.province, Role.RECEPTION)
    assert codes(visible_agencies(officer)) == {"H44", "H44.03", "H44.100", "H44.101"}
    assert roles_at(officer, world.commune) == {Role.RECEPTION}


def test_can_see_agency(world):
    assert can_see_agency(world.reception, world.commune)
    assert not can_see_agency(world.reception, world.other_commune)
    assert can_see_agency(world.province_viewer, world.other_commune)
    assert not can_see_agency(None, world.commune)
    assert visible_agency_ids(world.reception) == {world.commune.pk}


def test_may_see_personal_data(world):
    here = {world.commune.pk}
    assert may_see_personal_data(world.reception, here)
    assert may_see_personal_data(world.specialist, here)
    assert may_see_personal_data(world.province_leader, here)
    assert not may_see_personal_data(world.province_viewer, here)
    assert not may_see_personal_data(world.other_reception, here)
    assert not may_see_personal_data(None, here)
    # A leader of another commune has no business with this commune's applicants.
    assert not may_see_personal_data(world.leader, {world.other_commune.pk})
    # A viewer who also works at the counter of one commune sees personal data there only.
    both = staff("theodoi_tn", world.province, Role.VIEWER)
    both.roles.append((world.other_commune, Role.RECEPTION))
    assert may_see_personal_data(both, {world.other_commune.pk})
    assert not may_see_personal_data(both, here)
    # API keys: within their subtree only.
    province_key = Principal.for_api_key(ApiKey.objects.get(digest=ApiKey.digest_of(api_key(world.province))))
    commune_key = Principal.for_api_key(ApiKey.objects.get(digest=ApiKey.digest_of(api_key(world.other_commune))))
    assert may_see_personal_data(province_key, here)
    assert not may_see_personal_data(commune_key, here)


def test_lists_and_inbox_are_scoped(world, dossiers):
    listed = set(dossier_list(principal=world.reception, filters=DossierFilters()).values_list("code", flat=True))
    assert listed == {dossiers["commune"]}
    # Filtering by another agency's code cannot widen the scope.
    other = dossier_list(principal=world.reception, filters=DossierFilters(agency="H44.101"))
    assert not other.exists()
    assert set(inbox(principal=world.province_leader).values_list("code", flat=True)) == set(dossiers.values())
    assert set(inbox(principal=world.other_reception).values_list("code", flat=True)) == {dossiers["other"]}
