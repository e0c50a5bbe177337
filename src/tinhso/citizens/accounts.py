"""Citizen accounts: who a sign-in names, and the profile fields a citizen may change.

`citizen_from_claims` turns what the identity provider (VNeID through the national portal's SSO)
said into a `Citizen` — matched by the provider's subject, then by citizen ID — and marks every
field it filled as `identity_provider`. `citizen_for_phone` is the account of a phone that has
just passed a one-time code. `citizen_update_profile` is the one door for what a citizen declares
themselves: a field that came from the identity provider is read-only.

A citizen's Django user is `cd-<random>`, without a usable password, never staff, without roles.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.agencies.principals import Principal
from tinhso.audit.services import audit_record
from tinhso.citizens.models import PROFILE_FIELDS, AccountKind, Citizen, FieldSource
from tinhso.core.codes import is_citizen_id, is_tax_code, normalise_tax_code
from tinhso.core.errors import InvalidInput
from tinhso.core.phones import phone_number

DECLARABLE = ("id_number", "full_name", "birth_date", "commune", "street", "phone", "email")


def _new_user() -> Any:
    user = get_user_model()(username=f"cd-{secrets.token_hex(8)}", is_staff=False, is_superuser=False)
    user.set_unusable_password()
    user.save()
    return user


def _claim(claims: dict[str, Any], *names: str) -> str:
    for name in names:
        value = claims.get(name) if name else None
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _birth_date(value: str) -> date | None:
    for parse in (date.fromisoformat, lambda v: date(int(v[6:10]), int(v[3:5]), int(v[0:2]))):
        try:
            return parse(value[:10])
        except (ValueError, IndexError):
            continue
    return None


def claims_profile(claims: dict[str, Any]) -> dict[str, Any]:
    """The profile fields the claims give (names from `TINHSO_OIDC_CLAIM_*`), validated; a value
    that does not pass (an ID that is not 12 digits, a bad phone) is left out."""
    fields: dict[str, Any] = {}
    id_number = _claim(claims, settings.TINHSO_OIDC_CLAIM_ID_NUMBER)
    tax_code = _claim(claims, settings.TINHSO_OIDC_CLAIM_TAX_CODE)
    if is_citizen_id(id_number):
        fields["id_number"] = id_number
    elif tax_code and is_tax_code(normalise_tax_code(tax_code)):
        fields["id_number"] = normalise_tax_code(tax_code)
        fields["kind"] = AccountKind.BUSINESS
    name = _claim(claims, settings.TINHSO_OIDC_CLAIM_NAME, "name")
    if name:
        fields["full_name"] = name[:255]
    born = _birth_date(_claim(claims, settings.TINHSO_OIDC_CLAIM_BIRTH_DATE, "birthdate"))
    if born is not None:
        fields["birth_date"] = born
    phone = phone_number(_claim(claims, settings.TINHSO_OIDC_CLAIM_PHONE, "phone_number"))
    if phone:
        fields["phone"] = phone
    email = _claim(claims, settings.TINHSO_OIDC_CLAIM_EMAIL, "email")
    try:
        validate_email(email)
        fields["email"] = email[:254]
    except ValidationError:
        pass
    return fields


@transaction.atomic
def citizen_from_claims(claims: dict[str, Any]) -> Citizen:
    """The citizen the identity provider named (created on the first sign-in), with the fields
    the claims carry written and marked `identity_provider`."""
    subject = str(claims.get("sub") or "").strip()
    if not subject:
        raise InvalidInput(_("Nhà cung cấp định danh không cho biết người đăng nhập."))
    fields = claims_profile(claims)
    citizen = Citizen.objects.select_for_update().filter(oidc_subject=subject).first()
    if citizen is None and fields.get("id_number"):
        # Only an account whose number the identity provider itself gave: a number someone typed
        # into a phone account must never hand that account the identity (nor the other way).
        citizen = next((c for c in Citizen.objects.select_for_update().filter(id_number=fields["id_number"])
                        .order_by("pk") if c.is_verified("id_number")), None)
    created = citizen is None
    if citizen is None:
        citizen = Citizen(user=_new_user())
    phone = fields.get("phone")
    if phone and Citizen.objects.filter(phone=phone).exclude(pk=citizen.pk).exists():
        fields.pop("phone")  # another account holds this phone: keep it there rather than fail
    citizen.oidc_subject = subject
    sources = dict(citizen.sources)
    for name, value in fields.items():
        setattr(citizen, name, value)
        if name in PROFILE_FIELDS:
            sources[name] = FieldSource.IDENTITY_PROVIDER.value
    citizen.sources = sources
    citizen.save()
    audit_record(principal=Principal.for_applicant(citizen.user),
                 action="citizen.created" if created else "citizen.updated_from_identity",
                 object_type="citizen", object_id=citizen.pk,
                 data={"issuer": settings.TINHSO_OIDC_ISSUER, "fields": sorted(fields)})
    return citizen


@transaction.atomic
def citizen_for_phone(phone: str) -> Citizen:
    """The account of `phone` (a code sent to it was just verified); created with the phone
    declared when the phone is new."""
    number = phone_number(phone, mobile=True)
    if number is None:
        message = _("Số điện thoại di động không hợp lệ (10 chữ số, bắt đầu bằng 0, hoặc +84…).")
        raise InvalidInput(message, fields={"phone": message})
    citizen = Citizen.objects.select_for_update().filter(phone=number).first()
    if citizen is None:
        citizen = Citizen.objects.create(user=_new_user(), phone=number, sources={"phone": FieldSource.DECLARED.value})
        audit_record(principal=Principal.for_applicant(citizen.user), action="citizen.created", object_type="citizen",
                     object_id=citizen.pk, data={"by": "phone"})
    return citizen


def _commune(value: Any) -> Any:
    from tinhso.units.models import AdministrativeUnit, UnitLevel

    if value in (None, ""):
        return None
    code = getattr(value, "code", value)
    unit = AdministrativeUnit.objects.filter(code=str(code), level=UnitLevel.COMMUNE, valid_to__isnull=True).first()
    if unit is None:
        raise InvalidInput(_("Xã, phường không có trong danh mục đơn vị hành chính hiện hành."),
                           fields={"commune": _("Chọn một xã, phường hiện hành.")})
    return unit


@transaction.atomic
def citizen_update_profile(citizen: Citizen, **fields: Any) -> Citizen:
    """Change what the citizen declares. A field from the identity provider, or one that is not a
    declarable field, is refused (`InvalidInput` naming it); values are checked."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in DECLARABLE:
            errors[name] = _("Trường này không thể thay đổi.")
        elif citizen.is_verified(name):
            errors[name] = _("Thông tin này lấy từ định danh điện tử, không thể sửa.")
        elif name == "phone":
            phone = phone_number(str(value or ""), mobile=True) if value else ""
            if phone is None:
                errors[name] = _("Số điện thoại di động không hợp lệ (10 chữ số, bắt đầu bằng 0, hoặc +84…).")
            elif phone and Citizen.objects.filter(phone=phone).exclude(pk=citizen.pk).exists():
                errors[name] = _("Số điện thoại này đã gắn với một tài khoản khác.")
            else:
                clean[name] = phone
        elif name == "id_number":
            number = normalise_tax_code("".join(str(value or "").split()))
            holders = Citizen.objects.filter(id_number=number).exclude(pk=citizen.pk) if number else []
            if number and not (is_citizen_id(number) or is_tax_code(number)):
                errors[name] = _("Số định danh cá nhân có 12 chữ số; mã số thuế có 10 hoặc 13 chữ số.")
            elif any(holder.is_verified("id_number") for holder in holders):
                errors[name] = _("Số định danh này thuộc một tài khoản đăng nhập bằng định danh điện tử; "
                                 "hãy đăng nhập bằng VNeID.")
            else:
                clean[name] = number
        elif name == "email":
            try:
                if value:
                    validate_email(value)
                clean[name] = str(value or "")
            except ValidationError:
                errors[name] = _("Địa chỉ thư điện tử không hợp lệ.")
        elif name == "commune":
            try:
                clean[name] = _commune(value)
            except InvalidInput as exc:
                errors[name] = exc.fields.get("commune", str(exc))
        elif name == "birth_date":
            born = value if isinstance(value, date) or value in (None, "") else _birth_date(str(value))
            if value not in (None, "") and (born is None or born > timezone.localdate()):
                errors[name] = _("Ngày sinh không hợp lệ.")
            else:
                clean[name] = born or None
        else:
            clean[name] = str(value or "").strip()[:255]
    if errors:
        raise InvalidInput(_("Thông tin chưa hợp lệ: %(fields)s.") % {"fields": ", ".join(sorted(errors))},
                           fields=errors)
    sources = dict(citizen.sources)
    for name, value in clean.items():
        setattr(citizen, name, value)
        sources[name] = FieldSource.DECLARED.value
    citizen.sources = sources
    citizen.save()
    audit_record(principal=Principal.for_applicant(citizen.user), action="citizen.profile_updated",
                 object_type="citizen", object_id=citizen.pk, data={"fields": sorted(clean)})
    return citizen
