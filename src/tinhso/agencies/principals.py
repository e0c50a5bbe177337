"""A principal is whoever acts: a signed-in person or an API key, with their roles by agency."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.agencies.models import Agency, ApiKey, Role, StaffRole
from tinhso.core.errors import ApplicationError
from tinhso.throttling.services import rule, throttle_exceeded, throttle_hit


@dataclass
class Principal:
    user: Any = None
    api_key: ApiKey | None = None
    # (agency, role) pairs; an API key acts with every role within its agency's subtree.
    roles: list[tuple[Agency, str]] = field(default_factory=list)
    is_superuser: bool = False
    # A citizen (or business) acting on their own dossiers through the portal: no staff role,
    # the applicant's moves only, and only on dossiers whose `applicant_account` they are.
    applicant: bool = False
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
    def for_applicant(cls, user: Any) -> Principal:
        return cls(user=user, applicant=True)

    @classmethod
    def for_api_key(cls, key: ApiKey) -> Principal:
        return cls(api_key=key, roles=[(key.agency, role) for role in Role.values])


def api_key_check(secret: str, *, client_address: str | None) -> ApiKey | None:
    """The live API key whose secret this is, or None. Unknown secrets are counted per client
    address (`API_KEY_PER_ADDRESS`); an address past its limit gets `ApplicationError(429)` for
    every key until its window ends. Marks the key used (at most once a minute)."""
    limit = rule("API_KEY_PER_ADDRESS")
    blocked = throttle_exceeded(limit, client_address) if client_address else None
    if blocked is not None:
        raise ApplicationError(
            _("Quá nhiều khoá API sai từ địa chỉ này. Vui lòng thử lại sau %(minutes)s phút.") % {"minutes": blocked.retry_minutes},
            code="rate_limited", status=429,
        )
    key = ApiKey.objects.select_related("agency").filter(digest=ApiKey.digest_of(secret), revoked_at__isnull=True).first()
    if key is None:
        if client_address:
            throttle_hit(limit, client_address)
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


SYSTEM = Principal()
