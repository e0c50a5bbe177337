"""Loading the divisions from the `vietnam-provinces` package (idempotent).

A load that creates or changes units leaves one audit entry (`units.load`, the counts and the
codes it changed), in the load's transaction."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from vietnam_provinces import Province, ProvinceCode, Ward

from tinhso.audit.services import audit_record
from tinhso.units.models import AdministrativeUnit, UnitLevel, UnitType

_TYPE_MAP = {
    "tỉnh": UnitType.PROVINCE,
    "thành phố trung ương": UnitType.CENTRAL_CITY,
    "xã": UnitType.COMMUNE,
    "phường": UnitType.WARD,
    "đặc khu": UnitType.SPECIAL_ZONE,
}


@transaction.atomic
def units_load_divisions(*, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Create or update the 34 provinces and 3,321 communes. Returns counts created/updated."""
    existing = {u.code: u for u in AdministrativeUnit.objects.filter(valid_to__isnull=True)}
    created = updated = 0
    changed: list[str] = []
    to_create: list[AdministrativeUnit] = []
    provinces: dict[str, AdministrativeUnit] = {}
    for p in Province.iter_all():
        code = f"{int(p.code):02d}"
        unit_type = _TYPE_MAP.get(p.division_type.value, UnitType.OTHER)
        unit = existing.get(code)
        if unit is None:
            unit = AdministrativeUnit.objects.create(code=code, name=p.name, level=UnitLevel.PROVINCE, type=unit_type)
            created += 1
        elif (unit.name, unit.type) != (p.name, unit_type):
            unit.name, unit.type = p.name, unit_type
            unit.save(update_fields=["name", "type"])
            changed.append(code)
            updated += 1
        provinces[code] = unit
        if progress:
            progress(1)
    for code, province in provinces.items():
        for w in Ward.iter_by_province(ProvinceCode(int(code))):
            wcode = f"{int(w.code):05d}"
            unit_type = _TYPE_MAP.get(w.division_type.value, UnitType.OTHER)
            unit = existing.get(wcode)
            if unit is None:
                to_create.append(
                    AdministrativeUnit(code=wcode, name=w.name, level=UnitLevel.COMMUNE, type=unit_type, parent=province)
                )
            elif (unit.name, unit.type, unit.parent_id) != (w.name, unit_type, province.pk):
                unit.name, unit.type, unit.parent = w.name, unit_type, province
                unit.save(update_fields=["name", "type", "parent"])
                changed.append(wcode)
                updated += 1
            if progress:
                progress(1)
    AdministrativeUnit.objects.bulk_create(to_create, batch_size=1000)
    created += len(to_create)
    if created or updated:
        audit_record(principal=None, action="units.load", object_type="administrativeunit", object_id="*",
                     data={"created": created, "updated": updated, "changed": changed[:1000]})
    return {"created": created, "updated": updated}


def units_division_count() -> int:
    """How many units `units_load_divisions` walks (for its progress bar)."""
    return sum(1 + sum(1 for _ in Ward.iter_by_province(pc)) for pc in ProvinceCode)
