"""The plan's upper bound: which patients could be met with the program to themselves.

A patient met by some plan can; the others get an exact check alone (a small CP-SAT model
per distinct profile: track, availability and requirements) while the budget lasts. An
undecided check counts as meetable, so the bound stays a true upper bound. Both the
greedy plan and the optimizer report it (solver.py module docstring, step 2).
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from stepwell.schedule.optimizer.candidates import (
    ParallelSessions,
    appointment_options,
    parallel_sessions,
)
from stepwell.schedule.optimizer.instance import Instance, Patient, session_fits
from stepwell.schedule.optimizer.search import Budget
from stepwell.schedule.optimizer.week_model import PatientVariables


def patients_met_alone(
    instance: Instance,
    *,
    met: set[str] | frozenset[str] = frozenset(),
    seed: int = 0,
    budget: Budget | None = None,
) -> dict[str, bool]:
    """Whether each patient's requirements can be met with the program to themselves.

    Patients in `met` (met by some plan) can; the others get an exact check, one per
    distinct profile (track, availability and requirements), while the budget lasts.
    """
    budget = budget or Budget(3600.0, None, time.perf_counter())
    classes = parallel_sessions(instance)
    decided: dict[tuple[object, ...], bool] = {}
    result = {}
    for patient in instance.patients:
        if patient.id in met:
            result[patient.id] = True
            continue
        profile = (
            patient.track,
            patient.availability,
            patient.min_minutes,
            patient.max_minutes,
            patient.min_days,
            patient.max_days,
            patient.min_day_minutes,
            patient.min_sessions_by_kind,
            patient.appointments,
        )
        if profile not in decided:
            decided[profile] = _met_alone(instance, patient, classes, budget, seed)
        result[patient.id] = decided[profile]
    return result


ALONE_SECONDS = 2.0


def _met_alone(
    instance: Instance,
    patient: Patient,
    classes: tuple[ParallelSessions, ...],
    budget: Budget,
    seed: int,
) -> bool:
    """Exact, unless the budget runs out first (then True: the bound stays an upper bound)."""
    model = cp_model.CpModel()
    options = [
        option
        for request in patient.appointments
        for option in appointment_options(instance, patient, request)
    ]
    fitting = [c for c in classes if session_fits(c.first, patient)]
    variables = PatientVariables(model, instance, patient, fitting, options, meetable=True)
    assert variables.met is not None
    model.add(variables.met == 1)
    by_staff: dict[str, list] = {}
    for placement in variables.placements:
        by_staff.setdefault(placement.option.staff, []).append(placement)
    for staff_id, placements in by_staff.items():
        limit = instance.staff_by_id[staff_id].max_individual_minutes
        model.add(sum(p.present * p.option.request.minutes for p in placements) <= limit)
    solver = budget.solver(0.1, seed, 1, cap_seconds=ALONE_SECONDS)
    if solver is None:
        return True
    budget.built(model)
    status = solver.solve(model)
    budget.solved(solver)
    return status not in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID)
