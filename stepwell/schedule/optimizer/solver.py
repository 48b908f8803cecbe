"""Weekly schedule optimizer: places patients into fixed sessions and appointments with CP-SAT.

The rules are those of docs/schedule-instance.md; the CP-SAT model is in week_model.py.
The objective follows the spec's order, level by level: most patients met; fewest
distinct days, summed over the met patients; most minutes for the patients not met;
group sizes evened out; then, with a previous plan (`hint`), most of it kept.

How a call spends its time (`time_limit_seconds` holds for the whole call):
1. Greedy plans first: the coordinator's first fit in file order (the benchmark's
   baseline), most constrained patients first, and, with a previous plan, that plan
   kept where it still fits. The best of them is the plan in hand, so the result is
   never worse than the greedy plan, whatever the limit.
2. The upper bound: a patient met by a greedy plan can be met; the others get an exact
   check alone (a small CP-SAT model per distinct profile) while time allows. An
   undecided check counts as meetable, so the bound stays a true upper bound.
3. CP-SAT improves the plan in hand (search.py): the whole week at once when it is small
   (then each level stops when proven, and a week proven on every level returns at
   once), else neighbourhoods of a few dozen patients placed around everyone else. Once
   the patients met reach the bound, the first level is done: the later levels get a
   short polish (`POLISH_SECONDS` per level, or half a round of neighbourhoods) and the
   call returns. `summary.stopped` says why it returned (plan.StopReason).

`upper_bound_met` counts the patients whose requirements can be met each alone
(capacity and other patients ignored; their own appointments still within staff limits).
An unmet patient's requirements are explained `availability` when the patient cannot be
met alone, else `capacity` (other patients took the seats or the staff time).

Kept patients (`keep`): their schedules stay exactly as given, item by item where it
still fits the week (what no longer fits is dropped, see `keep_schedules`); the others
are planned around them. This is how a week that has started keeps its bookings and how
one newcomer is fitted into a week without moving anyone else.

Determinism: with a wall-clock limit the plan depends on how far the search got, and
CP-SAT's workers share what they find in whatever order they find it, so on a loaded
machine it can differ. With `work_limit` every limit is counted in deterministic work
instead (CP-SAT's `max_deterministic_time`, and a charge per model built by its size)
and CP-SAT runs one worker, so the search makes the same choices in the same order
(neighbourhoods from a seeded generator, ties broken by file order) and the same input
gives the same plan whatever the load; `time_limit_seconds` is then only a safety cap (a
plan cut by it may differ). (CP-SAT's interleaved search would make two workers
deterministic too, but in OR-Tools 9.13 to 9.15 it can corrupt memory and abort.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from stepwell.schedule.optimizer.bound import patients_met_alone
from stepwell.schedule.optimizer.candidates import (
    Usage,
    candidate_sessions,
)
from stepwell.schedule.optimizer.greedy import greedy_schedules, keep_schedules
from stepwell.schedule.optimizer.instance import Instance, Patient
from stepwell.schedule.optimizer.plan import (
    PatientSchedule,
    Plan,
    PlanStatus,
    StopReason,
    build_plan,
    requirement_shortfalls,
)
from stepwell.schedule.optimizer.search import (
    POLISH_SECONDS,
    Budget,
    NeighbourhoodSearch,
    Score,
    solve_levels,
)
from stepwell.schedule.optimizer.week_model import WeekModel

# Up to this many patients to place, CP-SAT takes the whole week at once.
WHOLE_WEEK_PATIENTS = 60
# Greedy work charged per patient placed, in deterministic seconds.
GREEDY_WORK_PER_PATIENT = 5e-4


@dataclass(frozen=True)
class Progress:
    """Reported whenever the plan in hand serves more patients: seconds since the call
    started, patients met, and the bound they cannot pass."""

    seconds: float
    met: int
    bound: int


def solve(
    instance: Instance,
    *,
    time_limit_seconds: float = 60.0,
    seed: int = 0,
    workers: int = 2,
    hint: Mapping[str, PatientSchedule] | None = None,
    keep: Mapping[str, PatientSchedule] | None = None,
    work_limit: float | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> Plan:
    """The best plan found within the limits, following the spec's objective order.

    `hint` is last week's plan (patient id to schedule: `schedules_of(plan)` or
    `schedules_from_plan_dict(plan file)`); `keep` the schedules that must stay as they
    are (module docstring). `work_limit` switches to deterministic mode, on one worker
    (module docstring). `progress` hears of every gain in patients met.
    """
    budget = Budget(time_limit_seconds, work_limit, time.perf_counter())
    previous = dict(hint or {})
    kept, _ = keep_schedules(instance, keep) if keep else ({}, {})
    free = [p for p in instance.patients if p.id not in kept]
    schedules = _best_greedy(instance, kept, previous, budget)
    met = {p.id for p in instance.patients if _met(instance, p, schedules[p.id])}
    budget.reserve = min(0.5, 0.02 * time_limit_seconds + len(instance.patients) * 2e-4)
    meetable = patients_met_alone(instance, met=met, seed=seed, budget=budget)
    bound = sum(meetable[p.id] for p in free) + sum(p in met for p in kept)

    def report(count: int) -> None:
        if progress is not None:
            progress(Progress(budget.elapsed(), count, bound))

    report(len(met))
    stopped = StopReason.LIMIT
    if free and not budget.spent():
        if len(free) <= WHOLE_WEEK_PATIENTS:
            usage = _usage_of(instance, kept)
            week = WeekModel(instance, free, usage, meetable=meetable, starting=schedules)
            free_bound = sum(meetable[p.id] for p in free)
            result = solve_levels(
                week,
                schedules,
                previous,
                budget,
                seed=seed,
                workers=workers,
                met_bound=free_bound,
                polish_cap=POLISH_SECONDS,
            )
            if result is not None:
                candidate = {**schedules, **result.schedules}
                if _better_or_equal(instance, candidate, schedules, previous):
                    schedules = candidate
                    if result.proven:
                        stopped = StopReason.PROVEN
                    elif result.at_bound and not budget.spent():
                        stopped = StopReason.BOUND
                    report(sum(_met(instance, p, schedules[p.id]) for p in instance.patients))
        else:
            search = NeighbourhoodSearch(
                instance,
                free,
                schedules,
                meetable=meetable,
                previous=previous,
                budget=budget,
                seed=seed,
                workers=workers,
                met_bound=bound,
                on_improvement=report,
            )
            if search.run():
                stopped = StopReason.BOUND
            schedules = search.schedules
    elif not free:
        stopped = StopReason.PROVEN
    return build_plan(
        instance,
        schedules,
        status=PlanStatus.OPTIMAL if stopped is StopReason.PROVEN else PlanStatus.FEASIBLE,
        solve_seconds=budget.elapsed(),
        met_alone=meetable,
        stopped=stopped,
    )


def _met(instance: Instance, patient: Patient, schedule: PatientSchedule) -> bool:
    return not requirement_shortfalls(instance, patient, schedule)


def _usage_of(instance: Instance, kept: Mapping[str, PatientSchedule]) -> Usage:
    usage = Usage.of(instance)
    for schedule in kept.values():
        usage.place(schedule)
    return usage


def _best_greedy(
    instance: Instance,
    kept: Mapping[str, PatientSchedule],
    previous: Mapping[str, PatientSchedule],
    budget: Budget,
) -> dict[str, PatientSchedule]:
    """The best of the greedy plans (module docstring, step 1)."""
    baseline = greedy_schedules(instance, kept=kept)
    budget.charge(GREEDY_WORK_PER_PATIENT * len(instance.patients))
    if budget.spent():
        return baseline
    ordered = greedy_schedules(
        instance, order=_most_constrained_first(instance), keep_unmet=False, kept=kept
    )
    completed = greedy_schedules(
        instance,
        kept={
            patient_id: schedule
            for patient_id, schedule in ordered.items()
            if patient_id in kept or schedule.sessions or schedule.appointments
        },
    )
    candidates = [baseline, completed]
    if previous:
        candidates.append(greedy_schedules(instance, kept=kept, start_from=previous))
    budget.charge(GREEDY_WORK_PER_PATIENT * len(instance.patients) * len(candidates))
    scored = [(Score(instance, c, previous).value(), -n) for n, c in enumerate(candidates)]
    return candidates[-max(scored)[1]]


def _better_or_equal(
    instance: Instance,
    candidate: Mapping[str, PatientSchedule],
    current: Mapping[str, PatientSchedule],
    previous: Mapping[str, PatientSchedule],
) -> bool:
    return (
        Score(instance, candidate, previous).value() >= Score(instance, current, previous).value()
    )


def _most_constrained_first(instance: Instance) -> list[Patient]:
    """Patients with the fewest candidate minutes per required minute go first."""

    def slack(patient: Patient) -> tuple[float, str]:
        offered = sum(s.minutes for s in candidate_sessions(instance, patient)) + 1
        return (offered / (patient.min_minutes + 1), patient.id)

    return sorted(instance.patients, key=slack)


# -- meetable alone: the upper bound ---------------------------------------------------
