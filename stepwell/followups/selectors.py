"""Reads of follow-ups, each starting from the acting user (privacy.access.followups)
and audited, naming every patient a list shows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When

from stepwell.core.paging import page_of, window
from stepwell.measures import selectors as measures
from stepwell.privacy.access import followups as access
from stepwell.privacy.audit import AuditAction, audit_record

from .models import FollowUp, FollowUpAttempt, FollowUpScore, FollowUpStatus, Readmission

WORKLIST_ORDER = Case(
    When(safety_answer=True, then=Value(0)),
    When(status=FollowUpStatus.DUE, then=Value(1)),
    When(status=FollowUpStatus.SENT, then=Value(2)),
    When(status=FollowUpStatus.UNREACHABLE, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class WorklistRow:
    follow_up: FollowUp
    may_record: bool


@dataclass(frozen=True)
class WorklistPage:
    rows: list[WorklistRow]
    page: Page


def follow_up_worklist(*, user, status: str = "", page_number=None) -> WorklistPage:
    """A page of the follow-ups the user sees (50), those needing a call first; `status`
    filters in SQL before the page is cut. The audit names the page's patients."""
    access.access_follow_up_worklist(user)
    rows = (
        access.follow_ups_visible_to(user)
        .select_related("patient", "program", "episode")
        .prefetch_related("tries")
        .annotate(order=WORKLIST_ORDER)
        .order_by("order", "due_on", "pk")
    )
    if status:
        rows = rows.filter(status=status)
    page = page_of(rows, page_number)
    follow_ups = list(page.object_list)
    recordable = set(
        access.follow_ups_recordable_by(user)
        .filter(pk__in=[f.pk for f in follow_ups])
        .values_list("pk", flat=True)
    )
    audit_record(
        user=user,
        action=AuditAction.LIST,
        object_type="follow_up_worklist",
        detail={"status": status, "patients": sorted({f.patient_id for f in follow_ups})},
    )
    return WorklistPage(
        rows=[WorklistRow(follow_up=f, may_record=f.pk in recordable) for f in follow_ups],
        page=page,
    )


def follow_up_for_recording(*, user, follow_up_id) -> FollowUp:
    """The follow-up a staff member records a phone call for (audited view)."""
    follow_up = access.access_follow_up_for_recording_by_id(
        user, follow_up_id, action=AuditAction.VIEW
    )
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=follow_up.patient_id,
        object_type="follow_up",
        object_id=follow_up.pk,
    )
    return follow_up


@dataclass(frozen=True)
class EpisodeFollowUps:
    episode: object
    follow_ups: list[FollowUp]
    readmission: Readmission | None  # this episode readmits after an earlier one
    readmitted_by: list[Readmission]  # later episodes that readmit after this one


def episode_follow_ups(
    *, user, episode_id, limit: int | None = None, offset: int = 0
) -> EpisodeFollowUps:
    """An episode's follow-ups, soonest due first, with their scores and attempts, and its
    readmission links. `limit` and `offset` cut the follow-ups in SQL (the API's page); the
    chart shows them all (one per day of the program's follow-up days)."""
    episode = access.access_episode_follow_ups_by_id(user, episode_id)
    follow_ups = _with_details(FollowUp.objects.filter(episode=episode))
    if limit is not None:
        follow_ups = window(follow_ups, limit=limit, offset=offset)
    follow_ups = list(follow_ups)
    readmission = Readmission.objects.filter(episode=episode).first()
    later = list(Readmission.objects.filter(earlier_episode=episode))
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=episode.patient_id,
        object_type="follow_up",
        object_id=f"episode:{episode.pk}",
        detail={"follow_ups": [f.pk for f in follow_ups]},
    )
    return EpisodeFollowUps(episode, follow_ups, readmission, later)


@dataclass(frozen=True)
class PatientFollowUps:
    patient: object
    episodes: list[EpisodeFollowUps]


def patient_follow_ups(*, user, patient_id) -> PatientFollowUps:
    """The chart's follow-up section: every discharged episode's follow-ups, and the
    readmissions, of a patient the user reads as staff. Read for all the episodes at once
    (the same queries for one discharge as for five) and audited once, naming every
    follow-up shown: whoever reads the patient reads each of their episodes."""
    patient = access.access_patient_follow_ups_by_id(user, patient_id)
    episodes = list(
        patient.episodes.filter(
            Q(pk__in=FollowUp.objects.filter(patient=patient).values("episode_id"))
            | Q(readmission__isnull=False)
        )
        .select_related("program")
        .distinct()
        .order_by("-referred_on", "-pk")
    )
    ids = [episode.pk for episode in episodes]
    follow_ups = defaultdict(list)
    for follow_up in _with_details(FollowUp.objects.filter(episode_id__in=ids)):
        follow_ups[follow_up.episode_id].append(follow_up)
    readmission = {r.episode_id: r for r in Readmission.objects.filter(episode_id__in=ids)}
    readmitted_by = defaultdict(list)
    for later in Readmission.objects.filter(earlier_episode_id__in=ids):
        readmitted_by[later.earlier_episode_id].append(later)
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="follow_up",
        object_id=f"patient:{patient.pk}",
        detail={"follow_ups": [f.pk for pk in ids for f in follow_ups[pk]]},
    )
    return PatientFollowUps(
        patient=patient,
        episodes=[
            EpisodeFollowUps(e, follow_ups[e.pk], readmission.get(e.pk), readmitted_by[e.pk])
            for e in episodes
        ],
    )


def _with_details(follow_ups):
    """Follow-ups soonest due first, with their scores and attempts (one query each for
    all of them)."""
    return follow_ups.prefetch_related(
        Prefetch("scores", queryset=FollowUpScore.objects.order_by("pk")),
        Prefetch("tries", queryset=FollowUpAttempt.objects.order_by("at", "pk")),
    ).order_by("due_on", "pk")


def instruments_of(follow_up: FollowUp) -> list:
    """The questionnaire definitions a follow-up asks, in order."""
    return [measures.instrument_for(key) for key in follow_up.instruments]


def results_of(follow_up: FollowUp) -> dict | None:
    """What the API returns as `results`: None until completed."""
    if follow_up.status != FollowUpStatus.COMPLETED:
        return None
    return {
        "method": follow_up.method,
        "completed_at": follow_up.completed_at.isoformat(),
        "instruments": {
            score.instrument_key: {"total": score.total, "band": score.band or None}
            for score in follow_up.scores.all()
        },
        "in_treatment": follow_up.in_treatment,
        "in_treatment_where": follow_up.in_treatment_where,
        "readmitted_higher_level": follow_up.readmitted_higher_level,
        "days_of_use_last_30": follow_up.days_of_use_last_30,
        "employment": follow_up.employment,
        "safety_answer": follow_up.safety_answer,
    }


@dataclass(frozen=True)
class ProgramPolicy:
    program: object
    settings: object  # services.policy.FollowUpSettings


def follow_up_policy_for(*, user, program_id) -> ProgramPolicy:
    """A program's follow-up settings, for the person who may change them."""
    from .services.policy import follow_up_settings

    program = access.access_follow_up_policy_by_program_id(user, program_id)
    return ProgramPolicy(program=program, settings=follow_up_settings(program))


def programs_with_settings_for(user) -> list:
    """The programs whose follow-up settings the user may change (links on the worklist)."""
    from stepwell.accounts.models import Role
    from stepwell.clinic.models import Program
    from stepwell.privacy.access.predicates import programs_with

    return list(Program.objects.filter(pk__in=programs_with(user, Role.PROGRAM_DIRECTOR)))
