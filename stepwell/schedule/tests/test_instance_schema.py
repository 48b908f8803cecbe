"""The week file's typed boundary: a written week reads back equal, and every kind of bad
record (wrong type, missing, unknown, out of range) is refused under its field path."""

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepwell.schedule.optimizer.instance import (
    LARGEST_NUMBER,
    MINUTES_PER_DAY,
    AppointmentRequest,
    AppointmentType,
    Instance,
    InstanceError,
    Patient,
    Population,
    Program,
    Room,
    Session,
    SessionKind,
    Staff,
    StaffRole,
    Window,
    instance_from_dict,
)
from stepwell.schedule.optimizer.instance_writer import instance_to_dict
from stepwell.schedule.tests.test_instance import WEEK, changed, errors_of

TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12).filter(str.strip)
IDS = st.text("ABCDEFGHJK0123456789", min_size=1, max_size=4)
NUMBER = st.integers(0, LARGEST_NUMBER)


@st.composite
def windows(draw, min_size=0) -> tuple[Window, ...]:
    """At most one window a day, in day order (the order the reader returns)."""
    days = draw(st.sets(st.integers(0, 6), min_size=min_size, max_size=3))
    read = []
    for day in sorted(days):
        start = draw(st.integers(0, MINUTES_PER_DAY - 1))
        end = draw(st.integers(start + 1, MINUTES_PER_DAY))
        read.append(Window(day * MINUTES_PER_DAY + start, day * MINUTES_PER_DAY + end))
    return tuple(read)


@st.composite
def instances(draw) -> Instance:
    low = draw(NUMBER)
    program = Program(
        name=draw(TEXT),
        timezone=draw(st.sampled_from(["America/Chicago", "UTC", "Asia/Kolkata"])),
        min_minutes=low,
        max_minutes=draw(st.integers(low, LARGEST_NUMBER)),
        slot_minutes=draw(st.integers(1, MINUTES_PER_DAY)),
        population=draw(st.sampled_from(Population)),
    )
    room_ids = draw(st.lists(IDS, unique=True, max_size=4))
    rooms = tuple(Room(room_id, draw(st.integers(1, 99))) for room_id in room_ids)
    staff_ids = draw(st.lists(IDS, unique=True, max_size=4))
    staff = tuple(
        Staff(member, draw(st.sampled_from(StaffRole)), draw(NUMBER), draw(windows(min_size=1)))
        for member in staff_ids
    )
    # one session a room, each led by its own staff member (or nobody) inside their first
    # window: no two sessions share a room or a person, so none can clash
    sessions = []
    for index, room in enumerate(rooms):
        led = index < len(staff) and draw(st.booleans())
        span = staff[index].availability[0] if led else draw(windows(min_size=1))[0]
        sessions.append(
            Session(
                id=draw(IDS.filter(lambda s: s not in {x.id for x in sessions})),
                kind=draw(st.sampled_from(SessionKind)),
                title=draw(TEXT),
                track=draw(TEXT),
                start=span.start,
                end=span.end,
                capacity=draw(st.integers(1, 99)),
                staff=(staff[index].id,) if led else (),
                room=room.id,
            )
        )
    patient_ids = draw(st.lists(IDS, unique=True, max_size=3))
    return Instance(
        program=program,
        rooms=rooms,
        staff=staff,
        sessions=tuple(sessions),
        patients=tuple(draw(patients(patient_id, staff_ids)) for patient_id in patient_ids),
    )


@st.composite
def patients(draw, patient_id: str, staff_ids: list[str]) -> Patient:
    low, low_days = draw(NUMBER), draw(st.integers(0, 7))
    kinds = draw(st.dictionaries(st.sampled_from(SessionKind), st.integers(1, 9), max_size=3))
    appointments = tuple(
        AppointmentRequest(
            kind,
            draw(st.integers(1, 9)),
            draw(st.integers(1, 240)),
            draw(st.none() | st.sampled_from(staff_ids)) if staff_ids else None,
        )
        for kind in AppointmentType
        if draw(st.booleans())
    )
    return Patient(
        id=patient_id,
        track=draw(TEXT),
        min_minutes=low,
        max_minutes=draw(st.integers(low, LARGEST_NUMBER)),
        min_days=low_days,
        max_days=draw(st.integers(low_days, 7)),
        availability=draw(windows()),
        min_sessions_by_kind=tuple(sorted(kinds.items())),
        appointments=appointments,
        min_day_minutes=draw(st.integers(0, MINUTES_PER_DAY)),
    )


@settings(max_examples=60, deadline=None)
@given(instances())
def test_a_written_week_reads_back_equal(instance):
    written = json.loads(json.dumps(instance_to_dict(instance)))
    assert instance_from_dict(written) == instance


def test_the_spec_example_writes_back_what_it_read():
    instance = instance_from_dict(WEEK)
    assert instance_from_dict(instance_to_dict(instance)) == instance


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        # wrong types
        ("program.name", 5, ("program.name", "must be a non-empty string")),
        ("program.name", "  ", ("program.name", "must be a non-empty string")),
        ("rooms.0.capacity", 2.5, ("rooms[0].capacity", "must be a whole number")),
        ("rooms.0.capacity", "12", ("rooms[0].capacity", "must be a whole number")),
        ("staff.0.availability", "mornings", ("staff[0].availability", "must be a list")),
        ("staff.0.availability.0", "mon", ("staff[0].availability[0]", "must be an object")),
        ("sessions.0.staff.0", 7, ("sessions[0].staff[0]", "must be a non-empty string")),
        ("patients.0.individual", [], ("patients[0].individual", "must be an object")),
        ("patients.0.availability.0.start", 900, ("patients[0].availability[0].start",
                                                  "must be a time HH:MM between 00:00 and 24:00")),
        ("staff.0.role", "surgeon", ("staff[0].role", "unknown value 'surgeon'; expected one of "
                                     "therapist, prescriber, nurse, peer_specialist, case_manager")),
        ("program.population", "senior", ("program.population",
                                          "unknown value 'senior'; expected one of adult, adolescent")),
        ("rooms", {"R1": 14}, ("rooms", "must be a list")),
        # unknown fields
        ("program.beds", 4, ("program.beds", "unknown field")),
        ("staff.0.availability.0.note", "x", ("staff[0].availability[0].note", "unknown field")),
        ("patients.0.medication.dose", "5mg", ("patients[0].medication.dose", "unknown field")),
        ("holidays", [], ("holidays", "unknown field")),
        # out of range
        ("program.slot_minutes", 1441, ("program.slot_minutes", "must be at most 1440")),
        ("rooms.0.capacity", LARGEST_NUMBER + 1, ("rooms[0].capacity", "must be at most 1000000")),
        ("patients.0.min_sessions_by_kind.psychoeducation", -1,
         ("patients[0].min_sessions_by_kind.psychoeducation", "must be at least 0")),
        ("patients.0.medication.minutes", 0, ("patients[0].medication.minutes", "must be at least 1")),
        ("program.min_minutes", 1200, ("program.max_minutes", "must not be below min_minutes")),
        ("patients.0.min_minutes", 1200, ("patients[0].max_minutes", "must not be below min_minutes")),
        ("sessions.0.end", "09:00", ("sessions[0].end", "must be after start")),
    ],
)  # fmt: skip
def test_bad_records_are_refused_under_their_field_path(path, value, expected):
    assert expected in errors_of(changed(path, value))


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("program", "name"),
        ("rooms.0", "capacity"),
        ("staff.0", "role"),
        ("staff.0", "availability"),
        ("sessions.1", "room"),
        ("patients.0", "track"),
        ("patients.0.availability.0", "end"),
        ("patients.0.individual", "count"),
    ],
)
def test_missing_fields_are_required(section, field):
    data = copy.deepcopy(WEEK)
    record = data
    for key in section.split("."):
        record = record[int(key)] if key.isdigit() else record[key]
    del record[field]
    path = f"{section}.{field}".replace(".0", "[0]").replace(".1", "[1]")
    assert (path, "is required") in errors_of(data)


def test_a_window_with_a_bad_day_and_a_bad_end_names_both_fields_once():
    data = changed("patients.0.availability.0.day", "funday")
    data["patients"][0]["availability"][0]["end"] = "25:00"
    errors = errors_of(data)
    assert ("patients[0].availability[0].end", "must be a time HH:MM between 00:00 and 24:00") in (
        errors
    )
    assert [field for field, _ in errors].count("patients[0].availability[0].day") == 1


def test_a_refused_week_is_a_value_error_with_every_problem_in_its_message():
    with pytest.raises(InstanceError) as raised:
        instance_from_dict(changed("rooms.0.capacity", 0))
    assert isinstance(raised.value, ValueError)
    assert str(raised.value).startswith("rooms[0].capacity: must be at least 1")
