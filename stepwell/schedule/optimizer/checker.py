"""Independent check of a plan file against its week, rule by rule.

Written from docs/schedule-instance.md alone: it reads the plan as JSON (the
dict `plan_to_dict` writes, or a file from elsewhere) and shares nothing with the solver
but the parsed instance. `check_plan` returns one message per violation; an empty list
means the plan keeps every rule and every claim it makes is true:

- each patient of the week appears once, and nobody else;
- a session attended fits the patient (track, wholly inside one availability window);
- an appointment has a known type the patient asked for, at most `count` of them, of the
  requested length, with the named staff member or one of the right role, on the slot
  grid, inside one window of the patient and one of the staff member;
- no overlaps: a patient's sessions and appointments; a staff member's sessions (led,
  whether or not anyone attends) and appointments; a room's sessions;
- a session's patients within its capacity and its room's;
- a staff member's appointment minutes within `max_individual_minutes`;
- honesty: `minutes`, `days`, `requirements_met`, the `unmet` requirements (exactly those
  missed, with a reason `availability` or `capacity`; `min_days` counts only the days
  that reach `min_day_minutes`), and the summary counts.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from stepwell.schedule.optimizer.instance import (
    DAYS,
    MINUTES_PER_DAY,
    TRACK_ALL,
    Instance,
    Patient,
    parse_clock,
)

ROLE_FOR_TYPE = {"individual": "therapist", "medication": "prescriber"}
REASONS = {"availability", "capacity"}
STATUSES = {"optimal", "feasible"}


def check_plan(instance: Instance, plan: dict[str, Any]) -> list[str]:
    """Every violated rule or false claim in `plan`, as readable messages."""
    problems: list[str] = []
    if plan.get("status") not in STATUSES:
        problems.append(f"status {plan.get('status')!r} is not optimal or feasible")
    entries = plan.get("patients", [])
    patients = {patient.id: patient for patient in instance.patients}
    seen: set[str] = set()
    staff_items: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for session in instance.sessions:
        for staff_id in session.staff:
            staff_items[staff_id].append((session.start, session.end, f"session {session.id}"))
    attendance: dict[str, int] = defaultdict(int)
    staff_minutes: dict[str, int] = defaultdict(int)
    met_count = 0
    for entry in entries:
        patient_id = entry.get("id")
        if patient_id not in patients:
            problems.append(f"plan lists unknown patient {patient_id!r}")
            continue
        if patient_id in seen:
            problems.append(f"patient {patient_id} is listed twice")
            continue
        seen.add(patient_id)
        patient = patients[patient_id]
        checked = _check_patient(instance, patient, entry, problems)
        for session_id in entry.get("sessions", []):
            attendance[session_id] += 1
        for start, end, staff_id, label in checked["appointments"]:
            staff_items[staff_id].append((start, end, f"{label} of {patient_id}"))
            staff_minutes[staff_id] += end - start
        met_count += bool(entry.get("requirements_met"))
    for patient_id in patients.keys() - seen:
        problems.append(f"patient {patient_id} is missing from the plan")
    for session in instance.sessions:
        capacity = min(session.capacity, instance.rooms_by_id[session.room].capacity)
        if attendance[session.id] > capacity:
            problems.append(
                f"session {session.id} has {attendance[session.id]} patients, capacity {capacity}"
            )
    for staff_id, items in staff_items.items():
        problems += _overlaps(items, f"staff {staff_id}")
    for member in instance.staff:
        if staff_minutes[member.id] > member.max_individual_minutes:
            problems.append(
                f"staff {member.id} has {staff_minutes[member.id]} appointment minutes, "
                f"limit {member.max_individual_minutes}"
            )
    rooms: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for session in instance.sessions:
        rooms[session.room].append((session.start, session.end, f"session {session.id}"))
    for room_id, items in rooms.items():
        problems += _overlaps(items, f"room {room_id}")
    summary = plan.get("summary", {})
    if summary.get("patients") != len(instance.patients):
        problems.append(f"summary.patients {summary.get('patients')} != {len(instance.patients)}")
    if summary.get("requirements_met") != met_count:
        problems.append(
            f"summary.requirements_met {summary.get('requirements_met')} != {met_count}"
        )
    bound = summary.get("upper_bound_met")
    if not isinstance(bound, int) or not met_count <= bound <= len(instance.patients):
        problems.append(f"summary.upper_bound_met {bound!r} is not between met and patients")
    return problems


def _check_patient(
    instance: Instance, patient: Patient, entry: dict[str, Any], problems: list[str]
) -> dict[str, list[tuple[int, int, str, str]]]:
    who = f"patient {patient.id}"
    items: list[tuple[int, int, str]] = []
    appointments: list[tuple[int, int, str, str]] = []
    minutes = 0
    days: set[int] = set()
    day_minutes: dict[int, int] = defaultdict(int)
    kinds: dict[str, int] = defaultdict(int)
    session_ids = entry.get("sessions", [])
    if len(set(session_ids)) != len(session_ids):
        problems.append(f"{who} lists a session twice")
    for session_id in session_ids:
        session = instance.sessions_by_id.get(session_id)
        if session is None:
            problems.append(f"{who} attends unknown session {session_id!r}")
            continue
        if session.track not in (patient.track, TRACK_ALL):
            problems.append(f"{who} attends {session_id} of track {session.track}")
        if not any(w.start <= session.start and session.end <= w.end for w in patient.availability):
            problems.append(f"{who} attends {session_id} outside their availability")
        items.append((session.start, session.end, f"session {session_id}"))
        minutes += session.end - session.start
        days.add(session.start // MINUTES_PER_DAY)
        day_minutes[session.start // MINUTES_PER_DAY] += session.end - session.start
        kinds[session.kind.value] += 1
    requested = {request.type.value: request for request in patient.appointments}
    placed: dict[str, int] = defaultdict(int)
    for number, appointment in enumerate(entry.get("appointments", [])):
        label = f"{appointment.get('type')} appointment #{number + 1}"
        span = _appointment_span(appointment)
        if span is None:
            problems.append(f"{who}: {label} has no valid day, start and end")
            continue
        start, end = span
        kind = appointment.get("type")
        staff_id = appointment.get("staff")
        request = requested.get(kind)
        member = instance.staff_by_id.get(staff_id)
        if request is None:
            problems.append(f"{who}: {label} was not requested")
        elif end - start != request.minutes:
            problems.append(f"{who}: {label} lasts {end - start} minutes, not {request.minutes}")
        if member is None:
            problems.append(f"{who}: {label} names unknown staff {staff_id!r}")
        elif request is not None and request.staff not in (None, staff_id):
            problems.append(f"{who}: {label} is with {staff_id}, not {request.staff}")
        elif request is not None and request.staff is None and member.role != ROLE_FOR_TYPE[kind]:
            problems.append(
                f"{who}: {label} is with {staff_id}, who is not a {ROLE_FOR_TYPE[kind]}"
            )
        if (start % MINUTES_PER_DAY) % instance.program.slot_minutes:
            problems.append(f"{who}: {label} does not start on the slot grid")
        if not any(w.start <= start and end <= w.end for w in patient.availability):
            problems.append(f"{who}: {label} lies outside their availability")
        if member is not None and not any(
            w.start <= start and end <= w.end for w in member.availability
        ):
            problems.append(f"{who}: {label} lies outside {staff_id}'s availability")
        placed[kind] += 1
        items.append((start, end, label))
        appointments.append((start, end, staff_id, label))
        minutes += end - start
        days.add(start // MINUTES_PER_DAY)
        day_minutes[start // MINUTES_PER_DAY] += end - start
    for kind, count in placed.items():
        if kind in requested and count > requested[kind].count:
            problems.append(f"{who} has {count} {kind} appointments, {requested[kind].count} asked")
    problems += _overlaps(items, who)
    counted = sum(1 for total in day_minutes.values() if total >= patient.min_day_minutes)
    _check_claims(patient, entry, minutes, (len(days), counted), kinds, placed, problems)
    return {"appointments": appointments}


def _check_claims(
    patient: Patient,
    entry: dict[str, Any],
    minutes: int,
    day_counts: tuple[int, int],
    kinds: dict[str, int],
    placed: dict[str, int],
    problems: list[str],
) -> None:
    """`day_counts`: distinct days attended, and those reaching `min_day_minutes`."""
    who = f"patient {patient.id}"
    days, counted = day_counts
    if entry.get("minutes") != minutes:
        problems.append(f"{who} claims {entry.get('minutes')} minutes, has {minutes}")
    if entry.get("days") != days:
        problems.append(f"{who} claims {entry.get('days')} days, has {days}")
    missed = set()
    if minutes < patient.min_minutes:
        missed.add("min_minutes")
    if minutes > patient.max_minutes:
        missed.add("max_minutes")
    if counted < patient.min_days:
        missed.add("min_days")
    if days > patient.max_days:
        missed.add("max_days")
    for kind, count in patient.min_sessions_by_kind:
        if kinds[kind.value] < count:
            missed.add(f"min_sessions_by_kind.{kind.value}")
    for request in patient.appointments:
        if placed[request.type.value] != request.count:
            missed.add(f"{request.type.value}.count")
    if entry.get("requirements_met") is not (not missed):
        problems.append(f"{who} claims requirements_met {entry.get('requirements_met')!r}")
    unmet = entry.get("unmet", [])
    listed = {item.get("requirement") for item in unmet}
    if listed != missed or len(unmet) != len(listed):
        problems.append(f"{who} lists unmet {sorted(map(str, listed))}, misses {sorted(missed)}")
    for item in unmet:
        if item.get("reason") not in REASONS:
            problems.append(
                f"{who}: unmet {item.get('requirement')} has reason {item.get('reason')!r}"
            )


def _appointment_span(appointment: dict[str, Any]) -> tuple[int, int] | None:
    day = appointment.get("day")
    start = parse_clock(appointment.get("start"))
    end = parse_clock(appointment.get("end"))
    if day not in DAYS or start is None or end is None or end <= start:
        return None
    offset = DAYS.index(day) * MINUTES_PER_DAY
    return offset + start, offset + end


def _overlaps(items: list[tuple[int, int, str]], owner: str) -> list[str]:
    ordered = sorted(items)
    problems = []
    for index, (_, end, label) in enumerate(ordered):
        for other_start, _, other_label in ordered[index + 1 :]:
            if other_start >= end:
                break
            problems.append(f"{owner}: {label} overlaps {other_label}")
    return problems
