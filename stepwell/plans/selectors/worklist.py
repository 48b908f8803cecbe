"""What falls due for the user: first plans, plan reviews, recertifications, and, for a
physician, the plans waiting for their signature. Staff only; roles per program."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.utils import timezone

from stepwell.accounts.models import Role
from stepwell.clinic.time import program_today
from stepwell.patients.models import Episode, Patient
from stepwell.plans.certification import is_physician
from stepwell.privacy.access.plans import PlanNeed, plan_episodes_for
from stepwell.privacy.access.predicates import is_staff_member, programs_with
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from ..models import (
    DEFAULT_FIRST_PLAN_DUE_DAYS,
    PhysicianCertification,
    ProgramPlanPolicy,
    SignatureRole,
    TreatmentPlan,
)
from ..policy import PLANNABLE_STATES
from .due import first_plan_due_on, first_plan_state, latest_certification, plan_review_due_on
from .versions import missing_signatures, plan_latest_signed, plans_of_episode


@dataclass(frozen=True)
class DueItem:
    kind: str  # "first_plan", "plan_review" or "recertification"
    patient: Patient
    episode: Episode
    plan: TreatmentPlan | None
    due_on: date
    overdue: bool
    detail: str = ""


@dataclass(frozen=True)
class AwaitingPhysician:
    patient: Patient
    episode: Episode
    plan: TreatmentPlan
    waiting_since: date


def _open_episodes(user, need: PlanNeed):
    return (
        plan_episodes_for(user, need)
        .filter(state__in=PLANNABLE_STATES)
        .select_related("patient", "program")
        .prefetch_related(  # every row's versions, signatures, reviews: a few queries in all
            Prefetch(
                "treatment_plans",
                queryset=TreatmentPlan.objects.select_related("patient").prefetch_related(
                    "signatures", "reviews"
                ),
            ),
            Prefetch("certifications", queryset=PhysicianCertification.objects.all()),
        )
    )


def _first_plan_due_days(episodes) -> dict[int, int]:
    """Each program's days to the first plan, read once for the whole list."""
    program_ids = {episode.program_id for episode in episodes}
    days = dict(
        ProgramPlanPolicy.objects.filter(program_id__in=program_ids).values_list(
            "program_id", "first_plan_due_days"
        )
    )
    return {pk: days.get(pk, DEFAULT_FIRST_PLAN_DUE_DAYS) for pk in program_ids}


def _due_of_episode(episode: Episode, today: date, horizon: date, due_days: int) -> list[DueItem]:
    items: list[DueItem] = []
    first_due = first_plan_due_on(episode, due_days=due_days)
    if first_due is not None and first_due <= horizon:
        done, detail = first_plan_state(episode, today)
        if not done:
            latest = next(iter(plans_of_episode(episode)), None)
            items.append(
                DueItem(
                    "first_plan",
                    episode.patient,
                    episode,
                    latest,
                    first_due,
                    first_due < today,
                    detail,
                )
            )
    plan = plan_latest_signed(episode)
    if plan is None:
        return items
    due = plan_review_due_on(plan)
    if due is not None and due <= horizon:
        items.append(DueItem("plan_review", episode.patient, episode, plan, due, due < today))
    certification = latest_certification(episode)
    if certification is not None and certification.recertify_by <= horizon:
        recertify_by = certification.recertify_by
        items.append(
            DueItem(
                "recertification",
                episode.patient,
                episode,
                plan,
                recertify_by,
                recertify_by < today,
            )
        )
    return items


def plan_worklist(*, user, today: date | None = None, within_days: int = 7) -> list[DueItem]:
    """First plans, plan reviews and physician recertifications due within `within_days`
    or overdue, soonest first, for the episodes whose plans the user may read."""
    items: list[DueItem] = []
    episodes = list(_open_episodes(user, PlanNeed.READ))
    due_days = _first_plan_due_days(episodes)
    for episode in episodes:
        episode_today = today or program_today(episode.program)
        horizon = episode_today + timedelta(days=within_days)
        items.extend(_due_of_episode(episode, episode_today, horizon, due_days[episode.program_id]))
    return sorted(items, key=lambda item: (item.due_on, item.patient.legal_last_name))


def physician_signature_worklist(*, user, today: date | None = None) -> list[AwaitingPhysician]:
    """For a physician (prescriber role in the program or on the care team, MD or DO):
    current signed versions that still need the physician's signature, longest waiting
    first."""
    if not is_physician(getattr(user, "credentials", "")):
        return []
    items: list[AwaitingPhysician] = []
    for episode in _open_episodes(user, PlanNeed.SIGN_PHYSICIAN):
        plan = plan_latest_signed(episode)
        if plan is None:
            continue
        day = today or program_today(episode.program)
        if SignatureRole.PHYSICIAN not in missing_signatures(plan, day):
            continue
        zone = zoneinfo.ZoneInfo(episode.program.timezone)
        items.append(
            AwaitingPhysician(
                episode.patient, episode, plan, timezone.localdate(plan.signed_at, zone)
            )
        )
    return sorted(items, key=lambda item: (item.waiting_since, item.patient.legal_last_name))


# --- opened on a page or over the API: audited, naming every patient listed -------------


def _audit_listed(user, items, **detail) -> None:
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="plan_worklist",
        detail={"patients": sorted({item.patient.pk for item in items}), **detail},
    )


@dataclass(frozen=True)
class Worklist:
    items: list[DueItem]
    awaiting: list[AwaitingPhysician]
    for_prescriber: bool  # show the physician's table (a label, not an access decision)
    page: Page | None = None  # which page of the due items `items` is


WORKLIST_PAGE_SIZE = 50


def worklist_page(*, user, page_number: str | int | None = None) -> Worklist:
    """50 due items a page, soonest first (a page number that is not a number gives the
    first page, one past the end the last); the audit names the patients shown."""
    page = Paginator(plan_worklist(user=user), WORKLIST_PAGE_SIZE).get_page(page_number)
    items = list(page.object_list)
    awaiting = physician_signature_worklist(user=user)
    _audit_listed(user, [*items, *awaiting])
    return Worklist(items, awaiting, bool(programs_with(user, Role.PRESCRIBER)), page)


def _staff_only(user, object_type: str) -> None:
    """The API's worklists are staff's: a patient (who has the portal) is refused, audited;
    staff with nothing due get an empty list."""
    if not is_staff_member(user):
        raise refuse(actor=user, action=AuditAction.LIST, object_type=object_type)


def plan_worklist_opened(
    *, user, within_days: int = 7, limit: int = 50, offset: int = 0
) -> list[DueItem]:
    """A page of the worklist (the audit names the patients of that page)."""
    _staff_only(user, "plan_worklist")
    items = plan_worklist(user=user, within_days=within_days)[offset : offset + limit]
    _audit_listed(user, items, via="api")
    return items


def physician_worklist_opened(*, user) -> list[AwaitingPhysician]:
    _staff_only(user, "physician_worklist")
    items = physician_signature_worklist(user=user)
    _audit_listed(user, items, via="api")
    return items
