"""Week instances for the schedule benchmark, deterministic from (patients, seed).

A multi-track program sized to its census, with the availability a real IOP sees:
- parents free in school hours (09:00-14:30 weekdays),
- flexible patients (on leave, unemployed) free 08:30-17:00 weekdays,
- students free afternoons and early evenings,
- day workers free on weekday evenings and Saturday morning,
- evening-only patients (shift or second job) on four or five weekday evenings,
- adolescents after school (15:30-19:30 weekdays), 6 h/week minimum.

Groups run in blocks (morning, afternoon, evening, Saturday, adolescent after-school),
two sessions a block; the number of parallel groups per block follows the demand of the
patients who can only come then, with about 10% spare seats. Psychoeducation is shared
by the adult tracks (`all`). Individual appointments are mostly with a named primary
therapist, medication appointments with any prescriber (part-time, a few half-days).
"""

from __future__ import annotations

import math
import random
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")

# block: (days, [(start, end), (start, end)], shift)
BLOCKS = {
    "morning": (WEEKDAYS, [("09:00", "10:30"), ("10:45", "12:00")], "day"),
    "afternoon": (WEEKDAYS, [("13:00", "14:30"), ("14:45", "16:00")], "day"),
    "evening": (WEEKDAYS, [("17:30", "19:00"), ("19:15", "20:30")], "evening"),
    "saturday": (("sat",), [("09:00", "10:30"), ("10:45", "12:00")], "saturday"),
    "teen": (("mon", "tue", "wed", "thu"), [("16:00", "17:30"), ("17:45", "19:00")], "teen"),
}

SHIFTS = {
    "day": [(day, "08:00", "17:00") for day in WEEKDAYS],
    "evening": [(day, "12:00", "21:30") for day in WEEKDAYS],
    "teen": [(day, "12:00", "20:00") for day in WEEKDAYS],
    "saturday": [("sat", "08:00", "13:00"), *[(day, "13:00", "17:00") for day in WEEKDAYS[:2]]],
}

# profile: (share of adults, block weights)
PROFILES = {
    "parent": (0.2, {"morning": 1.0}),
    "flexible": (0.2, {"morning": 0.5, "afternoon": 0.5}),
    "student": (0.15, {"afternoon": 0.6, "evening": 0.4}),
    "day_worker": (0.25, {"evening": 0.8, "saturday": 0.2}),
    "evening_only": (0.2, {"evening": 1.0}),
}

SEATS_PER_PATIENT = 7
GROUP_CAPACITY = 10
SPARE = 1.1
CASELOAD = 12
LEADER_CASELOAD = 4


def _span(day: str, start: str, end: str) -> tuple[int, int]:
    offset = ("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(day) * 24 * 60
    return (
        offset + int(start[:2]) * 60 + int(start[3:]),
        offset + int(end[:2]) * 60 + int(end[3:]),
    )


def availability(profile: str, rng: random.Random) -> list[dict[str, str]]:
    def window(day: str, start: str, end: str) -> dict[str, str]:
        return {"day": day, "start": start, "end": end}

    if profile == "parent":
        return [window(day, "09:00", "14:30") for day in WEEKDAYS]
    if profile == "flexible":
        return [window(day, "08:30", "17:00") for day in WEEKDAYS]
    if profile == "student":
        return [
            window(day, "13:00" if day in ("mon", "wed", "fri") else "14:30", "19:30")
            for day in WEEKDAYS
        ]
    if profile == "day_worker":
        days = [window(day, "17:00", "21:30") for day in WEEKDAYS]
        return [*days, window("sat", "08:30", "13:00")]
    if profile == "evening_only":
        skipped = rng.choice([*WEEKDAYS, None])
        return [window(day, "17:00", "21:30") for day in WEEKDAYS if day != skipped]
    return [window(day, "15:30", "19:30") for day in WEEKDAYS]  # adolescent


def generate_instance(
    patients: int, seed: int = 0, *, spare: float = SPARE, per_prescriber: int = 20
) -> dict[str, Any]:
    """A week for `patients`; `spare` is the seats offered per seat demanded, and one
    prescriber works per `per_prescriber` medication patients."""
    rng = random.Random(f"{patients}:{seed}")
    people = []
    for index in range(patients):
        if rng.random() < 0.1:
            track, profile = "teen", "teen"
        else:
            track = rng.choice(["mh", "sud"])
            profile = rng.choices(list(PROFILES), [share for share, _ in PROFILES.values()])[0]
        people.append((f"P{index + 1:04d}", track, profile))

    demand: dict[tuple[str, str], float] = {}
    for _, track, profile in people:
        weights = {"teen": 1.0} if profile == "teen" else PROFILES[profile][1]
        for block, weight in weights.items():
            key = (track, block)
            demand[key] = demand.get(key, 0.0) + weight * SEATS_PER_PATIENT

    staff: list[dict[str, Any]] = []
    leaders: dict[str, list[str]] = {shift: [] for shift in SHIFTS}
    sessions: list[dict[str, Any]] = []
    rooms: list[list[tuple[int, int]]] = []  # busy spans per room
    busy: dict[str, list[tuple[int, int]]] = {}  # busy spans per group leader

    def first_free(spans: list[list[tuple[int, int]]], wanted: tuple[int, int]) -> int:
        for number, taken in enumerate(spans):
            if all(wanted[1] <= start or end <= wanted[0] for start, end in taken):
                taken.append(wanted)
                return number
        spans.append([wanted])
        return len(spans) - 1

    def leader(shift: str, wanted: tuple[int, int]) -> str:
        pool = leaders[shift]
        spans = [busy[staff_id] for staff_id in pool]
        number = first_free(spans, wanted)
        if number < len(pool):
            return pool[number]
        staff_id = f"T{len(staff) + 1:03d}"
        availability = [{"day": d, "start": s, "end": e} for d, s, e in SHIFTS[shift]]
        staff.append(
            {
                "id": staff_id,
                "role": "therapist",
                "max_individual_minutes": 600,
                "availability": availability,
            }
        )
        pool.append(staff_id)
        busy[staff_id] = spans[-1]
        return staff_id

    for block, (days, times, shift) in BLOCKS.items():
        per_copy = len(days) * len(times) * GROUP_CAPACITY
        tracks = ["teen"] if block == "teen" else ["mh", "sud"]
        copies = {t: math.ceil(demand.get((t, block), 0) * spare / per_copy) for t in tracks}
        shared = 0 if block == "teen" else math.ceil(sum(copies.values()) / 2)
        for day in days:
            for slot, (start, end) in enumerate(times):
                groups: list[tuple[str, str]] = []
                for track in tracks:
                    if slot == 1 and block != "teen":
                        continue
                    kind = {"mh": "process_group", "sud": "relapse_prevention"}.get(
                        track, "skills_group"
                    )
                    groups += [(track, kind)] * copies[track]
                if slot == 1 and block != "teen":
                    groups += [("all", "psychoeducation")] * shared
                    groups += [("mh", "skills_group")] * (copies["mh"] - copies["mh"] // 2)
                    groups += [("sud", "process_group")] * (copies["sud"] - copies["sud"] // 2)
                for number, (track, kind) in enumerate(groups):
                    wanted = _span(day, start, end)
                    room = first_free(rooms, wanted)
                    sessions.append(
                        {
                            "id": f"{block[:3].upper()}-{day}-{start.replace(':', '')}-{number}",
                            "kind": kind,
                            "title": kind.replace("_", " ").capitalize(),
                            "track": track,
                            "day": day,
                            "start": start,
                            "end": end,
                            "capacity": GROUP_CAPACITY,
                            "staff": [leader(shift, wanted)],
                            "room": f"R{room + 1}",
                        }
                    )

    # one prescriber per `per_prescriber` medication patients; each works two day and two
    # evening spans
    prescriber_count = max(1, math.ceil(patients * 0.4 / per_prescriber))
    patterns = [
        [("mon", "09:00", "13:00"), ("tue", "15:30", "21:30"), ("thu", "15:30", "21:30")],
        [("tue", "09:00", "14:00"), ("wed", "15:30", "21:30"), ("sat", "08:30", "12:30")],
        [("wed", "09:00", "13:00"), ("mon", "15:30", "21:30"), ("fri", "12:00", "20:00")],
        [("thu", "09:00", "14:00"), ("fri", "09:00", "13:00"), ("mon", "15:30", "21:30")],
    ]
    for index in range(prescriber_count):
        pattern = sorted(patterns[index % len(patterns)])
        staff.append(
            {
                "id": f"M{index + 1:02d}",
                "role": "prescriber",
                "max_individual_minutes": 900,
                "availability": [{"day": d, "start": s, "end": e} for d, s, e in pattern],
            }
        )
    # primary therapists: day group leaders take a few patients each; counselors who lead
    # no groups (day 08:00-17:00, late 13:00-21:30) take up to CASELOAD
    caseload: dict[str, int] = {}
    counselors: dict[str, list[str]] = {"day": [], "late": []}

    def primary_therapist(shift: str) -> str:
        if shift == "day":
            for staff_id in leaders["day"]:
                if caseload.get(staff_id, 0) < LEADER_CASELOAD:
                    caseload[staff_id] = caseload.get(staff_id, 0) + 1
                    return staff_id
        for staff_id in counselors[shift]:
            if caseload.get(staff_id, 0) < CASELOAD:
                caseload[staff_id] = caseload.get(staff_id, 0) + 1
                return staff_id
        staff_id = f"C{sum(map(len, counselors.values())) + 1:03d}"
        start, end = ("08:00", "17:00") if shift == "day" else ("13:00", "21:30")
        staff.append(
            {
                "id": staff_id,
                "role": "therapist",
                "max_individual_minutes": 900,
                "availability": [{"day": d, "start": start, "end": end} for d in WEEKDAYS],
            }
        )
        counselors[shift].append(staff_id)
        caseload[staff_id] = 1
        return staff_id

    patient_entries = []
    for patient_id, track, profile in people:
        entry: dict[str, Any] = {
            "id": patient_id,
            "track": track,
            "max_days": 5,
            "availability": availability(profile, rng),
            "min_sessions_by_kind": {
                "mh": {"process_group": 2, "psychoeducation": 1},
                "sud": {"relapse_prevention": 2, "psychoeducation": 1},
                "teen": {"skills_group": 2},
            }[track],
        }
        if track == "teen":
            entry["min_minutes"] = 360
        if rng.random() < 0.3:
            entry["min_days"] = 3
        individual: dict[str, Any] = {"count": 1, "minutes": 60}
        if rng.random() < 0.7:
            individual["staff"] = primary_therapist(
                "day" if profile in ("parent", "flexible") else "late"
            )
        entry["individual"] = individual
        if rng.random() < 0.4:
            entry["medication"] = {"count": 1, "minutes": 30}
        patient_entries.append(entry)

    return {
        "program": {
            "name": f"Benchmark IOP ({patients} patients)",
            "timezone": "America/Chicago",
            "min_minutes": 540,
            "max_minutes": 1140,
            "slot_minutes": 15,
        },
        "rooms": [{"id": f"R{n + 1}", "capacity": 12} for n in range(len(rooms))],
        "staff": staff,
        "sessions": sessions,
        "patients": patient_entries,
    }


HARD_SPARE = 0.95
HARD_PER_PRESCRIBER = 30


def generate_hard_instance(patients: int, seed: int = 0) -> dict[str, Any]:
    """A tighter week: 5% fewer seats than demanded and one prescriber per 30 medication
    patients. Greedy first fit falls 5-10% short of the upper bound on it."""
    data = generate_instance(patients, seed, spare=HARD_SPARE, per_prescriber=HARD_PER_PRESCRIBER)
    data["program"]["name"] = f"Benchmark IOP, tight ({patients} patients)"
    return data
