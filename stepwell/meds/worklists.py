"""The medication worklist: the prescriber's and nurse's medication work, and each
clinician's unexpected positives, for the patients in the user's scope
(privacy.access.meds). Reads only; the patients it shows are audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch

from stepwell.care.models import ClinicalNote, NoteKind
from stepwell.clinic.time import program_today
from stepwell.patients.models import (
    CareTeamRole,
    Episode,
    EpisodeState,
    LevelOfCareChange,
    LevelOfCareDirection,
    Patient,
)
from stepwell.privacy.access.meds import (
    MedsNeed,
    access_meds,
    drug_tests_visible_to,
    meds_patients_visible_to,
)
from stepwell.privacy.audit import AuditAction

from .models import (
    Adherence,
    AdherenceAnswer,
    Reconciliation,
    ReconciliationOccasion,
    TestStatus,
)
from .selectors import _audit, has_opioid_use_disorder, unexpected_substances
from .testing_rules import unexpected_wording


@dataclass(frozen=True)
class WorkItem:
    kind: str  # visit_due, reconciliation_due, adherence, naloxone, unexpected_positive
    patient: Patient
    detail: str
    due_on: date | None = None
    link: str = ""


def _visit_interval_days(episode: Episode) -> int | None:
    """Days between medication visits from the latest signed plan's medication
    management intervention (sessions a week); None when the plan has none."""
    from stepwell.plans.models import Intervention, PlanStatus

    intervention = (
        Intervention.objects.filter(
            goal__problem__plan__episode=episode,
            goal__problem__plan__status=PlanStatus.SIGNED,
            modality="medication_management",
            sessions_per_week__gt=0,
        )
        .order_by("-goal__problem__plan__version")
        .first()
    )
    if intervention is None:
        return None
    return max(1, round(7 / intervention.sessions_per_week))


OPEN_STATES = (EpisodeState.ADMITTED, EpisodeState.ACTIVE, EpisodeState.ON_HOLD)


def level_change_unreconciled(episode: Episode) -> LevelOfCareChange | None:
    """The episode's latest level-of-care change (a transfer, step down or step up, not
    the level it was admitted from) when no level-of-care reconciliation was signed after
    the change was recorded; None otherwise. Reads the prefetched changes and signed
    reconciliations (docs/clinical-sources.md §7.1)."""
    changes = [
        c
        for c in episode.level_of_care_changes.all()
        if c.direction != LevelOfCareDirection.ADMITTED_FROM
    ]
    if not changes:
        return None
    latest = max(changes, key=lambda c: (c.recorded_at, c.pk))
    reconciled = any(
        r.occasion == ReconciliationOccasion.LEVEL_CHANGE
        and r.signed_at is not None
        and r.signed_at >= latest.recorded_at
        for r in episode.reconciliations.all()
    )
    return None if reconciled else latest


def worklist(*, user) -> list[WorkItem]:
    """The prescriber's and nurse's medication work, and each clinician's unexpected
    positives (as primary clinician), for the patients in the user's scope."""
    items: list[WorkItem] = []
    writable = Patient.objects.filter(
        pk__in=meds_patients_visible_to(user, MedsNeed.WRITE).values("pk")
    )
    episodes = (
        Episode.objects.filter(patient__in=writable, state__in=OPEN_STATES)
        .select_related("patient", "program")
        .prefetch_related(
            Prefetch("reconciliations", queryset=Reconciliation.objects.exclude(signed_at=None)),
            "level_of_care_changes",
        )
    )
    for episode in episodes:
        patient, today = episode.patient, program_today(episode.program)
        change = level_change_unreconciled(episode)
        if change is not None:
            items.append(
                WorkItem(
                    "reconciliation_due",
                    patient,
                    f"Level-of-care change reconciliation: {change.get_direction_display()} "
                    f"{change.get_level_of_care_display().lower()} on {change.effective_date} "
                    f"({episode.program.name})",
                    change.effective_date,
                    f"/meds/patients/{patient.pk}/",
                )
            )
        if episode.state == EpisodeState.ON_HOLD:
            continue  # the rest waits until the patient is back
        if not any(
            r.occasion == ReconciliationOccasion.ADMISSION for r in episode.reconciliations.all()
        ):
            items.append(
                WorkItem(
                    "reconciliation_due",
                    patient,
                    f"Admission reconciliation ({episode.program.name})",
                    episode.admitted_on,
                    f"/meds/patients/{patient.pk}/",
                )
            )
        interval = _visit_interval_days(episode)
        if interval and access_meds(user, patient, MedsNeed.PDMP):
            last = (
                ClinicalNote.objects.filter(patient=patient, kind=NoteKind.MEDICATION)
                .order_by("-started_at")
                .values_list("started_at", flat=True)
                .first()
            )
            start = program_today(episode.program, last) if last else episode.admitted_on
            due = start + timedelta(days=interval) if last else start
            if due and due <= today:
                items.append(
                    WorkItem(
                        "visit_due",
                        patient,
                        f"Medication visit every {interval} days",
                        due,
                        f"/meds/patients/{patient.pk}/",
                    )
                )
        if has_opioid_use_disorder(patient) and not patient.naloxone.exists():
            items.append(
                WorkItem(
                    "naloxone",
                    patient,
                    "Opioid use disorder: offer naloxone",
                    None,
                    f"/meds/patients/{patient.pk}/",
                )
            )
    discharged = Episode.objects.filter(
        patient__in=writable, state=EpisodeState.DISCHARGED, admitted_on__isnull=False
    ).exclude(reconciliations__occasion="discharge", reconciliations__signed_at__isnull=False)
    for episode in discharged.select_related("patient", "program").order_by("-discharged_on")[:50]:
        items.append(
            WorkItem(
                "reconciliation_due",
                episode.patient,
                f"Discharge reconciliation ({episode.program.name})",
                episode.discharged_on,
                f"/meds/patients/{episode.patient_id}/",
            )
        )
    recent = (
        Adherence.objects.filter(
            patient__in=writable, answer__in=(AdherenceAnswer.NONE, AdherenceAnswer.SOME)
        )
        .select_related("patient")
        .order_by("-answered_at")[:50]
    )
    for answer in recent:
        why = f": {answer.why_not}" if answer.why_not else ""
        items.append(
            WorkItem(
                "adherence",
                answer.patient,
                f"{answer.week}: took them {answer.get_answer_display().lower()}{why}",
                answer.answered_at.date(),
                f"/meds/patients/{answer.patient_id}/",
            )
        )
    primary = Patient.objects.filter(
        care_team__user=user, care_team__team_role=CareTeamRole.PRIMARY_CLINICIAN
    )
    tests = (
        drug_tests_visible_to(user)
        .filter(patient__in=primary, status=TestStatus.RESULTED, reviewed_at__isnull=True)
        .select_related("patient")
        .prefetch_related("results")
    )
    for test in tests:
        substances = unexpected_substances(test)
        if substances:
            items.append(
                WorkItem(
                    "unexpected_positive",
                    test.patient,
                    unexpected_wording(substances),
                    test.collected_at.date(),
                    f"/meds/drug-tests/{test.pk}/",
                )
            )
    _audit(
        user,
        patient_id=None,
        object_type="meds_worklist",
        object_id="",
        action=AuditAction.LIST,
        patients=sorted({i.patient.pk for i in items}),
    )
    return items
