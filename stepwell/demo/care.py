"""Demo attendance and notes: eight weeks of past groups and appointments, taken and
documented through the care services. Synthetic text only.

Runs after the schedule demo (it needs occurrences and enrolments; a patient with none
is skipped). Some patients attend poorly (below the weekly minimum), a few recent group
notes are left unsigned (on the author's worklist) and two older ones past the
director's threshold; today's groups are left for the clinician to run.
"""

from __future__ import annotations

import contextlib
import zoneinfo
from datetime import date, datetime, time, timedelta

from stepwell.care import selectors, services
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Episode, EpisodeState
from stepwell.schedule.calendar import iso_week_of
from stepwell.schedule.models import Appointment, OccurrenceStatus, SessionOccurrence

BEHAVIOR = [
    "Arrived on time, casually dressed, affect {a}; spoke {n} times without prompting.",
    "Engaged after a quiet start; affect {a}; made eye contact and offered {n} reflections.",
    "Presented {a}; reported sleep of about {n} hours and moderate cravings.",
]
INTERVENTION = [
    "Facilitator modelled {skill}; patient practised it in a role-play ({n} rounds).",
    "Psychoeducation on {skill} with a worksheet; Socratic questioning on {n} examples.",
    "Guided practice of {skill}; validation and feedback after {n} attempts.",
]
RESPONSE = [
    "Identified {n} personal triggers and one way to use {skill} this week.",
    "Rated distress {n} points lower after practising {skill}.",
    "Linked {skill} to a recent conflict at work; asked {n} clarifying questions.",
]
PLAN = [
    "Practise {skill} daily and log it; review in {n} days.",
    "Use {skill} before the evening routine; check in at the next group in {n} days.",
    "Continue group; add {skill} to the relapse-prevention plan by day {n}.",
]
AFFECTS = [
    "euthymic",
    "anxious",
    "flat",
    "brighter than last week",
    "irritable",
    "tearful at times",
]
SKILLS = [
    "TIPP",
    "opposite action",
    "urge surfing",
    "cognitive restructuring",
    "DEAR MAN",
    "paced breathing",
    "behavioural activation",
]
LOW_ATTENDERS = 0.2
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def _section(rng) -> dict:
    skill = rng.choice(SKILLS)

    def fill(options):
        return rng.choice(options).format(a=rng.choice(AFFECTS), n=rng.randint(1, 12), skill=skill)

    return {
        "behavior": fill(BEHAVIOR),
        "intervention": fill(INTERVENTION),
        "response": fill(RESPONSE),
        "plan": fill(PLAN),
        "risk_check": rng.choice(["no_risk"] * 12 + ["risk_addressed"]),
    }


def _status(rng, low: bool) -> str:
    roll = rng.random()
    if low:
        return "present" if roll < 0.5 else ("absent_unexcused" if roll < 0.8 else "absent_excused")
    if roll < 0.86:
        return "present"
    if roll < 0.92:
        return "late"
    if roll < 0.95:
        return "left_early"
    return "absent_excused" if roll < 0.98 else "absent_unexcused"


def _mark(actor, row, status, occurrence, rng):
    check_in = check_out = None
    if status == "late":
        check_in = occurrence.starts_at + timedelta(minutes=rng.choice([10, 15, 25, 40]))
    if status == "left_early":
        check_out = occurrence.ends_at - timedelta(minutes=rng.choice([20, 30, 45]))
        # Nobody leaves early who never came: present first (the state machine's rule).
        row = services.attendance_mark(
            actor=actor, attendance_id=row.pk, status="present", now=occurrence.starts_at
        )
    services.attendance_mark(
        actor=actor,
        attendance_id=row.pk,
        status=status,
        check_in_at=check_in,
        check_out_at=check_out,
        now=occurrence.ends_at,
    )


def _document(actor, occurrence, rng, now, *, leave_unsigned: bool) -> None:
    note = services.group_note_open(actor=actor, occurrence_id=occurrence.pk)
    sections = {}
    for section in note.sections.filter(participant_absent=False).select_related("patient"):
        data = _section(rng)
        goal = selectors.plan_goals_for(section.patient).first()
        if goal is not None:
            data["goal_ids"] = [goal.pk]
        sections[section.pk] = data
    services.group_note_update(
        actor=actor,
        group_note_id=note.pk,
        shared={"interventions": f"{rng.choice(SKILLS)} skills training; group process"},
        sections=sections,
    )
    if leave_unsigned or not sections:
        return
    signed_at = min(occurrence.ends_at + timedelta(hours=rng.choice([1, 2, 3, 5, 20])), now)
    # An unlucky near-duplicate is refused: it stays on the author's worklist.
    with contextlib.suppress(ApplicationError):
        services.group_note_sign(actor=actor, group_note_id=note.pk, now=signed_at)


def _appointments(clinic, rng, start, now) -> None:
    for appointment in Appointment.objects.filter(
        patient__in=clinic.patients,
        status=OccurrenceStatus.SCHEDULED,
        starts_at__gte=start,
        ends_at__lt=now,
    ).select_related("staff"):
        try:
            row = services.attendance_for_appointment_open(
                actor=appointment.staff, appointment_id=appointment.pk
            )
            services.attendance_mark(
                actor=appointment.staff,
                attendance_id=row.pk,
                status="present" if rng.random() < 0.9 else "absent_excused",
                now=appointment.ends_at,
            )
            if row.status != "present" and rng.random() < 0.9:
                continue
            note = services.note_create(
                actor=appointment.staff,
                patient_id=appointment.patient_id,
                kind=appointment.kind,
                note_format="soap" if appointment.kind == "medication" else "birp",
                started_at=appointment.starts_at,
                ended_at=appointment.ends_at,
                appointment_id=appointment.pk,
            )
            data = _section(rng)
            data.update(
                subjective=f"Reports mood {rng.randint(3, 8)}/10 and sleep {rng.randint(5, 8)} h.",
                objective="Alert, oriented, linear; no psychomotor change.",
                assessment="Symptoms improving with treatment.",
            )
            if appointment.kind == "medication":
                data["medication_changes"] = rng.choice(
                    ["None; continue current doses.", "Sertraline 50 mg -> 100 mg daily."]
                )
            services.note_update(actor=appointment.staff, note_id=note.pk, data=data)
            if rng.random() < 0.9:
                services.note_sign(
                    actor=appointment.staff,
                    note_id=note.pk,
                    now=min(appointment.ends_at + timedelta(hours=2), now),
                )
        except ApplicationError:
            continue  # e.g. a medication visit booked with a non-prescriber: not documented


def seed_care(clinic, rng, today: date) -> None:
    """Attendance and notes for the eight weeks before `today` (America/Chicago)."""
    now = datetime.combine(today, time.min, tzinfo=CHICAGO)
    start = now - timedelta(weeks=8)
    low = {p.pk for p in clinic.patients if rng.random() < LOW_ATTENDERS}
    occurrences = (
        SessionOccurrence.objects.filter(
            program__in=list(clinic.programs.values()),
            status=OccurrenceStatus.SCHEDULED,
            starts_at__gte=start,
            ends_at__lt=now,
        )
        .prefetch_related("facilitators")
        .order_by("starts_at")
    )
    for occurrence in occurrences:
        actor = next(iter(occurrence.facilitators.all()), None)
        if actor is None or not occurrence.enrollments.exists():
            continue
        _, rows = services.attendance_roster_open(actor=actor, occurrence_id=occurrence.pk)
        for row in rows:
            _mark(actor, row, _status(rng, row.patient_id in low), occurrence, rng)
        age = now - occurrence.ends_at
        recent_unsigned = age < timedelta(days=4) and rng.random() < 0.3
        old_unsigned = timedelta(days=5) < age < timedelta(days=9) and rng.random() < 0.15
        _document(actor, occurrence, rng, now, leave_unsigned=recent_unsigned or old_unsigned)
    _appointments(clinic, rng, start, now)
    # One patient stepping down this week: below the minimum is allowed.
    episode = (
        Episode.objects.filter(patient__in=clinic.patients, state=EpisodeState.ACTIVE)
        .select_related("program")
        .first()
    )
    if episode is not None:
        director = clinic.users.get("director")
        if director is not None:
            with contextlib.suppress(ApplicationError):
                services.transition_week_mark(
                    actor=director,
                    episode_id=episode.pk,
                    week=iso_week_of(today),
                    reason="Step-down continuation before outpatient care (demo).",
                )
