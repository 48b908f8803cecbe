"""What each patient could be given: sessions that fit, appointment options, parallel
sessions grouped into classes and seated evenly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from stepwell.schedule.instance import (
    MINUTES_PER_DAY,
    AppointmentRequest,
    Instance,
    Patient,
    Session,
    session_fits,
)
from stepwell.schedule.plan import PatientSchedule

# -- candidates -----------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentOption:
    """Where appointments of one request may go: one staff member, one day, grid starts."""

    request: AppointmentRequest
    staff: str
    day: int
    starts: tuple[int, ...]


def candidate_sessions(instance: Instance, patient: Patient) -> tuple[Session, ...]:
    """The sessions that fit the patient, in time order."""
    fitting = [s for s in instance.sessions if session_fits(s, patient)]
    return tuple(sorted(fitting, key=lambda s: s.start))


def appointment_options(
    instance: Instance, patient: Patient, request: AppointmentRequest
) -> tuple[AppointmentOption, ...]:
    """Per staff member who may take the request and per day, the starts on the slot grid
    that lie inside a patient window and a staff window and clear the staff's sessions."""
    if request.staff is not None:
        staff = [instance.staff_by_id[request.staff]]
    else:
        role = request.type.default_role
        staff = [member for member in instance.staff if member.role is role]
    slot = instance.program.slot_minutes
    options = []
    for member in staff:
        busy = [(s.start, s.end) for s in instance.sessions if member.id in s.staff]
        starts_by_day: dict[int, list[int]] = defaultdict(list)
        for patient_window in patient.availability:
            for staff_window in member.availability:
                low = max(patient_window.start, staff_window.start)
                high = min(patient_window.end, staff_window.end)
                midnight = low - low % MINUTES_PER_DAY
                start = midnight + -(-(low - midnight) // slot) * slot
                while start + request.minutes <= high:
                    end = start + request.minutes
                    if all(end <= b_start or b_end <= start for b_start, b_end in busy):
                        starts_by_day[start // MINUTES_PER_DAY].append(start)
                    start += slot
        for day in sorted(starts_by_day):
            starts = tuple(sorted(set(starts_by_day[day])))
            options.append(AppointmentOption(request, member.id, day, starts))
    return tuple(options)


@dataclass(frozen=True)
class ParallelSessions:
    """Sessions a patient cannot tell apart: same kind, track and time (parallel groups).

    The model seats patients in the class; `seat_patients` then spreads them over the
    sessions as evenly as capacities allow, which is exact for every objective level
    because only kind, track, time and total capacity matter to the rules.
    """

    index: int
    sessions: tuple[Session, ...]
    capacities: tuple[int, ...]

    @property
    def first(self) -> Session:
        return self.sessions[0]

    def even_sizes(self, seated: int) -> list[int]:
        """Group sizes with least sum of squares for `seated` patients (water-filling)."""
        sizes = [0] * len(self.sessions)
        for _ in range(seated):
            open_sizes = [i for i, cap in enumerate(self.capacities) if sizes[i] < cap]
            sizes[min(open_sizes, key=lambda i: (sizes[i], i))] += 1
        return sizes


def parallel_sessions(instance: Instance) -> tuple[ParallelSessions, ...]:
    classes: dict[tuple[object, ...], list[Session]] = {}
    for session in instance.sessions:
        key = (session.kind, session.track, session.start, session.end)
        classes.setdefault(key, []).append(session)
    return tuple(
        ParallelSessions(index, tuple(group), tuple(instance.session_capacity(s) for s in group))
        for index, group in enumerate(classes.values())
    )


def seat_patients(
    classes: tuple[ParallelSessions, ...],
    chosen: Mapping[str, list[int]],
    previous: Mapping[str, PatientSchedule],
) -> dict[str, list[str]]:
    """Concrete sessions for patients seated by class: even sizes; last week's session kept
    where its size allows; otherwise in patient (file) order."""
    seated: dict[int, list[str]] = defaultdict(list)
    for patient_id, indices in chosen.items():
        for index in indices:
            seated[index].append(patient_id)
    sessions: dict[str, list[str]] = {patient_id: [] for patient_id in chosen}
    for index, patient_ids in sorted(seated.items()):
        group = classes[index]
        room = dict(
            zip((s.id for s in group.sessions), group.even_sizes(len(patient_ids)), strict=True)
        )
        waiting = []
        for patient_id in patient_ids:
            before = set(previous.get(patient_id, PatientSchedule()).sessions) & room.keys()
            kept = next((s for s in sorted(before) if room[s] > 0), None)
            if kept is None:
                waiting.append(patient_id)
            else:
                room[kept] -= 1
                sessions[patient_id].append(kept)
        for patient_id in waiting:
            session_id = next(s for s in room if room[s] > 0)
            room[session_id] -= 1
            sessions[patient_id].append(session_id)
    return sessions
