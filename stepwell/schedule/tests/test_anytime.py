"""The optimizer is anytime: never below the greedy plan at any limit, stops as soon as
its work is proven or at the bound, and gives the same plan for the same work limit.

These run the real CP-SAT solver on the benchmark's generated weeks. No assertion is
on timing: what is checked is the plan and the reason the optimizer reports for
stopping (`summary.stopped`).
"""

import time

import pytest

from bench.schedule_generator import generate_hard_instance, generate_instance
from stepwell.schedule.optimizer.bound import patients_met_alone
from stepwell.schedule.optimizer.checker import check_plan
from stepwell.schedule.optimizer.greedy import greedy_plan
from stepwell.schedule.optimizer.instance import instance_from_dict
from stepwell.schedule.optimizer.plan import PlanStatus, StopReason, plan_to_dict
from stepwell.schedule.optimizer.search import Budget
from stepwell.schedule.optimizer.solver import solve
from stepwell.schedule.tests.test_solver import feasible_week


@pytest.mark.parametrize(
    ("generator", "patients", "limit"),
    [
        (generate_hard_instance, 200, 0.05),
        (generate_hard_instance, 200, 1.0),
        (generate_instance, 120, 0.3),
    ],
)
def test_never_below_the_greedy_plan_at_a_tiny_limit(generator, patients, limit):
    data = generator(patients, 0)
    baseline = greedy_plan(instance_from_dict(data))
    instance = instance_from_dict(data)
    plan = solve(instance, time_limit_seconds=limit)
    assert check_plan(instance, plan_to_dict(plan)) == []
    assert plan.summary.requirements_met >= baseline.summary.requirements_met
    assert plan.summary.requirements_met <= plan.summary.upper_bound_met


def test_the_tight_week_is_one_where_greedy_falls_short():
    """The benchmark's harder week: first fit misses 5-10% of what the bound allows,
    and the optimizer, even with little time, gets more of them."""
    data = generate_hard_instance(350, 0)
    baseline = greedy_plan(instance_from_dict(data))
    shortfall = 1 - baseline.summary.requirements_met / baseline.summary.upper_bound_met
    assert 0.05 <= shortfall <= 0.10
    plan = solve(instance_from_dict(data), time_limit_seconds=2)
    assert plan.summary.requirements_met > baseline.summary.requirements_met


def test_a_tiny_week_returns_as_soon_as_every_level_is_proven():
    instance = instance_from_dict(feasible_week())
    plan = solve(instance, time_limit_seconds=300)
    assert plan.summary.stopped is StopReason.PROVEN
    assert plan.status is PlanStatus.OPTIMAL


def test_a_small_week_at_the_bound_polishes_briefly_and_stops():
    """Whole-week mode (up to 60 patients): the later levels of a 40-patient week are
    rarely proven, but once every patient the bound allows is met each gets a short
    polish and the call returns long before its limit."""
    data = generate_instance(40, 3)
    instance = instance_from_dict(data)
    plan = solve(instance, time_limit_seconds=600)
    assert plan.summary.requirements_met == plan.summary.upper_bound_met
    assert plan.summary.stopped in (StopReason.BOUND, StopReason.PROVEN)
    assert check_plan(instance, plan_to_dict(plan)) == []


def test_a_large_week_the_bound_allows_in_full_stops_at_the_bound():
    """Over 60 patients the search goes by neighbourhoods, which never prove the later
    levels; it stops on its own once every patient the bound allows is met."""
    data = generate_instance(150, 0)
    instance = instance_from_dict(data)
    plan = solve(instance, time_limit_seconds=600)
    assert plan.summary.requirements_met == plan.summary.upper_bound_met
    assert plan.summary.stopped is StopReason.BOUND
    assert plan.status is PlanStatus.FEASIBLE
    assert plan_to_dict(plan)["summary"]["stopped"] == "bound"


def test_a_tiny_limit_reports_that_it_stopped_at_the_limit():
    plan = solve(instance_from_dict(generate_hard_instance(200, 0)), time_limit_seconds=0.05)
    assert plan.summary.stopped is StopReason.LIMIT
    assert greedy_plan(instance_from_dict(feasible_week())).summary.stopped is (
        StopReason.FIRST_FIT
    )


def test_a_work_limit_gives_the_same_plan_twice():
    """Two workers asked for: deterministic mode runs one (two would share solutions in
    whatever order they find them)."""
    data = generate_hard_instance(90, 1)
    first = solve(instance_from_dict(data), time_limit_seconds=120, work_limit=0.5, workers=2)
    again = solve(instance_from_dict(data), time_limit_seconds=120, work_limit=0.5, workers=2)
    strip = lambda plan: {**plan_to_dict(plan), "summary": None}  # noqa: E731
    assert strip(first) == strip(again)


def test_patients_with_the_same_requests_are_each_meetable_alone():
    """Regression: options are shared between patients with the same availability and
    requests, so a patient's placements must be matched to its request by value (the
    check once found every such second patient unmeetable)."""
    data = feasible_week()
    data["patients"].append(dict(data["patients"][0], id="P2"))
    data["sessions"][0]["capacity"] = data["sessions"][1]["capacity"] = 8
    instance = instance_from_dict(data)
    assert patients_met_alone(instance) == {"P1": True, "P2": True}


def test_cp_sat_never_runs_the_interleaved_search():
    """Regression: OR-Tools 9.13-9.15's interleaved search can corrupt memory and abort the
    process (it once killed a test worker on a 150-patient week)."""
    budget = Budget(60, None, time.perf_counter())
    assert budget.solver(1.0, 0, 2).parameters.interleave_search is False
    assert budget.solver(1.0, 0, 2).parameters.num_workers == 2
    deterministic = Budget(60, 5.0, time.perf_counter())
    assert deterministic.solver(1.0, 0, 1).parameters.interleave_search is False
    assert deterministic.solver(1.0, 0, 2).parameters.num_workers == 1
