"""Which agencies receive a procedure: `catalogue.selectors.receiving_agencies`."""

from tests.factories import AgencyFactory, ProcedureFactory
from tinhso.agencies.models import AgencyKind
from tinhso.catalogue.selectors import receiving_agencies


def _names(procedure):
    return [a.name for a in receiving_agencies(procedure)]


def test_commune_procedure_is_received_by_every_active_commune_committee_by_name(db):
    AgencyFactory(code="H99.3", name="UBND xã Bình", kind=AgencyKind.COMMUNE_COMMITTEE)
    AgencyFactory(code="H99.1", name="UBND phường An", kind=AgencyKind.COMMUNE_COMMITTEE)
    AgencyFactory(code="H99.2", name="UBND xã Cũ", kind=AgencyKind.COMMUNE_COMMITTEE, is_active=False)
    AgencyFactory(code="H99.4", name="Trung tâm PVHCC", kind=AgencyKind.SERVICE_CENTRE)
    AgencyFactory(code="H99.5", name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT)
    assert _names(ProcedureFactory(level="commune")) == ["UBND phường An", "UBND xã Bình"]


def test_province_procedure_goes_to_the_service_centres_when_there_are_some(db):
    AgencyFactory(code="H99.1", name="Trung tâm Phục vụ hành chính công", kind=AgencyKind.SERVICE_CENTRE)
    AgencyFactory(code="H99.2", name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT)
    AgencyFactory(code="H99.3", name="UBND xã Bình", kind=AgencyKind.COMMUNE_COMMITTEE)
    assert _names(ProcedureFactory(level="province")) == ["Trung tâm Phục vụ hành chính công"]


def test_province_procedure_goes_to_the_departments_without_a_service_centre(db):
    AgencyFactory(code="H99.1", name="Sở Xây dựng", kind=AgencyKind.DEPARTMENT)
    AgencyFactory(code="H99.2", name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT)
    AgencyFactory(code="H99.3", name="Trung tâm cũ", kind=AgencyKind.SERVICE_CENTRE, is_active=False)
    AgencyFactory(code="H99.4", name="UBND xã Bình", kind=AgencyKind.COMMUNE_COMMITTEE)
    assert _names(ProcedureFactory(level="province")) == ["Sở Tư pháp", "Sở Xây dựng"]
