"""factory_boy factories and small helpers that build a world through the same services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model

from tinhso.agencies.models import Agency, AgencyKind, StaffRole
from tinhso.agencies.principals import Principal
from tinhso.agencies.services import apikey_create
from tinhso.catalogue.models import Procedure
from tinhso.catalogue.services import components_sync, workflow_set_default
from tinhso.dossiers import services
from tinhso.dossiers.components import ComponentReceipt
from tinhso.dossiers.models import Dossier, ResultKind
from tinhso.dossiers.services import ActionResult, Applicant, Upload
from tinhso.units.models import AdministrativeUnit, UnitLevel, UnitType


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{90000 + n:05d}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    level = UnitLevel.COMMUNE
    type = UnitType.COMMUNE


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"H99.{n + 1}")
    name = factory.Sequence(lambda n: f"Cơ quan {n}")
    kind = AgencyKind.DEPARTMENT
    unit = factory.SubFactory(UnitFactory)

    @factory.post_generation
    def set_path(obj: Agency, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        obj.path = obj.compute_path()
        if create:
            obj.save(update_fields=["path"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Cán bộ"
    last_name = factory.Sequence(lambda n: f"Số {n}")
    password = factory.PostGenerationMethodCall("set_password", "matkhau-123")


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử {n}")
    level = "commune"
    online_level = "full"
    processing_amount = Decimal(3)
    processing_unit = "working_days"
    fee_vnd = 50000

    @factory.post_generation
    def components(obj: Procedure, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        """`components=["Tờ khai", ("Văn bản ủy quyền (nếu ủy quyền)", "conditional")]`; default two required."""
        if create and not obj.components.exists():
            items = extracted if extracted is not None else ["Tờ khai", "Giấy tờ tuỳ thân"]
            components_sync(procedure=obj, components=[
                {"name": i, "requirement": "", "notes": ""} if isinstance(i, str)
                else {"name": i[0], "requirement": i[1], "notes": ""}
                for i in items
            ])

    @factory.post_generation
    def workflow(obj: Procedure, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create and not obj.steps.exists():
            workflow_set_default(procedure=obj)


def staff(username: str, agency: Agency, *roles: str) -> Principal:
    user = UserFactory(username=username)
    for role in roles:
        StaffRole.objects.get_or_create(user=user, agency=agency, role=role)
    principal = Principal.for_user(user)
    assert principal is not None
    return principal


def api_key(agency: Agency) -> str:
    return apikey_create(name=f"key-{agency.code}", agency_code=agency.code)[1]


def citizen(**overrides: Any) -> Applicant:
    data: dict[str, Any] = {"type": "citizen", "name": "Nguyễn Văn An", "id_number": "025090001234", "phone": "0912345678"}
    data.update(overrides)
    return Applicant(**data)


def handed_in(procedure: Procedure, **form: Any) -> list[ComponentReceipt]:
    """Every required component of `procedure`, one of each (original, paper unless `form` says)."""
    return [ComponentReceipt(c.order, **form) for c in procedure.components.order_by("order") if c.is_required]


# The smallest file the attachment store accepts as a PDF (type read from the bytes).
RESULT_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def result_file(name: str = "Kết quả") -> Upload:
    """An electronic result's file, for `dossier_finish(result=…)`."""
    return Upload(name, "ket-qua.pdf", RESULT_PDF)


def sign(*, principal: Principal, code: str, **kwargs: Any) -> ActionResult:
    """`dossier_sign` with a result number (the sign step requires one) unless one is given."""
    kwargs.setdefault("result_number", "12/QĐ-UBND")
    return services.dossier_sign(principal=principal, code=code, **kwargs)


def finish(*, principal: Principal, code: str, **kwargs: Any) -> ActionResult:
    """`dossier_finish`, with the result's file when the signed result is electronic."""
    if "result" not in kwargs and Dossier.objects.filter(code=code, result_kind=ResultKind.ELECTRONIC).exists():
        kwargs["result"] = result_file()
    return services.dossier_finish(principal=principal, code=code, **kwargs)
