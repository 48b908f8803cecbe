"""What falls due for the user: first plans, plan reviews, recertifications, and, for a
physician, the plans waiting for their signature. Staff only; roles per program."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Page
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from stepwell.accounts.models import Role
from stepwell.billing.models import Coverage, PayerKind
from stepwell.clinic.time import program_today
from stepwell.core.paging import page_of
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
from .due_queries import KIND_ORDER, ProgramDays, awaiting_physician, due_page, due_rows
from .versions import (
    missing_signatures,
    plan_latest_signed,
    plans_of_episode,
    signature_status_of,
)


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


_EPISODE_DETAILS = (  # every row's versions, signatures, reviews: a few queries in all
    Prefetch(
        "treatment_plans",
        queryset=TreatmentPlan.objects.select_related("patient").prefetch_related(
            "signatures", "reviews"
        ),
    ),
    Prefetch("certifications", queryset=PhysicianCertification.objects.all()),
)


def _open_episodes(user, need: PlanNeed):
    return (
        plan_episodes_for(user, need)
        .filter(state__in=PLANNABLE_STATES)
        .select_related("patient", "program")
        .prefetch_related(*_EPISODE_DETAILS)
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


def plan_worklist_by_rules(
    *, user, today: date | None = None, within_days: int = 7
) -> list[DueItem]:
    """The worklist computed row by row in Python from the rules of due.py and versions.py:
    every open episode loaded and checked. Not used by pages (it loads every episode the
    user may read); the tests hold `plan_worklist`, which asks the database, to it."""
    items: list[DueItem] = []
    episodes = list(_open_episodes(user, PlanNeed.READ))
    due_days = _first_plan_due_days(episodes)
    for episode in episodes:
        episode_today = today or program_today(episode.program)
        horizon = episode_today + timedelta(days=within_days)
        items.extend(_due_of_episode(episode, episode_today, horizon, due_days[episode.program_id]))
    return sorted(items, key=_item_order)


def _item_order(item: DueItem):
    """Soonest first, then by last name; ties by episode and kind, so a page is stable."""
    return (item.due_on, item.patient.legal_last_name, item.episode.pk, KIND_ORDER[item.kind])


def physician_signature_worklist_by_rules(
    *, user, today: date | None = None
) -> list[AwaitingPhysician]:
    """The physician's list computed in Python from versions.py (the tests' reference for
    `physician_signature_worklist`)."""
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
    return sorted(items, key=lambda i: (i.waiting_since, i.patient.legal_last_name, i.episode.pk))


# --- the same lists asked of the database: counted, ordered and sliced in SQL -------------


def _due_query(user, today: date | None, within_days: int):
    episodes = plan_episodes_for(user, PlanNeed.READ).filter(state__in=PLANNABLE_STATES)
    days = ProgramDays.of(episodes, today)
    return due_rows(episodes, days, within_days=within_days), days


def _due_items(rows: list[dict], days: ProgramDays) -> list[DueItem]:
    """The rows of one page with their patients, episodes, plans and first-plan details
    (read for these rows only, in a fixed number of queries)."""
    episodes = _open_episodes_by_id({row["pk"] for row in rows})
    medicare = _medicare_patients(episodes.values(), days)
    items = []
    for row in rows:
        episode = episodes[row["pk"]]
        today = days.today[episode.program_id]
        plan, detail = plan_latest_signed(episode), ""
        if row["kind"] == "first_plan":
            plan = next(iter(plans_of_episode(episode)), None)
            detail = _first_plan_detail(plan, episode.pk in medicare)
        due_on = row["due_on"]
        items.append(
            DueItem(row["kind"], episode.patient, episode, plan, due_on, due_on < today, detail)
        )
    return items


def _medicare_patients(episodes, days: ProgramDays) -> set[int]:
    """The shown episodes whose patient Medicare covers on the program's day, one query."""
    episodes = list(episodes)
    coverages = Coverage.objects.filter(
        patient_id__in={episode.patient_id for episode in episodes},
        payer__kind=PayerKind.MEDICARE,
    )
    by_patient = defaultdict(list)
    for coverage in coverages:
        by_patient[coverage.patient_id].append(coverage)
    return {
        episode.pk
        for episode in episodes
        if any(c.covers(days.today[episode.program_id]) for c in by_patient[episode.patient_id])
    }


def _first_plan_detail(latest: TreatmentPlan | None, has_medicare: bool) -> str:
    """What is missing, as first_plan_state words it for an episode whose first plan is
    not done: the newest version is never superseded, so the physician signs it when the
    version asks for it or Medicare covers the patient (versions.py)."""
    if latest is None:
        return "No plan yet"
    if not latest.is_signed:
        return f"Draft v{latest.version}, not signed"
    roles = [SignatureRole.CLINICIAN, SignatureRole.PATIENT]
    if latest.requires_physician_signature or has_medicare:
        roles.append(SignatureRole.PHYSICIAN)
    have = {signature.role for signature in latest.signatures.all()}
    status = signature_status_of(locked=True, missing=[r for r in roles if r not in have])
    return f"v{latest.version} {status.label.lower()}"


def _open_episodes_by_id(episode_ids) -> dict[int, Episode]:
    """The shown episodes, with their versions, signatures, reviews and certifications."""
    return {
        episode.pk: episode
        for episode in Episode.objects.filter(pk__in=episode_ids)
        .select_related("patient", "program")
        .prefetch_related(*_EPISODE_DETAILS)
    }


def plan_worklist(
    *, user, today: date | None = None, within_days: int = 7, offset: int = 0, limit=None
) -> list[DueItem]:
    """First plans, plan reviews and physician recertifications due within `within_days`
    or overdue, soonest first, for the episodes whose plans the user may read; `limit`
    items after `offset` (all by default). The database finds, orders and slices the rows;
    only those returned are loaded."""
    rows, days = _due_query(user, today, within_days)
    end = None if limit is None else offset + limit
    return _due_items(list(rows[offset:end]), days)


def physician_waiting(*, user, today: date | None = None) -> QuerySet:
    """For a physician (prescriber role in the program or on the care team, MD or DO): the
    episodes whose current signed version still needs the physician's signature, longest
    waiting first, as (episode, plan, waiting since) rows a caller counts and slices."""
    episodes = plan_episodes_for(user, PlanNeed.SIGN_PHYSICIAN).filter(state__in=PLANNABLE_STATES)
    if not is_physician(getattr(user, "credentials", "")):
        episodes = episodes.none()
    days = ProgramDays.of(episodes, today)
    return awaiting_physician(episodes, days).values_list("pk", "waiting_plan_id", "waiting_since")


def _awaiting_items(waiting) -> list[AwaitingPhysician]:
    """The rows of one page with their plans, episodes and patients, in one query."""
    waiting = list(waiting)
    plans = TreatmentPlan.objects.select_related("episode__patient", "episode__program").in_bulk(
        [plan_id for _, plan_id, _ in waiting]
    )
    return [
        AwaitingPhysician(
            plans[plan_id].episode.patient, plans[plan_id].episode, plans[plan_id], since
        )
        for _, plan_id, since in waiting
    ]


def physician_signature_worklist(
    *, user, today: date | None = None, offset: int = 0, limit: int | None = None
) -> list[AwaitingPhysician]:
    """Current signed versions that still need the user's signature as physician, longest
    waiting first; `limit` items after `offset` (all by default), sliced in SQL."""
    end = None if limit is None else offset + limit
    return _awaiting_items(physician_waiting(user=user, today=today)[offset:end])


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
    awaiting_page: Page | None = None  # which page of the physician's plans `awaiting` is


WORKLIST_PAGE_SIZE = 50


def worklist_page(*, user, page_number: str | int | None = None) -> Worklist:
    """50 due items a page, soonest first (a page number that is not a number gives the
    first page, one past the end the last), and the physician's waiting plans 50 a page,
    longest waiting first, by the same page number (the shorter list shows its last page
    past its end); the audit names the patients shown."""
    rows, days = _due_query(user, None, 7)
    shown, page = due_page(rows, page_number=page_number, per_page=WORKLIST_PAGE_SIZE)
    items = _due_items(shown, days)
    awaiting_page = page_of(physician_waiting(user=user), page_number, size=WORKLIST_PAGE_SIZE)
    awaiting = _awaiting_items(awaiting_page.object_list)
    _audit_listed(user, [*items, *awaiting])
    return Worklist(
        items, awaiting, bool(programs_with(user, Role.PRESCRIBER)), page, awaiting_page
    )


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
    items = plan_worklist(user=user, within_days=within_days, offset=offset, limit=limit)
    _audit_listed(user, items, via="api")
    return items


def physician_worklist_opened(*, user, limit: int = 50, offset: int = 0) -> list[AwaitingPhysician]:
    """A page of the physician's waiting plans (the audit names the patients of that page)."""
    _staff_only(user, "physician_worklist")
    items = physician_signature_worklist(user=user, offset=offset, limit=limit)
    _audit_listed(user, items, via="api")
    return items
