"""The program's measurement schedule and the due questionnaires it creates
(``stepwell measures-due`` and the daily job run ``due_questionnaires_generate``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Episode, EpisodeState
from stepwell.privacy.access import measures as access
from stepwell.privacy.audit import AuditAction, audit_batch, audit_record
from stepwell.privacy.refusals import refuse

from .. import selectors
from ..models import Administration, AdministrationStatus, ScheduleRule
from .instrument_use import usable_instrument

ADMISSION_WINDOW_DAYS = 14  # an admission questionnaire is not created later than this
DISCHARGE_WINDOW_DAYS = 14


def schedule_rule_set(
    *,
    actor,
    program_id: int,
    instrument_key: str,
    at_admission: bool = False,
    every_days: int | None = None,
    at_discharge: bool = False,
    active: bool = True,
) -> ScheduleRule:
    """Set when the program gives an instrument (one rule per program and instrument)."""
    if not access.access_schedule_manage(actor, program_id):
        raise refuse(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="measurement_schedule",
            object_id=f"program {program_id}",
        )
    instrument_key = (instrument_key or "").strip().lower()
    usable_instrument(instrument_key, field="instrument_key")
    if not (at_admission or every_days or at_discharge):
        raise ApplicationError(
            "Choose when the instrument is given.",
            field_errors={"every_days": "Admission, every N days, or discharge."},
        )
    if every_days is not None and every_days < 1:
        raise ApplicationError(
            "Give the interval in whole days, 1 or more.",
            field_errors={"every_days": "At least 1 day."},
        )
    with transaction.atomic():
        rule, _ = ScheduleRule.objects.update_or_create(
            program_id=program_id,
            instrument_key=instrument_key,
            defaults={
                "at_admission": at_admission,
                "every_days": every_days,
                "at_discharge": at_discharge,
                "active": active,
            },
        )
        audit_record(
            user=actor,
            action=AuditAction.UPDATE,
            object_type="measurement_schedule",
            object_id=rule.pk,
            detail={"program": program_id, "rule": str(rule)},
        )
    return rule


def _occurrences(rule: ScheduleRule, episode: Episode, today: date) -> list[tuple[str, date]]:
    """The occurrences of ``rule`` that should exist for ``episode`` on ``today``.

    A repeating rule starts on the admission day (its first occurrence is "admission")
    and only its current occurrence is created: missed weeks are not back-filled.
    """
    found = []
    admitted = episode.admitted_on
    if admitted is None or admitted > today:
        return found
    in_treatment = episode.state in (EpisodeState.ADMITTED, EpisodeState.ACTIVE)
    if in_treatment and rule.every_days:
        k = (today - admitted).days // rule.every_days
        if k == 0:
            found.append(("admission", admitted))
        else:
            found.append((f"day-{k * rule.every_days}", admitted + timedelta(k * rule.every_days)))
    elif in_treatment and rule.at_admission and (today - admitted).days <= ADMISSION_WINDOW_DAYS:
        found.append(("admission", admitted))
    if (
        episode.state == EpisodeState.DISCHARGED
        and rule.at_discharge
        and episode.discharged_on is not None
        and (today - episode.discharged_on).days <= DISCHARGE_WINDOW_DAYS
    ):
        found.append(("discharge", episode.discharged_on))
    return found


def due_questionnaires_generate(
    *, actor, today: date | None = None, program_id: int | None = None
) -> list[Administration]:
    """Create the due questionnaires that the programs' schedules call for. Idempotent.

    ``program_id`` limits it to one program (the daily job runs each program on its date).

    Run by a job (``system_actor("measures-due")``): the rule naming the jobs that may is
    privacy.access.measures.access_due_questionnaires_generate. A repeating questionnaire
    still due when the next one falls due is marked missed; scheduled ones still due at
    discharge are marked missed too (the discharge one and those a clinician sent stay due).
    """
    if not access.access_due_questionnaires_generate(actor):
        raise refuse(
            actor=actor, action=AuditAction.CREATE, object_type="administration", object_id="due"
        )
    with transaction.atomic():
        return _due_questionnaires_create(actor=actor, today=today, program_id=program_id)


def _due_questionnaires_create(
    *, actor, today: date | None, program_id: int | None
) -> list[Administration]:
    created = []
    switched_off = selectors.instruments_switched_off()
    rules = ScheduleRule.objects.filter(active=True)
    if program_id is not None:
        rules = rules.filter(program_id=program_id)
    rules = list(rules.exclude(instrument_key__in=switched_off).select_related("program"))
    by_program: dict[int, list[ScheduleRule]] = {}
    for rule in rules:
        by_program.setdefault(rule.program_id, []).append(rule)
    episodes = Episode.objects.filter(
        program_id__in=by_program, admitted_on__isnull=False
    ).select_related("program", "patient")
    for episode in episodes:
        day = today or program_today(episode.program)
        existing = set(
            Administration.objects.filter(episode=episode)
            .exclude(occurrence="")
            .values_list("instrument_key", "occurrence")
        )
        for rule in by_program[episode.program_id]:
            for occurrence, due_on in _occurrences(rule, episode, day):
                if (rule.instrument_key, occurrence) in existing:
                    continue
                version = selectors.instrument_for(rule.instrument_key).version
                created.append(
                    Administration.objects.create(
                        patient=episode.patient,
                        episode=episode,
                        instrument_key=rule.instrument_key,
                        instrument_version=version,
                        occurrence=occurrence,
                        due_on=due_on,
                    )
                )
                if occurrence.startswith("day-"):
                    Administration.objects.filter(
                        episode=episode,
                        instrument_key=rule.instrument_key,
                        status=AdministrationStatus.DUE,
                        due_on__lt=due_on,
                    ).update(status=AdministrationStatus.MISSED)
        if episode.state == EpisodeState.DISCHARGED:
            Administration.objects.filter(episode=episode, status=AdministrationStatus.DUE).exclude(
                occurrence__in=("", "discharge")
            ).update(status=AdministrationStatus.MISSED)
    # Thousands of events in the job's transaction on a large clinic: as a batch, the
    # chain head is locked from the first of them (as before) and moves once.
    with audit_batch():
        for administration in created:
            audit_record(
                user=actor,
                action=AuditAction.CREATE,
                patient_id=administration.patient_id,
                object_type="administration",
                object_id=administration.pk,
                detail={
                    "instrument": administration.instrument_key,
                    "occurrence": administration.occurrence,
                    "due_on": administration.due_on,
                    "via": "schedule",
                },
            )
    return created
