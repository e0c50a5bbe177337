"""The one scoping rule: what a principal may see and where it may act.

- A person sees the agencies where they hold a role; for leaders, administrators and viewers
  (and anyone at a province People's Committee) also every agency under it.
- An API key sees its agency and every agency under it.
- A superuser sees everything.
Every view, API endpoint and export filters through `visible_agencies` / `scope_dossiers`.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tinhso.agencies.models import SUBTREE_ROLES, Agency, AgencyKind
from tinhso.agencies.principals import Principal


def _subtree_q(agency: Agency) -> Q:
    return Q(path__startswith=agency.path)


def visible_agencies(principal: Principal | None) -> QuerySet[Agency]:
    if principal is None:
        return Agency.objects.none()
    if principal.is_superuser:
        return Agency.objects.all()
    q = Q(pk__in=[])
    for agency, role in principal.roles:
        if principal.api_key is not None or role in SUBTREE_ROLES or agency.kind == AgencyKind.PROVINCE_COMMITTEE:
            q |= _subtree_q(agency)
        else:
            q |= Q(pk=agency.pk)
    return Agency.objects.filter(q)


def visible_agency_ids(principal: Principal | None) -> set[int]:
    """The ids of `visible_agencies`, computed once per principal (a principal lives one request)."""
    if principal is None:
        return set()
    if "visible_ids" not in principal.memo:
        principal.memo["visible_ids"] = frozenset(visible_agencies(principal).values_list("pk", flat=True))
    return set(principal.memo["visible_ids"])


def roles_at(principal: Principal, agency: Agency) -> set[str]:
    """The roles a principal holds at `agency`, counting roles held at an agency above it for
    subtree roles and API keys."""
    if principal.is_superuser:
        from tinhso.agencies.models import Role

        return set(Role.values)
    held: set[str] = set()
    for own, role in principal.roles:
        if own.pk == agency.pk:
            held.add(role)
        elif agency.path.startswith(own.path) and (
            principal.api_key is not None or role in SUBTREE_ROLES or own.kind == AgencyKind.PROVINCE_COMMITTEE
        ):
            held.add(role)
    return held


def can_see_agency(principal: Principal | None, agency: Agency) -> bool:
    if principal is None:
        return False
    if principal.is_superuser:
        return True
    return bool(roles_at(principal, agency)) or any(
        agency.path.startswith(own.path) and role in SUBTREE_ROLES for own, role in principal.roles
    )


def may_see_personal_data(principal: Principal | None, agency_ids: set[int]) -> bool:
    """Personal data of a dossier (names, ID numbers, phone, address, e-mail, attached files) is
    shown only to those acting in one of its agencies — not to viewers, whose role is to watch
    figures: they see names and numbers masked, and no files, on every page, form and export."""
    if principal is None:
        return False
    if principal.is_superuser:
        return True
    from tinhso.agencies.models import Role

    # A role held above the dossier's agencies counts only if they lie in its subtree (a leader
    # of another commune has no business with this one's applicants).
    key = ("personal", frozenset(agency_ids))
    if key not in principal.memo:
        principal.memo[key] = any(
            roles_at(principal, agency) - {Role.VIEWER} for agency in Agency.objects.filter(pk__in=agency_ids)
        )
    return bool(principal.memo[key])
