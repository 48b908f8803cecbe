"""Billable days from the record: attendance, notes, coverage, authorizations, diagnoses.

Called after an access check on the program (and patient). The rule itself is the engine
in billing/days.py and billing/utilization.py; this module gathers its input in a fixed
number of queries whatever the number of patients and days. Days are local days of the
program's time zone. No note text is read: only whether a note exists and is signed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q

from stepwell.care.attendance.states import ATTENDED
from stepwell.care.models import Attendance, ClinicalNote
from stepwell.clinic.models import Program
from stepwell.clinic.time import program_today
from stepwell.intake.models import AssessmentDiagnosis
from stepwell.patients.models import Episode, Patient
from stepwell.schedule.calendar.weeks import local_to_utc, utc_to_local
from stepwell.schedule.models import SessionOccurrence

from ..codes import SESSION_SERVICES, revenue_code_for
from ..consent import claim_consent_missing, part2_consents
from ..days import (
    AuthorizationState,
    ClaimMethod,
    DayResult,
    DayRule,
    DayStatus,
    NoteState,
    Problem,
    Service,
    evaluate_day,
    with_authorization,
)
from ..models import Authorization, BilledDay, Coverage, Payer
from ..utilization import (
    AuthorizationStatus,
    AuthorizationWindow,
    DayDemand,
    UnitKind,
    allocate_units,
)
from .hours import by_priority


@dataclass(frozen=True)
class PatientDay:
    patient: Patient
    program: Program
    result: DayResult
    coverage: Coverage | None
    authorization: Authorization | None
    diagnoses: tuple[str, ...]
    billed_claim: str = ""

    @property
    def day(self) -> date:
        return self.result.day

    @property
    def billed(self) -> bool:
        return bool(self.billed_claim)

    @property
    def to_bill(self) -> bool:
        """Billable and not on a claim yet."""
        return self.result.status == DayStatus.BILLABLE and not self.billed

    @property
    def needs_work(self) -> bool:
        """Not billable yet: something to fix."""
        return self.result.status == DayStatus.BLOCKED and not self.billed

    @property
    def status_label(self) -> str:
        if self.billed:
            return f"Billed on claim {self.billed_claim}"
        return {
            DayStatus.BILLABLE: "Billable",
            DayStatus.BLOCKED: "Not billable yet",
            DayStatus.NOT_CLAIMED: "Self-pay: not claimed",
        }[self.result.status]


@dataclass(frozen=True)
class DaysComputation:
    days: list[PatientDay]
    units_used: dict[int, int]  # authorization id -> units used up to the last day computed


def _name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def _note_state(rows: list[dict]) -> NoteState:
    """The best note among a service's notes (there is normally one)."""
    if not rows:
        return NoteState.MISSING
    states = []
    for row in rows:
        if row["signed_at"] is None:
            states.append(NoteState.UNSIGNED)
        elif row["cosign_required"] and row["cosignature__pk"] is None:
            states.append(NoteState.AWAITING_COSIGNATURE)
        else:
            states.append(NoteState.SIGNED)
    order = [NoteState.SIGNED, NoteState.AWAITING_COSIGNATURE, NoteState.UNSIGNED]
    return min(states, key=order.index)


def _services(program: Program, patient_ids, start: datetime, end: datetime):
    """Each patient's attended services by local day, with the state of their notes."""
    rows = list(
        _attended_in(program, start, end)
        .filter(patient_id__in=patient_ids)
        .order_by("session_starts_at", "pk")
        .values(
            "patient_id",
            "occurrence_id",
            "occurrence__kind",
            "occurrence__title",
            "appointment_id",
            "appointment__kind",
            "appointment__staff__first_name",
            "appointment__staff__last_name",
            "appointment__staff__username",
            "minutes_attended",
            "session_starts_at",
        )
    )
    occurrence_ids = {r["occurrence_id"] for r in rows if r["occurrence_id"]}
    appointment_ids = {r["appointment_id"] for r in rows if r["appointment_id"]}
    fields = ("patient_id", "signed_at", "cosign_required", "cosignature__pk")
    group_notes: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for note in ClinicalNote.objects.filter(
        group_note__occurrence_id__in=occurrence_ids, participant_absent=False
    ).values("group_note__occurrence_id", *fields):
        group_notes[(note["group_note__occurrence_id"], note["patient_id"])].append(note)
    visit_notes: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for note in ClinicalNote.objects.filter(appointment_id__in=appointment_ids).values(
        "appointment_id", *fields
    ):
        visit_notes[(note["appointment_id"], note["patient_id"])].append(note)
    facilitators: dict[int, list[str]] = defaultdict(list)
    through = SessionOccurrence.facilitators.through
    for row in through.objects.filter(sessionoccurrence_id__in=occurrence_ids).values(
        "sessionoccurrence_id", "user__first_name", "user__last_name", "user__username"
    ):
        facilitators[row["sessionoccurrence_id"]].append(
            _name(row["user__first_name"], row["user__last_name"], row["user__username"])
        )
    by_day: dict[tuple[int, date], list[Service]] = defaultdict(list)
    zone = program.timezone
    for row in rows:
        local = utc_to_local(zone, row["session_starts_at"])
        if row["occurrence_id"]:
            kind = SESSION_SERVICES.get(row["occurrence__kind"])
            notes = group_notes.get((row["occurrence_id"], row["patient_id"]), [])
            title = row["occurrence__title"]
            staff = " or ".join(facilitators.get(row["occurrence_id"], []))
        else:
            kind = SESSION_SERVICES.get(row["appointment__kind"])
            notes = visit_notes.get((row["appointment_id"], row["patient_id"]), [])
            title = ""
            staff = _name(
                row["appointment__staff__first_name"],
                row["appointment__staff__last_name"],
                row["appointment__staff__username"],
            )
        if kind is None:
            continue  # an alumni group: not treatment of the episode
        label = f"{title or kind.value.replace('_', ' ').capitalize()} {local:%H:%M}"
        by_day[(row["patient_id"], local.date())].append(
            Service(kind, row["minutes_attended"], _note_state(notes), label, staff)
        )
    return by_day


def _diagnoses(program: Program, patient_ids) -> dict[int, tuple[str, ...]]:
    """Each patient's diagnoses on the newest signed assessment of their episode in the
    program, principal first."""
    result: dict[int, tuple[str, ...]] = {}
    newest: dict[int, int] = {}
    for patient_id, assessment_id, code in (
        AssessmentDiagnosis.objects.filter(
            assessment__episode__program=program,
            assessment__patient_id__in=patient_ids,
            assessment__status="signed",
        )
        .order_by("assessment__patient_id", "-assessment__signed_at", "-primary", "code")
        .values_list("assessment__patient_id", "assessment_id", "code")
    ):
        if newest.setdefault(patient_id, assessment_id) != assessment_id:
            continue
        result[patient_id] = (*result.get(patient_id, ()), code)
    return result


def day_rule(payer: Payer, program: Program, principal_diagnosis: str) -> DayRule:
    return DayRule(
        payer=payer.name,
        method=ClaimMethod(payer.claim_method),
        per_diem_code=payer.per_diem_code,
        min_minutes=payer.billable_day_minutes,
        min_services=payer.billable_day_services,
        revenue_code=revenue_code_for(
            track=program.track,
            principal_diagnosis=principal_diagnosis,
            mental_health_code=payer.revenue_code_mental_health,
            substance_use_code=payer.revenue_code_substance_use,
        ),
        condition_code=payer.condition_code,
        needs_authorization=payer.requires_authorization,
    )


def record_problems(
    coverage: Coverage, diagnoses: tuple[str, ...], consent: str | None
) -> list[Problem]:
    """What the rest of the record lacks for a claim."""
    problems = []
    if not diagnoses:
        problems.append(
            Problem(
                "no_diagnosis",
                "No diagnosis on a signed assessment of this episode.",
                "The clinician signs the intake assessment with a diagnosis.",
            )
        )
    if not coverage.member_id:
        problems.append(
            Problem(
                "coverage_incomplete",
                f"The {coverage.payer.name} coverage has no member ID.",
                "Complete the coverage on the patient's coverage page.",
            )
        )
    if not coverage.address_complete:
        problems.append(
            Problem(
                "coverage_incomplete",
                f"The {coverage.payer.name} coverage has no full subscriber address.",
                "Add the subscriber's street, city, state and ZIP code to the coverage.",
            )
        )
    if not coverage.payer.payer_identifier:
        problems.append(
            Problem(
                "payer_setup",
                f"{coverage.payer.name} has no payer ID for claims.",
                "An administrator sets the payer ID in clinic setup.",
            )
        )
    if consent:
        problems.append(
            Problem(
                "consent_missing",
                consent,
                "Record the patient's consent to disclose to the payer for payment.",
            )
        )
    return problems


def _windows(authorizations: list[Authorization]) -> list[AuthorizationWindow]:
    return [
        AuthorizationWindow(
            key=a.pk,
            status=AuthorizationStatus(a.status),
            starts_on=a.starts_on,
            ends_on=a.ends_on,
            units_approved=a.units_approved,
            unit_kind=UnitKind(a.unit_kind),
        )
        for a in authorizations
    ]


def _attended_in(program: Program, start: datetime, end: datetime):
    """Attended services of the program between the instants, as program_days reads them."""
    return Attendance.objects.filter(
        Q(occurrence__program=program) | Q(appointment__program=program),
        status__in=[str(s) for s in ATTENDED],
        minutes_attended__gt=0,
        session_starts_at__gte=start,
        session_starts_at__lt=end,
    )


BILLED_KINDS = sorted(kind for kind, service in SESSION_SERVICES.items() if service is not None)


def patients_attended(*, program: Program, date_from: date, date_to: date):
    """The patients program_days gives days for between the dates: of the program, with a
    service of a billed kind attended (a query, for a caller to order and page)."""
    zone = program.timezone
    attended = _attended_in(
        program,
        local_to_utc(zone, date_from, time.min),
        local_to_utc(zone, date_to + timedelta(days=1), time.min),
    ).filter(Q(occurrence__kind__in=BILLED_KINDS) | Q(appointment__kind__in=BILLED_KINDS))
    return Patient.objects.filter(
        Exists(Episode.objects.filter(patient_id=OuterRef("pk"), program=program)),
        Exists(attended.filter(patient_id=OuterRef("pk"))),
    )


def program_days(
    *, program: Program, date_from: date, date_to: date, patient_ids=None
) -> DaysComputation:
    """Every patient's day with attended services in the program between the dates, each
    under its payer's rule, with authorization units counted from each authorization's
    first day (so days before `date_from` that used units are counted too)."""
    patients_qs = Patient.objects.filter(episodes__program=program).distinct()
    if patient_ids is not None:
        patients_qs = patients_qs.filter(pk__in=list(patient_ids))
    patients = {p.pk: p for p in patients_qs}
    ids = list(patients)
    authorizations = list(
        Authorization.objects.filter(program=program, patient_id__in=ids, ends_on__gte=date_from)
        .filter(starts_on__lte=date_to)
        .select_related("payer")
    )
    first = min([date_from, *(a.starts_on for a in authorizations)])
    zone = program.timezone
    start = local_to_utc(zone, first, time.min)
    end = local_to_utc(zone, date_to + timedelta(days=1), time.min)
    services = _services(program, ids, start, end)
    coverages: dict[int, list[Coverage]] = defaultdict(list)
    for coverage in Coverage.objects.filter(patient_id__in=ids).select_related("payer"):
        coverages[coverage.patient_id].append(coverage)
    diagnoses = _diagnoses(program, ids)
    consents = part2_consents(program, ids)
    today = program_today(program)
    billed = {
        (pid, day): number
        for pid, day, number in BilledDay.objects.filter(
            patient_id__in=ids, day__gte=first, day__lte=date_to, active=True
        ).values_list("patient_id", "day", "claim__claim_number")
    }
    evaluated: list[tuple[int, DayResult, Coverage | None]] = []
    for (patient_id, day), day_services in sorted(
        services.items(), key=lambda i: (i[0][1], i[0][0])
    ):
        in_force = by_priority(c for c in coverages[patient_id] if c.covers(day))
        coverage = in_force[0] if in_force else None
        codes = diagnoses.get(patient_id, ())
        rule = day_rule(coverage.payer, program, codes[0] if codes else "") if coverage else None
        problems = []
        if coverage is not None:
            consent = claim_consent_missing(
                program,
                consents.get(patient_id, []),
                payer_name=coverage.payer.name,
                day=day,
                today=today,
            )
            problems = record_problems(coverage, codes, consent)
        result = evaluate_day(day=day, services=day_services, rule=rule, record_problems=problems)
        evaluated.append((patient_id, result, coverage))
    allocations, used = _allocate(evaluated, authorizations)
    by_id = {a.pk: a for a in authorizations}
    days = []
    for patient_id, result, coverage in evaluated:
        allocation = allocations.get((patient_id, result.day))
        authorization = None
        if allocation is not None:
            result = with_authorization(result, allocation.state)
            authorization = by_id.get(allocation.authorization)
        if result.day < date_from:
            continue
        days.append(
            PatientDay(
                patient=patients[patient_id],
                program=program,
                result=result,
                coverage=coverage,
                authorization=authorization,
                diagnoses=diagnoses.get(patient_id, ()),
                billed_claim=billed.get((patient_id, result.day), ""),
            )
        )
    return DaysComputation(days=days, units_used=used)


def _allocate(evaluated, authorizations):
    """Authorization states per (patient, day) for days whose payer asks for one."""
    windows: dict[tuple[int, int], list[Authorization]] = defaultdict(list)
    for authorization in authorizations:
        windows[(authorization.patient_id, authorization.payer_id)].append(authorization)
    demands: dict[tuple[int, int], list[DayDemand]] = defaultdict(list)
    for patient_id, result, coverage in evaluated:
        if coverage is None or result.authorization == AuthorizationState.NOT_NEEDED:
            continue
        demands[(patient_id, coverage.payer_id)].append(
            DayDemand(
                result.day,
                sessions=result.units_needed,
                takes_units=result.waits_only_for_authorization,
            )
        )
    allocations = {}
    used: dict[int, int] = {a.pk: 0 for a in authorizations}
    for key, patient_demands in demands.items():
        states, counts = allocate_units(patient_demands, _windows(windows.get(key, [])))
        used.update(counts)
        for day, allocation in states.items():
            allocations[(key[0], day)] = allocation
    return allocations, used


def diagnoses_of(program: Program, patient_ids) -> dict[int, tuple[str, ...]]:
    """Each patient's diagnoses for a claim (principal first); {} for none signed."""
    return _diagnoses(program, patient_ids)
