"""Reads of dossiers, always through the scoping rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from tinhso.agencies.models import Agency, Role
from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import roles_at, visible_agencies, visible_agency_ids
from tinhso.catalogue.models import FeeTiming, WorkflowStep
from tinhso.core.errors import NotFound
from tinhso.core.text import search_key
from tinhso.dossiers.models import OPEN_STATUSES, Dossier, DossierEvent, Status
from tinhso.dossiers.transitions import APPLICANT, TRANSITIONS, Action


def dossiers_visible(principal: Principal | None) -> QuerySet[Dossier]:
    """Every dossier the principal may see: received or handled by an agency in its scope."""
    if principal is None:
        return Dossier.objects.none()
    if principal.is_superuser:
        return Dossier.objects.all()
    agencies = visible_agencies(principal).values("pk")
    return Dossier.objects.filter(Q(handling_agency__in=agencies) | Q(receiving_agency__in=agencies))


def dossier_get(*, principal: Principal | None, code: str) -> Dossier:
    try:
        return dossiers_visible(principal).select_related(
            "procedure", "receiving_agency", "handling_agency", "current_step", "current_handler"
        ).get(code=code)
    except Dossier.DoesNotExist:
        raise NotFound(f"Không tìm thấy hồ sơ {code}.") from None


@dataclass
class DossierFilters:
    agency: str | None = None
    status: int | None = None
    procedure: str | None = None
    channel: int | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    due_before: datetime | None = None
    overdue: bool | None = None
    q: str | None = None


def dossier_list(*, principal: Principal | None, filters: DossierFilters) -> QuerySet[Dossier]:
    qs = dossiers_visible(principal).select_related("procedure", "receiving_agency", "handling_agency", "current_step")
    f = filters
    if f.agency:
        qs = qs.filter(Q(handling_agency__code=f.agency) | Q(receiving_agency__code=f.agency))
    if f.status is not None:
        qs = qs.filter(status=f.status)
    if f.procedure:
        qs = qs.filter(procedure__code=f.procedure)
    if f.channel is not None:
        qs = qs.filter(channel=f.channel)
    if f.received_from:
        qs = qs.filter(received_at__gte=f.received_from)
    if f.received_to:
        qs = qs.filter(received_at__lt=f.received_to)
    if f.due_before:
        qs = qs.filter(due_at__lt=f.due_before)
    if f.overdue is not None:
        now = timezone.now()
        late = Q(status__in=OPEN_STATUSES, paused_at__isnull=True, due_at__lt=now) | Q(
            finished_at__isnull=False, due_at__isnull=False, finished_at__gt=F("due_at")
        )
        qs = qs.filter(late) if f.overdue else qs.exclude(late)
    if f.q:
        qs = qs.filter(search_q(f.q))
    return qs.order_by("due_at", "id")


def search_q(text: str) -> Q:
    """What an officer's search box matches: the dossier code (or its start, however it is
    cased), the applicant's ID number or tax code, or the start of the applicant's name
    ignoring diacritics and case ("nguyen van a" finds "Nguyễn Văn A"). Each is an indexed
    lookup (`dossier_applicant_name` holds the folded name)."""
    term = text.strip()
    code = "".join(term.split()).upper()
    q = Q(code=code) | Q(code__startswith=code) | Q(applicant_id_number=term)
    key = search_key(term)
    if key and not key.replace(" ", "").isdigit():
        q |= Q(applicant_name_search__startswith=key)
    return q


# The columns an inbox row shows (and what its due marks and personal-data check need):
# loading only these keeps the inbox within a small factor of the bare indexed query.
INBOX_FIELDS = (
    "code", "status", "channel", "applicant_name", "received_at", "due_at", "paused_at", "finished_at", "version",
    "handling_agency_id", "receiving_agency_id",
    "procedure__code", "procedure__name", "current_step__name", "current_step__kind", "current_step__role",
)


def inbox(*, principal: Principal) -> QuerySet[Dossier]:
    """Open dossiers in the principal's agencies, the soonest due first (uses the partial index
    `dossier_inbox_open`)."""
    qs = Dossier.objects.filter(status__in=OPEN_STATUSES)
    if not principal.is_superuser:
        qs = qs.filter(handling_agency_id__in=sorted(visible_agency_ids(principal)))
    # Two small joins only: a five-table join costs more to plan than the indexed scan costs to
    # run. A page's agencies are attached afterwards with `attach_agencies`.
    return qs.select_related("procedure", "current_step").only(*INBOX_FIELDS).order_by("due_at", "id")


# The statuses in which a dossier waits for someone at a workflow step, and those in which it
# waits for the reception officer (an online dossier to check, a result to hand over).
AT_A_STEP = (Status.RECEIVED, Status.IN_PROGRESS)
AT_THE_COUNTER = (Status.REGISTERED, Status.PROCESSED)


def waiting_for(*, principal: Principal) -> QuerySet[Dossier]:
    """"Chờ tôi xử lý": the dossiers waiting for the principal's own move, soonest due first —
    at a workflow step whose role the principal holds at the dossier's handling agency, or, for
    a reception officer (and a records clerk for results), registered online dossiers to check
    and processed ones to hand over at their agency. A dossier waiting for the applicant (a
    supplement) waits for nobody here. A superuser without seats sees every open dossier."""
    if principal.is_superuser and not principal.roles:
        return inbox(principal=principal)
    seats: dict[str, set[int]] = {}
    for agency, role in principal.roles:
        seats.setdefault(role, set()).add(agency.pk)
    wanted = Q(pk__in=[])
    for role, agency_ids in sorted(seats.items()):
        ids = sorted(agency_ids)
        steps = WorkflowStep.objects.filter(role=role).values("pk")
        wanted |= Q(status__in=AT_A_STEP, handling_agency_id__in=ids, current_step_id__in=steps)
        if role == Role.RECEPTION:
            wanted |= Q(status__in=AT_THE_COUNTER, receiving_agency_id__in=ids)
        if role == Role.RECORDS_CLERK:
            wanted |= Q(status=Status.PROCESSED, handling_agency_id__in=ids)
    return (
        Dossier.objects.filter(wanted)
        .select_related("procedure", "current_step")
        .only(*INBOX_FIELDS)
        .order_by("due_at", "id")
    )


def attach_agencies(dossiers: list[Dossier]) -> list[Dossier]:
    """Set the handling and receiving agencies (with unit and parent unit) of a page of dossiers
    with one query for all of them."""
    ids = {d.handling_agency_id for d in dossiers} | {d.receiving_agency_id for d in dossiers}
    agencies = Agency.objects.select_related("unit__parent").in_bulk(ids)
    for d in dossiers:
        d.handling_agency = agencies[d.handling_agency_id]
        d.receiving_agency = agencies[d.receiving_agency_id]
    return dossiers


def dossier_allowed_actions(principal: Principal | None, dossier: Dossier) -> list[Action]:
    """The actions `principal` may take on `dossier` now — the checks the services make: the
    status and step against the transition table, the caller's roles at the dossier's agencies
    (the step's own role for step-bound moves), and the once-only extension and rating.
    (The notice window of an extension depends on the moment and is left to the service.)"""
    if principal is None:
        roles = {APPLICANT}
    else:
        roles = roles_at(principal, dossier.handling_agency) | roles_at(principal, dossier.receiving_agency)
    step = dossier.current_step
    allowed: list[Action] = []
    for action, move in TRANSITIONS.items():
        if action == Action.SUBMIT or dossier.status not in move.sources:
            continue
        if move.step_kinds is not None and (step is None or step.kind not in move.step_kinds):
            continue
        holders = roles & move.roles
        if step is not None and move.step_kinds is not None:
            holders &= {step.role}
        if not holders:
            continue
        if (action == Action.EXTEND and dossier.extended) or (action == Action.RATE and dossier.rating):
            continue
        # Online, a payment is recorded by reconciliation; the button is the counter's (cash, card).
        if action == Action.FEE_PAID and not (dossier.fee_due > 0 and not dossier.fee_paid):
            continue
        if action == Action.REQUEST_PAYMENT and not (
            dossier.procedure.fee_timing == FeeTiming.BEFORE_RESULT and dossier.fee_due > 0 and not dossier.fee_paid
        ):
            continue
        allowed.append(action)
    return allowed


def dossier_events(*, principal: Principal | None, code: str) -> QuerySet[DossierEvent]:
    """A dossier's history (form 06), oldest first, if the principal may see the dossier (else 404)."""
    dossier = dossier_get(principal=principal, code=code)
    return DossierEvent.objects.filter(dossier=dossier).select_related("from_agency", "to_agency").order_by("at", "id")
