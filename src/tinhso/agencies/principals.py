"""A principal is whoever acts: a signed-in person or an API key, with their roles by agency."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tinhso.agencies.models import Agency, ApiKey, Role, StaffRole


@dataclass
class Principal:
    user: Any = None
    api_key: ApiKey | None = None
    # (agency, role) pairs; an API key acts with every role within its agency's subtree.
    roles: list[tuple[Agency, str]] = field(default_factory=list)
    is_superuser: bool = False
    # Per-request memo of derived answers (the visible agencies); a principal lives one request.
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def display_name(self) -> str:
        if self.user is not None:
            full = getattr(self.user, "get_full_name", lambda: "")()
            return full or str(getattr(self.user, "username", ""))
        if self.api_key is not None:
            return f"API: {self.api_key.name}"
        return "system"

    def role_names(self) -> set[str]:
        return {role for _, role in self.roles}

    @classmethod
    def for_user(cls, user: Any) -> Principal | None:
        if not user.is_authenticated:
            return None
        roles = [(r.agency, r.role) for r in StaffRole.objects.select_related("agency").filter(user=user)]
        return cls(user=user, roles=roles, is_superuser=bool(getattr(user, "is_superuser", False)))  # type: ignore[arg-type]

    @classmethod
    def for_api_key(cls, key: ApiKey) -> Principal:
        return cls(api_key=key, roles=[(key.agency, role) for role in Role.values])


SYSTEM = Principal()
