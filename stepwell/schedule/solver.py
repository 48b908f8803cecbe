"""Weekly schedule optimizer: places patients into fixed sessions and appointments with CP-SAT.

The rules are those of docs/schedule-instance.md. The model, per patient:

- a yes/no per *candidate* class of parallel sessions (same kind, track and time; the
  track fits and it lies inside one availability window; nothing else is created),
  capped by the class's total seats (each session's capacity, at most its room's).
  Patients are seated in concrete sessions afterwards, as evenly as the capacities allow,
  which changes no objective level;
- per appointment request, per staff member who may take it, per day: up to `count`
  optional intervals whose start ranges over the slot-grid starts that lie inside both
  availabilities and outside that staff member's sessions. Each patient's and each staff
  member's intervals do not overlap; staff appointment minutes stay within
  `max_individual_minutes`. For "any therapist/prescriber" only the `STAFF_CHOICES`
  staff with the most open starts for that patient are offered (plus last week's), which
  keeps 1,000 patients tractable at the price of, rarely, a missed combination;
- weekly minutes and distinct days never exceed the patient's maxima (hard limits: a
  plan must not push anyone over the IOP ceiling or a payer's day limit); when the
  patient counts as *met*, minimum minutes, minimum days, session kinds and every
  appointment are required too. With `min_day_minutes`, a day counts toward the minimum
  days only through a yes/no that implies the day's minutes reach it.

The objective follows the spec's order with one solve per level, each fixing the level
before it and starting from the previous solution (CP-SAT hint):
1. most patients met;
2. fewest distinct days, summed over the met patients. Unmet patients' days are left
   out: counting them would empty their week, which level 3 exists to prevent;
3. most minutes for the patients not met;
4. group sizes evened out: least sum of squared group sizes;
5. stability, only with a previous plan (`hint`): most of last week's sessions and
   appointment (staff, day) pairs kept. The previous plan is also the search's starting
   point; without one the greedy first-fit plan is.

`upper_bound_met` counts the patients whose requirements can be met each alone
(capacity and other patients ignored; their own appointments still within staff limits).
The check is exact (a small CP-SAT model per distinct patient profile); an undecided
check counts as meetable, so the bound stays a true upper bound. An unmet patient's
requirements are explained `availability` when the patient cannot be met alone, else
`capacity` (other patients took the seats or the staff time).

The search is deterministic for a given input and seed (CP-SAT's interleaved parallel
search; every tie broken by file order), unless the wall-clock limit cuts a level short,
where the plan is the best found so far and the status `feasible`.
"""

from __future__ import annotations

import time
import zlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from stepwell.schedule.candidates import (
    AppointmentOption,
    ParallelSessions,
    appointment_options,
    candidate_sessions,
    parallel_sessions,
    seat_patients,
)
from stepwell.schedule.instance import (
    DAYS,
    MINUTES_PER_DAY,
    Instance,
    Patient,
    session_fits,
)
from stepwell.schedule.plan import (
    PatientSchedule,
    Plan,
    PlannedAppointment,
    PlanStatus,
    build_plan,
    requirement_shortfalls,
)

# -- the model --------------------------------------------------------------------------


@dataclass
class _Placement:
    """One possible appointment: its option and presence, start and interval variables."""

    option: AppointmentOption
    present: cp_model.IntVar
    start: cp_model.IntVar
    interval: cp_model.IntervalVar


class _PatientVariables:
    """One patient's variables and own constraints (everything but shared resources)."""

    def __init__(
        self,
        model: cp_model.CpModel,
        instance: Instance,
        patient: Patient,
        classes: tuple[ParallelSessions, ...],
        *,
        meetable: bool,
        staff_choices: int | None = None,
        keep_staff: frozenset[str] = frozenset(),
    ) -> None:
        self.patient = patient
        fitting = [c for c in classes if session_fits(c.first, patient)]
        self.classes = sorted(fitting, key=lambda c: (c.first.start, c.index))
        self.take = {
            c.index: model.new_bool_var(f"{patient.id}:{c.first.id}") for c in self.classes
        }
        self.placements: list[_Placement] = []
        for request in patient.appointments:
            options = appointment_options(instance, patient, request)
            if staff_choices is not None and request.staff is None:
                options = _fewer_staff(patient, options, staff_choices, keep_staff)
            for option in options:
                self._add_option(model, option)
        on_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for group in self.classes:
            on_day[group.first.day].append(self.take[group.index])
        for placement in self.placements:
            on_day[placement.option.day].append(placement.present)
        self.attends = {}
        for day, items in sorted(on_day.items()):
            attends = model.new_bool_var(f"{patient.id}:day{day}")
            model.add_bool_or(items).only_enforce_if(attends)
            for item in items:
                model.add_implication(item, attends)
            self.attends[day] = attends
        self.minutes = sum(self.take[c.index] * c.first.minutes for c in self.classes) + sum(
            p.present * p.option.request.minutes for p in self.placements
        )
        self.days = sum(self.attends.values())
        self.counted_days = self.days
        if patient.min_day_minutes > 0 and patient.min_days > 0:
            self.counted_days = sum(
                self._counts(model, day, attends) for day, attends in self.attends.items()
            )
        model.add(self.minutes <= patient.max_minutes)
        model.add(self.days <= patient.max_days)
        self._no_overlap(model)
        self.met = model.new_bool_var(f"{patient.id}:met") if meetable else None
        placed = {
            request.type: sum(p.present for p in self.placements if p.option.request is request)
            for request in patient.appointments
        }
        for request in patient.appointments:
            model.add(placed[request.type] <= request.count)
        if self.met is None:
            return
        model.add(self.minutes >= patient.min_minutes).only_enforce_if(self.met)
        model.add(self.counted_days >= patient.min_days).only_enforce_if(self.met)
        for kind, count in patient.min_sessions_by_kind:
            taken = sum(self.take[c.index] for c in self.classes if c.first.kind is kind)
            model.add(taken >= count).only_enforce_if(self.met)
        for request in patient.appointments:
            model.add(placed[request.type] == request.count).only_enforce_if(self.met)

    def _counts(
        self, model: cp_model.CpModel, day: int, attends: cp_model.IntVar
    ) -> cp_model.IntVar:
        """True only when the day's minutes reach the patient's `min_day_minutes`."""
        minutes = sum(
            self.take[c.index] * c.first.minutes for c in self.classes if c.first.day == day
        ) + sum(
            p.present * p.option.request.minutes for p in self.placements if p.option.day == day
        )
        counts = model.new_bool_var(f"{self.patient.id}:counts{day}")
        model.add_implication(counts, attends)
        model.add(minutes >= self.patient.min_day_minutes).only_enforce_if(counts)
        return counts

    def _add_option(self, model: cp_model.CpModel, option: AppointmentOption) -> None:
        """Up to `count` ordered copies, so a request may use one staff member's day twice."""
        minutes = option.request.minutes
        previous: _Placement | None = None
        for copy in range(min(option.request.count, len(option.starts))):
            name = f"{self.patient.id}:{option.request.type}:{option.staff}:{option.day}:{copy}"
            present = model.new_bool_var(name)
            start = model.new_int_var_from_domain(
                cp_model.Domain.from_values(option.starts), f"{name}:start"
            )
            interval = model.new_optional_fixed_size_interval_var(start, minutes, present, name)
            placement = _Placement(option, present, start, interval)
            if previous is not None:
                model.add_implication(present, previous.present)
                model.add(start >= previous.start + minutes).only_enforce_if(present)
            self.placements.append(placement)
            previous = placement

    def _no_overlap(self, model: cp_model.CpModel) -> None:
        """Sessions at overlapping times exclude each other; appointments clear everything."""
        cliques: set[tuple[int, ...]] = set()
        for group in self.classes:
            clique = tuple(
                c.index for c in self.classes if c.first.start <= group.first.start < c.first.end
            )
            if len(clique) > 1 and clique not in cliques:
                cliques.add(clique)
                model.add_at_most_one(self.take[index] for index in clique)
        if self.placements:
            intervals = [p.interval for p in self.placements]
            for group in self.classes:
                intervals.append(
                    model.new_optional_fixed_size_interval_var(
                        group.first.start, group.first.minutes, self.take[group.index], ""
                    )
                )
            model.add_no_overlap(intervals)

    def chosen(self, solver: cp_model.CpSolver) -> tuple[list[int], PatientSchedule]:
        """Classes taken, and the appointments (sessions are seated afterwards)."""
        taken = [c.index for c in self.classes if solver.boolean_value(self.take[c.index])]
        appointments = tuple(
            PlannedAppointment(
                p.option.request.type,
                p.option.staff,
                solver.value(p.start),
                solver.value(p.start) + p.option.request.minutes,
            )
            for p in self.placements
            if solver.boolean_value(p.present)
        )
        return taken, PatientSchedule((), appointments)

    def hint(
        self, model: cp_model.CpModel, schedule: PatientSchedule, class_of: Mapping[str, int]
    ) -> None:
        """Start the search from a schedule; parts that no longer fit are left to search."""
        chosen = {class_of[s] for s in schedule.sessions if s in class_of}
        for index, take in self.take.items():
            model.add_hint(take, index in chosen)
        wanted = sorted(schedule.appointments, key=lambda a: a.start)
        for placement in self.placements:
            option = placement.option
            match = next(
                (
                    a
                    for a in wanted
                    if a.type is option.request.type
                    and a.staff == option.staff
                    and a.start in option.starts
                    and a.start // MINUTES_PER_DAY == option.day
                ),
                None,
            )
            if match is not None:
                wanted.remove(match)
            model.add_hint(placement.present, match is not None)
            model.add_hint(placement.start, match.start if match else option.starts[0])

    def kept_from(
        self, schedule: PatientSchedule, class_of: Mapping[str, int]
    ) -> list[cp_model.IntVar]:
        """Variables whose truth keeps part of a previous week (stability term)."""
        kept = {class_of[s] for s in schedule.sessions if s in class_of}
        kept_vars = [take for index, take in self.take.items() if index in kept]
        pairs = {(a.type, a.staff, a.start // MINUTES_PER_DAY) for a in schedule.appointments}
        for placement in self.placements:
            option = placement.option
            if (option.request.type, option.staff, option.day) in pairs:
                kept_vars.append(placement.present)
        return kept_vars


def _fewer_staff(
    patient: Patient,
    options: tuple[AppointmentOption, ...],
    keep: int,
    keep_staff: frozenset[str],
) -> tuple[AppointmentOption, ...]:
    """For "any therapist/prescriber", keep the `keep` staff with the most open starts,
    and those of the starting schedule (`keep_staff`).

    Ties are broken by a hash of patient and staff, which spreads patients over equally
    open staff deterministically. This keeps the week model small at scale (every patient
    times every therapist times every day is too many intervals); the upper-bound check
    still offers every staff member.
    """
    starts: dict[str, int] = defaultdict(int)
    for option in options:
        starts[option.staff] += len(option.starts)
    ranked = sorted(
        starts, key=lambda staff: (-starts[staff], zlib.crc32(f"{patient.id}/{staff}".encode()))
    )
    kept = set(ranked[:keep]) | keep_staff
    return tuple(option for option in options if option.staff in kept)


STAFF_CHOICES = 5


def _solver(seconds: float, seed: int, workers: int) -> cp_model.CpSolver:
    """Repeatable search: with several workers, CP-SAT's interleaved (deterministic) mode,
    restricted to the subsolvers that pay off here (large-neighbourhood search around
    the hint); the slow full-LP and core workers only repeat what the bound shows."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.05)
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    if workers > 1:
        solver.parameters.interleave_search = True
        solver.parameters.ignore_subsolvers.extend(IGNORED_SUBSOLVERS)
    return solver


IGNORED_SUBSOLVERS = (
    "core",
    "lb_tree_search",
    "max_lp",
    "max_lp_sym",
    "no_lp",
    "objective_lb_search",
    "probing",
    "pseudo_costs",
    "quick_restart",
    "reduced_costs",
)


# -- meetable alone: the upper bound ---------------------------------------------------


def patients_met_alone(
    instance: Instance, *, seconds_per_profile: float = 2.0, seed: int = 0
) -> dict[str, bool]:
    """Whether each patient's requirements can be met with the program to themselves.

    Patients with the same track, availability and requirements share one check.
    """
    classes = parallel_sessions(instance)
    decided: dict[tuple[object, ...], bool] = {}
    result = {}
    for patient in instance.patients:
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
            decided[profile] = _met_alone(instance, patient, classes, seconds_per_profile, seed)
        result[patient.id] = decided[profile]
    return result


def _met_alone(
    instance: Instance,
    patient: Patient,
    classes: tuple[ParallelSessions, ...],
    seconds: float,
    seed: int,
) -> bool:
    model = cp_model.CpModel()
    variables = _PatientVariables(model, instance, patient, classes, meetable=True)
    assert variables.met is not None
    model.add(variables.met == 1)
    by_staff: dict[str, list[_Placement]] = defaultdict(list)
    for placement in variables.placements:
        by_staff[placement.option.staff].append(placement)
    for staff_id, placements in by_staff.items():
        limit = instance.staff_by_id[staff_id].max_individual_minutes
        model.add(sum(p.present * p.option.request.minutes for p in placements) <= limit)
    status = _solver(seconds, seed, 1).solve(model)
    return status not in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID)


# -- the week -----------------------------------------------------------------------------


class _WeekModel:
    """All patients together, with capacity and staff load."""

    def __init__(
        self,
        instance: Instance,
        met_alone: Mapping[str, bool],
        start_from: Mapping[str, PatientSchedule],
    ) -> None:
        self.model = cp_model.CpModel()
        self.instance = instance
        self.classes = parallel_sessions(instance)
        self.class_of = {s.id: c.index for c in self.classes for s in c.sessions}
        self.patients = []
        for patient in instance.patients:
            schedule = start_from.get(patient.id, PatientSchedule())
            self.patients.append(
                _PatientVariables(
                    self.model,
                    instance,
                    patient,
                    self.classes,
                    meetable=met_alone[patient.id],
                    staff_choices=STAFF_CHOICES,
                    keep_staff=frozenset(a.staff for a in schedule.appointments),
                )
            )
        self.group_costs = self._capacity()
        self._staff_load()

    def _capacity(self) -> list[cp_model.IntVar]:
        """Seats per class within its total capacity; cost = least sum of squared sizes."""
        seated: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for variables in self.patients:
            for index, take in variables.take.items():
                seated[index].append(take)
        costs = []
        for group in self.classes:
            takes = seated.get(group.index)
            if not takes:
                continue
            most = min(sum(group.capacities), len(takes))
            size = self.model.new_int_var(0, most, f"size:{group.first.id}")
            self.model.add(size == sum(takes))
            table = [sum(n * n for n in group.even_sizes(k)) for k in range(most + 1)]
            cost = self.model.new_int_var(0, table[-1], f"cost:{group.first.id}")
            self.model.add_element(size, table, cost)
            costs.append(cost)
        return costs

    def _staff_load(self) -> None:
        by_staff: dict[str, list[_Placement]] = defaultdict(list)
        for variables in self.patients:
            for placement in variables.placements:
                by_staff[placement.option.staff].append(placement)
        for staff_id, placements in by_staff.items():
            limit = self.instance.staff_by_id[staff_id].max_individual_minutes
            self.model.add(sum(p.present * p.option.request.minutes for p in placements) <= limit)
            if len(placements) > 1:
                self.model.add_no_overlap(p.interval for p in placements)

    def hint(self, start_from: Mapping[str, PatientSchedule]) -> None:
        for variables in self.patients:
            schedule = start_from.get(variables.patient.id, PatientSchedule())
            variables.hint(self.model, schedule, self.class_of)
            if variables.met is not None:
                shortfalls = requirement_shortfalls(self.instance, variables.patient, schedule)
                self.model.add_hint(variables.met, not shortfalls)

    def objectives(
        self, previous: Mapping[str, PatientSchedule] | None
    ) -> list[tuple[str, cp_model.LinearExprT]]:
        """The spec's order as (sense, expression) levels; see the module docstring."""
        model = self.model
        met_days = []
        unmet_minutes = []
        met = []
        for variables in self.patients:
            if variables.met is None:
                unmet_minutes.append(variables.minutes)
                continue
            met.append(variables.met)
            days = model.new_int_var(0, len(DAYS), "")
            model.add(days >= variables.days).only_enforce_if(variables.met)
            met_days.append(days)
            minutes = model.new_int_var(0, variables.patient.max_minutes, "")
            model.add(minutes <= variables.minutes)
            model.add(minutes == 0).only_enforce_if(variables.met)
            unmet_minutes.append(minutes)
        evenness = sum(self.group_costs)
        if previous:
            kept = [
                item
                for variables in self.patients
                if variables.patient.id in previous
                for item in variables.kept_from(previous[variables.patient.id], self.class_of)
            ]
            evenness = evenness * (len(kept) + 1) - sum(kept)
        return [
            ("max", sum(met)),
            ("min", sum(met_days)),
            ("max", sum(unmet_minutes)),
            ("min", evenness),
        ]

    def schedules(
        self, solver: cp_model.CpSolver, previous: Mapping[str, PatientSchedule]
    ) -> dict[str, PatientSchedule]:
        chosen = {}
        appointments = {}
        for variables in self.patients:
            patient_id = variables.patient.id
            chosen[patient_id], appointments[patient_id] = variables.chosen(solver)
        seats = seat_patients(self.classes, chosen, previous)
        return {
            patient_id: PatientSchedule(tuple(seats[patient_id]), schedule.appointments)
            for patient_id, schedule in appointments.items()
        }


LEVEL_SHARES = (0.55, 0.4, 0.5, 1.0)


def solve(
    instance: Instance,
    *,
    time_limit_seconds: float = 60.0,
    seed: int = 0,
    workers: int = 2,
    hint: Mapping[str, PatientSchedule] | None = None,
) -> Plan:
    """The best plan found within the time limit, following the spec's objective order.

    `hint` is last week's plan (patient id to schedule: `schedules_of(plan)` or
    `schedules_from_plan_dict(plan file)`).
    Each level gets a share of the time left (`LEVEL_SHARES`); a level that finishes
    early leaves its time to the next.
    """
    from stepwell.schedule.greedy import greedy_schedules

    started = time.perf_counter()
    # the last 5% is for reading the solution and building the plan
    deadline = started + time_limit_seconds * 0.95
    met_alone = patients_met_alone(
        instance, seconds_per_profile=min(2.0, time_limit_seconds / 20), seed=seed
    )
    previous = dict(hint or {})
    if previous:
        start_from = previous
    else:
        order = _most_constrained_first(instance)
        start_from = greedy_schedules(instance, order=order, keep_unmet=False)
    week = _WeekModel(instance, met_alone, start_from)
    week.hint(start_from)
    levels = week.objectives(previous)
    _complete_hint(week.model, seed)
    all_optimal = True
    solver = None
    for (sense, expression), share in zip(levels, LEVEL_SHARES, strict=True):
        if isinstance(expression, int):
            continue
        budget = (deadline - time.perf_counter()) * share
        if solver is not None and budget <= 0.01:
            all_optimal = False
            break
        (week.model.maximize if sense == "max" else week.model.minimize)(expression)
        level_solver = _solver(budget, seed, workers)
        status = level_solver.solve(week.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            all_optimal = False
            break
        solver = level_solver
        all_optimal = all_optimal and status == cp_model.OPTIMAL
        value = round(level_solver.objective_value)
        week.model.add(expression >= value if sense == "max" else expression <= value)
        _hint_solution(week.model, level_solver)
    if solver is None:
        schedules = greedy_schedules(instance)
        status_out = PlanStatus.FEASIBLE
    else:
        schedules = week.schedules(solver, previous)
        status_out = PlanStatus.OPTIMAL if all_optimal else PlanStatus.FEASIBLE
    return build_plan(
        instance,
        schedules,
        status=status_out,
        solve_seconds=time.perf_counter() - started,
        met_alone=met_alone,
    )


def _most_constrained_first(instance: Instance) -> list[Patient]:
    """Patients with the fewest candidate minutes per required minute go first."""

    def slack(patient: Patient) -> tuple[float, str]:
        offered = sum(s.minutes for s in candidate_sessions(instance, patient)) + 1
        return (offered / (patient.min_minutes + 1), patient.id)

    return sorted(instance.patients, key=slack)


def _complete_hint(model: cp_model.CpModel, seed: int) -> None:
    """Extend the hint on the schedule variables to every variable (met, days, sizes...).

    CP-SAT takes a complete, feasible hint as its first solution straight away; a partial
    one it may never complete on a large model.
    """
    completion = model.clone()
    completion.clear_objective()
    solver = _solver(5.0, seed, 1)
    solver.parameters.fix_variables_to_their_hinted_value = True
    if solver.solve(completion) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        _hint_solution(model, solver)


def _hint_solution(model: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    """Make the solution just found the starting point of the next level."""
    model.clear_hints()
    solution = solver.response_proto.solution
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(solution)))
    hint.values.extend(solution)
