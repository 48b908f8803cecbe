"""Generated small weeks: every plan the optimizer or the greedy baseline writes passes the
independent checker, and the counts keep their promises."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepwell.schedule.optimizer.checker import check_plan
from stepwell.schedule.optimizer.greedy import greedy_plan
from stepwell.schedule.optimizer.instance import instance_from_dict
from stepwell.schedule.optimizer.plan import PlanStatus, plan_to_dict
from stepwell.schedule.optimizer.solver import solve

DAYS = ("mon", "tue", "wed")
SLOTS = (("09:00", "10:30"), ("10:45", "12:00"), ("13:00", "14:30"), ("17:30", "19:00"))
WINDOWS = (("08:30", "12:30"), ("08:30", "15:00"), ("12:30", "19:30"), ("17:00", "20:00"))
KINDS = ("process_group", "psychoeducation", "skills_group")


def window(day: str, span: tuple[str, str]) -> dict[str, str]:
    return {"day": day, "start": span[0], "end": span[1]}


@st.composite
def weeks(draw) -> dict:
    therapists = ["T1", "T2"]
    staff = [
        {
            "id": therapist,
            "role": "therapist",
            "max_individual_minutes": draw(st.sampled_from([60, 120, 600])),
            "availability": [window(day, ("08:00", "20:00")) for day in DAYS],
        }
        for therapist in therapists
    ]
    staff.append(
        {
            "id": "M1",
            "role": "prescriber",
            "max_individual_minutes": 600,
            "availability": [window(draw(st.sampled_from(DAYS)), draw(st.sampled_from(WINDOWS)))],
        }
    )
    sessions = []
    for day in DAYS:
        for slot in SLOTS:
            for parallel in range(draw(st.integers(0, 2))):
                sessions.append(
                    {
                        "id": f"G{len(sessions) + 1}",
                        "kind": draw(st.sampled_from(KINDS)),
                        "title": "Group",
                        "track": draw(st.sampled_from(["mh", "sud", "all"])),
                        "day": day,
                        "start": slot[0],
                        "end": slot[1],
                        "capacity": draw(st.integers(1, 3)),
                        "staff": [therapists[parallel]],
                        "room": f"R{parallel + 1}",
                    }
                )
    patients = []
    for number in range(draw(st.integers(1, 6))):
        days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))
        patient = {
            "id": f"P{number + 1}",
            "track": draw(st.sampled_from(["mh", "sud"])),
            "min_minutes": draw(st.sampled_from([0, 90, 180, 300])),
            "max_minutes": 600,
            "min_days": draw(st.integers(0, 2)),
            "max_days": draw(st.integers(2, 3)),
            "min_day_minutes": draw(st.sampled_from([0, 0, 90, 165, 180])),
            "availability": [
                window(day, draw(st.sampled_from(WINDOWS))) for day in sorted(days, key=DAYS.index)
            ],
            "min_sessions_by_kind": draw(
                st.dictionaries(st.sampled_from(KINDS), st.integers(0, 1), max_size=2)
            ),
        }
        if draw(st.booleans()):
            patient["individual"] = {
                "count": draw(st.integers(1, 2)),
                "minutes": draw(st.sampled_from([45, 60])),
                **({"staff": "T1"} if draw(st.booleans()) else {}),
            }
        if draw(st.booleans()):
            patient["medication"] = {"count": 1, "minutes": 30}
        patients.append(patient)
    return {
        "program": {
            "name": "Generated",
            "timezone": "UTC",
            "slot_minutes": draw(st.sampled_from([15, 30])),
            "min_minutes": 0,
            "max_minutes": 600,
        },
        "rooms": [{"id": "R1", "capacity": draw(st.integers(1, 4))}, {"id": "R2", "capacity": 2}],
        "staff": staff,
        "sessions": sessions,
        "patients": patients,
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weeks())
def test_every_plan_passes_the_checker(week):
    instance = instance_from_dict(week)
    plan = solve(instance, time_limit_seconds=5)
    baseline = greedy_plan(instance)

    assert check_plan(instance, plan_to_dict(plan)) == []
    assert check_plan(instance, plan_to_dict(baseline)) == []
    summary = plan.summary
    assert summary.requirements_met <= summary.upper_bound_met
    capacity_explained = sum(
        1 for p in plan.patients if p.unmet and p.unmet[0].reason.value == "capacity"
    )
    assert summary.requirements_met + capacity_explained == summary.upper_bound_met
    for patient_plan, patient in zip(plan.patients, instance.patients, strict=True):
        assert patient_plan.minutes <= patient.max_minutes
        assert patient_plan.days <= patient.max_days
    if plan.status is PlanStatus.OPTIMAL:
        assert summary.requirements_met >= baseline.summary.requirements_met
