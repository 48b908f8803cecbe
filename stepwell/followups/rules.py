"""The rules of follow-ups after discharge, with no Django: when a follow-up is due, which
questionnaires it asks, and what the daily job does next with one that waits for an
answer (docs/clinical-sources.md §3.11).

- Due: at each of the program's days after the discharge day (default 30, 60 and 90).
  A follow-up whose day passed more than `CATCH_UP_DAYS` ago is not created: switching
  the feature on does not flood the worklist with stale check-ins.
- Questionnaires: PHQ-9 and GAD-7 by default; AUDIT-C and DAST-10 for a substance-use
  program (the program may choose others).
- Next step for a follow-up not completed: send a link when none was sent and the patient
  can be messaged; after `max_attempts` attempts (links sent and phone calls that reached
  nobody) and `wait_days` without an answer since the last one, it is unreachable; in
  between, another link once `wait_days` passed since the last attempt.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_DAYS = (30, 60, 90)
MENTAL_HEALTH_INSTRUMENTS = ("phq9", "gad7")
SUBSTANCE_USE_INSTRUMENTS = ("auditc", "dast10")
SUBSTANCE_USE_TRACKS = frozenset({"substance_use"})
FOLLOW_UP_INSTRUMENTS = frozenset({"phq9", "gad7", "auditc", "dast10", "pcl5"})
CATCH_UP_DAYS = 30
LONGEST_DAY = 730
DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_WAIT_DAYS = 7


def default_instruments(track: str) -> tuple[str, ...]:
    """PHQ-9 and GAD-7, or AUDIT-C and DAST-10 for a substance-use program."""
    if track in SUBSTANCE_USE_TRACKS:
        return SUBSTANCE_USE_INSTRUMENTS
    return MENTAL_HEALTH_INSTRUMENTS


class DaysError(ValueError):
    """A list of days after discharge that cannot be used, with the reason."""


def parse_days(text: str) -> tuple[int, ...]:
    """'30, 60, 90' -> (30, 60, 90): whole days from 1 to LONGEST_DAY, no repeats, sorted."""
    parts = [part.strip() for part in str(text).replace(";", ",").split(",")]
    parts = [part for part in parts if part]
    if not parts:
        raise DaysError("Give at least one number of days, such as 30, 60, 90.")
    days = []
    for part in parts:
        if not (part.isascii() and part.isdigit()):
            raise DaysError(f"{part!r} is not a whole number of days.")
        value = int(part)
        if not 1 <= value <= LONGEST_DAY:
            raise DaysError(f"{value} is not between 1 and {LONGEST_DAY} days.")
        days.append(value)
    if len(set(days)) != len(days):
        raise DaysError("A number of days is given twice.")
    return tuple(sorted(days))


@dataclass(frozen=True)
class DueFollowUp:
    days_after_discharge: int
    due_on: date


def follow_ups_due(
    discharged_on: date, days: tuple[int, ...], today: date
) -> tuple[DueFollowUp, ...]:
    """The follow-ups of an episode discharged on `discharged_on` that are due by `today`
    and not older than the catch-up window."""
    due = []
    for n in days:
        due_on = discharged_on + timedelta(days=n)
        if due_on <= today and (today - due_on).days <= CATCH_UP_DAYS:
            due.append(DueFollowUp(days_after_discharge=n, due_on=due_on))
    return tuple(due)


class NextStep(enum.StrEnum):
    SEND_LINK = "send_link"
    WAIT = "wait"
    UNREACHABLE = "unreachable"


def next_step(
    *,
    attempts: int,
    days_since_last_attempt: int | None,
    max_attempts: int,
    wait_days: int,
    can_message: bool,
) -> NextStep:
    """What the daily job does with a follow-up that is due or sent (not completed)."""
    waited = days_since_last_attempt is None or days_since_last_attempt >= wait_days
    if attempts >= max_attempts:
        return NextStep.UNREACHABLE if waited else NextStep.WAIT
    if can_message and waited:
        return NextStep.SEND_LINK
    return NextStep.WAIT


class Employment(enum.StrEnum):
    WORKING = "working"
    SCHOOL = "school"
    BOTH = "both"
    NEITHER = "neither"
    NOT_SAID = "not_said"


EMPLOYMENT_LABELS = {
    Employment.WORKING: "Working",
    Employment.SCHOOL: "In school or training",
    Employment.BOTH: "Working and in school",
    Employment.NEITHER: "Neither",
    Employment.NOT_SAID: "I'd rather not say",
}


@dataclass(frozen=True)
class ShortAnswers:
    """The short questions every follow-up asks after its questionnaires."""

    in_treatment: bool
    in_treatment_where: str
    readmitted_higher_level: bool
    days_of_use_last_30: int
    employment: Employment


def short_answer_errors(answers: ShortAnswers) -> dict[str, str]:
    """Field -> what is wrong; empty when the answers can be kept."""
    errors = {}
    where = answers.in_treatment_where.strip()
    if answers.in_treatment and not where:
        errors["in_treatment_where"] = "Say where you are in treatment now."
    if not answers.in_treatment and where:
        errors["in_treatment_where"] = "Leave this empty when you are not in treatment now."
    if not 0 <= answers.days_of_use_last_30 <= 30:
        errors["days_of_use_last_30"] = "Give a number of days from 0 to 30."
    return errors
