"""Reads for attendance, notes and hours; each starts from the acting user or is called
after an access check. Weekly minutes come from stored UTC instants, days from the
program's zone (schedule/calendar.py); the hours rule from the patient's coverage
(billing), closures from the program calendar (schedule/closures.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from stepwell.billing.selectors import RuleSource, hours_rules_for
from stepwell.clinic.models import Program
from stepwell.patients.models import Episode, EpisodeEvent, EpisodeState, Patient
from stepwell.privacy.access import patients_visible_to
from stepwell.schedule.calendar import iso_week_bounds, iso_week_of, utc_to_local, week_utc_range
from stepwell.schedule.closures import program_closures, program_open_weekdays
from stepwell.schedule.models import Appointment, Enrollment, OccurrenceStatus, SessionOccurrence

from . import access
from .attendance_states import AttendanceStatus
from .hours import Block, BlockKind, Closure, WeekContext, WeeklyHours, weekly_hours
from .models import (
    Attendance,
    ClinicalNote,
    EpisodeTransitionWeek,
    GroupNote,
    NoteKind,
    PsychotherapyNote,
)

HOURS_EPISODE_STATES = (EpisodeState.ADMITTED, EpisodeState.ACTIVE, EpisodeState.ON_HOLD)


def current_week(program: Program, now: datetime) -> str:
    return iso_week_of(utc_to_local(program.timezone, now).date())


def hours_episode(patient: Patient) -> Episode | None:
    """The episode whose program sets the weekly window: the newest attending one."""
    return (
        Episode.objects.select_related("program")
        .filter(patient=patient, state__in=HOURS_EPISODE_STATES)
        .order_by("-admitted_on", "-created_at")
        .first()
    )


@dataclass(frozen=True)
class ProgramWeek:
    """What every patient's week in a program shares: its bounds, open days, closures."""

    program: Program
    week: str
    monday: date
    open_weekdays: frozenset[int]
    closures: tuple[Closure, ...]

    @classmethod
    def of(cls, program: Program, week: str) -> ProgramWeek:
        monday, sunday = iso_week_bounds(week)
        closures = program_closures(program, monday, sunday)
        return cls(
            program=program,
            week=f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}",
            monday=monday,
            open_weekdays=program_open_weekdays(program, monday),
            closures=tuple(Closure(day, name) for day, name in sorted(closures.items())),
        )


def hold_days(episode: Episode, monday: date) -> frozenset[date]:
    """The days of the week the episode was on hold, from its transitions: from the day
    it went on hold until the day it left that state (open-ended while still on hold)."""
    days: set[date] = set()
    events = list(
        EpisodeEvent.objects.filter(episode=episode)
        .order_by("effective_date", "occurred_at", "pk")
        .values_list("to_state", "effective_date")
    )
    week = [monday + timedelta(days=d) for d in range(7)]
    for index, (state, starts) in enumerate(events):
        if state != EpisodeState.ON_HOLD:
            continue
        later = [when for to, when in events[index + 1 :] if to != EpisodeState.ON_HOLD]
        ends = later[0] if later else None
        days.update(d for d in week if d >= starts and (ends is None or d < ends))
    return frozenset(days)


def hours_rule_source(*, patient: Patient, episode: Episode, week: str) -> RuleSource:
    monday, _ = iso_week_bounds(week)
    return hours_rules_for(patient_ids=[patient.pk], program=episode.program, monday=monday)[
        patient.pk
    ]


def patient_weekly_hours(
    *,
    patient: Patient,
    week: str,
    now: datetime,
    episode: Episode | None = None,
    program_week: ProgramWeek | None = None,
    rule_source: RuleSource | None = None,
) -> WeeklyHours | None:
    """Attended minutes, scheduled minutes still to come, the projection and flags,
    against the patient's payer rule, prorated for closures, admission, discharge and
    holds (care/hours.py)."""
    episode = episode or hours_episode(patient)
    if episode is None:
        return None
    program = episode.program
    program_week = program_week or ProgramWeek.of(program, week)
    week = program_week.week
    zone = program.timezone
    start, end = week_utc_range(zone, week)

    def day_of(moment: datetime):
        return utc_to_local(zone, moment).date()

    rows = list(
        Attendance.objects.filter(
            patient=patient, session_starts_at__gte=start, session_starts_at__lt=end
        ).values_list(
            "occurrence_id",
            "appointment_id",
            "appointment__kind",
            "status",
            "minutes_attended",
            "session_starts_at",
        )
    )
    attended = [
        Block(day_of(starts), minutes, BlockKind(kind) if kind else BlockKind.GROUP)
        for _, _, kind, _, minutes, starts in rows
        if minutes
    ]
    taken_occurrences = {
        o for o, _, _, status, _, _ in rows if o and status != AttendanceStatus.EXPECTED
    }
    taken_appointments = {
        a for _, a, _, status, _, _ in rows if a and status != AttendanceStatus.EXPECTED
    }

    def remaining(starts_at: datetime, ends_at: datetime) -> int:
        """A session not yet over and not yet taken counts in full: it may still be."""
        if ends_at <= now:
            return 0
        return int((ends_at - starts_at).total_seconds() // 60)

    scheduled: list[Block] = []
    for occurrence in SessionOccurrence.objects.filter(
        enrollments__patient=patient,
        status=OccurrenceStatus.SCHEDULED,
        starts_at__gte=start,
        starts_at__lt=end,
    ).exclude(pk__in=taken_occurrences):
        minutes = remaining(occurrence.starts_at, occurrence.ends_at)
        if minutes:
            scheduled.append(Block(day_of(occurrence.starts_at), minutes))
    for appointment in Appointment.objects.filter(
        patient=patient,
        status=OccurrenceStatus.SCHEDULED,
        starts_at__gte=start,
        starts_at__lt=end,
    ).exclude(pk__in=taken_appointments):
        minutes = remaining(appointment.starts_at, appointment.ends_at)
        if minutes:
            scheduled.append(
                Block(day_of(appointment.starts_at), minutes, BlockKind(appointment.kind))
            )
    transitioning = EpisodeTransitionWeek.objects.filter(episode=episode, week=week).exists()
    rule_source = (
        rule_source
        or hours_rules_for(patient_ids=[patient.pk], program=program, monday=program_week.monday)[
            patient.pk
        ]
    )
    context = WeekContext(
        monday=program_week.monday,
        open_weekdays=program_week.open_weekdays,
        closures=program_week.closures,
        admitted_on=episode.admitted_on,
        discharged_on=episode.discharged_on,
        hold_days=hold_days(episode, program_week.monday),
    )
    return weekly_hours(
        week=week,
        attended=attended,
        scheduled=scheduled,
        program_min=program.min_weekly_minutes,
        program_max=program.max_weekly_minutes,
        rule=rule_source.rule,
        transitioning=transitioning,
        context=context,
    )


@dataclass(frozen=True)
class ComplianceRow:
    patient: Patient
    episode: Episode
    hours: WeeklyHours
    rule_source: RuleSource


def program_compliance(*, program: Program, week: str, now: datetime) -> list[ComplianceRow]:
    """Every episode of the program that was admitted during the week: admitted on or
    before its Sunday and not discharged before its Monday (so a past week still shows
    who has left since). Episodes on hold are listed, never flagged."""
    program_week = ProgramWeek.of(program, week)
    sunday = program_week.monday + timedelta(days=6)
    attending = Q(state__in=HOURS_EPISODE_STATES) & (
        Q(admitted_on__isnull=True) | Q(admitted_on__lte=sunday)
    )
    left_during = Q(
        state=EpisodeState.DISCHARGED,
        admitted_on__lte=sunday,
        discharged_on__gte=program_week.monday,
    )
    episodes = list(
        Episode.objects.select_related("patient", "program")
        .filter(attending | left_during, program=program)
        .order_by("patient__legal_last_name", "patient__legal_first_name", "pk")
    )
    rules = hours_rules_for(
        patient_ids={e.patient_id for e in episodes}, program=program, monday=program_week.monday
    )
    rows = []
    for episode in episodes:
        hours = patient_weekly_hours(
            patient=episode.patient,
            week=program_week.week,
            now=now,
            episode=episode,
            program_week=program_week,
            rule_source=rules[episode.patient_id],
        )
        if hours is not None:
            rows.append(ComplianceRow(episode.patient, episode, hours, rules[episode.patient_id]))
    return rows


# ---- sessions and notes --------------------------------------------------------------


def sessions_for_staff(*, user, start: datetime, end: datetime) -> QuerySet[SessionOccurrence]:
    """Group occurrences the user facilitates or whose program they work in."""
    program_ids = list(user.program_memberships.values_list("program_id", flat=True))
    return (
        SessionOccurrence.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .filter(Q(facilitators=user) | Q(program_id__in=program_ids))
        .select_related("program", "group_note")
        .distinct()
        .order_by("starts_at")
    )


def notes_for_patient(*, user, patient: Patient) -> QuerySet[ClinicalNote] | None:
    """The patient's notes the user may read (never psychotherapy notes), or None."""
    if not access.access_notes_read(user, patient):
        return None
    return (
        ClinicalNote.objects.filter(patient=patient, participant_absent=False)
        .select_related("author", "group_note", "group_note__curriculum_module", "cosignature")
        .prefetch_related(
            "goals", "objectives", "addenda", "group_note__addenda", "group_note__facilitators"
        )
        .order_by("-created_at")
    )


def attendance_by_patient(occurrence_id: int) -> dict[int, Attendance]:
    return {row.patient_id: row for row in Attendance.objects.filter(occurrence_id=occurrence_id)}


def own_attendance_of_notes(notes) -> dict[int, Attendance]:
    """For each group-section note, the attendance of that note's own patient at the group:
    a patient's chart shows their own status and minutes, never the others'."""
    sections = [n for n in notes if n.group_note_id]
    if not sections:
        return {}
    occurrence_of = dict(
        GroupNote.objects.filter(pk__in={n.group_note_id for n in sections}).values_list(
            "pk", "occurrence_id"
        )
    )
    rows = {
        (row.occurrence_id, row.patient_id): row
        for row in Attendance.objects.filter(
            occurrence_id__in=set(occurrence_of.values()),
            patient_id__in={n.patient_id for n in sections},
        )
    }
    return {
        n.pk: rows[(occurrence_of[n.group_note_id], n.patient_id)]
        for n in sections
        if (occurrence_of[n.group_note_id], n.patient_id) in rows
    }


def note_for_user(*, user, note_id: int) -> ClinicalNote | None:
    note = ClinicalNote.objects.select_related("patient").filter(pk=note_id).first()
    if note is None or not access.access_notes_read(user, note.patient):
        return None
    return note


def psychotherapy_notes_of_author(*, user, patient: Patient) -> QuerySet[PsychotherapyNote]:
    """Only ever the user's own: not even directors read another's."""
    if not access.access_psychotherapy_note_write(user, patient):
        return PsychotherapyNote.objects.none()
    return PsychotherapyNote.objects.filter(author=user, patient=patient)


@dataclass(frozen=True)
class WorkItem:
    kind: str  # "group_note", "clinical_note", "undocumented_group", "cosign"
    title: str
    url: str
    service_ended_at: datetime
    author: str
    patient_id: int | None
    late: bool


def _age_hours(now: datetime, ended_at: datetime) -> float:
    return (now - ended_at).total_seconds() / 3600


def worklist(*, user, now: datetime) -> dict[str, list[WorkItem]]:
    """The author's unsigned notes and groups still to document; co-signatures waiting."""
    late_hours = settings.STEPWELL_NOTE_LATE_HOURS
    mine: list[WorkItem] = []
    for group_note in GroupNote.objects.filter(author=user, signed_at__isnull=True).select_related(
        "occurrence"
    ):
        mine.append(
            WorkItem(
                "group_note",
                f"Group note: {group_note.occurrence.title}",
                f"/care/sessions/{group_note.occurrence_id}/note/",
                group_note.ended_at,
                str(user),
                None,
                _age_hours(now, group_note.ended_at) > late_hours,
            )
        )
    for note in ClinicalNote.objects.filter(
        author=user, signed_at__isnull=True, kind__in=(NoteKind.INDIVIDUAL, NoteKind.MEDICATION)
    ).select_related("patient"):
        mine.append(
            WorkItem(
                "clinical_note",
                f"{note.get_kind_display()} note: {note.patient.display_name}",
                f"/care/notes/{note.pk}/",
                note.ended_at,
                str(user),
                note.patient_id,
                _age_hours(now, note.ended_at) > late_hours,
            )
        )
    undocumented = (
        SessionOccurrence.objects.filter(
            facilitators=user,
            status=OccurrenceStatus.SCHEDULED,
            ends_at__lte=now,
            ends_at__gte=now - timedelta(days=14),
            group_note__isnull=True,
        )
        .filter(attendance__status__in=["present", "late", "left_early"])
        .distinct()
    )
    for occurrence in undocumented:
        mine.append(
            WorkItem(
                "undocumented_group",
                f"Not yet documented: {occurrence.title}",
                f"/care/sessions/{occurrence.pk}/note/",
                occurrence.ends_at,
                str(user),
                None,
                _age_hours(now, occurrence.ends_at) > late_hours,
            )
        )
    mine.sort(key=lambda item: item.service_ended_at)
    cosign = [
        WorkItem(
            "cosign",
            f"Co-sign {note.get_kind_display().lower()} note: {note.patient.display_name}",
            f"/care/notes/{note.pk}/",
            note.ended_at or note.signed_at,
            str(note.author),
            note.patient_id,
            False,
        )
        for note in ClinicalNote.objects.filter(
            cosign_required=True,
            signed_at__isnull=False,
            cosignature__isnull=True,
            patient__in=patients_visible_to(user),
        )
        .exclude(author=user)
        .select_related("patient", "author")[:200]
        if access.access_note_cosign(user, note)
    ]
    return {"mine": mine, "cosign": cosign}


def director_late_notes(*, user, now: datetime) -> list[WorkItem]:
    """Unsigned notes older than STEPWELL_NOTE_DIRECTOR_HOURS in the director's programs."""
    program_ids = [
        pid
        for pid in user.program_memberships.values_list("program_id", flat=True)
        if access.access_program_compliance(user, pid)
    ]
    if not program_ids:
        return []
    cutoff = now - timedelta(hours=settings.STEPWELL_NOTE_DIRECTOR_HOURS)
    items = [
        WorkItem(
            "group_note",
            f"Group note: {g.occurrence.title} ({g.occurrence.program.name})",
            f"/care/sessions/{g.occurrence_id}/note/",
            g.ended_at,
            str(g.author),
            None,
            True,
        )
        for g in GroupNote.objects.filter(
            signed_at__isnull=True, ended_at__lt=cutoff, occurrence__program_id__in=program_ids
        ).select_related("occurrence", "occurrence__program", "author")
    ]
    program_patients = Episode.objects.filter(program_id__in=program_ids).values("patient_id")
    items += [
        WorkItem(
            "clinical_note",
            f"{n.get_kind_display()} note: {n.patient.display_name}",
            f"/care/notes/{n.pk}/",
            n.ended_at,
            str(n.author),
            n.patient_id,
            True,
        )
        for n in ClinicalNote.objects.filter(
            signed_at__isnull=True,
            kind__in=(NoteKind.INDIVIDUAL, NoteKind.MEDICATION),
            ended_at__lt=cutoff,
            patient_id__in=program_patients,
        ).select_related("patient", "author")
    ]
    items += [
        WorkItem(
            "undocumented_group",
            f"Not yet documented: {o.title} ({o.program.name})",
            f"/care/sessions/{o.pk}/note/",
            o.ends_at,
            ", ".join(str(f) for f in o.facilitators.all()),
            None,
            True,
        )
        for o in SessionOccurrence.objects.filter(
            program_id__in=program_ids,
            status=OccurrenceStatus.SCHEDULED,
            ends_at__lt=cutoff,
            ends_at__gte=now - timedelta(days=28),
            group_note__isnull=True,
            attendance__status__in=["present", "late", "left_early"],
        )
        .select_related("program")
        .prefetch_related("facilitators")
        .distinct()
    ]
    items.sort(key=lambda item: item.service_ended_at)
    return items


def enrollments_for(occurrence: SessionOccurrence) -> QuerySet[Enrollment]:
    return occurrence.enrollments.select_related("patient")


def plan_goals_for(patient: Patient):
    """Goals (with objectives) of the patient's newest signed plan, else newest draft."""
    from stepwell.plans.models import Goal, TreatmentPlan

    plan = TreatmentPlan.objects.filter(patient=patient).order_by("-signed_at", "-version").first()
    if plan is None:
        return Goal.objects.none()
    return Goal.objects.filter(problem__plan=plan).prefetch_related("objectives")
