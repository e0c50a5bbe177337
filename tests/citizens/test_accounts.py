"""Citizen accounts: the profile from identity claims (matched by subject, then citizen ID), the
account of a phone, and the declared-fields-only profile update."""

from __future__ import annotations

import pytest

from tinhso.audit.models import AuditEntry
from tinhso.citizens.accounts import citizen_for_phone, citizen_from_claims, citizen_update_profile
from tinhso.citizens.models import Citizen, FieldSource
from tinhso.core.errors import InvalidInput


def test_claims_match_by_subject_then_by_citizen_id(db):
    first = citizen_from_claims({"sub": "a", "SoDinhDanh": "001203004567", "name": "Trần Thị Hoa"})
    assert first.full_name == "Trần Thị Hoa" and first.sources["full_name"] == FieldSource.IDENTITY_PROVIDER
    again = citizen_from_claims({"sub": "b", "SoDinhDanh": "001203004567"})
    assert again.pk == first.pk and again.oidc_subject == "b"
    bad_id = citizen_from_claims({"sub": "c", "SoDinhDanh": "12345"})
    assert bad_id.pk != first.pk and bad_id.id_number == ""
    with pytest.raises(InvalidInput):
        citizen_from_claims({"SoDinhDanh": "001203004567"})


def test_a_phone_account_is_created_once_with_the_phone_declared(db):
    one = citizen_for_phone("+84 912 345 678")
    assert one.phone == "0912345678" and one.source_of("phone") == FieldSource.DECLARED
    assert citizen_for_phone("0912345678").pk == one.pk and Citizen.objects.count() == 1
    assert not one.user.is_staff and one.user.username.startswith("cd-")


def test_only_declared_fields_change_and_values_are_checked(db):
    citizen = citizen_from_claims({"sub": "a", "SoDinhDanh": "001203004567", "HoVaTen": "Lê Văn Nam"})
    with pytest.raises(InvalidInput) as refused:
        citizen_update_profile(citizen, full_name="Someone Else")
    assert "full_name" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        citizen_update_profile(citizen, phone="12345")
    assert "phone" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        citizen_update_profile(citizen, commune="99999")
    assert "commune" in refused.value.fields
    with pytest.raises(InvalidInput):
        citizen_update_profile(citizen, id_number="001203004568")
    citizen_update_profile(citizen, phone="0987 654 321", street="12 Trần Phú", email="nam@example.vn")
    citizen.refresh_from_db()
    assert (citizen.phone, citizen.street, citizen.source_of("phone")) == ("0987654321", "12 Trần Phú", "declared")
    assert AuditEntry.objects.filter(action="citizen.profile_updated", object_id=str(citizen.pk)).exists()


def test_a_current_commune_is_accepted(world):
    from tinhso.units.models import AdministrativeUnit, UnitLevel

    unit = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True).first()
    assert unit is not None
    citizen = citizen_for_phone("0912345678")
    citizen_update_profile(citizen, commune=unit.code)
    citizen.refresh_from_db()
    assert citizen.commune_id == unit.pk


def test_a_phone_account_declares_its_id_number_which_never_captures_an_identity(db):
    phone_only = citizen_for_phone("0912345678")
    with pytest.raises(InvalidInput) as refused:
        citizen_update_profile(phone_only, id_number="12345")
    assert "id_number" in refused.value.fields
    citizen_update_profile(phone_only, id_number=" 0012 0300 4567 ")
    phone_only.refresh_from_db()
    assert phone_only.id_number == "001203004567" and phone_only.source_of("id_number") == FieldSource.DECLARED
    # The real holder signs in through VNeID: a new account, not the one that typed the number.
    holder = citizen_from_claims({"sub": "vneid-1", "SoDinhDanh": "001203004567", "HoVaTen": "Trần Thị Hoa"})
    assert holder.pk != phone_only.pk and holder.is_verified("id_number")
    # … and from then on nobody can declare that number.
    other = citizen_for_phone("0987654321")
    with pytest.raises(InvalidInput) as refused:
        citizen_update_profile(other, id_number="001203004567")
    assert "VNeID" in refused.value.fields["id_number"]
