"""The CP-SAT model of a week: some patients to place, around what the others hold.

The model, per patient being placed:

- a yes/no per *candidate* class of parallel sessions (same kind, track and time; the
  track fits and it lies inside one availability window; nothing else is created),
  capped by the seats the class has left. Patients are seated in concrete sessions
  afterwards, as evenly as the capacities allow, which changes no objective level;
- per appointment request, per staff member who may take it, per day: up to `count`
  optional intervals whose start ranges over the slot-grid starts that lie inside both
  availabilities and clear that staff member's sessions and the appointments others
  hold. Each patient's and each staff member's intervals do not overlap; staff
  appointment minutes stay within what `max_individual_minutes` leaves. For "any
  therapist/prescriber" only the `STAFF_CHOICES` staff with the most open starts are
  offered (plus those of the starting schedule): every patient times every therapist
  times every day is too many intervals at 1,000 patients;
- weekly minutes and distinct days never exceed the patient's maxima (hard limits: a
  plan must not push anyone over the IOP ceiling or a payer's day limit); when the
  patient counts as *met*, minimum minutes, minimum days, session kinds and every
  appointment are required too. With `min_day_minutes`, a day counts toward the minimum
  days only through a yes/no that implies the day's minutes reach it.

The others (kept patients, or everyone outside a neighbourhood of the search) are
constants: the seats and staff time they hold are taken away before the model is built,
which keeps a neighbourhood's model as small as its patients.

`hint` gives CP-SAT a complete, feasible first solution (every variable, helpers
included), so each solve starts from the plan in hand and can only improve on it.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from stepwell.schedule.optimizer.candidates import (
    AppointmentOption,
    ParallelSessions,
    Usage,
    appointment_options,
    parallel_sessions,
)
from stepwell.schedule.optimizer.instance import (
    DAYS,
    MINUTES_PER_DAY,
    Instance,
    Patient,
    session_fits,
)
from stepwell.schedule.optimizer.plan import (
    PatientSchedule,
    PlannedAppointment,
    minutes_by_day,
    requirement_shortfalls,
)

STAFF_CHOICES = 5

LinearExpr = cp_model.LinearExpr


@dataclass
class _Placement:
    """One possible appointment: its option and presence, start and interval variables."""

    option: AppointmentOption
    present: cp_model.IntVar
    start: cp_model.IntVar
    interval: cp_model.IntervalVar


class PatientVariables:
    """One patient's variables and own constraints (everything but shared resources)."""

    def __init__(
        self,
        model: cp_model.CpModel,
        instance: Instance,
        patient: Patient,
        classes: Sequence[ParallelSessions],
        options: Sequence[AppointmentOption],
        *,
        meetable: bool,
    ) -> None:
        self.patient = patient
        self.classes = sorted(classes, key=lambda c: (c.first.start, c.index))
        self.take = {c.index: model.new_bool_var("") for c in self.classes}
        self.placements: list[_Placement] = []
        for option in options:
            self._add_option(model, option)
        on_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        day_terms: dict[int, list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
        for group in self.classes:
            on_day[group.first.day].append(self.take[group.index])
            day_terms[group.first.day].append((self.take[group.index], group.first.minutes))
        for placement in self.placements:
            on_day[placement.option.day].append(placement.present)
            day_terms[placement.option.day].append(
                (placement.present, placement.option.request.minutes)
            )
        self.attends: dict[int, cp_model.IntVar] = {}
        for day, items in sorted(on_day.items()):
            attends = model.new_bool_var("")
            model.add_bool_or(items).only_enforce_if(attends)
            for item in items:
                model.add_implication(item, attends)
            self.attends[day] = attends
        terms = [term for day in sorted(day_terms) for term in day_terms[day]]
        self.minutes = _weighted(terms)
        self.days = LinearExpr.sum(list(self.attends.values()))
        self.counts: dict[int, cp_model.IntVar] = {}
        counted_days = self.days
        if patient.min_day_minutes > 0 and patient.min_days > 0:
            for day, attends in self.attends.items():
                counts = model.new_bool_var("")
                model.add_implication(counts, attends)
                model.add(_weighted(day_terms[day]) >= patient.min_day_minutes).only_enforce_if(
                    counts
                )
                self.counts[day] = counts
            counted_days = LinearExpr.sum(list(self.counts.values()))
        model.add(self.minutes <= patient.max_minutes)
        model.add(self.days <= patient.max_days)
        self._no_overlap(model)
        self.met = model.new_bool_var("") if meetable else None
        placed = {
            request.type: LinearExpr.sum(
                [p.present for p in self.placements if p.option.request == request]
            )
            for request in patient.appointments
        }
        for request in patient.appointments:
            model.add(placed[request.type] <= request.count)
        if self.met is None:
            return
        model.add(self.minutes >= patient.min_minutes).only_enforce_if(self.met)
        model.add(counted_days >= patient.min_days).only_enforce_if(self.met)
        for kind, count in patient.min_sessions_by_kind:
            taken = LinearExpr.sum(
                [self.take[c.index] for c in self.classes if c.first.kind is kind]
            )
            model.add(taken >= count).only_enforce_if(self.met)
        for request in patient.appointments:
            model.add(placed[request.type] == request.count).only_enforce_if(self.met)

    def _add_option(self, model: cp_model.CpModel, option: AppointmentOption) -> None:
        """Up to `count` ordered copies, so a request may use one staff member's day twice."""
        minutes = option.request.minutes
        previous: _Placement | None = None
        for _ in range(min(option.request.count, len(option.starts))):
            present = model.new_bool_var("")
            start = model.new_int_var_from_domain(cp_model.Domain.from_values(option.starts), "")
            interval = model.new_optional_fixed_size_interval_var(start, minutes, present, "")
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

    def chosen(self, solver: cp_model.CpSolver) -> tuple[list[int], tuple[PlannedAppointment, ...]]:
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
        return taken, appointments

    def hint_values(
        self, instance: Instance, schedule: PatientSchedule, class_of: Mapping[str, int]
    ) -> tuple[list[tuple[cp_model.IntVar, int]], set[int], bool]:
        """Values of every variable for `schedule` (which must be feasible for this
        patient), the classes it takes, and whether it meets the requirements."""
        chosen = {class_of[s] for s in schedule.sessions}
        values = [(take, int(index in chosen)) for index, take in self.take.items()]
        wanted = sorted(schedule.appointments, key=lambda a: a.start)
        for placement in self.placements:
            option = placement.option
            match = next(
                (
                    a
                    for a in wanted
                    if a.type is option.request.type
                    and a.staff == option.staff
                    and a.start // MINUTES_PER_DAY == option.day
                    and a.start in option.starts
                ),
                None,
            )
            if match is not None:
                wanted.remove(match)
            values.append((placement.present, int(match is not None)))
            values.append((placement.start, match.start if match else option.starts[0]))
        by_day = minutes_by_day(instance, schedule)
        for day, attends in self.attends.items():
            values.append((attends, int(by_day.get(day, 0) > 0)))
        for day, counts in self.counts.items():
            minutes = by_day.get(day, 0)
            values.append((counts, int(minutes > 0 and minutes >= self.patient.min_day_minutes)))
        met = not requirement_shortfalls(instance, self.patient, schedule)
        if self.met is not None:
            values.append((self.met, int(met)))
        return values, chosen, met and self.met is not None

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


def _weighted(terms: Sequence[tuple[cp_model.IntVar, int]]) -> cp_model.LinearExprT:
    if not terms:
        return 0
    return LinearExpr.weighted_sum([v for v, _ in terms], [w for _, w in terms])


def fewer_staff(
    patient: Patient,
    options: Sequence[AppointmentOption],
    keep: int,
    keep_staff: frozenset[str],
) -> tuple[AppointmentOption, ...]:
    """For "any therapist/prescriber", keep the `keep` staff with the most open starts,
    and those of the starting schedule (`keep_staff`).

    Ties are broken by a hash of patient and staff, which spreads patients over equally
    open staff deterministically. The upper-bound check still offers every staff member.
    """
    starts: dict[str, int] = defaultdict(int)
    for option in options:
        starts[option.staff] += len(option.starts)
    ranked = sorted(
        starts, key=lambda staff: (-starts[staff], zlib.crc32(f"{patient.id}/{staff}".encode()))
    )
    kept = set(ranked[:keep]) | keep_staff
    return tuple(option for option in options if option.staff in kept)


def open_options(
    instance: Instance,
    patient: Patient,
    usage: Usage,
    *,
    staff_choices: int | None = None,
    keep_staff: frozenset[str] = frozenset(),
) -> list[AppointmentOption]:
    """The patient's appointment options minus the starts where others hold the staff
    member, and staff members whose minutes are used up."""
    options = []
    for request in patient.appointments:
        offered = appointment_options(instance, patient, request)
        if staff_choices is not None and request.staff is None:
            offered = fewer_staff(patient, offered, staff_choices, keep_staff)
        for option in offered:
            limit = instance.staff_by_id[option.staff].max_individual_minutes
            if usage.staff_minutes[option.staff] + request.minutes > limit:
                continue
            starts = tuple(
                s for s in option.starts if usage.staff_free(option.staff, s, s + request.minutes)
            )
            if starts:
                options.append(AppointmentOption(request, option.staff, option.day, starts))
    return options


class WeekModel:
    """`patients` placed together around `usage` (what everyone else holds), with
    capacity, staff load and the objective levels."""

    def __init__(
        self,
        instance: Instance,
        patients: Sequence[Patient],
        usage: Usage,
        *,
        meetable: Mapping[str, bool],
        starting: Mapping[str, PatientSchedule],
        staff_choices: int | None = STAFF_CHOICES,
    ) -> None:
        self.model = cp_model.CpModel()
        self.instance = instance
        self.usage = usage
        self.classes = parallel_sessions(instance)
        self.class_of = {s.id: c.index for c in self.classes for s in c.sessions}
        free_seats = {c.index: sum(usage.seats[s.id] for s in c.sessions) for c in self.classes}
        self.patients: list[PatientVariables] = []
        for patient in patients:
            schedule = starting.get(patient.id, PatientSchedule())
            classes = [
                c
                for c in self.classes
                if free_seats[c.index] > 0 and session_fits(c.first, patient)
            ]
            keep_staff = frozenset(a.staff for a in schedule.appointments)
            options = open_options(
                instance, patient, usage, staff_choices=staff_choices, keep_staff=keep_staff
            )
            self.patients.append(
                PatientVariables(
                    self.model, instance, patient, classes, options, meetable=meetable[patient.id]
                )
            )
        self.sizes: dict[int, tuple[cp_model.IntVar, cp_model.IntVar, list[int]]] = {}
        self._capacity(free_seats)
        self._staff_load()
        self.objective_helpers: list[tuple[cp_model.IntVar, str, PatientVariables]] = []

    def _capacity(self, free_seats: Mapping[int, int]) -> None:
        """Seats per class within what is left; cost = least sum of squared group sizes,
        the others' seats included."""
        seated: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for variables in self.patients:
            for index, take in variables.take.items():
                seated[index].append(take)
        for group in self.classes:
            takes = seated.get(group.index)
            if not takes:
                continue
            most = min(free_seats[group.index], len(takes))
            size = self.model.new_int_var(0, most, "")
            self.model.add(size == LinearExpr.sum(takes))
            already = [
                capacity - self.usage.seats[s.id]
                for s, capacity in zip(group.sessions, group.capacities, strict=True)
            ]
            table = _water_fill_costs(group.capacities, already, most)
            cost = self.model.new_int_var(min(table), max(table), "")
            self.model.add_element(size, table, cost)
            self.sizes[group.index] = (size, cost, table)

    def _staff_load(self) -> None:
        by_staff: dict[str, list[_Placement]] = defaultdict(list)
        for variables in self.patients:
            for placement in variables.placements:
                by_staff[placement.option.staff].append(placement)
        for staff_id, placements in by_staff.items():
            limit = self.instance.staff_by_id[staff_id].max_individual_minutes
            left = limit - self.usage.staff_minutes[staff_id]
            self.model.add(
                _weighted([(p.present, p.option.request.minutes) for p in placements]) <= left
            )
            if len(placements) > 1:
                self.model.add_no_overlap(p.interval for p in placements)

    def objectives(
        self, previous: Mapping[str, PatientSchedule] | None
    ) -> list[tuple[str, cp_model.LinearExprT]]:
        """The spec's order as (sense, expression) levels:
        1. most patients met; 2. fewest distinct days, summed over the met patients
        (unmet patients' days are left out: counting them would empty their week, which
        level 3 exists to prevent); 3. most minutes for the patients not met; 4. group
        sizes evened out (least sum of squared group sizes), then, with a previous plan,
        most of its sessions and appointment (staff, day) pairs kept."""
        model = self.model
        met_days, unmet_minutes, met = [], [], []
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
            self.objective_helpers += [(days, "days", variables), (minutes, "minutes", variables)]
        evenness = LinearExpr.sum([cost for _, cost, _ in self.sizes.values()])
        if previous:
            kept = [
                item
                for variables in self.patients
                if variables.patient.id in previous
                for item in variables.kept_from(previous[variables.patient.id], self.class_of)
            ]
            evenness = evenness * (len(kept) + 1) - LinearExpr.sum(kept)
        return [
            ("max", LinearExpr.sum(met)),
            ("min", LinearExpr.sum(met_days)),
            ("max", LinearExpr.sum(unmet_minutes)),
            ("min", evenness),
        ]

    def hint(self, schedules: Mapping[str, PatientSchedule]) -> None:
        """A complete first solution: the given schedules of the patients placed here."""
        self.model.clear_hints()
        seated: dict[int, int] = defaultdict(int)
        met_of: dict[int, bool] = {}
        values: list[tuple[cp_model.IntVar, int]] = []
        for variables in self.patients:
            schedule = schedules.get(variables.patient.id, PatientSchedule())
            own, chosen, met = variables.hint_values(self.instance, schedule, self.class_of)
            values += own
            met_of[id(variables)] = met
            for index in chosen:
                seated[index] += 1
        for index, (size, cost, table) in self.sizes.items():
            values += [(size, seated[index]), (cost, table[seated[index]])]
        for helper, kind, variables in self.objective_helpers:
            schedule = schedules.get(variables.patient.id, PatientSchedule())
            met = met_of[id(variables)]
            if kind == "days":
                days = len(minutes_by_day(self.instance, schedule))
                values.append((helper, days if met else 0))
            else:
                minutes = sum(minutes_by_day(self.instance, schedule).values())
                values.append((helper, 0 if met else minutes))
        for variable, value in values:
            self.model.add_hint(variable, value)

    def met_in(self, schedules: Mapping[str, PatientSchedule]) -> int:
        """How many of the patients placed here the given schedules meet."""
        return sum(
            not requirement_shortfalls(
                self.instance, v.patient, schedules.get(v.patient.id, PatientSchedule())
            )
            for v in self.patients
        )

    def schedules(
        self, solver: cp_model.CpSolver
    ) -> dict[str, tuple[list[int], tuple[PlannedAppointment, ...]]]:
        """Per patient placed here: the classes taken and the appointments."""
        return {v.patient.id: v.chosen(solver) for v in self.patients}


def _water_fill_costs(capacities: Sequence[int], already: Sequence[int], most: int) -> list[int]:
    """Sum of squared group sizes after k = 0..most more patients join, each the
    smallest open group (the least sum of squares for k)."""
    sizes = list(already)
    cost = sum(n * n for n in sizes)
    table = [cost]
    for _ in range(most):
        open_groups = [i for i, cap in enumerate(capacities) if sizes[i] < cap]
        if not open_groups:
            break
        smallest = min(open_groups, key=lambda i: (sizes[i], i))
        cost += 2 * sizes[smallest] + 1
        sizes[smallest] += 1
        table.append(cost)
    return table
