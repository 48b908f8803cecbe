"""The demo's past weeks: the bookings patients had before this week, so attendance and
notes have eight weeks of history to document.

Patients in treatment now repeat this week's accepted plan (same group series on the same
weekday, appointments at the same local time) from their admission on. Patients who
have left since, or are on hold now, attended a block track too until they left: they
take the group bookings of a patient in treatment now, in turn.

Written in bulk, with the slot claims a booking makes (a booking whose slots are taken,
or whose session is full, is left out), because one service call per booking made the
demo slow; this is synthetic history, so one audit event per patient records it instead
of one per booking.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import cycle

from django.db.models import F

from stepwell.patients.models import Episode, EpisodeEvent, EpisodeState
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.schedule.booking.claims import slot_starts
from stepwell.schedule.calendar.weeks import (
    iso_week_bounds,
    local_to_utc,
    utc_to_local,
    week_utc_range,
)
from stepwell.schedule.models import (
    Appointment,
    BookingClaim,
    BookingSource,
    Enrollment,
    Holiday,
    OccurrenceStatus,
    ResourceType,
    SessionOccurrence,
)


@dataclass
class _Bookings:
    """What is being written, checked against the claims and seats already taken."""

    taken: set = field(default_factory=set)
    seats: dict[int, int] = field(default_factory=dict)
    enrollments: list = field(default_factory=list)
    appointments: list = field(default_factory=list)
    per_patient: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def claim(self, keys: set) -> bool:
        """Take every slot, or none when one is taken already (no double booking)."""
        if not keys.isdisjoint(self.taken):
            return False
        self.taken.update(keys)
        return True

    def enrol(self, occurrence: SessionOccurrence, patient_id: int) -> None:
        if self.seats.get(occurrence.pk, occurrence.capacity - occurrence.enrolled_count) < 1:
            return
        slots = slot_starts(occurrence.starts_at, occurrence.ends_at)
        if self.claim({(ResourceType.PATIENT, patient_id, slot) for slot in slots}):
            row = Enrollment(
                occurrence=occurrence, patient_id=patient_id, source=BookingSource.OPTIMIZER
            )
            self.enrollments.append((row, slots))
            self.seats[occurrence.pk] = (
                self.seats.get(occurrence.pk, occurrence.capacity - occurrence.enrolled_count) - 1
            )
            self.per_patient[patient_id] += 1

    def book(self, template: Appointment, starts_at) -> None:
        ends_at = starts_at + timedelta(minutes=template.minutes)
        slots = slot_starts(starts_at, ends_at)
        keys = {(ResourceType.PATIENT, template.patient_id, slot) for slot in slots}
        keys |= {(ResourceType.STAFF, template.staff_id, slot) for slot in slots}
        if self.claim(keys):
            row = Appointment(
                patient_id=template.patient_id,
                staff_id=template.staff_id,
                program_id=template.program_id,
                kind=template.kind,
                starts_at=starts_at,
                ends_at=ends_at,
                source=BookingSource.OPTIMIZER,
            )
            self.appointments.append((row, slots))
            self.per_patient[template.patient_id] += 1

    def save(self) -> None:
        Enrollment.objects.bulk_create([row for row, _ in self.enrollments])
        Appointment.objects.bulk_create([row for row, _ in self.appointments])
        claims = [
            BookingClaim(
                resource_type=ResourceType.PATIENT,
                resource_id=row.patient_id,
                slot_start=slot,
                occurrence_id=row.occurrence_id,
                enrollment=row,
            )
            for row, slots in self.enrollments
            for slot in slots
        ]
        claims += [
            BookingClaim(resource_type=kind, resource_id=resource, slot_start=slot, appointment=row)
            for row, slots in self.appointments
            for kind, resource in (
                (ResourceType.PATIENT, row.patient_id),
                (ResourceType.STAFF, row.staff_id),
            )
            for slot in slots
        ]
        BookingClaim.objects.bulk_create(claims, batch_size=2000)
        added: dict[int, int] = defaultdict(int)
        for row, _ in self.enrollments:
            added[row.occurrence_id] += 1
        for occurrence_id, count in added.items():
            SessionOccurrence.objects.filter(pk=occurrence_id).update(
                enrolled_count=F("enrolled_count") + count
            )
        for patient_id, count in sorted(self.per_patient.items()):
            audit_record(
                action=AuditAction.CREATE,
                patient_id=patient_id,
                object_type="demo_history",
                detail={"bookings": count},
            )


def _attending_until(program) -> dict[int, tuple[date, date | None]]:
    """Per patient admitted to the program: (admitted on, last day attended or None for
    patients still in treatment). A hold ends attendance the day before it starts."""
    spans = {}
    hold_starts = dict(
        EpisodeEvent.objects.filter(
            episode__program=program, episode__state=EpisodeState.ON_HOLD, to_state="on_hold"
        ).values_list("episode__patient_id", "effective_date")
    )
    for patient_id, state, admitted_on, discharged_on in Episode.objects.filter(
        program=program, admitted_on__isnull=False
    ).values_list("patient_id", "state", "admitted_on", "discharged_on"):
        if state == EpisodeState.DISCHARGED:
            spans[patient_id] = (admitted_on, discharged_on)
        elif state == EpisodeState.ON_HOLD:
            spans[patient_id] = (admitted_on, hold_starts[patient_id] - timedelta(days=1))
        else:
            spans[patient_id] = (admitted_on, None)
    return spans


def _attending(spans, patient_id: int, day: date) -> bool:
    admitted_on, last_day = spans.get(patient_id, (None, None))
    if admitted_on is None or day < admitted_on:
        return False
    return last_day is None or day <= last_day


def repeat_plans_in_past_weeks(clinic, first_week: str, this_week: str) -> None:
    """Book the weeks from `first_week` up to (not including) `this_week` (see above)."""
    this_monday, _ = iso_week_bounds(this_week)
    first_monday, _ = iso_week_bounds(first_week)
    programs = list(clinic.programs.values())
    history_start = min(week_utc_range(p.timezone, first_week)[0] for p in programs)
    history_end = max(week_utc_range(p.timezone, this_week)[0] for p in programs)
    bookings = _Bookings(
        taken=set(
            BookingClaim.objects.filter(
                slot_start__gte=history_start, slot_start__lt=history_end
            ).values_list("resource_type", "resource_id", "slot_start")
        )
    )
    for program in programs:
        zone = program.timezone
        start, end = week_utc_range(zone, this_week)
        groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for enrollment in Enrollment.objects.filter(
            occurrence__program=program,
            occurrence__starts_at__gte=start,
            occurrence__starts_at__lt=end,
            source=BookingSource.OPTIMIZER,
        ).select_related("occurrence"):
            weekday = utc_to_local(zone, enrollment.occurrence.starts_at).weekday()
            groups[enrollment.patient_id].append((enrollment.occurrence.series_id, weekday))
        visits = [
            (a, utc_to_local(zone, a.starts_at))
            for a in Appointment.objects.filter(
                program=program,
                starts_at__gte=start,
                starts_at__lt=end,
                source=BookingSource.OPTIMIZER,
            ).order_by("starts_at", "pk")
        ]
        spans = _attending_until(program)
        in_treatment = sorted(groups)
        donors = cycle(in_treatment) if in_treatment else None
        for patient_id, (_, last_day) in sorted(spans.items()):
            if last_day is not None and donors is not None and patient_id not in groups:
                groups[patient_id] = groups[next(donors)]
        closed = set(Holiday.objects.filter(program=program).values_list("date", flat=True))
        occurrences = {
            (o.series_id, utc_to_local(zone, o.starts_at).date()): o
            for o in SessionOccurrence.objects.filter(
                program=program,
                status=OccurrenceStatus.SCHEDULED,
                starts_at__gte=history_start,
                starts_at__lt=start,
                series__isnull=False,
            )
        }

        monday = first_monday
        while monday < this_monday:
            for patient_id, pattern in sorted(groups.items()):
                for series_id, weekday in pattern:
                    day = monday + timedelta(days=weekday)
                    occurrence = occurrences.get((series_id, day))
                    if occurrence is not None and _attending(spans, patient_id, day):
                        bookings.enrol(occurrence, patient_id)
            for appointment, local in visits:
                day = monday + timedelta(days=local.weekday())
                if day not in closed and _attending(spans, appointment.patient_id, day):
                    bookings.book(appointment, local_to_utc(zone, day, local.time()))
            monday += timedelta(weeks=1)
    bookings.save()
