"""How the optimizer spends its budget: CP-SAT on the whole week when it is small, and
on neighbourhoods of it (a few dozen patients re-placed around everyone else) when it
is large.

- `Budget`: the wall-clock limit of the whole call and, in deterministic mode, a work
  limit counted in CP-SAT's deterministic seconds (plus a charge for building each
  model, by its size), so that what the search does never depends on the machine's load.
- `Score`: a plan's objective levels in the spec's order, compared as a tuple. A
  neighbourhood's result is taken only when the whole week's score does not drop.
- `solve_levels`: one model, level after level, each fixed before the next (CP-SAT
  hint: the solution so far), each stopped when proven, when its share of the budget is
  spent, or at once when the level is already at its bound.
- `NeighbourhoodSearch`: large-neighbourhood search by hand. While patients who could be
  met are not, a neighbourhood is one of them and the patients holding the seats and
  staff time they could use; afterwards, patients who share groups with a random one.
  It stops when the budget is spent, or when every level that has a bound is at it and
  a whole round of neighbourhoods improves nothing.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from stepwell.schedule.optimizer.candidates import (
    Usage,
    appointment_options,
    candidate_sessions,
    parallel_sessions,
    seat_patients,
)
from stepwell.schedule.optimizer.instance import MINUTES_PER_DAY, Instance, Patient
from stepwell.schedule.optimizer.plan import (
    PatientSchedule,
    minutes_by_day,
    requirement_shortfalls,
)
from stepwell.schedule.optimizer.week_model import WeekModel

# Work charged per variable for building a model, in deterministic seconds: on the
# project's machine a model builds at about 40,000 variables a second.
BUILD_WORK_PER_VARIABLE = 2.5e-5
NEIGHBOURHOOD_PATIENTS = 40
# Once the patients met reach the bound, at most this share of a round of neighbourhoods
# polishes the later levels (fewer when that many in a row improve nothing).
POLISH_ROUNDS = 0.5
# Once the patients met reach the bound, each later level of a whole-week model gets at
# most this long (seconds, or deterministic work).
POLISH_SECONDS = 2.0
LEVEL_SHARES = (0.55, 0.4, 0.5, 1.0)


class Budget:
    """Seconds left before the deadline and, in deterministic mode, work left."""

    def __init__(self, seconds: float, work: float | None, started: float) -> None:
        self.started = started
        self.deadline = started + seconds
        self.work_limit = work
        self.work_used = 0.0
        self.reserve = 0.0

    @property
    def deterministic(self) -> bool:
        return self.work_limit is not None

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def seconds_left(self) -> float:
        return self.deadline - self.reserve - time.perf_counter()

    def work_left(self) -> float:
        return float("inf") if self.work_limit is None else self.work_limit - self.work_used

    def spent(self) -> bool:
        return self.seconds_left() <= 0.01 or self.work_left() <= 0

    def charge(self, work: float) -> None:
        self.work_used += work

    def solver(
        self, share: float, seed: int, workers: int, *, cap_seconds: float | None = None
    ) -> cp_model.CpSolver | None:
        """A solver limited to `share` of what is left (work in deterministic mode,
        seconds otherwise), within the deadline; None when nothing is left."""
        seconds = self.seconds_left()
        if seconds <= 0.01 or self.work_left() <= 0:
            return None
        if self.deterministic:
            workers = 1  # two workers share solutions in whatever order they find them
        solver = cp_model.CpSolver()
        parameters = solver.parameters
        parameters.random_seed = seed
        parameters.num_workers = workers
        if workers > 1:
            # No interleave_search: in OR-Tools 9.13 to 9.15 the interleaved (chunked)
            # subsolvers can corrupt memory and abort the process (once in our suite, on
            # a 150-patient week); without it bench.anytime_bench measured the same plans
            # and times. Deterministic mode runs one worker instead (above).
            parameters.ignore_subsolvers.extend(IGNORED_SUBSOLVERS)
        if self.deterministic:
            work = self.work_left() * share
            if cap_seconds is not None:
                work = min(work, cap_seconds)
            parameters.max_deterministic_time = max(work, 0.001)
            parameters.max_time_in_seconds = seconds
        else:
            limit = seconds * share
            if cap_seconds is not None:
                limit = min(limit, cap_seconds)
            parameters.max_time_in_seconds = max(limit, 0.01)
        return solver

    def solved(self, solver: cp_model.CpSolver) -> None:
        self.charge(solver.response_proto.deterministic_time)

    def built(self, model: cp_model.CpModel) -> None:
        self.charge(len(model.proto.variables) * BUILD_WORK_PER_VARIABLE)


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


# -- the score ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientScore:
    met: bool
    days: int
    minutes: int
    kept: int


class Score:
    """The objective levels of a whole week, kept up to date as patients change:
    (met, -days of the met, minutes of the unmet, -sum of squared group sizes, kept from
    the previous plan); larger is better."""

    def __init__(
        self,
        instance: Instance,
        schedules: Mapping[str, PatientSchedule],
        previous: Mapping[str, PatientSchedule],
    ) -> None:
        self.instance = instance
        self.previous = previous
        self.class_of = {s.id: c.index for c in parallel_sessions(instance) for s in c.sessions}
        self.patients = {p.id: p for p in instance.patients}
        self.by_patient = {p.id: self.of(p, schedules[p.id]) for p in instance.patients}
        self.sizes: dict[str, int] = defaultdict(int)
        for schedule in schedules.values():
            for session_id in schedule.sessions:
                self.sizes[session_id] += 1

    def of(self, patient: Patient, schedule: PatientSchedule) -> PatientScore:
        by_day = minutes_by_day(self.instance, schedule)
        met = not requirement_shortfalls(self.instance, patient, schedule)
        kept = 0
        if patient.id in self.previous:
            before = self.previous[patient.id]
            classes = {self.class_of[s] for s in before.sessions if s in self.class_of}
            kept = sum(self.class_of[s] in classes for s in schedule.sessions)
            pairs = {(a.type, a.staff, a.start // MINUTES_PER_DAY) for a in before.appointments}
            kept += sum(
                (a.type, a.staff, a.start // MINUTES_PER_DAY) in pairs
                for a in schedule.appointments
            )
        return PatientScore(met, len(by_day), sum(by_day.values()), kept)

    def value(self) -> tuple[int, int, int, int, int]:
        scores = self.by_patient.values()
        return (
            sum(s.met for s in scores),
            -sum(s.days for s in scores if s.met),
            sum(s.minutes for s in scores if not s.met),
            -sum(n * n for n in self.sizes.values()),
            sum(s.kept for s in scores),
        )

    @property
    def met(self) -> int:
        return sum(s.met for s in self.by_patient.values())

    def replace(
        self, old: Mapping[str, PatientSchedule], new: Mapping[str, PatientSchedule]
    ) -> None:
        for schedule in old.values():
            for session_id in schedule.sessions:
                self.sizes[session_id] -= 1
        for patient_id, schedule in new.items():
            for session_id in schedule.sessions:
                self.sizes[session_id] += 1
            self.by_patient[patient_id] = self.of(self.patients[patient_id], schedule)


# -- levels -------------------------------------------------------------------------------


@dataclass
class LevelsResult:
    schedules: dict[str, PatientSchedule]
    proven: bool  # every level proven optimal
    at_bound: bool = False  # the first level reached the bound it was given


def solve_levels(
    week: WeekModel,
    starting: Mapping[str, PatientSchedule],
    previous: Mapping[str, PatientSchedule],
    budget: Budget,
    *,
    seed: int,
    workers: int,
    shares: Sequence[float] = LEVEL_SHARES,
    caps: Sequence[float | None] = (None, None, None, None),
    met_bound: int | None = None,
    polish_cap: float | None = None,
) -> LevelsResult | None:
    """Solve `week`'s levels in order from `starting`; None when not even the first level
    got a solution (then the caller keeps what it has).

    `met_bound` (the most patients placed here who can be met) ends the first level
    without a search when the starting schedules reach it, and lets CP-SAT prove the
    level the moment a solution reaches it. Once the first level is at the bound, each
    later level gets at most `polish_cap` (seconds, or work in deterministic mode)."""
    levels = week.objectives(previous)
    week.hint(starting)
    budget.built(week.model)
    model = week.model
    solver = None
    proven = True
    at_bound = False
    for number, ((sense, expression), share, cap) in enumerate(
        zip(levels, shares, caps, strict=True)
    ):
        if isinstance(expression, int):
            continue
        if number == 0 and met_bound is not None:
            if week.met_in(starting) >= met_bound:
                model.add(expression >= met_bound)
                at_bound = True
                continue
            model.add(expression <= met_bound)
        if number > 0 and at_bound and polish_cap is not None:
            cap = polish_cap if cap is None else min(cap, polish_cap)
        level_solver = budget.solver(share, seed, workers, cap_seconds=cap)
        if level_solver is None:
            proven = False
            break
        (model.maximize if sense == "max" else model.minimize)(expression)
        status = level_solver.solve(model)
        budget.solved(level_solver)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            proven = False
            break
        solver = level_solver
        proven = proven and status == cp_model.OPTIMAL
        value = round(level_solver.objective_value)
        if number == 0 and met_bound is not None:
            at_bound = value >= met_bound
        model.add(expression >= value if sense == "max" else expression <= value)
        _hint_solution(model, level_solver)
    if solver is None:
        return None
    return LevelsResult(_seated(week, solver, previous), proven, at_bound)


def _seated(
    week: WeekModel, solver: cp_model.CpSolver, previous: Mapping[str, PatientSchedule]
) -> dict[str, PatientSchedule]:
    """The solution with concrete sessions: even group sizes around the others' seats."""
    chosen, appointments = {}, {}
    for patient_id, (classes, booked) in week.schedules(solver).items():
        chosen[patient_id], appointments[patient_id] = classes, booked
    already = {
        s.id: week.instance.session_capacity(s) - week.usage.seats[s.id]
        for s in week.instance.sessions
    }
    seats = seat_patients(week.classes, chosen, previous, already)
    return {
        patient_id: PatientSchedule(tuple(seats[patient_id]), booked)
        for patient_id, booked in appointments.items()
    }


def _hint_solution(model: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    """Make the solution just found the starting point of the next level."""
    model.clear_hints()
    solution = solver.response_proto.solution
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(solution)))
    hint.values.extend(solution)


# -- neighbourhoods -----------------------------------------------------------------------


class NeighbourhoodSearch:
    """Re-place a few dozen patients at a time around everyone else (module docstring)."""

    def __init__(
        self,
        instance: Instance,
        free: Sequence[Patient],
        schedules: dict[str, PatientSchedule],
        *,
        meetable: Mapping[str, bool],
        previous: Mapping[str, PatientSchedule],
        budget: Budget,
        seed: int,
        workers: int,
        met_bound: int,
        on_improvement: Callable[[int], None],
    ) -> None:
        self.instance = instance
        self.free = list(free)
        self.schedules = schedules
        self.meetable = meetable
        self.previous = previous
        self.budget = budget
        self.seed = seed
        self.workers = workers
        self.met_bound = met_bound
        self.on_improvement = on_improvement
        self.rng = random.Random(seed)  # noqa: S311 - a search, not a secret
        self.score = Score(instance, schedules, previous)
        self.usage = Usage.of(instance)
        for schedule in schedules.values():
            self.usage.place(schedule)
        self.holders = _Holders(instance, schedules)

    def run(self) -> bool:
        """Search until the budget is spent (False) or, once every patient the bound
        allows is met, until `POLISH_ROUNDS` of a round of neighbourhoods have polished
        the later levels or as many in a row improved nothing (True)."""
        stale = 0
        polished = 0
        while not self.budget.spent():
            at_bound = self.score.met >= self.met_bound
            polish = max(4, int(POLISH_ROUNDS * self._round()))
            if at_bound and (stale >= polish or polished >= polish):
                return True
            if not at_bound and stale < self._round():
                chosen = self._around_unmet()
            else:
                chosen = self._around_random()
            if not chosen:
                return at_bound
            polished += at_bound
            stale = 0 if self._improve(chosen) else stale + 1
        return False

    def _round(self) -> int:
        return max(4, 2 * len(self.free) // NEIGHBOURHOOD_PATIENTS)

    def _improve(self, chosen: list[Patient]) -> bool:
        ids = {p.id for p in chosen}
        ordered = [p for p in self.free if p.id in ids]
        old = {p.id: self.schedules[p.id] for p in ordered}
        before = self.score.value()
        others = self.usage.copy()
        for schedule in old.values():
            others.release(schedule)
        week = WeekModel(self.instance, ordered, others, meetable=self.meetable, starting=old)
        met_now = sum(self.score.by_patient[p.id].met for p in ordered)
        met_possible = sum(1 for p in ordered if self.meetable[p.id])
        result = solve_levels(
            week,
            old,
            self.previous,
            self.budget,
            seed=self.rng.randrange(1 << 30),
            workers=self.workers,
            shares=(0.25, 0.1, 0.1, 0.1),
            caps=(1.0, 0.3, 0.3, 0.3) if met_now < met_possible else (0.3, 0.3, 0.3, 0.3),
        )
        if result is None:
            return False
        self.score.replace(old, result.schedules)
        after = self.score.value()
        if after < before:  # a level cut short can leave a later level worse: undo
            self.score.replace(result.schedules, old)
            return False
        for schedule in old.values():
            self.usage.release(schedule)
        for patient_id, schedule in result.schedules.items():
            self.usage.place(schedule)
            self.schedules[patient_id] = schedule
        self.holders.move(old, result.schedules)
        if after[0] > before[0]:
            self.on_improvement(after[0])
        return after > before

    def _around_unmet(self) -> list[Patient]:
        """An unmet patient who could be met, with those holding what they could use."""
        unmet = [
            p for p in self.free if self.meetable[p.id] and not self.score.by_patient[p.id].met
        ]
        if not unmet:
            return []
        target = unmet[self.rng.randrange(len(unmet))]
        chosen = {target.id: target}
        for other in unmet:
            if len(chosen) >= NEIGHBOURHOOD_PATIENTS // 4:
                break
            if other.id not in chosen and self.rng.random() < 0.3:
                chosen[other.id] = other
        rivals = sorted(self.holders.rivals(self.instance, target) - chosen.keys())
        free_ids = {p.id for p in self.free}
        rivals = [r for r in rivals if r in free_ids]
        self.rng.shuffle(rivals)
        for patient_id in rivals[: NEIGHBOURHOOD_PATIENTS - len(chosen)]:
            chosen[patient_id] = self.score.patients[patient_id]
        return list(chosen.values())

    def _around_random(self) -> list[Patient]:
        """A random patient and others in the same groups (or with the same staff)."""
        seed_patient = self.free[self.rng.randrange(len(self.free))]
        free_ids = {p.id for p in self.free}
        chosen = {seed_patient.id: seed_patient}
        frontier = [seed_patient.id]
        while frontier and len(chosen) < NEIGHBOURHOOD_PATIENTS:
            current = frontier.pop(0)
            near = sorted(self.holders.sharing(self.schedules[current]) - chosen.keys())
            near = [n for n in near if n in free_ids]
            self.rng.shuffle(near)
            for patient_id in near[: max(3, NEIGHBOURHOOD_PATIENTS // 8)]:
                if len(chosen) >= NEIGHBOURHOOD_PATIENTS:
                    break
                chosen[patient_id] = self.score.patients[patient_id]
                frontier.append(patient_id)
        return list(chosen.values())


class _Holders:
    """Who holds each session's seats and each staff member's appointments."""

    def __init__(self, instance: Instance, schedules: Mapping[str, PatientSchedule]) -> None:
        self.in_session: dict[str, set[str]] = defaultdict(set)
        self.with_staff: dict[str, set[str]] = defaultdict(set)
        self.move({}, schedules)

    def move(self, old: Mapping[str, PatientSchedule], new: Mapping[str, PatientSchedule]) -> None:
        for patient_id, schedule in old.items():
            for session_id in schedule.sessions:
                self.in_session[session_id].discard(patient_id)
            for appointment in schedule.appointments:
                self.with_staff[appointment.staff].discard(patient_id)
        for patient_id, schedule in new.items():
            for session_id in schedule.sessions:
                self.in_session[session_id].add(patient_id)
            for appointment in schedule.appointments:
                self.with_staff[appointment.staff].add(patient_id)

    def rivals(self, instance: Instance, patient: Patient) -> set[str]:
        """Patients holding seats the patient could take or staff they could see."""
        found: set[str] = set()
        for session in candidate_sessions(instance, patient):
            found |= self.in_session[session.id]
        for request in patient.appointments:
            for option in appointment_options(instance, patient, request):
                found |= self.with_staff[option.staff]
        found.discard(patient.id)
        return found

    def sharing(self, schedule: PatientSchedule) -> set[str]:
        found: set[str] = set()
        for session_id in schedule.sessions:
            found |= self.in_session[session_id]
        for appointment in schedule.appointments:
            found |= self.with_staff[appointment.staff]
        return found
