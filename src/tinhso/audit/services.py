"""`audit_record`: the one function that writes an audit entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tinhso.audit.models import AuditEntry

if TYPE_CHECKING:
    from tinhso.agencies.principals import Principal


def audit_record(
    *, principal: Principal | None, action: str, object_type: str, object_id: str | int, data: dict[str, Any] | None = None
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=principal.user if principal is not None else None,
        api_key=principal.api_key if principal is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=data or {},
    )
