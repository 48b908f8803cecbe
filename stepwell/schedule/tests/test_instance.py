"""Reading week files: conversion to week minutes, defaults, and every error by field."""

import copy

import pytest

from stepwell.schedule.optimizer.instance import (
    AppointmentType,
    InstanceError,
    SessionKind,
    StaffRole,
    Window,
    format_clock,
    instance_from_dict,
    parse_clock,
)

WEEK = {
    "program": {
        "name": "Adult IOP",
        "timezone": "America/Chicago",
        "min_minutes": 540,
        "max_minutes": 1140,
        "slot_minutes": 15,
    },
    "rooms": [{"id": "R1", "capacity": 14}],
    "staff": [
        {
            "id": "S1",
            "role": "therapist",
            "max_individual_minutes": 1200,
            "availability": [{"day": "mon", "start": "08:00", "end": "17:00"}],
        },
        {
            "id": "S9",
            "role": "prescriber",
            "max_individual_minutes": 600,
            "availability": [{"day": "tue", "start": "13:00", "end": "17:00"}],
        },
    ],
    "sessions": [
        {
            "id": "G1",
            "kind": "process_group",
            "title": "Process group",
            "track": "mh",
            "day": "mon",
            "start": "09:00",
            "end": "10:30",
            "capacity": 12,
            "staff": ["S1"],
            "room": "R1",
        },
        {
            "id": "E1",
            "kind": "psychoeducation",
            "title": "Relapse prevention",
            "track": "all",
            "day": "mon",
            "start": "10:45",
            "end": "12:00",
            "capacity": 12,
            "staff": ["S1"],
            "room": "R1",
        },
    ],
    "patients": [
        {
            "id": "P1",
            "track": "mh",
            "min_minutes": 540,
            "max_minutes": 1140,
            "min_days": 2,
            "max_days": 4,
            "availability": [
                {"day": "mon", "start": "08:30", "end": "13:00"},
                {"day": "wed", "start": "08:30", "end": "13:00"},
            ],
            "min_sessions_by_kind": {"psychoeducation": 1},
            "individual": {"count": 1, "minutes": 60, "staff": "S1"},
            "medication": {"count": 1, "minutes": 30},
        }
    ],
}


def errors_of(data: object) -> list[tuple[str, str]]:
    with pytest.raises(InstanceError) as raised:
        instance_from_dict(data)
    return [(error.field, error.message) for error in raised.value.errors]


def changed(path: str, value: object) -> dict:
    """WEEK with one value replaced; path like `patients.0.availability.1.end`."""
    data = copy.deepcopy(WEEK)
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    return data


def test_spec_example_reads_into_week_minutes():
    instance = instance_from_dict(WEEK)

    assert instance.program.slot_minutes == 15
    assert instance.staff[1].role is StaffRole.PRESCRIBER
    assert instance.staff[1].availability == (Window(1440 + 780, 1440 + 1020),)
    session = instance.sessions_by_id["E1"]
    assert (session.kind, session.track, session.start, session.end) == (
        SessionKind.PSYCHOEDUCATION,
        "all",
        645,
        720,
    )
    patient = instance.patients[0]
    assert patient.availability == (Window(510, 780), Window(2 * 1440 + 510, 2 * 1440 + 780))
    assert patient.min_sessions_by_kind == ((SessionKind.PSYCHOEDUCATION, 1),)
    assert [(a.type, a.count, a.minutes, a.staff) for a in patient.appointments] == [
        (AppointmentType.INDIVIDUAL, 1, 60, "S1"),
        (AppointmentType.MEDICATION, 1, 30, None),
    ]


def test_minutes_default_to_the_program_then_to_asam_adult_hours():
    data = copy.deepcopy(WEEK)
    del data["patients"][0]["min_minutes"], data["patients"][0]["max_minutes"]
    del data["patients"][0]["min_days"], data["patients"][0]["max_days"]
    data["program"]["min_minutes"] = 600
    patient = instance_from_dict(data).patients[0]
    assert (patient.min_minutes, patient.max_minutes, patient.min_days, patient.max_days) == (
        600,
        1140,
        0,
        7,
    )

    del data["program"]["min_minutes"], data["program"]["max_minutes"]
    assert instance_from_dict(data).patients[0].min_minutes == 540


def test_min_day_minutes_defaults_to_zero_and_reads_when_given():
    data = changed("patients.0.min_day_minutes", 180)
    assert instance_from_dict(data).patients[0].min_day_minutes == 180
    del data["patients"][0]["min_day_minutes"]
    assert instance_from_dict(data).patients[0].min_day_minutes == 0


def test_adolescent_program_defaults_to_six_hours():
    data = copy.deepcopy(WEEK)
    del data["program"]["min_minutes"], data["program"]["max_minutes"]
    del data["patients"][0]["min_minutes"]
    data["program"]["population"] = "adolescent"
    assert instance_from_dict(data).patients[0].min_minutes == 360


def test_clock_reading_and_writing():
    assert [parse_clock(c) for c in ("00:00", "09:05", "24:00")] == [0, 545, 1440]
    assert [parse_clock(c) for c in ("24:15", "9:00", "09:60", 900, "25:00")] == [None] * 5
    assert format_clock(1440) == "24:00"
    assert format_clock(1440 + 540) == "09:00"


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            "patients.0.availability.1.end",
            "08:00",
            ("patients[0].availability[1].end", "must be after start"),
        ),
        (
            "patients.0.availability.1.day",
            "someday",
            (
                "patients[0].availability[1].day",
                "'someday' is not a day; expected one of mon, tue, wed, thu, fri, sat, sun",
            ),
        ),
        (
            "patients.0.availability.1.start",
            "8am",
            ("patients[0].availability[1].start", "must be a time HH:MM between 00:00 and 24:00"),
        ),
        (
            "patients.0.availability.1.day",
            "mon",
            ("patients[0].availability[1]", "overlaps another window on the same day"),
        ),
        ("patients.0.min_minutes", -5, ("patients[0].min_minutes", "must be at least 0")),
        ("patients.0.max_days", 8, ("patients[0].max_days", "a week has 7 days")),
        ("patients.0.min_days", 5, ("patients[0].max_days", "must not be below min_days")),
        (
            "patients.0.min_day_minutes",
            -1,
            ("patients[0].min_day_minutes", "must be at least 0"),
        ),
        (
            "patients.0.min_day_minutes",
            1441,
            ("patients[0].min_day_minutes", "a day has 1440 minutes"),
        ),
        (
            "patients.0.min_day_minutes",
            "3h",
            ("patients[0].min_day_minutes", "must be a whole number"),
        ),
        (
            "patients.0.individual.staff",
            "S4",
            ("patients[0].individual.staff", "unknown staff 'S4'"),
        ),
        (
            "patients.0.individual.minutes",
            0,
            ("patients[0].individual.minutes", "must be at least 1"),
        ),
        (
            "patients.0.medication.count",
            True,
            ("patients[0].medication.count", "must be a whole number"),
        ),
        ("patients.0.hobby", "chess", ("patients[0].hobby", "unknown field")),
        ("sessions.0.room", "R2", ("sessions[0].room", "unknown room 'R2'")),
        ("sessions.0.staff", ["S1", "S5"], ("sessions[0].staff[1]", "unknown staff 'S5'")),
        ("sessions.0.capacity", 0, ("sessions[0].capacity", "must be at least 1")),
        (
            "sessions.0.day",
            "tue",
            ("sessions[0].staff[0]", "session lies outside staff 'S1''s availability"),
        ),
        ("sessions.1.start", "10:00", ("sessions[1].room", "room 'R1' also holds 'G1'")),
        ("sessions.1.id", "G1", ("sessions[1].id", "duplicate id 'G1'")),
        ("rooms.0.capacity", -1, ("rooms[0].capacity", "must be at least 1")),
        (
            "staff.0.max_individual_minutes",
            -60,
            ("staff[0].max_individual_minutes", "must be at least 0"),
        ),
        ("program.slot_minutes", 0, ("program.slot_minutes", "must be at least 1")),
        (
            "program.timezone",
            "Mars/Olympus",
            ("program.timezone", "unknown time zone 'Mars/Olympus'"),
        ),
    ],
)
def test_bad_input_names_the_field(path, value, expected):
    assert expected in errors_of(changed(path, value))


def test_shared_staff_at_the_same_time_is_refused():
    data = changed("sessions.1.start", "10:00")
    data["rooms"].append({"id": "R2", "capacity": 10})
    data["sessions"][1]["room"] = "R2"
    assert errors_of(data) == [("sessions[1].staff[0]", "staff 'S1' also leads 'G1' at that time")]


def test_unknown_kind_in_requirements_and_sessions():
    data = changed("sessions.0.kind", "yoga")
    data["patients"][0]["min_sessions_by_kind"] = {"yoga": 1}
    kinds = "process_group, psychoeducation, skills_group, relapse_prevention, family_group, "
    kinds += "activity_therapy, mindfulness, peer_support"
    assert errors_of(data) == [
        ("sessions[0].kind", f"unknown value 'yoga'; expected one of {kinds}"),
        ("patients[0].min_sessions_by_kind.yoga", f"unknown value 'yoga'; expected one of {kinds}"),
    ]


def test_all_errors_are_collected_at_once():
    data = changed("patients.0.availability.1.end", "07:00")
    data["patients"][0]["individual"]["staff"] = "S4"
    data["rooms"][0]["capacity"] = "many"
    assert errors_of(data) == [
        ("rooms[0].capacity", "must be a whole number"),
        ("sessions[0].room", "unknown room 'R1'"),
        ("sessions[1].room", "unknown room 'R1'"),
        ("patients[0].availability[1].end", "must be after start"),
        ("patients[0].individual.staff", "unknown staff 'S4'"),
    ]


def test_missing_sections_and_fields():
    assert errors_of({"program": {}, "rooms": [], "staff": [], "sessions": []}) == [
        ("patients", "is required"),
        ("program.name", "is required"),
        ("program.slot_minutes", "is required"),
        ("program.timezone", "is required"),
    ]
    assert errors_of([]) == [("$", "must be an object")]
