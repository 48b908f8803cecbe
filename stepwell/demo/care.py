"""Demo attendance and notes: eight weeks of past groups and appointments, taken and
documented through the care services. Synthetic text only.

Runs after the schedule demo (it needs occurrences and enrolments; a patient with none
is skipped). Attendance is decided per patient and day, as it happens in a clinic: most
days the patient comes to the whole block; some days they arrive late to the first
group or leave the last one early; now and then they miss the day (the whole block and
any visit that day). A few patients attend poorly. Every attended individual and
medication visit has a note, almost all signed; a few recent group notes are left
unsigned (on the author's worklist) and two older ones past the director's threshold;
notes of a counsellor whose licence needs a co-signature are co-signed by the director
except the last few days'. Today's groups are left for the clinician to run.
"""

from __future__ import annotations

import contextlib
import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from stepwell.care.attendance import services as attendance_services
from stepwell.care.hours import services as hours_services
from stepwell.care.models import ClinicalNote
from stepwell.care.notes import group_notes
from stepwell.care.notes import selectors as note_selectors
from stepwell.care.notes import services as note_services
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Episode, EpisodeState
from stepwell.privacy.access.notes import access_note_cosign
from stepwell.schedule.calendar.weeks import iso_week_of
from stepwell.schedule.models import Appointment, Enrollment, OccurrenceStatus, SessionOccurrence

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
LOW_ATTENDERS = 0.1
# Per patient-day: (status, probability) for most patients and for poor attenders.
DAY_STATUSES = {
    False: [
        ("present", 0.86),
        ("late", 0.06),
        ("left_early", 0.03),
        ("absent_excused", 0.03),
        ("absent_unexcused", 0.02),
    ],
    True: [
        ("present", 0.5),
        ("late", 0.1),
        ("absent_excused", 0.15),
        ("absent_unexcused", 0.25),
    ],
}
ABSENT = ("absent_excused", "absent_unexcused")
COSIGN_AFTER = timedelta(days=3)
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


class _Days:
    """Each patient's status per local day, and which of the day's sessions come first
    and last (a late arrival misses the start of the first; leaving early, the end of
    the last)."""

    def __init__(self, rng, low: set[int], start: datetime, end: datetime) -> None:
        self.rng = rng
        self.low = low
        self.status: dict[tuple[int, date], str] = {}
        starts: dict[tuple[int, date], list[datetime]] = defaultdict(list)
        for patient_id, starts_at in Enrollment.objects.filter(
            occurrence__starts_at__gte=start,
            occurrence__ends_at__lt=end,
            occurrence__status=OccurrenceStatus.SCHEDULED,
        ).values_list("patient_id", "occurrence__starts_at"):
            starts[(patient_id, starts_at.astimezone(CHICAGO).date())].append(starts_at)
        for patient_id, starts_at in Appointment.objects.filter(
            starts_at__gte=start, ends_at__lt=end, status=OccurrenceStatus.SCHEDULED
        ).values_list("patient_id", "starts_at"):
            starts[(patient_id, starts_at.astimezone(CHICAGO).date())].append(starts_at)
        self.first = {key: min(times) for key, times in starts.items()}
        self.last = {key: max(times) for key, times in starts.items()}

    def of(self, patient_id: int, starts_at: datetime) -> str:
        """The status of this session: the day's status, narrowed to the session."""
        key = (patient_id, starts_at.astimezone(CHICAGO).date())
        if key not in self.status:
            statuses, weights = zip(*DAY_STATUSES[patient_id in self.low], strict=True)
            self.status[key] = self.rng.choices(statuses, weights=weights)[0]
        status = self.status[key]
        if status == "late" and starts_at != self.first.get(key):
            return "present"
        if status == "left_early" and starts_at != self.last.get(key):
            return "present"
        return status


def _mark(actor, row, status, session, rng):
    check_in = check_out = None
    third = (session.ends_at - session.starts_at) // 3  # a short visit: a short delay
    if status == "late":
        check_in = session.starts_at + min(
            timedelta(minutes=rng.choice([10, 15, 20, 25, 40])), third
        )
    if status == "left_early":
        check_out = session.ends_at - min(timedelta(minutes=rng.choice([20, 30, 45])), third)
        # Nobody leaves early who never came: present first (the state machine's rule).
        row = attendance_services.attendance_mark(
            actor=actor, attendance_id=row.pk, status="present", now=session.starts_at
        )
    return attendance_services.attendance_mark(
        actor=actor,
        attendance_id=row.pk,
        status=status,
        check_in_at=check_in,
        check_out_at=check_out,
        now=session.ends_at,
    )


def _document(actor, occurrence, rng, now, *, leave_unsigned: bool) -> None:
    note = group_notes.group_note_open(actor=actor, occurrence_id=occurrence.pk)
    sections = {}
    for section in note.sections.filter(participant_absent=False).select_related("patient"):
        data = _section(rng)
        goal = note_selectors.plan_goals_for(section.patient).first()
        if goal is not None:
            data["goal_ids"] = [goal.pk]
        sections[section.pk] = data
    group_notes.group_note_update(
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
        group_notes.group_note_sign(actor=actor, group_note_id=note.pk, now=signed_at)


def _visit_note(appointment, rng, now) -> None:
    """A note for an attended individual or medication visit; signed unless written in
    the last day or two, and then only now and then."""
    staff = appointment.staff
    note = note_services.note_create(
        actor=staff,
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
    goal = note_selectors.plan_goals_for(appointment.patient).first()
    if goal is not None:
        data["goal_ids"] = [goal.pk]
    note_services.note_update(actor=staff, note_id=note.pk, data=data)
    recent = now - appointment.ends_at < timedelta(days=2)
    if not recent or rng.random() < 0.5:
        note_services.note_sign(
            actor=staff, note_id=note.pk, now=min(appointment.ends_at + timedelta(hours=2), now)
        )


def _appointments(clinic, days: _Days, rng, start, now) -> None:
    for appointment in (
        Appointment.objects.filter(
            patient__in=clinic.patients,
            status=OccurrenceStatus.SCHEDULED,
            starts_at__gte=start,
            ends_at__lt=now,
        )
        .select_related("staff", "patient")
        .order_by("starts_at", "pk")
    ):
        status = days.of(appointment.patient_id, appointment.starts_at)
        row = attendance_services.attendance_for_appointment_open(
            actor=appointment.staff, appointment_id=appointment.pk
        )
        row = _mark(appointment.staff, row, status, appointment, rng)
        if row.status not in ABSENT:
            _visit_note(appointment, rng, now)


def _cosign(clinic, now) -> None:
    """The director co-signs the notes that need it, except the last few days'."""
    director = clinic.users["director"]
    for note in ClinicalNote.objects.filter(
        cosign_required=True,
        signed_at__isnull=False,
        signed_at__lt=now - COSIGN_AFTER,
        cosignature__isnull=True,
    ).select_related("patient"):
        if access_note_cosign(director, note):
            note_services.note_cosign(
                actor=director, note_id=note.pk, now=note.signed_at + timedelta(hours=20)
            )


def seed_care(clinic, rng, today: date) -> None:
    """Attendance and notes for the eight weeks before `today` (America/Chicago)."""
    now = datetime.combine(today, time.min, tzinfo=CHICAGO)
    start = now - timedelta(weeks=8)
    low = {p.pk for p in clinic.patients if rng.random() < LOW_ATTENDERS}
    days = _Days(rng, low, start, now)
    occurrences = (
        SessionOccurrence.objects.filter(
            program__in=list(clinic.programs.values()),
            status=OccurrenceStatus.SCHEDULED,
            starts_at__gte=start,
            ends_at__lt=now,
        )
        .prefetch_related("facilitators")
        .order_by("starts_at", "pk")
    )
    for occurrence in occurrences:
        actor = min(occurrence.facilitators.all(), key=lambda user: user.pk, default=None)
        if actor is None or not occurrence.enrollments.exists():
            continue
        _, rows = attendance_services.attendance_roster_open(
            actor=actor, occurrence_id=occurrence.pk
        )
        # Draws follow patient order, not the database's row order (which differs between
        # SQLite and PostgreSQL), so both engines build the same demo.
        for row in sorted(rows, key=lambda row: row.patient_id):
            _mark(actor, row, days.of(row.patient_id, occurrence.starts_at), occurrence, rng)
        age = now - occurrence.ends_at
        recent_unsigned = age < timedelta(days=4) and rng.random() < 0.3
        old_unsigned = timedelta(days=5) < age < timedelta(days=9) and rng.random() < 0.15
        _document(actor, occurrence, rng, now, leave_unsigned=recent_unsigned or old_unsigned)
    _appointments(clinic, days, rng, start, now)
    _cosign(clinic, now)
    # One patient stepping down this week: below the minimum is allowed.
    episode = (
        Episode.objects.filter(patient__in=clinic.patients, state=EpisodeState.ACTIVE)
        .select_related("program")
        .order_by("-created_at", "pk")
        .first()
    )
    if episode is not None:
        director = clinic.users.get("director")
        if director is not None:
            with contextlib.suppress(ApplicationError):
                hours_services.transition_week_mark(
                    actor=director,
                    episode_id=episode.pk,
                    week=iso_week_of(today),
                    reason="Step-down continuation before outpatient care (demo).",
                )
