"""The checker catches every kind of broken plan, and passes an honest one."""

import copy

import pytest

from stepwell.schedule.optimizer.checker import check_plan
from stepwell.schedule.optimizer.instance import instance_from_dict
from stepwell.schedule.tests.test_solver import capacity_week, feasible_week

GOOD_PLAN = {
    "status": "optimal",
    "patients": [
        {
            "id": "P1",
            "sessions": ["G1", "G2"],
            "appointments": [
                {
                    "type": "individual",
                    "staff": "S1",
                    "day": "mon",
                    "start": "12:00",
                    "end": "13:00",
                },
                {
                    "type": "medication",
                    "staff": "S9",
                    "day": "tue",
                    "start": "13:00",
                    "end": "13:30",
                },
            ],
            "minutes": 450,
            "days": 2,
            "requirements_met": True,
            "unmet": [],
        }
    ],
    "summary": {"patients": 1, "requirements_met": 1, "solve_seconds": 0.1, "upper_bound_met": 1},
}


def problems(plan: dict, week: dict | None = None) -> list[str]:
    return check_plan(instance_from_dict(week or feasible_week()), plan)


def broken(change) -> dict:
    plan = copy.deepcopy(GOOD_PLAN)
    change(plan["patients"][0], plan)
    return plan


def test_honest_plan_passes():
    assert problems(GOOD_PLAN) == []


def set_appointment(index: int, **values):
    return lambda patient, plan: patient["appointments"][index].update(values)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            set_appointment(0, start="11:00", end="12:00"),
            [
                "patient P1: session G1 overlaps individual appointment #1",
                "staff S1: session G1 overlaps individual appointment #1 of P1",
            ],
        ),
        (
            set_appointment(0, start="12:10", end="13:10"),
            [
                "patient P1: individual appointment #1 does not start on the slot grid",
                "patient P1: individual appointment #1 lies outside their availability",
                "patient P1: individual appointment #1 lies outside S1's availability",
            ],
        ),
        (
            set_appointment(1, staff="S1"),
            [
                "patient P1: medication appointment #2 is with S1, who is not a prescriber",
                "patient P1: medication appointment #2 lies outside S1's availability",
            ],
        ),
        (
            set_appointment(1, end="14:00"),
            [
                "patient P1: medication appointment #2 lasts 60 minutes, not 30",
                "patient P1: medication appointment #2 lies outside S9's availability",
                "patient P1 claims 450 minutes, has 480",
            ],
        ),
        (
            set_appointment(0, staff="S9"),
            [
                "patient P1: individual appointment #1 is with S9, not S1",
                "patient P1: individual appointment #1 lies outside S9's availability",
            ],
        ),
        (
            lambda patient, plan: patient["appointments"].append(dict(patient["appointments"][1])),
            [
                "patient P1 has 2 medication appointments, 1 asked",
                "patient P1: medication appointment #2 overlaps medication appointment #3",
                "patient P1 claims 450 minutes, has 480",
                "patient P1 claims requirements_met True",
                "patient P1 lists unmet [], misses ['medication.count']",
                "staff S9: medication appointment #2 of P1 overlaps medication appointment #3 of P1",
            ],
        ),
        (
            lambda patient, plan: patient.update(sessions=["G1"], minutes=270, days=2),
            [
                "patient P1 claims requirements_met True",
                "patient P1 lists unmet [], misses ['min_minutes', 'min_sessions_by_kind.psychoeducation']",
            ],
        ),
        (
            lambda patient, plan: patient.update(days=1),
            ["patient P1 claims 1 days, has 2"],
        ),
        (
            lambda patient, plan: patient.update(sessions=["G1", "G9"]),
            [
                "patient P1 attends unknown session 'G9'",
                "patient P1 claims 450 minutes, has 270",
                "patient P1 claims requirements_met True",
                "patient P1 lists unmet [], misses ['min_minutes', 'min_sessions_by_kind.psychoeducation']",
            ],
        ),
        (
            lambda patient, plan: plan["patients"].clear(),
            [
                "patient P1 is missing from the plan",
                "summary.requirements_met 1 != 0",
            ],
        ),
        (
            lambda patient, plan: plan.update(status="infeasible_input"),
            ["status 'infeasible_input' is not optimal or feasible"],
        ),
        (
            lambda patient, plan: plan["summary"].update(upper_bound_met=0),
            ["summary.upper_bound_met 0 is not between met and patients"],
        ),
    ],
)
def test_broken_plans_are_caught(change, expected):
    assert problems(broken(change)) == expected


def test_availability_and_track_are_checked():
    week = feasible_week()
    week["patients"][0]["availability"][1] = {"day": "tue", "start": "10:00", "end": "14:00"}
    week["sessions"][1]["track"] = "sud"
    assert problems(GOOD_PLAN, week) == [
        "patient P1 attends G2 of track sud",
        "patient P1 attends G2 outside their availability",
    ]


def test_capacity_and_staff_minutes_are_checked():
    week = capacity_week()
    week["staff"][0]["max_individual_minutes"] = 30
    week["patients"][0]["individual"] = {"count": 1, "minutes": 60}
    plan = {
        "status": "feasible",
        "patients": [
            {
                "id": "P1",
                "sessions": ["G1"],
                "appointments": [
                    {
                        "type": "individual",
                        "staff": "S1",
                        "day": "mon",
                        "start": "12:00",
                        "end": "13:00",
                    }
                ],
                "minutes": 240,
                "days": 1,
                "requirements_met": True,
                "unmet": [],
            },
            {
                "id": "P2",
                "sessions": ["G1"],
                "appointments": [],
                "minutes": 180,
                "days": 1,
                "requirements_met": True,
                "unmet": [],
            },
        ],
        "summary": {
            "patients": 2,
            "requirements_met": 2,
            "solve_seconds": 0.1,
            "upper_bound_met": 2,
        },
    }
    assert problems(plan, week) == [
        "session G1 has 2 patients, capacity 1",
        "staff S1 has 60 appointment minutes, limit 30",
    ]


def test_unmet_claims_must_name_a_reason():
    week = capacity_week()
    plan = {
        "status": "feasible",
        "patients": [
            {
                "id": "P1",
                "sessions": ["G1"],
                "appointments": [],
                "minutes": 180,
                "days": 1,
                "requirements_met": True,
                "unmet": [],
            },
            {
                "id": "P2",
                "sessions": [],
                "appointments": [],
                "minutes": 0,
                "days": 0,
                "requirements_met": False,
                "unmet": [
                    {
                        "requirement": "min_minutes",
                        "required": 180,
                        "planned": 0,
                        "reason": "bad luck",
                    }
                ],
            },
        ],
        "summary": {
            "patients": 2,
            "requirements_met": 1,
            "solve_seconds": 0.1,
            "upper_bound_met": 2,
        },
    }
    assert problems(plan, week) == ["patient P2: unmet min_minutes has reason 'bad luck'"]
