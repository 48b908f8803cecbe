"""An `Instance` written back as a week file (docs/schedule-instance.md).

`read_instance` (instance_schema.py) reads what `instance_to_dict` writes to an equal
instance; a hypothesis test holds the two together.
"""

from __future__ import annotations

from typing import Any

from stepwell.schedule.optimizer.instance import (
    MINUTES_PER_DAY,
    Instance,
    Patient,
    format_clock,
    format_day,
)


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """The week file of an instance; `read_instance` reads it back to an equal instance."""
    program = instance.program
    return {
        "program": {
            "name": program.name,
            "timezone": program.timezone,
            "population": program.population.value,
            "min_minutes": program.min_minutes,
            "max_minutes": program.max_minutes,
            "slot_minutes": program.slot_minutes,
        },
        "rooms": [{"id": room.id, "capacity": room.capacity} for room in instance.rooms],
        "staff": [
            {
                "id": member.id,
                "role": member.role.value,
                "max_individual_minutes": member.max_individual_minutes,
                "availability": [_span(w.start, w.end) for w in member.availability],
            }
            for member in instance.staff
        ],
        "sessions": [
            {
                "id": session.id,
                "kind": session.kind.value,
                "title": session.title,
                "track": session.track,
                **_span(session.start, session.end),
                "capacity": session.capacity,
                "staff": list(session.staff),
                "room": session.room,
            }
            for session in instance.sessions
        ],
        "patients": [_patient_to_dict(patient) for patient in instance.patients],
    }


def _span(start: int, end: int) -> dict[str, str]:
    """A start at midnight reads 00:00 of its day; an end at midnight 24:00 of the day before."""
    start_clock = format_clock(start % MINUTES_PER_DAY)
    return {"day": format_day(start), "start": start_clock, "end": format_clock(end)}


def _patient_to_dict(patient: Patient) -> dict[str, Any]:
    written: dict[str, Any] = {
        "id": patient.id,
        "track": patient.track,
        "min_minutes": patient.min_minutes,
        "max_minutes": patient.max_minutes,
        "min_days": patient.min_days,
        "max_days": patient.max_days,
        "min_day_minutes": patient.min_day_minutes,
        "availability": [_span(w.start, w.end) for w in patient.availability],
        "min_sessions_by_kind": {kind.value: n for kind, n in patient.min_sessions_by_kind},
    }
    for request in patient.appointments:
        written[request.type.value] = {"count": request.count, "minutes": request.minutes}
        if request.staff is not None:
            written[request.type.value]["staff"] = request.staff
    return written
