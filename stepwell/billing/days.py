"""Whether a patient's day of treatment can be billed, and why not. No Django.

A day is billed to the payer of the patient's primary coverage on that day, under that
payer's rule (docs/clinical-sources.md §2.1, §2.2, §2.4):

- **Per diem** (H0015, S9480 and other per-diem codes): one line a day, the payer's
  per-diem code, one unit, when the day's attended minutes reach the payer's day minimum
  (H0015: at least 3 hours, so 2 h 59 min is not billable) and it holds the payer's
  minimum number of services.
- **Medicare IOP**: one line per service that has a code, with condition code 92 on the
  claim. Payment is per day in two tiers: up to three services, and four or more; a day
  with fewer services is the lower tier, never unbillable, as long as it holds one.
- **Not claimed** (self-pay): the day is the patient's to pay; no claim is made.

Whatever the rule, a day is billed only when every service of it has a signed note (and
a co-signature where the author's licence needs one), the payer's authorization covers
it where the payer asks for one, the coverage and the record hold what a claim needs,
and, for a substance-use program, the patient's consent allows the disclosure for
payment. Each reason a day is not billable comes with the fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from .codes import SERVICE_LABELS, ServiceKind, service_code

MEDICARE_HIGHER_TIER_SERVICES = 4  # §2.1: "up to three" and "four or more" services a day


class ClaimMethod(StrEnum):
    PER_DIEM = "per_diem"
    MEDICARE_IOP = "medicare_iop"
    NOT_CLAIMED = "not_claimed"


class NoteState(StrEnum):
    SIGNED = "signed"
    MISSING = "missing"
    UNSIGNED = "unsigned"
    AWAITING_COSIGNATURE = "awaiting_cosignature"


class DayStatus(StrEnum):
    BILLABLE = "billable"
    BLOCKED = "blocked"  # not billable yet: a problem with a fix
    NOT_CLAIMED = "not_claimed"  # self-pay


class AuthorizationState(StrEnum):
    NOT_NEEDED = "not_needed"
    COVERED = "covered"
    MISSING = "missing"
    PENDING = "pending"
    DENIED = "denied"
    EXHAUSTED = "exhausted"


@dataclass(frozen=True)
class Service:
    """One attended service of the day. `title` and `staff` name the session and whoever
    writes its note (for the fix); no note text is ever carried here."""

    kind: ServiceKind
    minutes: int
    note: NoteState
    title: str = ""
    staff: str = ""

    @property
    def code(self) -> str:
        return service_code(self.kind, self.minutes).code

    @property
    def label(self) -> str:
        return self.title or SERVICE_LABELS[self.kind]


@dataclass(frozen=True)
class DayRule:
    """The payer's billing rule for a day (its row in the payer table)."""

    payer: str
    method: ClaimMethod
    per_diem_code: str = ""
    min_minutes: int | None = None
    min_services: int = 1
    revenue_code: str = ""
    condition_code: str = ""
    needs_authorization: bool = False


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    fix: str


@dataclass(frozen=True)
class Line:
    revenue_code: str
    procedure_code: str
    units: int
    service: str  # what the line is for, in words


@dataclass(frozen=True)
class DayResult:
    day: date
    services: tuple[Service, ...]
    rule: DayRule | None
    status: DayStatus
    problems: tuple[Problem, ...]
    lines: tuple[Line, ...]
    tier: str = ""
    authorization: AuthorizationState = AuthorizationState.NOT_NEEDED

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.services)

    @property
    def billable(self) -> bool:
        return self.status == DayStatus.BILLABLE

    @property
    def units_needed(self) -> int:
        """What the day takes of an authorization counted in sessions."""
        return len(self.services)

    @property
    def waits_only_for_authorization(self) -> bool:
        return bool(self.problems) and all(
            p.code.startswith("authorization") for p in self.problems
        )


def hours_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def medicare_tier(services: int) -> str:
    """The Medicare IOP payment tier of a day with this many services (§2.1)."""
    if services >= MEDICARE_HIGHER_TIER_SERVICES:
        return "4 or more services"
    return "up to 3 services"


def _note_problems(services: Iterable[Service]) -> list[Problem]:
    problems = []
    for service in services:
        who = service.staff or "its author"
        if service.note == NoteState.MISSING:
            problems.append(
                Problem(
                    "note_missing",
                    f"{service.label}: no note.",
                    f"{who} writes and signs the note.",
                )
            )
        elif service.note == NoteState.UNSIGNED:
            problems.append(
                Problem(
                    "note_unsigned",
                    f"{service.label}: the note is not signed.",
                    f"{who} signs the note.",
                )
            )
        elif service.note == NoteState.AWAITING_COSIGNATURE:
            problems.append(
                Problem(
                    "cosignature_missing",
                    f"{service.label}: the note waits for a co-signature.",
                    "A supervisor with an independent licence co-signs it.",
                )
            )
    return problems


def _per_diem(rule: DayRule, services: tuple[Service, ...]) -> tuple[list[Problem], list[Line]]:
    problems = []
    minutes = sum(s.minutes for s in services)
    if not rule.per_diem_code:
        problems.append(
            Problem(
                "payer_setup",
                f"{rule.payer} has no per-diem code.",
                "An administrator sets the payer's per-diem code in clinic setup.",
            )
        )
    if rule.min_minutes is not None and minutes < rule.min_minutes:
        code = rule.per_diem_code or rule.payer
        problems.append(
            Problem(
                "below_day_rule",
                f"{hours_text(minutes)} attended, under the {hours_text(rule.min_minutes)} "
                f"a day {code} asks for.",
                "Not billable as a day of the program. If the attendance times are wrong, "
                "correct them on the roster.",
            )
        )
    if len(services) < rule.min_services:
        problems.append(
            Problem(
                "few_services",
                f"{len(services)} service(s), under the {rule.min_services} a day "
                f"{rule.payer} asks for.",
                "Not billable as a day of the program.",
            )
        )
    line = Line(rule.revenue_code, rule.per_diem_code, 1, "Per diem")
    return problems, [line]


def _medicare(
    rule: DayRule, services: tuple[Service, ...]
) -> tuple[list[Problem], list[Line], str]:
    coded = [s for s in services if s.code]
    lines = [Line(rule.revenue_code, s.code, 1, s.label) for s in coded]
    problems = []
    if len(coded) < max(rule.min_services, 1):
        problems.append(
            Problem(
                "few_services",
                f"{len(coded)} service(s) with a code: Medicare IOP pays a day with at "
                f"least {max(rule.min_services, 1)}.",
                "Not billable as a day of the program.",
            )
        )
    return problems, lines, medicare_tier(len(coded))


def evaluate_day(
    *,
    day: date,
    services: Iterable[Service],
    rule: DayRule | None,
    record_problems: Iterable[Problem] = (),
) -> DayResult:
    """The day under the payer's rule, before authorizations are counted (see
    `with_authorization`). `rule` None: no coverage in force. `record_problems` are what
    the rest of the record lacks for a claim (a diagnosis, the coverage's details,
    consent)."""
    services = tuple(s for s in services if s.minutes > 0)
    if rule is None:
        problem = Problem(
            "no_coverage",
            "No coverage in force on this day.",
            "Record the patient's coverage (or self-pay) on the chart.",
        )
        return DayResult(day, services, None, DayStatus.BLOCKED, (problem,), ())
    if rule.method == ClaimMethod.NOT_CLAIMED:
        return DayResult(day, services, rule, DayStatus.NOT_CLAIMED, (), ())
    problems = _note_problems(services)
    tier = ""
    if rule.method == ClaimMethod.PER_DIEM:
        rule_problems, lines = _per_diem(rule, services)
    else:
        rule_problems, lines, tier = _medicare(rule, services)
    problems = [*rule_problems, *problems, *record_problems]
    if rule.needs_authorization:
        problems.append(_authorization_problem(AuthorizationState.MISSING))
    status = DayStatus.BLOCKED if problems else DayStatus.BILLABLE
    authorization = (
        AuthorizationState.MISSING if rule.needs_authorization else AuthorizationState.NOT_NEEDED
    )
    return DayResult(
        day, services, rule, status, tuple(problems), tuple(lines), tier, authorization
    )


AUTHORIZATION_PROBLEMS = {
    AuthorizationState.MISSING: (
        "No authorization covers this day.",
        "Ask the payer for an authorization and record it.",
    ),
    AuthorizationState.PENDING: (
        "The authorization request is still pending with the payer.",
        "Follow up with the payer and record the decision.",
    ),
    AuthorizationState.DENIED: (
        "The payer denied the authorization for this day.",
        "Appeal, ask for a peer-to-peer review, or bill the patient.",
    ),
    AuthorizationState.EXHAUSTED: (
        "The authorized units are used up.",
        "Ask for more units at a concurrent review and record the outcome.",
    ),
}


def _authorization_problem(state: AuthorizationState) -> Problem:
    message, fix = AUTHORIZATION_PROBLEMS[state]
    return Problem(f"authorization_{state.value}", message, fix)


def with_authorization(result: DayResult, state: AuthorizationState) -> DayResult:
    """The day once the authorizations are counted: `state` replaces the placeholder
    problem `evaluate_day` put on a day whose payer asks for an authorization."""
    if result.rule is None or not result.rule.needs_authorization:
        return result
    problems = [p for p in result.problems if not p.code.startswith("authorization")]
    if state != AuthorizationState.COVERED:
        problems.append(_authorization_problem(state))
    status = DayStatus.BLOCKED if problems else DayStatus.BILLABLE
    return replace(result, problems=tuple(problems), status=status, authorization=state)
